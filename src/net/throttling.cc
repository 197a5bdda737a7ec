#include "net/throttling.h"

#include <algorithm>
#include <cmath>

namespace namix {

std::optional<int> TokenBucketLimiter::take(const std::string& client, Clock::time_point now) {
  if (options_.rate_per_minute <= 0.0) return std::nullopt;  // throttling off
  const double per_second = options_.rate_per_minute / 60.0;
  std::lock_guard lock(mutex_);
  // Bound memory under a flood of distinct addresses.
  if (buckets_.size() > 100'000) prune(now);
  auto [it, inserted] = buckets_.try_emplace(client, Bucket{options_.burst, now});
  Bucket& b = it->second;
  if (!inserted) {
    const double elapsed = std::chrono::duration<double>(now - b.updated).count();
    b.tokens = std::min(options_.burst, b.tokens + elapsed * per_second);
    b.updated = now;
  }
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return std::nullopt;
  }
  return std::max(1, static_cast<int>(std::ceil((1.0 - b.tokens) / per_second)));
}

std::size_t TokenBucketLimiter::tracked_clients() const {
  std::lock_guard lock(mutex_);
  return buckets_.size();
}

void TokenBucketLimiter::prune(Clock::time_point now) {
  // A bucket idle long enough to be full again carries no state.
  const double refill_s = options_.burst / (options_.rate_per_minute / 60.0);
  std::erase_if(buckets_, [&](const auto& kv) {
    return std::chrono::duration<double>(now - kv.second.updated).count() > refill_s;
  });
}

}  // namespace namix
