// Every subscription this server follows: those of the subscriptions file,
// fixed at start, and those added through the API, stored under
// follow/definitions/ so that a restart, or another instance sharing the
// storage (a Lambda invocation), has them too.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "follow/subscription.h"
#include "store/storage.h"

namespace namix {

class SubscriptionBook {
 public:
  SubscriptionBook(Storage& storage, SubscriptionRules rules);

  // The file's subscriptions, and the stored ones read again (another
  // instance may have added or removed some). A stored definition that no
  // longer reads (a theme removed) is skipped and named in `skipped`.
  Result<void> load(std::vector<Subscription> from_file,
                    std::vector<std::string>* skipped = nullptr);
  Result<void> reload_stored(std::vector<std::string>* skipped = nullptr);

  std::vector<Subscription> all() const;
  std::optional<Subscription> find(const std::string& id) const;
  // A new subscription from the API's JSON; invalid_argument when the id is taken.
  Result<Subscription> add(const nlohmann::json& fields);
  // forbidden for one of the file's; not_found for an unknown id.
  Result<void> remove(const std::string& id);
  std::optional<std::string> webhook_secret(const std::string& id, const std::string& url) const;
  const SubscriptionRules& rules() const { return rules_; }

  static std::string definition_key(const std::string& id);

 private:
  Storage& storage_;
  SubscriptionRules rules_;
  mutable std::mutex mutex_;
  std::vector<Subscription> from_file_;
  std::vector<Subscription> stored_;
};

}  // namespace namix
