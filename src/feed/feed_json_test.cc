#include "feed/feed_json.h"

#include <gtest/gtest.h>

namespace namix {
namespace {

TEST(FeedListingJson, ListsTheNewestItemsWithWhatTheyCarry) {
  auto feed = parse_feed(
      "<rss xmlns:itunes='http://www.itunes.com/dtds/podcast-1.0.dtd' "
      "xmlns:podcast='https://podcastindex.org/namespace/1.0'><channel><title>Show</title>"
      "<itunes:author>Host</itunes:author>"
      "<item><title>Old</title><guid>g1</guid><pubDate>Mon, 06 Nov 2023 08:00:00 GMT</pubDate>"
      "</item>"
      "<item><title>New</title><guid>g2</guid><pubDate>Tue, 14 Nov 2023 08:00:00 GMT</pubDate>"
      "<itunes:episode>2</itunes:episode><itunes:duration>1:00:00</itunes:duration>"
      "<enclosure url='https://op3.dev/e/h.example/2.mp3' length='100' type='audio/mpeg'/>"
      "<podcast:transcript url='2.srt' type='application/srt'/>"
      "<podcast:transcript url='2.vtt' type='text/vtt' language='en'/>"
      "<podcast:chapters url='2.json' type='application/json+chapters'/></item>"
      "</channel></rss>",
      "https://h.example/rss");
  ASSERT_TRUE(feed.ok());
  const auto j = feed_listing_json(*feed, 10);
  EXPECT_EQ(j["feed"]["title"], "Show");
  EXPECT_EQ(j["feed"]["author"], "Host");
  EXPECT_EQ(j["feed"]["item_count"], 2);
  ASSERT_EQ(j["items"].size(), 2u);
  const auto& latest = j["items"][0];
  EXPECT_EQ(latest["guid"], "g2");
  EXPECT_EQ(latest["episode"], 2);
  EXPECT_EQ(latest["published"], "2023-11-14T08:00:00Z");
  EXPECT_EQ(latest["duration_s"], 3600.0);
  EXPECT_EQ(latest["enclosure"]["url"], "https://op3.dev/e/h.example/2.mp3");
  EXPECT_EQ(latest["enclosure"]["media_url"], "https://h.example/2.mp3");
  EXPECT_EQ(latest["enclosure"]["length_bytes"], 100);
  EXPECT_EQ(latest["transcript"]["url"], "https://h.example/2.vtt");
  EXPECT_EQ(latest["transcript"]["format"], "vtt");
  EXPECT_EQ(latest["transcripts"].size(), 2u);
  EXPECT_EQ(latest["chapters"]["url"], "https://h.example/2.json");
  const auto& old = j["items"][1];
  EXPECT_TRUE(old["episode"].is_null());
  EXPECT_TRUE(old["enclosure"].is_null());
  EXPECT_TRUE(old["transcript"].is_null());
  EXPECT_TRUE(old["chapters"].is_null());
  EXPECT_TRUE(old["duration_s"].is_null());
  EXPECT_EQ(feed_listing_json(*feed, 1)["items"].size(), 1u);
}

}  // namespace
}  // namespace namix
