#include "feed/item_selection.h"

#include <gtest/gtest.h>

namespace namix {
namespace {

// Items in document order: title, guid, date (RFC 822 or ""), itunes:episode
// (or ""), and whether it has an enclosure.
Feed make_feed(
    const std::vector<std::tuple<std::string, std::string, std::string, std::string, bool>>&
        items) {
  std::string xml =
      "<rss xmlns:itunes='http://www.itunes.com/dtds/podcast-1.0.dtd'><channel><title>T</title>";
  for (const auto& [title, guid, date, episode, enclosure] : items) {
    xml += "<item><title>" + title + "</title><guid>" + guid + "</guid>";
    if (!date.empty()) xml += "<pubDate>" + date + "</pubDate>";
    if (!episode.empty()) xml += "<itunes:episode>" + episode + "</itunes:episode>";
    if (enclosure) xml += "<enclosure url='https://h.example/" + guid + ".mp3'/>";
    xml += "</item>";
  }
  xml += "</channel></rss>";
  auto feed = parse_feed(xml, "https://h.example/rss");
  EXPECT_TRUE(feed.ok());
  return std::move(feed).value();
}

std::string selected(const Feed& feed, std::string_view selector) {
  auto item = select_item(feed, selector);
  return item.ok() ? (*item)->guid : "error: " + item.error().message;
}

TEST(SelectItem, LatestIsTheNewestByDateWhateverTheOrder) {
  const Feed feed = make_feed({{"Old", "g-old", "Mon, 06 Nov 2023 08:00:00 GMT", "", true},
                               {"New", "g-new", "Tue, 14 Nov 2023 08:00:00 GMT", "", true},
                               {"Undated", "g-undated", "", "", true},
                               {"Mid", "g-mid", "Fri, 10 Nov 2023 08:00:00 GMT", "", true}});
  EXPECT_EQ(selected(feed, "latest"), "g-new");
  EXPECT_EQ(selected(feed, "LATEST"), "g-new");
  EXPECT_EQ(selected(feed, ""), "g-new");
  std::vector<std::string> order;
  for (const FeedItem* item : latest_items(feed, 10)) order.push_back(item->guid);
  EXPECT_EQ(order, (std::vector<std::string>{"g-new", "g-mid", "g-old", "g-undated"}));
  EXPECT_EQ(latest_items(feed, 2).size(), 2u);
}

TEST(SelectItem, LatestFallsBackToDocumentOrderWithoutDates) {
  const Feed feed = make_feed({{"First", "g1", "", "", true}, {"Second", "g2", "", "", true}});
  EXPECT_EQ(selected(feed, "latest"), "g1");
  const Feed tie = make_feed({{"A", "ga", "Tue, 14 Nov 2023 08:00:00 GMT", "", true},
                              {"B", "gb", "Tue, 14 Nov 2023 08:00:00 GMT", "", true}});
  EXPECT_EQ(selected(tie, "latest"), "ga");
}

TEST(SelectItem, ByGuidThenByEpisodeNumber) {
  const Feed feed = make_feed({{"Episode 7: title number", "g-a", "", "", true},
                               {"Seven by tag", "g-b", "", "7", true},
                               {"Guid that is a number", "12", "", "99", true}});
  EXPECT_EQ(selected(feed, "g-a"), "g-a");
  EXPECT_EQ(selected(feed, " g-a "), "g-a");
  // itunes:episode wins over a number in another item's title.
  EXPECT_EQ(selected(feed, "7"), "g-b");
  // An exact GUID wins over episode numbers.
  EXPECT_EQ(selected(feed, "12"), "12");
  EXPECT_EQ(selected(feed, "99"), "12");
  const Feed only_titles = make_feed({{"1612 - Tarted Up", "x", "", "", true}});
  EXPECT_EQ(selected(only_titles, "1612"), "x");
}

TEST(SelectItem, NamesWhatWasMissing) {
  const Feed feed = make_feed({{"Only", "g1", "", "1", true}, {"Text", "g2", "", "2", false}});
  auto missing = select_item(feed, "1613");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, Errc::invalid_argument);
  EXPECT_EQ(missing.error().message,
            "the feed at https://h.example/rss has no item with the GUID or episode number "
            "'1613'; give one it lists or \"latest\"");

  auto no_audio = select_episode(feed, "2");
  ASSERT_FALSE(no_audio.ok());
  EXPECT_EQ(no_audio.error().code, Errc::upstream_failed);
  EXPECT_EQ(no_audio.error().message,
            "the feed at https://h.example/rss: the item \"Text\" has no enclosure (no audio to "
            "mix); pick another item");
  EXPECT_TRUE(select_episode(feed, "1").ok());

  const Feed empty = make_feed({});
  auto none = select_item(empty, "latest");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, Errc::upstream_failed);
  EXPECT_TRUE(latest_items(empty, 5).empty());
}

}  // namespace
}  // namespace namix
