// A subscription: a show followed by its feed, each new episode mixed into
// one or more (theme, duration) outputs, each output published as a podcast
// feed of its own, and webhooks told of every mix. Written in the
// subscriptions file (`namix serve --subscriptions FILE`, TOML) or sent to
// POST /subscriptions (JSON); both are read by subscription_from_json(),
// field by field, with the same checks and messages.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "net/mix_order.h"
#include "select/theme.h"

namespace namix {

struct SubscriptionOutput {
  const Theme* theme = nullptr;
  std::optional<double> target_s;  // nullopt: the whole episode ("full")
};

struct Webhook {
  std::string url;
  std::string secret;  // signs each delivery (HMAC-SHA256); never shown by the API
};

enum class SubscriptionOrigin { file, api };

struct Subscription {
  std::string id;  // [a-z0-9-], 1-40: in URLs and storage keys
  std::string feed_url;
  std::vector<SubscriptionOutput> outputs;  // one per theme
  std::chrono::seconds poll_interval{15 * 60};
  // The first poll mixes the latest `backfill` items (0: none, only what is
  // published from then on); later polls mix every new item.
  int backfill = 1;
  std::vector<Webhook> webhooks;
  // The published feeds' channel: empty title and image take the show's.
  std::string title;
  std::string image_url;
  std::string category = "News";  // one of Apple's top-level categories
  bool explicit_content = false;
  SubscriptionOrigin origin = SubscriptionOrigin::api;

  const SubscriptionOutput* output(std::string_view theme_slug) const;
  // The definition in its own fields (secrets only `with_secrets`, for storage).
  nlohmann::json to_json(bool with_secrets) const;
};

struct SubscriptionRules {
  const ThemeCatalog* themes = nullptr;
  OrderLimits limits;  // the durations a mix order may ask for
  // Polling more often than this is refused (a test server may lower it).
  std::chrono::seconds min_poll_interval{60};
};

bool is_valid_subscription_id(std::string_view id);

// A subscription as JSON fields: id, feed_url, outputs [{theme, duration}],
// poll_interval (seconds, or "90s", "15m", "2h"), backfill, webhooks [{url,
// secret}], title, image_url, category, explicit. An unknown field is an
// error, so a misspelt one is never silently ignored.
Result<Subscription> subscription_from_json(const nlohmann::json& fields,
                                            const SubscriptionRules& rules,
                                            SubscriptionOrigin origin);

// The [[subscription]] tables of a TOML file. Errors name the file and the
// subscription.
Result<std::vector<Subscription>> load_subscriptions_file(const std::string& path,
                                                          const SubscriptionRules& rules);

}  // namespace namix
