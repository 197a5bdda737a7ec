#include "net/throttling.h"

#include <gtest/gtest.h>

namespace namix {
namespace {

TEST(TokenBucket, AllowsBurstThenRefillsAtRate) {
  TokenBucketLimiter limiter({/*rate_per_minute=*/6.0, /*burst=*/2.0});  // one token per 10 s
  const auto t0 = TokenBucketLimiter::Clock::time_point{} + std::chrono::hours(1);
  EXPECT_FALSE(limiter.take("a", t0).has_value());
  EXPECT_FALSE(limiter.take("a", t0).has_value());
  auto wait = limiter.take("a", t0);
  ASSERT_TRUE(wait.has_value());
  EXPECT_EQ(*wait, 10);
  // Another client has its own bucket.
  EXPECT_FALSE(limiter.take("b", t0).has_value());
  // 5 s later half a token has come back: still refused, 5 s to go.
  wait = limiter.take("a", t0 + std::chrono::seconds(5));
  ASSERT_TRUE(wait.has_value());
  EXPECT_EQ(*wait, 5);
  EXPECT_FALSE(limiter.take("a", t0 + std::chrono::seconds(10)).has_value());
  // Never more than the burst, however long the pause.
  const auto later = t0 + std::chrono::hours(10);
  EXPECT_FALSE(limiter.take("a", later).has_value());
  EXPECT_FALSE(limiter.take("a", later).has_value());
  EXPECT_TRUE(limiter.take("a", later).has_value());
}

TEST(TokenBucket, ZeroRateMeansOff) {
  TokenBucketLimiter limiter({0.0, 1.0});
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(limiter.take("a").has_value());
}

}  // namespace
}  // namespace namix
