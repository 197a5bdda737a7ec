// What the follow stage's tests share: the shipped themes, rules that allow
// short poll intervals, a subscription and feeds made in memory, and a
// fixture with local storage of its own.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "feed/feed.h"
#include "follow/subscription.h"
#include "select/theme.h"
#include "store/local_storage.h"

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

// Each test gets local storage in a fresh directory, named after the test,
// removed after it.
class StorageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("follow-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    auto opened = LocalStorage::open({dir_.string(), "test-secret", "http://h:1"});
    ASSERT_TRUE(opened.ok());
    storage_ = std::move(*opened);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path dir_;
  std::unique_ptr<LocalStorage> storage_;
};

}  // namespace namix::follow_test
