#include "follow/webhooks.h"

#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "follow/follow_test_support.h"
#include "store/local_storage.h"

namespace namix {
namespace {

using nlohmann::json;

TEST(WebhookSignature, IsHmacSha256OfTheTimestampAndTheBody) {
  // python3 -c "import hmac,hashlib; print(hmac.new(b'whsec-test-0123456789',
  //   b'1700000000.{\"event\":\"mix.finished\"}', hashlib.sha256).hexdigest())"
  EXPECT_EQ(webhook_signature("whsec-test-0123456789", 1700000000, R"({"event":"mix.finished"})"),
            "t=1700000000,v1=54d18ea989f9827cdcd037d5ce73d3fc457f576dce5721fd579fe0b7e5ce7d05");
  EXPECT_NE(webhook_signature("whsec-test-0123456789", 1700000001, R"({"event":"mix.finished"})"),
            webhook_signature("whsec-test-0123456789", 1700000000, R"({"event":"mix.finished"})"));
}

TEST(WebhookSchedule, RetriesDoubleToAnHourAndSpanMoreThanAnHour) {
  const WebhookSchedule schedule;
  EXPECT_EQ(schedule.delay_after(1), std::chrono::seconds(30));
  EXPECT_EQ(schedule.delay_after(2), std::chrono::seconds(60));
  EXPECT_EQ(schedule.delay_after(12), std::chrono::seconds(3600));
  std::chrono::milliseconds total{0};
  for (int failed = 1; failed < schedule.max_attempts; ++failed)
    total += schedule.delay_after(failed);
  EXPECT_GE(total, std::chrono::hours(1));
}

class WebhookCourierTest : public follow_test::StorageTest {
 protected:
  static WebhookDelivery delivery(const std::string& id, const std::string& url) {
    WebhookDelivery d;
    d.id = id;
    d.subscription_id = "show";
    d.url = url;
    d.event = "mix.finished";
    d.body = R"({"event":"mix.finished"})";
    return d;
  }
};

TEST_F(WebhookCourierTest, ALoopbackReceiverIsRefusedByTheAddressPolicyAndLogged) {
  // The policy of public servers: loopback, private and link-local
  // addresses are never POSTed to, and waiting does not change that.
  WebhookCourier courier(*storage_, FetchOptions{}, WebhookSchedule{},
                         [](const std::string&, const std::string&) {
                           return std::optional<std::string>("0123456789abcdef");
                         });
  ASSERT_TRUE(
      courier.enqueue(delivery("20261205T000000Z-a-finished-0", "http://127.0.0.1:9/hook")).ok());
  ASSERT_TRUE(
      courier.enqueue(delivery("20261205T000000Z-a-finished-0", "http://127.0.0.1:9/hook")).ok());
  EXPECT_EQ(courier.deliver_due(1'700'000'000'000), 1u) << "a repeated enqueue is one delivery";
  auto log = courier.log("show", 10);
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->size(), 1u);
  const json& d = (*log)[0];
  EXPECT_EQ(d.value("state", ""), "failed");
  ASSERT_EQ(d["attempts"].size(), 1u);
  EXPECT_FALSE(d["attempts"][0].value("error", "").empty());
  EXPECT_EQ(d.dump().find("0123456789abcdef"), std::string::npos) << "the secret is never shown";
  EXPECT_EQ(courier.deliver_due(1'700'000'000'000), 0u) << "a settled delivery is not tried again";
}

TEST_F(WebhookCourierTest, AReceiverThatIsDownIsRetriedLater) {
  FetchOptions fetch;
  fetch.allow_private_urls = true;
  WebhookCourier courier(*storage_, fetch, WebhookSchedule{},
                         [](const std::string&, const std::string&) {
                           return std::optional<std::string>("0123456789abcdef");
                         });
  // Port 9 (discard) on loopback: nothing listens, the connection is refused.
  ASSERT_TRUE(
      courier.enqueue(delivery("20261205T000000Z-b-finished-0", "http://127.0.0.1:9/hook")).ok());
  const std::int64_t now = 1'700'000'000'000;
  EXPECT_EQ(courier.deliver_due(now), 1u);
  auto log = courier.log("show", 10);
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->size(), 1u);
  EXPECT_EQ((*log)[0].value("state", ""), "pending");
  EXPECT_GT((*log)[0].value("next_attempt_ms", std::int64_t{0}), now);
}

TEST_F(WebhookCourierTest, ADeletedWebhookFailsItsDeliveries) {
  FetchOptions fetch;
  fetch.allow_private_urls = true;
  WebhookCourier courier(*storage_, fetch, WebhookSchedule{},
                         [](const std::string&, const std::string&) { return std::nullopt; });
  ASSERT_TRUE(
      courier.enqueue(delivery("20261205T000000Z-c-finished-0", "http://127.0.0.1:9/hook")).ok());
  EXPECT_EQ(courier.deliver_due(1'700'000'000'000), 1u);
  auto log = courier.log("show", 10);
  ASSERT_TRUE(log.ok());
  EXPECT_EQ((*log)[0].value("state", ""), "failed");
}

}  // namespace
}  // namespace namix
