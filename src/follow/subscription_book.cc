#include "follow/subscription_book.h"

#include <algorithm>

namespace namix {
namespace {

constexpr const char* kDefinitions = "follow/definitions/";

}  // namespace

SubscriptionBook::SubscriptionBook(Storage& storage, SubscriptionRules rules)
    : storage_(storage), rules_(std::move(rules)) {}

std::string SubscriptionBook::definition_key(const std::string& id) {
  return kDefinitions + id + ".json";
}

Result<void> SubscriptionBook::load(std::vector<Subscription> from_file,
                                    std::vector<std::string>* skipped) {
  {
    std::lock_guard lock(mutex_);
    from_file_ = std::move(from_file);
  }
  return reload_stored(skipped);
}

Result<void> SubscriptionBook::reload_stored(std::vector<std::string>* skipped) {
  auto listed = storage_.list(kDefinitions);
  if (!listed) return listed.error();
  std::vector<Subscription> stored;
  for (const ObjectInfo& info : *listed) {
    auto text = storage_.get(info.key);
    if (!text) continue;  // removed meanwhile
    const auto fields = nlohmann::json::parse(*text, nullptr, false);
    auto s = subscription_from_json(fields, rules_, SubscriptionOrigin::api);
    if (!s) {
      if (skipped != nullptr) skipped->push_back(info.key + ": " + s.error().message);
      continue;
    }
    stored.push_back(std::move(*s));
  }
  std::lock_guard lock(mutex_);
  // The file wins over a stored definition of the same id.
  std::erase_if(stored, [&](const Subscription& s) {
    return std::any_of(from_file_.begin(), from_file_.end(),
                       [&](const Subscription& f) { return f.id == s.id; });
  });
  stored_ = std::move(stored);
  return {};
}

std::vector<Subscription> SubscriptionBook::all() const {
  std::lock_guard lock(mutex_);
  std::vector<Subscription> out = from_file_;
  out.insert(out.end(), stored_.begin(), stored_.end());
  return out;
}

std::optional<Subscription> SubscriptionBook::find(const std::string& id) const {
  std::lock_guard lock(mutex_);
  for (const auto* list : {&from_file_, &stored_}) {
    for (const Subscription& s : *list)
      if (s.id == id) return s;
  }
  return std::nullopt;
}

Result<Subscription> SubscriptionBook::add(const nlohmann::json& fields) {
  auto s = subscription_from_json(fields, rules_, SubscriptionOrigin::api);
  if (!s) return s.error();
  if (find(s->id))
    return make_error(Errc::invalid_argument, "a subscription '" + s->id +
                                                  "' exists; DELETE /subscriptions/" + s->id +
                                                  " first or pick another id");
  const std::string text = s->to_json(true).dump();
  auto written = storage_.put_if(definition_key(s->id),
                                 {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()},
                                 "application/json", "");
  if (!written) return written.error();
  if (!written->has_value())
    return make_error(Errc::invalid_argument, "a subscription '" + s->id + "' was just added");
  std::lock_guard lock(mutex_);
  stored_.push_back(*s);
  return *s;
}

Result<void> SubscriptionBook::remove(const std::string& id) {
  auto s = find(id);
  if (!s) return make_error(Errc::not_found, "no subscription '" + id.substr(0, 60) + "'");
  if (s->origin == SubscriptionOrigin::file)
    return make_error(Errc::forbidden, "subscription '" + id +
                                           "' is defined in the subscriptions file; remove it "
                                           "there and restart");
  NAMIX_TRY(storage_.remove(definition_key(id)));
  std::lock_guard lock(mutex_);
  std::erase_if(stored_, [&](const Subscription& x) { return x.id == id; });
  return {};
}

std::optional<std::string> SubscriptionBook::webhook_secret(const std::string& id,
                                                            const std::string& url) const {
  auto s = find(id);
  if (!s) return std::nullopt;
  for (const Webhook& w : s->webhooks)
    if (w.url == url) return w.secret;
  return std::nullopt;
}

}  // namespace namix
