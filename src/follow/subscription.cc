#include "follow/subscription.h"

#include <toml++/toml.h>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "net/fetch.h"
#include "publish/podcast_feed.h"

namespace namix {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxOutputs = 5;
constexpr std::size_t kMaxWebhooks = 5;
constexpr int kMaxBackfill = 50;
constexpr std::size_t kMinSecretBytes = 16;
constexpr std::chrono::seconds kMaxPollInterval{7 * 24 * 3600};

Error bad(const std::string& id, const std::string& what) {
  return make_error(
      Errc::invalid_argument,
      (id.empty() ? std::string("subscription: ") : "subscription '" + id + "': ") + what);
}

Result<std::string> text_field(const json& fields, const char* name, const std::string& id,
                               bool required) {
  auto it = fields.find(name);
  if (it == fields.end() || it->is_null()) {
    if (required) return bad(id, std::string("missing field '") + name + "'");
    return std::string();
  }
  if (!it->is_string()) return bad(id, std::string("'") + name + "' must be a string");
  return it->get<std::string>();
}

// 900, "900", "900s", "15m", "2h".
Result<std::chrono::seconds> read_interval(const json& value, const std::string& id) {
  double s = std::nan("");
  if (value.is_number()) {
    s = value.get<double>();
  } else if (value.is_string()) {
    std::string text = value.get<std::string>();
    double unit = 1.0;
    if (!text.empty() && (text.back() == 's' || text.back() == 'm' || text.back() == 'h')) {
      unit = text.back() == 'h' ? 3600.0 : text.back() == 'm' ? 60.0 : 1.0;
      text.pop_back();
    }
    if (auto n = number_in_text(text)) s = *n * unit;
  }
  if (!std::isfinite(s) || s <= 0.0)
    return bad(id, "poll_interval must be seconds or a duration such as \"15m\" or \"2h\"");
  return std::chrono::seconds(static_cast<long>(std::lround(s)));
}

Result<SubscriptionOutput> read_output(const json& o, const SubscriptionRules& rules,
                                       const std::string& id) {
  if (!o.is_object()) return bad(id, "each output must be {theme, duration}");
  for (const auto& [key, unused] : o.items()) {
    if (key != "theme" && key != "duration")
      return bad(id, "unknown output field '" + key + "' (use theme and duration)");
  }
  auto theme_name = text_field(o, "theme", id, true);
  if (!theme_name) return theme_name.error();
  auto theme = rules.themes->find(*theme_name);
  if (!theme) return bad(id, theme.error().message);
  SubscriptionOutput out;
  out.theme = *theme;
  auto duration = o.find("duration");
  if (duration == o.end()) return bad(id, "output '" + *theme_name + "' needs a duration");
  if (duration->is_string() && duration->get<std::string>() == "full") return out;
  const std::string range = "duration of '" + *theme_name + "' must be seconds from " +
                            std::to_string(static_cast<int>(rules.limits.min_target_s)) + " to " +
                            std::to_string(static_cast<int>(rules.limits.max_target_s)) +
                            ", or \"full\"";
  if (!duration->is_number()) return bad(id, range);
  const double s = duration->get<double>();
  if (!std::isfinite(s) || s < rules.limits.min_target_s || s > rules.limits.max_target_s)
    return bad(id, range);
  out.target_s = s;
  return out;
}

Result<Webhook> read_webhook(const json& w, const std::string& id) {
  if (!w.is_object()) return bad(id, "each webhook must be {url, secret}");
  for (const auto& [key, unused] : w.items()) {
    if (key != "url" && key != "secret")
      return bad(id, "unknown webhook field '" + key + "' (use url and secret)");
  }
  auto url = text_field(w, "url", id, true);
  if (!url) return url.error();
  if (auto checked = check_http_url(*url, "webhook url"); !checked)
    return bad(id, checked.error().message);
  auto secret = text_field(w, "secret", id, true);
  if (!secret) return secret.error();
  if (secret->size() < kMinSecretBytes)
    return bad(id, "a webhook secret must be at least " + std::to_string(kMinSecretBytes) +
                       " characters (e.g. `openssl rand -hex 32`)");
  return Webhook{*url, *secret};
}

}  // namespace

