// Follows every subscription: polls each feed when it is due, and makes the
// mixes its new items call for through the same MixService as the API's
// mixes, one at a time. Each mix is claimed in the mix ledger first and
// settled after; a finished mix is published in its output's feed and told
// to the webhooks. `namix serve` runs rounds on a thread of its own;
// `namix lambda` runs one round per scheduled event.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "follow/mix_ledger.h"
#include "follow/poll_state.h"
#include "follow/published_feed.h"
#include "follow/subscription_book.h"
#include "follow/webhooks.h"
#include "net/fetch.h"
#include "net/mix_service.h"
#include "store/storage.h"

namespace namix {

struct FollowOptions {
  FetchOptions fetch;  // feeds go through the episodes' address policy and timeouts
  std::chrono::milliseconds lease{30 * 60 * 1000};  // a claim another machine must respect
  int max_mix_attempts = 3;
  PublishedLinks links;
  // With a deadline (Lambda), no mix starts when less than this is left.
  std::chrono::milliseconds time_for_a_mix{5 * 60 * 1000};
};

class Follower {
 public:
  Follower(FollowOptions options, Storage& storage, MixService& mixer, SubscriptionBook& book,
           WebhookCourier& courier);
  ~Follower();
  Follower(const Follower&) = delete;
  Follower& operator=(const Follower&) = delete;

  // Polls every subscription that is due and makes its pending mixes; no
  // mix starts after `answer_by_ms` less time_for_a_mix (0: no deadline).
  // A report of what it did, for logs and the Lambda response.
  nlohmann::json run_round(std::int64_t answer_by_ms);

  // The rounds of `namix serve`, on their own thread.
  void start();
  // No new mix starts from now on (a running one finishes).
  void begin_stop();
  // begin_stop(), then waits for the thread.
  void stop();
  // Polls soon: a subscription was added.
  void poke();

  // A subscription with its state, mixes and pending work, as the API shows it.
  Result<nlohmann::json> describe(const Subscription& subscription);
  Result<PollState> poll_state(const std::string& subscription_id);
  // Forgets a deleted subscription's poll state (its mixes stay).
  Result<void> forget(const std::string& subscription_id);
  const PublishedLinks& links() const { return options_.links; }
  // The server's own address, once it is listening, when none was
  // configured; before start().
  void set_server_base(std::string base) {
    if (options_.links.server_base.empty()) options_.links.server_base = std::move(base);
  }
  PublishedFeeds& feeds() { return feeds_; }

  static std::string poll_state_key(const std::string& subscription_id);

 private:
  struct RoundTally;
  // Polls the feed when it is due and records what it found.
  void poll(const Subscription& s, std::int64_t now_ms, RoundTally& tally);
  void make_mixes(const Subscription& s, std::int64_t answer_by_ms, RoundTally& tally);
  void make_mix(const Subscription& s, const PendingMix& pending, RoundTally& tally);
  void finish(const Subscription& s, const SubscriptionOutput& output, const Claim& claim,
              const nlohmann::json& result, RoundTally& tally);
  void fail(const Subscription& s, const SubscriptionOutput& output, const Claim& claim,
            const Error& error, RoundTally& tally);
  void notify(const Subscription& s, const SubscriptionOutput& output, const LedgerEntry& entry,
              const std::string& event, const nlohmann::json& detail);
  // Edits the stored poll state; failures are logged, not fatal.
  void update_state(const std::string& subscription_id,
                    const std::function<void(PollState&)>& change);
  void log(const std::string& level, const std::string& message, const nlohmann::json& fields);

  FollowOptions options_;
  Storage& storage_;
  MixService& mixer_;
  SubscriptionBook& book_;
  WebhookCourier& courier_;
  MixLedger ledger_;
  PublishedFeeds feeds_;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool poked_ = false;
  std::int64_t next_due_ms_ = 0;
  std::thread thread_;
};

}  // namespace namix
