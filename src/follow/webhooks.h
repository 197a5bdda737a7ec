// Webhooks: every finished or failed subscription mix is POSTed as JSON to
// the subscription's receivers, signed so they can check it came from this
// server and refuse replays:
//
//   X-Namix-Signature: t=UNIX_SECONDS,v1=HEX(HMAC-SHA256(secret, "UNIX_SECONDS." + body))
//
// (the scheme Stripe uses). Each attempt is signed afresh. Deliveries are
// stored before the first attempt and retried with back-off (by default
// for about five hours), so a receiver that is down is never lost and
// never holds up mixing; the log of attempts is kept per subscription.
// Delivery is at least once: receivers drop repeats by X-Namix-Delivery.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "net/fetch.h"
#include "store/storage.h"

namespace namix {

// "t=1700000000,v1=5f2c…" for `body` sent at `timestamp_s`.
std::string webhook_signature(std::string_view secret, std::int64_t timestamp_s,
                              std::string_view body);

enum class DeliveryState { pending, delivered, failed };

struct WebhookAttempt {
  std::int64_t at_ms = 0;
  long status = 0;    // the receiver's HTTP status; 0 when there was none
  std::string error;  // why it did not count as delivered
};

struct WebhookDelivery {
  std::string id;  // also the X-Namix-Delivery header; letters, digits, '-'
  std::string subscription_id;
  std::string url;
  std::string event;  // "mix.finished" or "mix.failed"
  std::string body;   // the JSON document POSTed
  DeliveryState state = DeliveryState::pending;
  std::vector<WebhookAttempt> attempts;
  std::int64_t created_ms = 0;
  std::int64_t next_attempt_ms = 0;

  nlohmann::json to_json() const;
  static Result<WebhookDelivery> from_json(const nlohmann::json& j);
};

struct WebhookSchedule {
  std::chrono::seconds first_retry{30};
  std::chrono::seconds max_delay{3600};
  int max_attempts = 12;  // 30 s doubling to an hour: about five hours in all
  std::chrono::milliseconds timeout{10'000};

  // The wait before the next attempt after `failed` attempts in a row.
  std::chrono::milliseconds delay_after(int failed) const;
};

class WebhookCourier {
 public:
  // The secret of a subscription's webhook at `url`; nullopt when the
  // subscription or the webhook is gone (the delivery then fails).
  using SecretLookup = std::function<std::optional<std::string>(const std::string& subscription_id,
                                                                const std::string& url)>;

  WebhookCourier(Storage& storage, FetchOptions fetch, WebhookSchedule schedule,
                 SecretLookup secrets);
  ~WebhookCourier();
  WebhookCourier(const WebhookCourier&) = delete;
  WebhookCourier& operator=(const WebhookCourier&) = delete;

  // Stores the delivery (a second one with the same id is dropped: ids are
  // made from the mix, so a retried finish does not deliver twice) and
  // wakes the sender.
  Result<void> enqueue(const WebhookDelivery& delivery);
  // Attempts every stored delivery that is due at `now_ms`; how many.
  std::size_t deliver_due(std::int64_t now_ms);
  // The sender thread of `namix serve`; stop() waits for it.
  void start();
  void stop();
  // The subscription's deliveries, newest first, at most `limit`.
  Result<nlohmann::json> log(const std::string& subscription_id, std::size_t limit);

  static std::string record_key(const std::string& subscription_id, const std::string& id);

 private:
  void attempt(const std::string& record_key, std::int64_t now_ms);

  Storage& storage_;
  FetchOptions fetch_;
  WebhookSchedule schedule_;
  SecretLookup secrets_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool poked_ = false;
  std::int64_t next_due_ms_ = 0;
  std::thread sender_;
};

}  // namespace namix