bool is_valid_subscription_id(std::string_view id) {
  if (id.empty() || id.size() > 40 || id.front() == '-') return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

const SubscriptionOutput* Subscription::output(std::string_view theme_slug) const {
  for (const SubscriptionOutput& o : outputs) {
    if (o.theme->slug == theme_slug) return &o;
  }
  return nullptr;
}

json Subscription::to_json(bool with_secrets) const {
  json outs = json::array();
  for (const SubscriptionOutput& o : outputs) {
    outs.push_back(
        {{"theme", o.theme->name}, {"duration", o.target_s ? json(*o.target_s) : json("full")}});
  }
  json hooks = json::array();
  for (const Webhook& w : webhooks) {
    json h = {{"url", w.url}};
    if (with_secrets) h["secret"] = w.secret;
    hooks.push_back(std::move(h));
  }
  json j = {{"id", id},
            {"feed_url", feed_url},
            {"outputs", outs},
            {"poll_interval", poll_interval.count()},
            {"backfill", backfill},
            {"webhooks", hooks},
            {"category", category},
            {"explicit", explicit_content}};
  if (!title.empty()) j["title"] = title;
  if (!image_url.empty()) j["image_url"] = image_url;
  return j;
}

Result<Subscription> subscription_from_json(const json& fields, const SubscriptionRules& rules,
                                            SubscriptionOrigin origin) {
  if (!fields.is_object()) return bad("", "a subscription must be a JSON object");
  Subscription s;
  s.origin = origin;
  auto id = text_field(fields, "id", "", true);
  if (!id) return id.error();
  if (!is_valid_subscription_id(*id))
    return bad("", "id '" + id->substr(0, 60) +
                       "' must be 1-40 lower-case letters, digits and '-' (it names the feeds)");
  s.id = *id;
  static const std::set<std::string> kKnown = {"id",       "feed_url", "outputs", "poll_interval",
                                               "backfill", "webhooks", "title",   "image_url",
                                               "category", "explicit"};
  for (const auto& [key, unused] : fields.items()) {
    if (kKnown.count(key) == 0) return bad(s.id, "unknown field '" + key + "'");
  }
  auto feed_url = text_field(fields, "feed_url", s.id, true);
  if (!feed_url) return feed_url.error();
  if (auto checked = check_http_url(*feed_url, "feed_url"); !checked)
    return bad(s.id, checked.error().message);
  s.feed_url = *feed_url;

  auto outputs = fields.find("outputs");
  if (outputs == fields.end() || !outputs->is_array() || outputs->empty() ||
      outputs->size() > kMaxOutputs)
    return bad(
        s.id, "outputs must list 1 to " + std::to_string(kMaxOutputs) + " {theme, duration} pairs");
  std::set<std::string> slugs;
  for (const json& o : *outputs) {
    auto out = read_output(o, rules, s.id);
    if (!out) return out.error();
    if (!slugs.insert(out->theme->slug).second)
      return bad(s.id, "two outputs of theme '" + out->theme->name +
                           "': each theme is one published feed; make a second subscription for "
                           "another duration");
    s.outputs.push_back(*out);
  }

  if (auto it = fields.find("poll_interval"); it != fields.end()) {
    auto interval = read_interval(*it, s.id);
    if (!interval) return interval.error();
    if (*interval < rules.min_poll_interval || *interval > kMaxPollInterval)
      return bad(s.id, "poll_interval must be from " +
                           std::to_string(rules.min_poll_interval.count()) + " s to 7 days");
    s.poll_interval = *interval;
  }
  if (auto it = fields.find("backfill"); it != fields.end()) {
    if (!it->is_number_integer() || it->get<int>() < 0 || it->get<int>() > kMaxBackfill)
      return bad(s.id, "backfill must be a whole number from 0 to " + std::to_string(kMaxBackfill));
    s.backfill = it->get<int>();
  }
  if (auto it = fields.find("webhooks"); it != fields.end()) {
    if (!it->is_array() || it->size() > kMaxWebhooks)
      return bad(s.id,
                 "webhooks must list at most " + std::to_string(kMaxWebhooks) + " {url, secret}");
    for (const json& w : *it) {
      auto hook = read_webhook(w, s.id);
      if (!hook) return hook.error();
      s.webhooks.push_back(std::move(*hook));
    }
  }
  auto title = text_field(fields, "title", s.id, false);
  if (!title) return title.error();
  s.title = *title;
  auto image = text_field(fields, "image_url", s.id, false);
  if (!image) return image.error();
  if (!image->empty()) {
    if (auto checked = check_http_url(*image, "image_url"); !checked)
      return bad(s.id, checked.error().message);
  }
  s.image_url = *image;
  auto category = text_field(fields, "category", s.id, false);
  if (!category) return category.error();
  if (!category->empty()) {
    if (!is_apple_podcast_category(*category))
      return bad(s.id, "category '" + *category +
                           "' is not one of Apple Podcasts' categories (e.g. News, Comedy, "
                           "Society & Culture)");
    s.category = *category;
  }
  if (auto it = fields.find("explicit"); it != fields.end()) {
    if (!it->is_boolean()) return bad(s.id, "explicit must be true or false");
    s.explicit_content = it->get<bool>();
  }
  return s;
}

Result<std::vector<Subscription>> load_subscriptions_file(const std::string& path,
                                                          const SubscriptionRules& rules) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return make_error(Errc::not_found, "cannot read the subscriptions file " + path +
                                           " (TOML with [[subscription]] tables)");
  std::stringstream text;
  text << in.rdbuf();
  toml::table root;
  try {
    root = toml::parse(text.str(), path);
  } catch (const toml::parse_error& e) {
    return make_error(Errc::invalid_argument, path + ":" + std::to_string(e.source().begin.line) +
                                                  ": syntax: " + std::string(e.description()));
  }
  // TOML maps onto JSON (tables, arrays, strings, numbers, booleans), so
  // one reader serves the file and the API.
  std::ostringstream as_json;
  as_json << toml::json_formatter(root);
  const json doc = json::parse(as_json.str(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return make_error(Errc::invalid_argument, path + ": cannot be read as subscriptions");
  for (const auto& [key, unused] : doc.items()) {
    if (key != "subscription")
      return make_error(Errc::invalid_argument,
                        path + ": unknown table '" + key + "' (use [[subscription]] tables)");
  }
  std::vector<Subscription> out;
  std::set<std::string> ids;
  const json list = doc.value("subscription", json::array());
  if (!list.is_array())
    return make_error(Errc::invalid_argument, path + ": subscriptions are [[subscription]] tables");
  for (const json& fields : list) {
    auto s = subscription_from_json(fields, rules, SubscriptionOrigin::file);
    if (!s) return make_error(Errc::invalid_argument, path + ": " + s.error().message);
    if (!ids.insert(s->id).second)
      return make_error(Errc::invalid_argument,
                        path + ": two subscriptions with id '" + s->id + "'");
    out.push_back(std::move(*s));
  }
  return out;
}

}  // namespace namix
