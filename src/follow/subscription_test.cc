#include "follow/subscription.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "follow/follow_test_support.h"

namespace namix {
namespace {

using follow_test::test_rules;
using nlohmann::json;

json minimal() {
  return {{"id", "no-agenda"},
          {"feed_url", "https://feed.example.com/rss"},
          {"outputs", {{{"theme", "best of"}, {"duration", 90}}}}};
}

std::string refusal(const json& fields) {
  auto s = subscription_from_json(fields, test_rules(), SubscriptionOrigin::api);
  EXPECT_FALSE(s.ok());
  return s.ok() ? "" : s.error().message;
}

TEST(Subscription, TakesDefaultsForWhatIsLeftOut) {
  auto s = subscription_from_json(minimal(), test_rules(), SubscriptionOrigin::api);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->poll_interval, std::chrono::seconds(900));
  EXPECT_EQ(s->backfill, 1);
  ASSERT_EQ(s->outputs.size(), 1u);
  EXPECT_EQ(s->outputs[0].theme->slug, "best-of");
  EXPECT_EQ(s->outputs[0].target_s, 90.0);
  EXPECT_NE(s->output("best-of"), nullptr);
  EXPECT_EQ(s->output("media-meltdown"), nullptr);
}

TEST(Subscription, ReadsIntervalsInSecondsMinutesAndHours) {
  for (const auto& [given, seconds] :
       std::vector<std::pair<json, long>>{{90, 90}, {"90s", 90}, {"15m", 900}, {"2h", 7200}}) {
    json fields = minimal();
    fields["poll_interval"] = given;
    auto s = subscription_from_json(fields, test_rules(), SubscriptionOrigin::api);
    ASSERT_TRUE(s.ok()) << given.dump() << ": " << s.error().message;
    EXPECT_EQ(s->poll_interval.count(), seconds) << given.dump();
  }
}

TEST(Subscription, RefusesWhatWouldBeSilentlyWrong) {
  json misspelt = minimal();
  misspelt["backfil"] = 3;
  EXPECT_NE(refusal(misspelt).find("backfil"), std::string::npos);

  json theme = minimal();
  theme["outputs"][0]["theme"] = "Greatest Hits";
  EXPECT_NE(refusal(theme).find("Greatest Hits"), std::string::npos);

  json scheme = minimal();
  scheme["feed_url"] = "file:///etc/passwd";
  EXPECT_NE(refusal(scheme).find("feed_url"), std::string::npos);

  json hook = minimal();
  hook["webhooks"] = {{{"url", "ftp://hooks.example.com/x"}, {"secret", "0123456789abcdef"}}};
  EXPECT_NE(refusal(hook).find("webhook"), std::string::npos);

  json weak = minimal();
  weak["webhooks"] = {{{"url", "https://hooks.example.com/x"}, {"secret", "short"}}};
  EXPECT_NE(refusal(weak).find("secret"), std::string::npos);

  json id = minimal();
  id["id"] = "../etc";
  EXPECT_FALSE(refusal(id).empty());

  json often = minimal();
  often["poll_interval"] = "10s";
  SubscriptionRules strict = test_rules();
  strict.min_poll_interval = std::chrono::seconds(60);
  auto s = subscription_from_json(often, strict, SubscriptionOrigin::api);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("poll_interval"), std::string::npos);
}

TEST(Subscription, SecretsLeaveOnlyWhenAskedFor) {
  json fields = minimal();
  fields["webhooks"] = {{{"url", "https://hooks.example.com/x"}, {"secret", "0123456789abcdef"}}};
  auto s = subscription_from_json(fields, test_rules(), SubscriptionOrigin::api);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->to_json(false).dump().find("0123456789abcdef"), std::string::npos);
  const json stored = s->to_json(true);
  auto again = subscription_from_json(stored, test_rules(), SubscriptionOrigin::api);
  ASSERT_TRUE(again.ok()) << again.error().message;
  ASSERT_EQ(again->webhooks.size(), 1u);
  EXPECT_EQ(again->webhooks[0].secret, "0123456789abcdef");
}

class SubscriptionsFile : public ::testing::Test {
 protected:
  std::string write(const std::string& text) {
    const auto path = std::filesystem::path(::testing::TempDir()) / "subscriptions.toml";
    std::ofstream(path) << text;
    return path.string();
  }
};

TEST_F(SubscriptionsFile, ReadsEveryTable) {
  const std::string path = write(R"(
[[subscription]]
id = "no-agenda"
feed_url = "https://feed.example.com/rss"
poll_interval = "30m"
backfill = 2
outputs = [ { theme = "Best Of", duration = 90 }, { theme = "Donation Nation", duration = "full" } ]
webhooks = [ { url = "https://hooks.example.com/namix", secret = "0123456789abcdef" } ]

[[subscription]]
id = "other"
feed_url = "https://other.example.com/rss"
outputs = [ { theme = "Media Meltdown", duration = 300 } ]
)");
  auto loaded = load_subscriptions_file(path, test_rules());
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  ASSERT_EQ(loaded->size(), 2u);
  const Subscription& s = (*loaded)[0];
  EXPECT_EQ(s.origin, SubscriptionOrigin::file);
  EXPECT_EQ(s.poll_interval, std::chrono::seconds(1800));
  EXPECT_EQ(s.backfill, 2);
  ASSERT_EQ(s.outputs.size(), 2u);
  EXPECT_FALSE(s.outputs[1].target_s.has_value());
  EXPECT_EQ(s.webhooks.size(), 1u);
}

TEST_F(SubscriptionsFile, ErrorsNameTheFileAndTheSubscription) {
  const std::string path = write(R"(
[[subscription]]
id = "no-agenda"
feed_url = "https://feed.example.com/rss"
outputs = [ { theme = "Nope", duration = 90 } ]
)");
  auto loaded = load_subscriptions_file(path, test_rules());
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.error().message.find(path), std::string::npos);
  EXPECT_NE(loaded.error().message.find("no-agenda"), std::string::npos);

  auto syntax = load_subscriptions_file(write("[[subscription]\nid = 1\n"), test_rules());
  ASSERT_FALSE(syntax.ok());
  EXPECT_NE(syntax.error().message.find("syntax"), std::string::npos);

  auto twice = load_subscriptions_file(write(R"(
[[subscription]]
id = "a"
feed_url = "https://feed.example.com/rss"
outputs = [ { theme = "Best Of", duration = 90 } ]
[[subscription]]
id = "a"
feed_url = "https://feed.example.com/rss"
outputs = [ { theme = "Best Of", duration = 90 } ]
)"),
                                       test_rules());
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.error().message.find("two subscriptions"), std::string::npos);
}

}  // namespace
}  // namespace namix
