#include "follow/webhooks.h"

#include <algorithm>

#include "follow/record_store.h"
#include "store/sigv4.h"

namespace namix {
namespace {

using nlohmann::json;

constexpr const char* kOutbox = "follow/outbox/";

std::int64_t now_unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string_view state_name(DeliveryState s) {
  switch (s) {
    case DeliveryState::pending:
      return "pending";
    case DeliveryState::delivered:
      return "delivered";
    case DeliveryState::failed:
      return "failed";
  }
  return "failed";
}

std::string outbox_key(const std::string& subscription_id, const std::string& id) {
  return kOutbox + subscription_id + "/" + id + ".json";
}

Result<void> put_json(Storage& storage, const std::string& key, const json& value) {
  const std::string text = value.dump();
  return storage.put(key, {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()},
                     "application/json");
}

}  // namespace

std::string webhook_signature(std::string_view secret, std::int64_t timestamp_s,
                              std::string_view body) {
  const std::string stamp = std::to_string(timestamp_s);
  const std::string signed_text = stamp + "." + std::string(body);
  return "t=" + stamp + ",v1=" + hex_encode(hmac_sha256(secret, signed_text));
}

std::chrono::milliseconds WebhookSchedule::delay_after(int failed) const {
  const auto doubled =
      std::chrono::milliseconds(first_retry) * (1LL << std::clamp(failed - 1, 0, 30));
  return std::min<std::chrono::milliseconds>(doubled, max_delay);
}

json WebhookDelivery::to_json() const {
  json tries = json::array();
  for (const WebhookAttempt& a : attempts)
    tries.push_back({{"at_ms", a.at_ms}, {"status", a.status}, {"error", a.error}});
  return {{"id", id},
          {"subscription", subscription_id},
          {"url", url},
          {"event", event},
          {"body", body},
          {"state", state_name(state)},
          {"attempts", tries},
          {"created_ms", created_ms},
          {"next_attempt_ms", next_attempt_ms}};
}

Result<WebhookDelivery> WebhookDelivery::from_json(const json& j) {
  WebhookDelivery d;
  try {
    d.id = j.at("id").get<std::string>();
    d.subscription_id = j.at("subscription").get<std::string>();
    d.url = j.at("url").get<std::string>();
    d.event = j.value("event", "");
    d.body = j.at("body").get<std::string>();
    const std::string state = j.value("state", "pending");
    d.state = state == "delivered" ? DeliveryState::delivered
              : state == "failed"  ? DeliveryState::failed
                                   : DeliveryState::pending;
    for (const json& a : j.value("attempts", json::array()))
      d.attempts.push_back(
          {a.value("at_ms", std::int64_t{0}), a.value("status", 0L), a.value("error", "")});
    d.created_ms = j.value("created_ms", std::int64_t{0});
    d.next_attempt_ms = j.value("next_attempt_ms", std::int64_t{0});
  } catch (const json::exception& e) {
    return make_error(Errc::internal,
                      std::string("a stored webhook delivery is malformed: ") + e.what());
  }
  return d;
}

WebhookCourier::WebhookCourier(Storage& storage, FetchOptions fetch, WebhookSchedule schedule,
                               SecretLookup secrets)
    : storage_(storage),
      fetch_(std::move(fetch)),
      schedule_(schedule),
      secrets_(std::move(secrets)) {
  fetch_.total_timeout = schedule_.timeout;
  fetch_.connect_timeout = std::min(fetch_.connect_timeout, schedule_.timeout);
  fetch_.stall_timeout = std::min(fetch_.stall_timeout, schedule_.timeout);
}

WebhookCourier::~WebhookCourier() { stop(); }

std::string WebhookCourier::record_key(const std::string& subscription_id, const std::string& id) {
  return "follow/state/" + subscription_id + "/deliveries/" + id + ".json";
}

Result<void> WebhookCourier::enqueue(const WebhookDelivery& delivery) {
  // The outbox entry first: a crash between the two leaves an entry whose
  // record is missing, which deliver_due() drops, never a record nobody sends.
  NAMIX_TRY(put_json(storage_, outbox_key(delivery.subscription_id, delivery.id),
                     {{"subscription", delivery.subscription_id}, {"id", delivery.id}}));
  auto written = write_record_if(storage_, record_key(delivery.subscription_id, delivery.id),
                                 delivery.to_json(), "");
  if (!written) return written.error();
  {
    std::lock_guard lock(mutex_);
    poked_ = true;
  }
  wake_.notify_all();
  return {};
}

void WebhookCourier::attempt(const std::string& key, std::int64_t now_ms) {
  auto record = read_record(storage_, key);
  if (!record || !*record) return;
  auto delivery = WebhookDelivery::from_json((*record)->value);
  if (!delivery || delivery->state != DeliveryState::pending) return;
  if (delivery->next_attempt_ms > now_ms) {
    std::lock_guard lock(mutex_);
    if (next_due_ms_ == 0 || delivery->next_attempt_ms < next_due_ms_)
      next_due_ms_ = delivery->next_attempt_ms;
    return;
  }
  // Hold the attempt: another sender (an overlapping invocation) sees it
  // not due until this one has had its time to answer.
  WebhookDelivery held = *delivery;
  held.next_attempt_ms = now_ms + schedule_.timeout.count() * 3;
  auto claimed = write_record_if(storage_, key, held.to_json(), (*record)->version);
  if (!claimed || !claimed->has_value()) return;

  WebhookAttempt tried;
  tried.at_ms = now_ms;
  const auto secret = secrets_(delivery->subscription_id, delivery->url);
  bool permanent = false;
  if (!secret) {
    tried.error = "the subscription or its webhook was deleted";
    permanent = true;
  } else {
    PostRequest post;
    post.url = delivery->url;
    post.body = delivery->body;
    post.headers = {
        "Content-Type: application/json", "X-Namix-Event: " + delivery->event,
        "X-Namix-Delivery: " + delivery->id,
        "X-Namix-Signature: " + webhook_signature(*secret, now_ms / 1000, delivery->body)};
    auto reply = post_to_url(post, fetch_);
    if (!reply) {
      tried.error = reply.error().message;
      // A refused address or a malformed URL will not change by waiting.
      permanent =
          reply.error().code == Errc::forbidden || reply.error().code == Errc::invalid_argument;
    } else {
      tried.status = reply->status;
      if (reply->status < 200 || reply->status >= 300)
        tried.error = "the receiver answered HTTP " + std::to_string(reply->status);
    }
  }
  held.attempts.push_back(tried);
  const int failed = static_cast<int>(held.attempts.size());
  if (tried.error.empty()) {
    held.state = DeliveryState::delivered;
  } else if (permanent || failed >= schedule_.max_attempts) {
    held.state = DeliveryState::failed;
  } else {
    held.next_attempt_ms = now_unix_ms() + schedule_.delay_after(failed).count();
  }
  auto written = write_record_if(storage_, key, held.to_json(), **claimed);
  if (written && written->has_value() && held.state != DeliveryState::pending)
    (void)storage_.remove(outbox_key(held.subscription_id, held.id));
  if (held.state == DeliveryState::pending) {
    std::lock_guard lock(mutex_);
    if (next_due_ms_ == 0 || held.next_attempt_ms < next_due_ms_)
      next_due_ms_ = held.next_attempt_ms;
  }
}

std::size_t WebhookCourier::deliver_due(std::int64_t now_ms) {
  {
    std::lock_guard lock(mutex_);
    next_due_ms_ = 0;
  }
  auto listed = storage_.list(kOutbox);
  if (!listed) return 0;
  std::size_t attempted = 0;
  for (const ObjectInfo& info : *listed) {
    auto marker = storage_.get(info.key);
    if (!marker) continue;
    const json m = json::parse(*marker, nullptr, false);
    if (m.is_discarded() || !m.is_object()) continue;
    const std::string key = record_key(m.value("subscription", ""), m.value("id", ""));
    auto record = read_record(storage_, key);
    if (record && !*record) {
      (void)storage_.remove(info.key);  // its record never landed
      continue;
    }
    if (record && *record && (*record)->value.value("state", "") != "pending") {
      (void)storage_.remove(info.key);  // settled; the marker outlived a crash
      continue;
    }
    attempt(key, now_ms);
    ++attempted;
  }
  return attempted;
}

void WebhookCourier::start() {
  sender_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      lock.unlock();
      deliver_due(now_unix_ms());
      lock.lock();
      if (stopping_) break;
      // Until the earliest retry, or a new delivery; at least once a minute
      // for deliveries another process stored.
      const std::int64_t now = now_unix_ms();
      const std::int64_t wait_ms =
          next_due_ms_ > 0 ? std::clamp<std::int64_t>(next_due_ms_ - now, 50, 60'000) : 60'000;
      wake_.wait_for(lock, std::chrono::milliseconds(wait_ms), [&] { return stopping_ || poked_; });
      poked_ = false;
    }
  });
}

void WebhookCourier::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (sender_.joinable()) sender_.join();
}

Result<json> WebhookCourier::log(const std::string& subscription_id, std::size_t limit) {
  auto listed = storage_.list("follow/state/" + subscription_id + "/deliveries/");
  if (!listed) return listed.error();
  // Delivery ids start with the mix id, which starts with a UTC timestamp.
  std::sort(listed->begin(), listed->end(),
            [](const ObjectInfo& a, const ObjectInfo& b) { return a.key > b.key; });
  json out = json::array();
  for (const ObjectInfo& info : *listed) {
    if (out.size() >= limit) break;
    auto record = read_record(storage_, info.key);
    if (!record || !*record) continue;
    auto d = WebhookDelivery::from_json((*record)->value);
    if (!d) continue;
    json shown = d->to_json();
    shown["body"] = json::parse(d->body, nullptr, false);
    out.push_back(std::move(shown));
  }
  return out;
}

}  // namespace namix
