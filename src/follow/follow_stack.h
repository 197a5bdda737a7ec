// The follow stage put together for `namix serve` and `namix lambda`: the
// subscription book, the webhook courier, the follower and their routes,
// built in the order they depend on each other and stopped in reverse.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "follow/follow_routes.h"
#include "follow/follower.h"
#include "follow/subscription_book.h"
#include "follow/webhooks.h"
#include "net/mix_service.h"
#include "select/theme.h"
#include "store/storage.h"

namespace namix {

struct FollowStackOptions {
  std::string subscriptions_file;  // TOML; empty: only subscriptions added through the API
  SubscriptionRules rules;
  FollowOptions follow;
  WebhookSchedule webhooks;
};

class FollowStack {
 public:
  // Reads the subscriptions file and the stored subscriptions; errors name
  // the file and the subscription at fault.
  static Result<std::unique_ptr<FollowStack>> open(FollowStackOptions options, Storage& storage,
                                                   MixService& mixer);
  ~FollowStack();
  FollowStack(const FollowStack&) = delete;
  FollowStack& operator=(const FollowStack&) = delete;

  // The threads of `namix serve`: polling and mixing, webhook deliveries.
  // `server_base` ("http://127.0.0.1:8080") is where links point when no
  // public URL was configured.
  void start(const std::string& server_base);
  // No new mix starts; call before the MixService drains.
  void begin_stop();
  void stop();

  // One round for a scheduled Lambda event: polls, mixes until `answer_by_ms`
  // allows no more, and attempts the webhook deliveries that are due.
  nlohmann::json run_scheduled_round(std::int64_t answer_by_ms);

  FollowApi& routes() { return *routes_; }
  std::size_t subscription_count() const { return book_->all().size(); }

 private:
  FollowStack() = default;
  std::unique_ptr<SubscriptionBook> book_;
  std::unique_ptr<WebhookCourier> courier_;
  std::unique_ptr<Follower> follower_;
  std::unique_ptr<FollowRoutes> routes_;
};

}  // namespace namix
