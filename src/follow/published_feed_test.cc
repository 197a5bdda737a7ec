#include "follow/published_feed.h"

#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "feed/feed.h"
#include "follow/follow_test_support.h"
#include "store/local_storage.h"

namespace namix {
namespace {

using follow_test::show_subscription;
using nlohmann::json;

json result_of(const std::string& mix_id, bool with_words) {
  json r = {{"mix_id", mix_id},
            {"download",
             {{"url", "http://h:1/files/x?expires=1&sig=2"},
              {"s3_key", "mixes/12/best-of/" + mix_id + ".mp3"}}},
            {"mix_metadata", {{"file_size_bytes", 3'600'000}, {"duration_actual", 90.5}}},
            {"segments",
             {{{"name", "a"},
               {"start_time", 100.0},
               {"end_time", 130.0},
               {"duration", 30.0},
               {"mix_start", 0.0},
               {"kind", "rant"},
               {"confidence", 0.9},
               {"description", "x"}}}}};
  if (with_words) {
    r["downloads"] = {
        {"transcript_vtt", {{"url", "u"}, {"s3_key", "mixes/12/best-of/" + mix_id + ".vtt"}}},
        {"chapters", {{"url", "u"}, {"s3_key", "mixes/12/best-of/" + mix_id + ".chapters.json"}}}};
  }
  return r;
}

FollowedItem item(int number) {
  FollowedItem i;
  i.guid = "show-" + std::to_string(number);
  i.key = item_key_for(i.guid);
  i.title = "Episode " + std::to_string(number);
  i.episode = number;
  i.enclosure_url = "https://cdn.example.com/ep" + std::to_string(number) + ".mp3";
  i.published_unix = 1'700'000'000 + number;
  return i;
}

TEST(PublishedMix, TakesTheFilesFromTheResult) {
  auto m = published_mix_from_result(item(12), "Best Of", result_of("m1", true), 5);
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->mp3_key, "mixes/12/best-of/m1.mp3");
  EXPECT_EQ(m->mp3_bytes, 3'600'000u);
  EXPECT_EQ(m->transcript_key, "mixes/12/best-of/m1.vtt");
  EXPECT_EQ(m->chapters_key, "mixes/12/best-of/m1.chapters.json");
  ASSERT_EQ(m->segments.size(), 1u);
  auto bare = published_mix_from_result(item(12), "Best Of", result_of("m1", false), 5);
  ASSERT_TRUE(bare.ok());
  EXPECT_TRUE(bare->transcript_key.empty());
  EXPECT_FALSE(published_mix_from_result(item(12), "Best Of", json::object(), 5).ok());
}

TEST(PublishedLinks, NeverCarryASignature) {
  auto m = published_mix_from_result(item(12), "Best Of", result_of("m1", true), 5);
  ASSERT_TRUE(m.ok());
  const PublishedLinks served{"https://namix.example.com", ""};
  EXPECT_EQ(served.feed_url("show", "best-of"), "https://namix.example.com/feeds/show/best-of.xml");
  EXPECT_EQ(served.file_url("show", "best-of", *m, kMp3Suffix),
            "https://namix.example.com/published/show/best-of/" + m->item.key + ".mp3");
  const PublishedLinks cdn{"https://namix.example.com", "https://cdn.example.com/namix"};
  EXPECT_EQ(cdn.file_url("show", "best-of", *m, kChaptersSuffix),
            "https://cdn.example.com/namix/mixes/12/best-of/m1.chapters.json");
  auto key = published_file_key({*m}, m->item.key + ".vtt");
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(*key, "mixes/12/best-of/m1.vtt");
  EXPECT_EQ(published_file_key({*m}, m->item.key + ".wav").error().code, Errc::not_found);
  EXPECT_EQ(published_file_key({*m}, "../../etc/passwd").error().code, Errc::not_found);
}

using PublishedFeedsTest = follow_test::StorageTest;

TEST_F(PublishedFeedsTest, NewestFirstAndAnItemOnce) {
  PublishedFeeds feeds(*storage_);
  EXPECT_TRUE(feeds.list("show", "best-of")->empty());
  ASSERT_TRUE(feeds
                  .add("show", "best-of",
                       *published_mix_from_result(item(11), "Best Of", result_of("m11", false), 1))
                  .ok());
  ASSERT_TRUE(feeds
                  .add("show", "best-of",
                       *published_mix_from_result(item(12), "Best Of", result_of("m12", false), 2))
                  .ok());
  // A finish repeated after a crash replaces the item, never doubles it.
  ASSERT_TRUE(feeds
                  .add("show", "best-of",
                       *published_mix_from_result(item(12), "Best Of", result_of("m12", true), 3))
                  .ok());
  auto listed = feeds.list("show", "best-of");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].mix_id, "m12");
  EXPECT_FALSE((*listed)[0].transcript_key.empty());
  EXPECT_EQ((*listed)[1].mix_id, "m11");
  EXPECT_TRUE(feeds.list("show", "donation-nation")->empty());
}

TEST_F(PublishedFeedsTest, TheRenderedFeedReadsBackWithStableLinks) {
  const Subscription s = show_subscription();
  std::vector<PublishedMix> mixes = {
      *published_mix_from_result(item(12), "Best Of", result_of("m12", true), 2'000),
      *published_mix_from_result(item(11), "Best Of", result_of("m11", false), 1'000)};
  ChannelInfo show{"The Show", "https://show.example.com", "https://show.example.com/a.jpg",
                   "Hosts", "en"};
  const PublishedLinks links{"https://namix.example.com", ""};
  const std::string xml =
      render_podcast_feed(s, *s.output("best-of"), show, mixes, links,
                          std::chrono::sys_seconds(std::chrono::seconds(1'700'000'100)));
  EXPECT_EQ(xml.find("sig="), std::string::npos);
  EXPECT_EQ(xml.find("expires="), std::string::npos);
  auto feed = parse_feed(xml, links.feed_url(s.id, "best-of"));
  ASSERT_TRUE(feed.ok()) << feed.error().message;
  EXPECT_NE(feed->title.find("The Show"), std::string::npos);
  ASSERT_EQ(feed->items.size(), 2u);
  const FeedItem& newest = feed->items[0];
  EXPECT_EQ(newest.guid, "namix:show:best-of:" + item(12).key);
  ASSERT_TRUE(newest.enclosure.has_value());
  EXPECT_EQ(newest.enclosure->url, links.file_url(s.id, "best-of", mixes[0], kMp3Suffix));
  EXPECT_EQ(newest.enclosure->length_bytes, 3'600'000u);
  ASSERT_EQ(newest.transcripts.size(), 1u);
  EXPECT_EQ(newest.transcripts[0].url,
            links.file_url(s.id, "best-of", mixes[0], kTranscriptSuffix));
  ASSERT_TRUE(newest.chapters.has_value());
  EXPECT_TRUE(feed->items[1].transcripts.empty());
  // The same mixes render the same bytes: apps polling it get 304s.
  EXPECT_EQ(xml,
            render_podcast_feed(s, *s.output("best-of"), show, mixes, links,
                                std::chrono::sys_seconds(std::chrono::seconds(1'700'000'100))));
}

}  // namespace
}  // namespace namix
