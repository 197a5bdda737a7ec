// Token-bucket throttling per API key or client address: each client may
// start `rate_per_minute` mixes a minute on average and `burst` at once.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace namix {

struct ThrottleOptions {
  double rate_per_minute = 30.0;
  double burst = 10.0;
};

class TokenBucketLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  explicit TokenBucketLimiter(ThrottleOptions options) : options_(options) {}

  // Takes one token for `client`. nullopt when allowed, else the whole
  // seconds to wait before a token is available (the Retry-After value).
  std::optional<int> take(const std::string& client, Clock::time_point now = Clock::now());
  std::size_t tracked_clients() const;

 private:
  struct Bucket {
    double tokens = 0.0;
    Clock::time_point updated;
  };
  void prune(Clock::time_point now);

  ThrottleOptions options_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace namix
