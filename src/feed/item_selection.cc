#include "feed/item_selection.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <string>

#include "core/ascii_text.h"

namespace namix {
namespace {

bool is_latest(std::string_view selector) {
  if (selector.empty()) return true;
  return ascii_lower(selector) == "latest";
}

std::string subject(const Feed& feed) {
  return feed.url.empty() ? "the feed" : "the feed at " + feed.url.substr(0, 200);
}

// Newer first; undated after dated; document order otherwise.
bool newer(const FeedItem* a, const FeedItem* b) {
  if (a->published && b->published && *a->published != *b->published)
    return *a->published > *b->published;
  if (a->published.has_value() != b->published.has_value()) return a->published.has_value();
  return a->index < b->index;
}

}  // namespace

std::vector<const FeedItem*> latest_items(const Feed& feed, std::size_t limit) {
  std::vector<const FeedItem*> items;
  items.reserve(feed.items.size());
  for (const FeedItem& item : feed.items) items.push_back(&item);
  std::sort(items.begin(), items.end(), newer);
  if (items.size() > limit) items.resize(limit);
  return items;
}

Result<const FeedItem*> select_item(const Feed& feed, std::string_view selector) {
  selector = trim_whitespace(selector);
  if (feed.items.empty()) {
    return make_error(Errc::upstream_failed,
                      subject(feed) + " lists no items; it has no episode to mix");
  }
  if (is_latest(selector)) return latest_items(feed, 1).front();
  for (const FeedItem& item : feed.items)
    if (item.guid == selector) return &item;
  long number = -1;
  const auto [end, ec] =
      std::from_chars(selector.data(), selector.data() + selector.size(), number);
  if (ec == std::errc() && end == selector.data() + selector.size() && number >= 0) {
    for (bool from_title : {false, true}) {
      for (const FeedItem& item : feed.items)
        if (item.episode == number && item.episode_from_title == from_title) return &item;
    }
  }
  return make_error(Errc::invalid_argument, subject(feed) +
                                                " has no item with the GUID or episode number '" +
                                                std::string(selector.substr(0, 100)) +
                                                "'; give one it lists or \"latest\"");
}

Result<const FeedItem*> select_episode(const Feed& feed, std::string_view selector) {
  auto item = select_item(feed, selector);
  if (!item.ok()) return item;
  if (!(*item)->enclosure || (*item)->enclosure->url.empty()) {
    return make_error(Errc::upstream_failed,
                      subject(feed) + ": the item \"" + (*item)->title.substr(0, 100) +
                          "\" has no enclosure (no audio to mix); pick another item");
  }
  return item;
}

}  // namespace namix
