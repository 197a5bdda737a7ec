#include "feed/feed.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "feed/feed_time.h"

namespace namix {
namespace {

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(NAMIX_FEED_TESTDATA_DIR) + "/" + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

Feed parsed(std::string_view bytes, std::string_view url) {
  auto feed = parse_feed(bytes, url);
  EXPECT_TRUE(feed.ok()) << (feed.ok() ? "" : feed.error().message);
  return feed.ok() ? std::move(feed).value() : Feed{};
}

std::string date(const FeedItem& item) {
  return item.published ? format_iso8601(*item.published) : "none";
}

TEST(ParseFeed, ReadsANoAgendaLikeFeed) {
  const Feed feed = parsed(fixture("no_agenda_like.xml"), "http://feed.example.com/rss.xml");
  EXPECT_EQ(feed.title, "No Agenda Show");
  EXPECT_EQ(feed.link, "http://www.noagendashow.net/");
  EXPECT_EQ(feed.author, "Adam Curry & John C. Dvorak");
  EXPECT_EQ(feed.image_url, "https://assets.example.com/na-cover.png");
  EXPECT_EQ(feed.language, "en-us");
  ASSERT_EQ(feed.items.size(), 3u);

  const FeedItem& latest = feed.items[0];
  EXPECT_EQ(latest.title, "1612 - \"Tarted Up\"");
  EXPECT_EQ(latest.guid, "http://1612.noagendanotes.example.com");
  EXPECT_EQ(latest.link, "http://1612.noagendanotes.example.com");
  EXPECT_EQ(date(latest), "2023-11-12T21:41:17Z");
  EXPECT_EQ(latest.description,
            "<p>No Agenda Episode 1612 - \"Tarted Up\"</p><p>Executive Producers: Sir Ohm "
            "&amp; Dame Ohm</p>");
  ASSERT_TRUE(latest.enclosure.has_value());
  EXPECT_EQ(latest.enclosure->url, "https://mp3s.example.com/NA-1612-2023-11-12-Final.mp3");
  EXPECT_EQ(latest.enclosure->media_url, latest.enclosure->url);
  EXPECT_EQ(latest.enclosure->length_bytes, 184320000u);
  EXPECT_EQ(latest.enclosure->type, "audio/mpeg");
  EXPECT_EQ(latest.duration_s, 3 * 3600 + 11 * 60 + 25.0);
  // No itunes:episode: the number comes from the title.
  EXPECT_EQ(latest.episode, 1612);
  EXPECT_TRUE(latest.episode_from_title);
  ASSERT_EQ(latest.transcripts.size(), 1u);
  EXPECT_EQ(latest.transcripts[0].url, "https://mp3s.example.com/NA-1612-Words-2023-11-12.srt");
  EXPECT_EQ(latest.transcripts[0].format, TranscriptFormat::srt);
  EXPECT_EQ(choose_transcript(latest.transcripts), &latest.transcripts[0]);
  ASSERT_TRUE(latest.chapters.has_value());
  EXPECT_EQ(latest.chapters->url, "https://chapters.example.com/1612.json");
  EXPECT_EQ(latest.chapters->type, "application/json+chapters");

  EXPECT_EQ(feed.items[2].episode, 1610);
  EXPECT_TRUE(feed.items[2].transcripts.empty());
  EXPECT_FALSE(feed.items[2].chapters.has_value());
}

TEST(ParseFeed, ReadsOtherPrefixesOlderNamespaceUrisAndRelativeUrls) {
  const Feed feed = parsed(fixture("varied_shapes.xml"), "https://feeds.example.org/varied.rss");
  EXPECT_EQ(feed.author, "The Varied Team");  // iTunes URI in its mixed-case spelling
  EXPECT_EQ(feed.image_url, "https://cdn.example.org/shows/varied/cover.jpg");
  ASSERT_EQ(feed.items.size(), 4u);

  const FeedItem& bonus = feed.items[0];
  EXPECT_FALSE(bonus.enclosure.has_value());
  EXPECT_FALSE(bonus.episode.has_value());
  EXPECT_EQ(date(bonus), "2023-11-06T13:00:00Z");

  const FeedItem& ep42 = feed.items[1];
  EXPECT_EQ(ep42.episode, 42);
  EXPECT_FALSE(ep42.episode_from_title);
  EXPECT_EQ(ep42.duration_s, 3570.0);
  EXPECT_EQ(date(ep42), "2023-11-14T08:30:00Z");
  EXPECT_EQ(ep42.description, "<p>Forty-two & more</p>");  // content:encoded stands in
  ASSERT_TRUE(ep42.enclosure.has_value());
  // The URL to fetch keeps its measurement prefixes; the media URL names the file.
  EXPECT_EQ(ep42.enclosure->url,
            "https://op3.dev/e/dts.podtrac.com/redirect.mp3/chtbl.com/track/9A7B1/"
            "media.example.net/varied/ep42.mp3");
  EXPECT_EQ(ep42.enclosure->media_url, "https://media.example.net/varied/ep42.mp3");
  EXPECT_EQ(ep42.enclosure->length_bytes, 0u);
  // Four transcripts under two prefixes and two URI spellings of one namespace.
  ASSERT_EQ(ep42.transcripts.size(), 4u);
  EXPECT_EQ(ep42.transcripts[0].url, "https://cdn.example.org/shows/varied/transcripts/42.srt");
  EXPECT_EQ(ep42.transcripts[0].language, "en");
  EXPECT_EQ(ep42.transcripts[1].format, TranscriptFormat::other);  // text/html
  EXPECT_EQ(ep42.transcripts[2].format, TranscriptFormat::vtt);
  EXPECT_EQ(ep42.transcripts[2].rel, "captions");
  const FeedTranscript* chosen = choose_transcript(ep42.transcripts);
  ASSERT_NE(chosen, nullptr);
  EXPECT_EQ(chosen->url, "https://cdn.example.org/shows/varied/transcripts/42.json");
  EXPECT_EQ(chosen->format, TranscriptFormat::json);
  ASSERT_TRUE(ep42.chapters.has_value());
  EXPECT_EQ(ep42.chapters->url, "https://cdn.example.org/shows/varied/chapters/42.json");

  const FeedItem& ep41 = feed.items[2];
  EXPECT_EQ(ep41.episode, 41);
  EXPECT_TRUE(ep41.episode_from_title);
  EXPECT_EQ(ep41.description, "First <b>CDATA</b> part and second part");
  EXPECT_EQ(ep41.enclosure->url, "https://cdn.example.org/archive/2023/ep41.mp3");
  EXPECT_EQ(ep41.enclosure->length_bytes, 1234u);
  EXPECT_EQ(ep41.duration_s, 3723.0);
  EXPECT_EQ(date(ep41), "2023-11-14T02:00:00Z");
  // VTT before SRT.
  EXPECT_EQ(choose_transcript(ep41.transcripts)->url,
            "https://cdn.example.org/archive/2023/41.vtt");

  const FeedItem& ep40 = feed.items[3];
  EXPECT_EQ(ep40.episode, 40);
  EXPECT_EQ(ep40.enclosure->media_url, "https://media.example.net/varied/ep40.mp3");
  EXPECT_EQ(ep40.transcripts[0].format, TranscriptFormat::srt);  // APPLICATION/SRT
  EXPECT_EQ(date(ep40), "2023-11-01T10:00:00Z");
}

TEST(ParseFeed, RelativeUrlsStayRelativeWithoutAFeedUrl) {
  const Feed feed = parsed(
      "<rss><channel><item><enclosure url='ep.mp3' type='audio/mpeg'/></item></channel></rss>", "");
  EXPECT_EQ(feed.items[0].enclosure->url, "ep.mp3");
}

TEST(ParseFeed, PrefersAnAudioEnclosure) {
  const Feed feed = parsed(
      "<rss><channel><item><enclosure url='https://h.example/cover.jpg' type='image/jpeg'/>"
      "<enclosure url='https://h.example/ep.mp3' type='audio/mpeg'/></item>"
      "<item><enclosure url='https://h.example/video.mp4' type='video/mp4'/></item>"
      "</channel></rss>",
      "https://h.example/rss");
  EXPECT_EQ(feed.items[0].enclosure->url, "https://h.example/ep.mp3");
  EXPECT_EQ(feed.items[1].enclosure->url, "https://h.example/video.mp4");
}

TEST(TranscriptFormat, ReadsTypesWhateverTheirCaseAndExtensionsWithoutAType) {
  EXPECT_EQ(transcript_format("application/json", ""), TranscriptFormat::json);
  EXPECT_EQ(transcript_format(" Text/VTT ", ""), TranscriptFormat::vtt);
  EXPECT_EQ(transcript_format("application/x-subrip", ""), TranscriptFormat::srt);
  EXPECT_EQ(transcript_format("application/srt", ""), TranscriptFormat::srt);
  EXPECT_EQ(transcript_format("TEXT/SRT", ""), TranscriptFormat::srt);
  EXPECT_EQ(transcript_format("text/html", "https://h/t.srt"), TranscriptFormat::other);
  EXPECT_EQ(transcript_format("text/plain", ""), TranscriptFormat::other);
  EXPECT_EQ(transcript_format("", "https://h/t.VTT?sig=1"), TranscriptFormat::vtt);
  EXPECT_EQ(transcript_format("", "https://h.example/transcript"), TranscriptFormat::other);
  EXPECT_EQ(choose_transcript({}), nullptr);
}

TEST(EpisodeNumberInTitle, ReadsTheCommonForms) {
  EXPECT_EQ(episode_number_in_title("1612 - \"Tarted Up\""), 1612);
  EXPECT_EQ(episode_number_in_title("Episode 42: The Answer"), 42);
  EXPECT_EQ(episode_number_in_title("The Show, Ep. 7 - Seven"), 7);
  EXPECT_EQ(episode_number_in_title("The Show EP12"), 12);
  EXPECT_EQ(episode_number_in_title("#245 Guest Name"), 245);
  EXPECT_EQ(episode_number_in_title("Show No. 9"), 9);
  EXPECT_EQ(episode_number_in_title("42: Answers"), 42);
  EXPECT_FALSE(episode_number_in_title("Deep 5 thoughts"));
  EXPECT_FALSE(episode_number_in_title("Bonus: listener mail"));
  EXPECT_FALSE(episode_number_in_title("3D printing special"));
  EXPECT_FALSE(episode_number_in_title(""));
}

// ---------------------------------------------------------------- bad input

Error refused(std::string_view bytes, std::string_view url = "https://feeds.example.com/show") {
  auto feed = parse_feed(bytes, url);
  EXPECT_FALSE(feed.ok());
  if (feed.ok()) return Error{};
  const Error& e = feed.error();
  EXPECT_EQ(e.message.find('\n'), std::string::npos) << "not one line: " << e.message;
  return e;
}

TEST(ParseFeedRefuses, HtmlPages) {
  const Error e = refused("\xEF\xBB\xBF\n<!DOCTYPE html>\n<html><head><title>My Show</title>");
  EXPECT_EQ(e.code, Errc::upstream_failed);
  EXPECT_EQ(e.message,
            "the feed at https://feeds.example.com/show is an HTML page, not an RSS feed; give "
            "the URL of the podcast's RSS feed itself");
  // Well-formed XHTML gets there through the XML reader.
  EXPECT_NE(refused("<html xmlns='http://www.w3.org/1999/xhtml'/>").message.find("HTML page"),
            std::string::npos);
}

TEST(ParseFeedRefuses, AtomAndOtherXml) {
  Error e = refused("<feed xmlns='http://www.w3.org/2005/Atom'><title>x</title></feed>");
  EXPECT_EQ(e.code, Errc::upstream_failed);
  EXPECT_NE(e.message.find("is an Atom feed; namix reads RSS 2.0"), std::string::npos);
  e = refused("<ListBucketResult/>");
  EXPECT_EQ(e.message,
            "the feed at https://feeds.example.com/show is XML but not an RSS feed (its root "
            "element is <ListBucketResult>); give the podcast's RSS feed URL");
  e = refused("<rss version='2.0'></rss>");
  EXPECT_NE(e.message.find("without a <channel>"), std::string::npos);
  e = refused("this is plain text, not XML", "");
  EXPECT_EQ(e.code, Errc::upstream_failed);
  EXPECT_EQ(e.message.rfind("the feed is not well-formed XML (line 1, column 1", 0), 0u)
      << e.message;
}

TEST(ParseFeedRefuses, BillionLaughs) {
  std::string bomb = "<?xml version='1.0'?><!DOCTYPE rss [<!ENTITY a 'ha'>";
  const char* names = "abcdefghij";
  for (int i = 1; i < 10; ++i) {
    bomb += std::string("<!ENTITY ") + names[i] + " '";
    for (int k = 0; k < 10; ++k) bomb += std::string("&") + names[i - 1] + ";";
    bomb += "'>";
  }
  bomb += "]><rss><channel><title>&j;</title></channel></rss>";
  const Error e = refused(bomb);
  EXPECT_EQ(e.code, Errc::upstream_failed);
  EXPECT_NE(e.message.find("declares the entity 'a'"), std::string::npos) << e.message;
}

TEST(ParseFeedRefuses, ExternalEntities) {
  const Error e = refused(
      "<?xml version='1.0'?><!DOCTYPE rss [<!ENTITY xxe SYSTEM 'file:///etc/passwd'>]>"
      "<rss><channel><title>&xxe;</title><item><title>&xxe;</title></item></channel></rss>");
  EXPECT_EQ(e.code, Errc::upstream_failed);
  EXPECT_NE(e.message.find("entity 'xxe'"), std::string::npos);
  EXPECT_EQ(e.message.find("root:"), std::string::npos);
}

TEST(ParseFeedRefuses, A50MegabyteFeed) {
  std::string big = "<rss><channel>";
  const std::string item =
      "<item><title>padding</title><enclosure url='https://h.example/e.mp3'/></item>";
  while (big.size() < 50u * 1000 * 1000) big += item;
  big += "</channel></rss>";
  const Error e = refused(big);
  EXPECT_EQ(e.code, Errc::too_large);
  EXPECT_EQ(e.message,
            "the feed at https://feeds.example.com/show is larger than the 32 MiB limit for "
            "feeds; give the episode's URL instead");
}

TEST(ParseFeedRefuses, BrokenUtf8) {
  const Error e = refused("<rss><channel>\n<title>Caf\xC3 au lait</title></channel></rss>");
  EXPECT_EQ(e.code, Errc::upstream_failed);
  EXPECT_EQ(e.message,
            "the feed at https://feeds.example.com/show is not valid UTF-8 (a broken byte "
            "sequence at line 2, column 11); it cannot be read as RSS (ask its publisher to fix "
            "it, or give the episode's URL instead)");
}

TEST(ParseFeedRefuses, EmptyBodies) {
  EXPECT_EQ(refused("").code, Errc::upstream_failed);
  EXPECT_NE(refused(" \n").message.find("is empty"), std::string::npos);
}

}  // namespace
}  // namespace namix
