#include "follow/follow_stack.h"

#include <chrono>

namespace namix {

Result<std::unique_ptr<FollowStack>> FollowStack::open(FollowStackOptions options, Storage& storage,
                                                       MixService& mixer) {
  std::vector<Subscription> from_file;
  if (!options.subscriptions_file.empty()) {
    auto loaded = load_subscriptions_file(options.subscriptions_file, options.rules);
    if (!loaded) return loaded.error();
    from_file = std::move(*loaded);
  }
  std::unique_ptr<FollowStack> stack(new FollowStack());
  stack->book_ = std::make_unique<SubscriptionBook>(storage, options.rules);
  NAMIX_TRY(stack->book_->load(std::move(from_file)));
  SubscriptionBook& book = *stack->book_;
  stack->courier_ = std::make_unique<WebhookCourier>(
      storage, options.follow.fetch, options.webhooks,
      [&book](const std::string& subscription_id, const std::string& url) {
        return book.webhook_secret(subscription_id, url);
      });
  stack->follower_ =
      std::make_unique<Follower>(options.follow, storage, mixer, book, *stack->courier_);
  stack->routes_ =
      std::make_unique<FollowRoutes>(*stack->follower_, book, *stack->courier_, storage);
  return stack;
}

FollowStack::~FollowStack() { stop(); }

void FollowStack::start(const std::string& server_base) {
  follower_->set_server_base(server_base);
  courier_->start();
  follower_->start();
}

void FollowStack::begin_stop() {
  if (follower_) follower_->begin_stop();
}

void FollowStack::stop() {
  if (follower_) follower_->stop();
  if (courier_) courier_->stop();
}

nlohmann::json FollowStack::run_scheduled_round(std::int64_t answer_by_ms) {
  nlohmann::json report = follower_->run_round(answer_by_ms);
  report["webhook_attempts"] =
      courier_->deliver_due(std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count());
  return report;
}

}  // namespace namix
