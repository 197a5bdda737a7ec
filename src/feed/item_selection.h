// Which item of a feed a mix starts from, and which ones a listing shows.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "feed/feed.h"

namespace namix {

// `selector` is "latest" (or empty): the newest item by pubDate, document
// order breaking ties and standing in when no item has a date; else an
// item's GUID; else an episode number (itunes:episode before numbers in
// titles). Errors: upstream_failed when the feed has no items,
// invalid_argument when none matches.
Result<const FeedItem*> select_item(const Feed& feed, std::string_view selector);

// select_item(), for an item to mix: it must have an enclosure
// (upstream_failed otherwise).
Result<const FeedItem*> select_episode(const Feed& feed, std::string_view selector);

// The newest `limit` items, newest first: the dated ones by date (document
// order among equal dates), then the undated ones in document order.
std::vector<const FeedItem*> latest_items(const Feed& feed, std::size_t limit);

}  // namespace namix
