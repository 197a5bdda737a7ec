// Podcast RSS feeds as `namix feed` and feed-driven mixes read them:
// parse_feed() (the XML reader, iTunes and Podcasting 2.0 fields, dates,
// durations, relative URLs), the listing JSON, which must dump as strict
// UTF-8, and the item selectors.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "feed/feed.h"
#include "feed/feed_json.h"
#include "feed/item_selection.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto feed = namix::parse_feed(bytes, "https://feed.example.com/podcast/rss.xml");
  if (!feed.ok()) {
    NAMIX_FUZZ_CHECK(feed.error().message.find('\n') == std::string::npos);
    return 0;
  }
  (void)namix::feed_listing_json(*feed, 10).dump(-1, ' ', false,
                                                 nlohmann::json::error_handler_t::strict);
  for (const namix::FeedItem& item : feed->items) {
    (void)namix::choose_transcript(item.transcripts);
    (void)namix::episode_number_in_title(item.title);
  }
  for (const char* selector : {"latest", "1", "1612", "#245"}) {
    (void)namix::select_item(*feed, selector);
    (void)namix::select_episode(*feed, selector);
  }
  return 0;
}
