// What the follow stage's tests share: the shipped themes, rules that allow
// short poll intervals, a subscription and feeds made in memory.
#pragma once

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "feed/feed.h"
#include "follow/subscription.h"
#include "select/theme.h"

namespace namix::follow_test {

inline const ThemeCatalog& shipped_themes() {
  static const ThemeCatalog catalog = [] {
    auto loaded = ThemeCatalog::load_dir(NAMIX_SHIPPED_THEMES_DIR);
    EXPECT_TRUE(loaded.ok());
    return std::move(*loaded);
  }();
  return catalog;
}

inline SubscriptionRules test_rules() {
  SubscriptionRules rules;
  rules.themes = &shipped_themes();
  rules.min_poll_interval = std::chrono::seconds(1);
  return rules;
}

inline Subscription show_subscription(int backfill = 1) {
  nlohmann::json fields = {{"id", "show"},
                           {"feed_url", "https://feeds.example.com/show.xml"},
                           {"outputs",
                            {{{"theme", "Best Of"}, {"duration", 90}},
                             {{"theme", "Donation Nation"}, {"duration", 60}}}},
                           {"poll_interval", "10m"},
                           {"backfill", backfill}};
  auto s = subscription_from_json(fields, test_rules(), SubscriptionOrigin::api);
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
  return *s;
}

// A feed of episodes numbered `numbers`, newest first as feeds list them.
inline Feed feed_of(const std::vector<int>& numbers) {
  Feed feed;
  feed.url = "https://feeds.example.com/show.xml";
  feed.title = "The Show";
  for (std::size_t i = 0; i < numbers.size(); ++i) {
    FeedItem item;
    item.index = i;
    item.title = "Episode " + std::to_string(numbers[i]);
    item.guid = "show-" + std::to_string(numbers[i]);
    item.enclosure = FeedEnclosure{
        "https://cdn.example.com/ep" + std::to_string(numbers[i]) + ".mp3",
        "https://cdn.example.com/ep" + std::to_string(numbers[i]) + ".mp3", 1000, "audio/mpeg"};
    feed.items.push_back(item);
  }
  return feed;
}

}  // namespace namix::follow_test
