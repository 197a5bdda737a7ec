// The published feed against the rules the W3C Feed Validation Service
// (validator.w3.org/feed, "RSS 2.0" and its iTunes checks) and Apple
// Podcasts apply to podcast feeds, written as a checker that lists every
// rule a document breaks; then the feed read back by namix's own reader.
#include "publish/podcast_feed.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "core/xml_document.h"
#include "feed/feed.h"
#include "feed/feed_time.h"

namespace namix {
namespace {

using std::chrono::seconds;
using std::chrono::sys_seconds;

constexpr std::string_view kAtom = "http://www.w3.org/2005/Atom";

bool absolute_http_url(std::string_view url) {
  return std::regex_match(std::string(url), std::regex(R"(https?://[^\s/?#]+[^\s]*)"));
}

// RFC 822 section 5 as the validator reads it: day name matching the date,
// four-digit year, a zone; "validator.w3.org/feed/docs/error/InvalidRFC2822Date".
void check_date(std::string_view where, std::string_view text, std::vector<std::string>& findings) {
  static const std::regex kShape(
      R"((Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d{2}):(\d{2}):(\d{2}) ([+-]\d{4}|GMT|UT))");
  std::cmatch m;
  const std::string s(text);
  if (!std::regex_match(s.c_str(), m, kShape)) {
    findings.push_back(std::string(where) + ": not an RFC 822 date: " + s);
    return;
  }
  const auto parsed = parse_rfc822_date(s);
  if (!parsed) {
    findings.push_back(std::string(where) + ": no such date: " + s);
    return;
  }
  static const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  const std::chrono::weekday wd(std::chrono::floor<std::chrono::days>(*parsed));
  if (m[1].str() != kDays[wd.c_encoding()])
    findings.push_back(std::string(where) + ": weekday does not match the date: " + s);
}

std::string child_text(const XmlElement& e, std::string_view ns, std::string_view name) {
  auto c = e.first_child(ns, name);
  return c ? std::string(c->text()) : std::string();
}

// Every rule the document breaks, one line each; empty when it passes.
std::vector<std::string> feed_validator_findings(const std::string& xml) {
  std::vector<std::string> findings;
  auto doc = XmlDocument::parse(xml);
  if (!doc) return {"not well-formed XML: " + doc.error().message};
  const XmlElement rss = doc->root();
  if (!rss.is("", "rss") || rss.attribute("version") != "2.0")
    findings.push_back("root must be <rss version=\"2.0\">");
  const auto channels = rss.children("", "channel");
  if (channels.size() != 1) return {"exactly one <channel> is required"};
  const XmlElement ch = channels.front();
  for (const char* required : {"title", "link", "description"}) {
    if (child_text(ch, "", required).empty())
      findings.push_back(std::string("channel: missing or empty <") + required + ">");
  }
  if (!absolute_http_url(child_text(ch, "", "link")))
    findings.push_back("channel: <link> must be an absolute http(s) URL");
  const std::string language = child_text(ch, "", "language");
  if (!language.empty() && !std::regex_match(language, std::regex("[A-Za-z]{2,3}(-[A-Za-z0-9]+)*")))
    findings.push_back("channel: <language> is not a language code: " + language);
  for (const char* dated : {"pubDate", "lastBuildDate"}) {
    if (auto d = ch.first_child("", dated))
      check_date(std::string("channel ") + dated, d->text(), findings);
  }
  // "Missing atom:link with rel=self" is the validator's first recommendation.
  bool self_link = false;
  for (const XmlElement& link : ch.children(kAtom, "link")) {
    if (link.attribute("rel") == "self" && link.attribute("type") == "application/rss+xml" &&
        absolute_http_url(link.attribute("href").value_or("")))
      self_link = true;
  }
  if (!self_link) findings.push_back("channel: atom:link rel=\"self\" is missing");
  // Apple: itunes:image (JPEG or PNG), a category of theirs, itunes:explicit.
  if (auto image = ch.first_child(kItunesNamespace, "image")) {
    const std::string href(image->attribute("href").value_or(""));
    if (!absolute_http_url(href) ||
        !std::regex_search(href, std::regex(R"(\.(jpe?g|png)$)", std::regex::icase)))
      findings.push_back("channel: itunes:image href must be a .jpg or .png URL: " + href);
  } else {
    findings.push_back("channel: itunes:image is missing (Apple requires it)");
  }
  const auto categories = ch.children(kItunesNamespace, "category");
  if (categories.empty()) findings.push_back("channel: itunes:category is missing");
  for (const XmlElement& c : categories) {
    if (!is_apple_podcast_category(c.attribute("text").value_or("")))
      findings.push_back("channel: itunes:category is not one of Apple's: " +
                         std::string(c.attribute("text").value_or("")));
  }
  const std::string explicit_text = child_text(ch, kItunesNamespace, "explicit");
  if (explicit_text != "true" && explicit_text != "false")
    findings.push_back("channel: itunes:explicit must be true or false");

  std::set<std::string> guids;
  int n = 0;
  for (const XmlElement& item : ch.children("", "item")) {
    const std::string where = "item " + std::to_string(++n);
    if (child_text(item, "", "title").empty() && child_text(item, "", "description").empty())
      findings.push_back(where + ": needs a title or a description");
    auto guid = item.first_child("", "guid");
    if (!guid || guid->text().empty()) {
      findings.push_back(where + ": guid is missing");
    } else {
      // isPermaLink defaults to true: the guid must then be a URL.
      const bool permalink = guid->attribute("isPermaLink").value_or("true") == "true";
      if (permalink && !absolute_http_url(guid->text()))
        findings.push_back(where + ": guid is a permalink but not a URL");
      if (!guids.insert(std::string(guid->text())).second)
        findings.push_back(where + ": guid repeats another item's");
    }
    if (auto d = item.first_child("", "pubDate"))
      check_date(where + " pubDate", d->text(), findings);
    else
      findings.push_back(where + ": pubDate is missing");
    const auto enclosures = item.children("", "enclosure");
    if (enclosures.size() != 1) findings.push_back(where + ": needs exactly one enclosure");
    for (const XmlElement& e : enclosures) {
      if (!absolute_http_url(e.attribute("url").value_or("")))
        findings.push_back(where + ": enclosure url must be an absolute http(s) URL");
      const std::string length(e.attribute("length").value_or(""));
      if (!std::regex_match(length, std::regex("[1-9][0-9]*")))
        findings.push_back(where + ": enclosure length must be the size in bytes: '" + length +
                           "'");
      if (!std::regex_match(std::string(e.attribute("type").value_or("")),
                            std::regex("(audio|video)/[a-z0-9.+-]+")))
        findings.push_back(where + ": enclosure type must be an audio or video MIME type");
    }
    const std::string duration = child_text(item, kItunesNamespace, "duration");
    if (!std::regex_match(duration, std::regex(R"(\d+|\d{1,2}:\d{2}|\d{1,2}:\d{2}:\d{2})")))
      findings.push_back(where + ": itunes:duration must be seconds, MM:SS or HH:MM:SS: '" +
                         duration + "'");
    for (const XmlElement& t : item.children(kPodcastNamespace, "transcript")) {
      static const std::set<std::string> kTypes = {
          "text/vtt",        "application/json", "application/x-subrip",
          "application/srt", "text/html",        "text/plain"};
      if (!absolute_http_url(t.attribute("url").value_or("")) ||
          kTypes.count(std::string(t.attribute("type").value_or(""))) == 0)
        findings.push_back(where + ": podcast:transcript needs a URL and a transcript type");
    }
    for (const XmlElement& c : item.children(kPodcastNamespace, "chapters")) {
      if (!absolute_http_url(c.attribute("url").value_or("")) ||
          c.attribute("type") != "application/json+chapters")
        findings.push_back(where + ": podcast:chapters needs a URL and application/json+chapters");
    }
    for (const XmlElement& s : item.children(kPodcastNamespace, "soundbite")) {
      const std::regex number(R"(\d+(\.\d+)?)");
      const std::string start(s.attribute("startTime").value_or(""));
      const std::string length(s.attribute("duration").value_or(""));
      if (!std::regex_match(start, number) || !std::regex_match(length, number) ||
          std::stod(length) <= 0.0)
        findings.push_back(where + ": podcast:soundbite needs startTime and a positive duration");
    }
  }
  return findings;
}

PodcastChannel channel() {
  PodcastChannel c;
  c.title = "No Agenda \u2014 Best Of";
  c.link = "http://www.noagendashow.net/";
  c.description = "The Best Of of every episode, made by namix.";
  c.language = "en-us";
  c.author = "Adam Curry & John C. Dvorak";
  c.image_url = "https://assets.example.com/na-cover.png";
  c.self_url = "https://namix.example.com/feeds/no-agenda/best-of.xml";
  c.generator = "namix test";
  c.last_build = sys_seconds{seconds{1699900000}};
  return c;
}

PodcastEpisode episode(int n) {
  PodcastEpisode e;
  e.guid = "namix:no-agenda:best-of:item" + std::to_string(n);
  e.title = "16" + std::to_string(10 + n) + " - \"Tarted Up\" \u2014 Best Of";
  e.description = "<p>Segments</p><ol><li>0:00 in the mix</li></ol>";
  e.link = "http://16" + std::to_string(10 + n) + ".noagendanotes.example.com";
  e.published = sys_seconds{seconds{1699825277 - n * 86400 * 3}};
  e.enclosure_url =
      "https://namix.example.com/published/no-agenda/best-of/item" + std::to_string(n) + ".mp3";
  e.enclosure_bytes = 3'612'345;
  e.duration_s = 89.6;
  e.episode = 1610 + n;
  e.transcript =
      PodcastLink{e.enclosure_url.substr(0, e.enclosure_url.size() - 4) + ".vtt", "text/vtt"};
  e.chapters = PodcastLink{e.enclosure_url.substr(0, e.enclosure_url.size() - 4) + ".chapters.json",
                           "application/json+chapters"};
  e.soundbite = PodcastSoundbite{27.0, 30.5, "clip: telephone band"};
  return e;
}

TEST(PodcastFeed, PassesTheValidatorRules) {
  const std::string xml = write_podcast_feed(channel(), {episode(2), episode(1)});
  const auto findings = feed_validator_findings(xml);
  EXPECT_TRUE(findings.empty()) << ::testing::PrintToString(findings) << "\n" << xml;
  EXPECT_NE(xml.find("<itunes:duration>90</itunes:duration>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<podcast:soundbite startTime=\"27\" duration=\"30.5\">clip: telephone "
                     "band</podcast:soundbite>"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<pubDate>Thu, 09 Nov 2023 21:41:17 +0000</pubDate>"), std::string::npos);
  EXPECT_NE(xml.find("<guid isPermaLink=\"false\">"), std::string::npos);
}

TEST(PodcastFeed, TheCheckerFindsWhatBreaksARule) {
  const std::string good = write_podcast_feed(channel(), {episode(1)});
  const auto broken = [&](const std::string& from, const std::string& to) {
    std::string xml = good;
    const auto at = xml.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) xml.replace(at, from.size(), to);
    return feed_validator_findings(xml);
  };
  EXPECT_FALSE(broken("+0000</pubDate>", "</pubDate>").empty());
  EXPECT_FALSE(broken("<pubDate>Thu,", "<pubDate>Mon,").empty()) << "weekday must match";
  EXPECT_FALSE(broken("isPermaLink=\"false\"", "isPermaLink=\"true\"").empty());
  EXPECT_FALSE(broken("length=\"3612345\"", "length=\"\"").empty());
  EXPECT_FALSE(broken("type=\"audio/mpeg\"", "type=\"mp3\"").empty());
  EXPECT_FALSE(broken("<itunes:duration>90<", "<itunes:duration>1.5 min<").empty());
  EXPECT_FALSE(broken("text=\"News\"", "text=\"Podcasts\"").empty());
  EXPECT_FALSE(broken("rel=\"self\"", "rel=\"alternate\"").empty());
  EXPECT_FALSE(broken("<title>No Agenda", "<title>No Agenda &").empty()) << "not well-formed";
  const std::string twice = write_podcast_feed(channel(), {episode(1), episode(1)});
  EXPECT_FALSE(feed_validator_findings(twice).empty()) << "guids must be unique";
  PodcastChannel no_image = channel();
  no_image.image_url.clear();
  EXPECT_FALSE(feed_validator_findings(write_podcast_feed(no_image, {episode(1)})).empty());
}

TEST(PodcastFeed, TitlesWithMarkupAndControlCharactersStayWellFormed) {
  PodcastChannel c = channel();
  c.title = "Shows & <Tales> \"quoted\" \x07 \xf0\x9f\x8e\x99";
  PodcastEpisode e = episode(1);
  e.title = "A </title><script>alert(1)</script> & more";
  e.description = "<p>HTML & \"quotes\"</p>]]>";
  e.soundbite->title = "<b>bold</b>";
  const std::string xml = write_podcast_feed(c, {e});
  EXPECT_TRUE(feed_validator_findings(xml).empty()) << xml;
  EXPECT_EQ(xml.find("<script>"), std::string::npos);
  // namix's own feed reader gets every value back as it was written.
  auto feed = parse_feed(xml, c.self_url);
  ASSERT_TRUE(feed.ok()) << feed.error().message;
  EXPECT_EQ(feed->title, "Shows & <Tales> \"quoted\"  \xf0\x9f\x8e\x99");
  ASSERT_EQ(feed->items.size(), 1u);
  EXPECT_EQ(feed->items[0].title, e.title);
  EXPECT_EQ(feed->items[0].description, e.description);
}

TEST(PodcastFeed, ReadsBackThroughNamixsOwnFeedReader) {
  const std::string xml = write_podcast_feed(channel(), {episode(2), episode(1)});
  auto feed = parse_feed(xml, channel().self_url);
  ASSERT_TRUE(feed.ok()) << feed.error().message;
  EXPECT_EQ(feed->image_url, channel().image_url);
  EXPECT_EQ(feed->author, channel().author);
  ASSERT_EQ(feed->items.size(), 2u);
  const FeedItem& item = feed->items[0];
  EXPECT_EQ(item.guid, episode(2).guid);
  EXPECT_EQ(item.episode, 1612);
  EXPECT_EQ(item.duration_s, 90.0);
  EXPECT_EQ(item.published, episode(2).published);
  ASSERT_TRUE(item.enclosure.has_value());
  EXPECT_EQ(item.enclosure->length_bytes, 3'612'345u);
  ASSERT_EQ(item.transcripts.size(), 1u);
  EXPECT_EQ(item.transcripts[0].format, TranscriptFormat::vtt);
  ASSERT_TRUE(item.chapters.has_value());
  EXPECT_EQ(item.chapters->type, "application/json+chapters");
}

TEST(PodcastFeed, ItemsWithoutTranscriptOrSoundbiteLeaveThoseTagsOut) {
  PodcastEpisode e = episode(1);
  e.transcript.reset();
  e.chapters.reset();
  e.soundbite.reset();
  e.episode.reset();
  const std::string xml = write_podcast_feed(channel(), {e});
  EXPECT_TRUE(feed_validator_findings(xml).empty()) << xml;
  EXPECT_EQ(xml.find("podcast:transcript"), std::string::npos);
  EXPECT_EQ(xml.find("podcast:soundbite"), std::string::npos);
  EXPECT_EQ(xml.find("itunes:episode"), std::string::npos);
}

TEST(PodcastGuid, IsTheUuidV5OfTheFeedUrlWithoutScheme) {
  // The Podcasting 2.0 namespace's own example; python3 -c "import uuid;
  // print(uuid.uuid5(uuid.UUID('ead4c236-bf58-58c6-a2c6-a6b28d128cb6'),
  // 'mp3s.nashownotes.com/pc20rss.xml'))" prints the same.
  EXPECT_EQ(podcast_guid("https://mp3s.nashownotes.com/pc20rss.xml"),
            "917393e3-1b1e-5cef-ace4-edaa54e1f810");
  EXPECT_EQ(podcast_guid("http://mp3s.nashownotes.com/pc20rss.xml/"),
            "917393e3-1b1e-5cef-ace4-edaa54e1f810");
}

TEST(PodcastFeed, AppleCategories) {
  EXPECT_TRUE(is_apple_podcast_category("News"));
  EXPECT_TRUE(is_apple_podcast_category("Society & Culture"));
  EXPECT_FALSE(is_apple_podcast_category("news"));
  EXPECT_EQ(apple_podcast_categories().size(), 19u);
}

}  // namespace
}  // namespace namix
