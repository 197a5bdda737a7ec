#include "follow/poll_state.h"

#include <gtest/gtest.h>

#include "follow/follow_test_support.h"

namespace namix {
namespace {

using follow_test::feed_of;
using follow_test::show_subscription;

constexpr std::int64_t kNow = 1'700'000'000'000;
constexpr std::int64_t kInterval = 600'000;  // show_subscription()'s 10 min

std::vector<std::string> pending_guids(const PollState& state) {
  std::vector<std::string> out;
  for (const PendingMix& p : state.pending) out.push_back(p.item.guid + "/" + p.output_slug);
  return out;
}

TEST(PollState, FirstPollMixesOnlyTheLatestForEachOutput) {
  PollState state;
  take_feed(show_subscription(), feed_of({12, 11, 10}), state, kNow, 0.0);
  EXPECT_EQ(pending_guids(state),
            (std::vector<std::string>{"show-12/best-of", "show-12/donation-nation"}));
  EXPECT_EQ(state.seen.size(), 3u);
  EXPECT_EQ(state.next_poll_ms, kNow + kInterval);
  EXPECT_EQ(state.last_outcome, "new_items");
}

TEST(PollState, BackfillTakesThatManyAndZeroTakesNone) {
  PollState two;
  take_feed(show_subscription(2), feed_of({12, 11, 10}), two, kNow, 0.0);
  EXPECT_EQ(two.pending.size(), 4u);
  PollState none;
  take_feed(show_subscription(0), feed_of({12, 11, 10}), none, kNow, 0.0);
  EXPECT_TRUE(none.pending.empty());
  EXPECT_EQ(none.last_outcome, "unchanged");
}

TEST(PollState, LaterPollsQueueEveryNewItemOnce) {
  PollState state;
  const Subscription s = show_subscription();
  take_feed(s, feed_of({10}), state, kNow, 0.0);
  state.pending.clear();
  take_feed(s, feed_of({12, 11, 10}), state, kNow + kInterval, 0.0);
  EXPECT_EQ(pending_guids(state),
            (std::vector<std::string>{"show-12/best-of", "show-12/donation-nation",
                                      "show-11/best-of", "show-11/donation-nation"}));
  take_feed(s, feed_of({12, 11, 10}), state, kNow + 2 * kInterval, 0.0);
  EXPECT_EQ(state.pending.size(), 4u) << "the same items read again are not queued twice";
  state.drop_pending(item_key_for("show-12"), "best-of");
  EXPECT_EQ(state.pending.size(), 3u);
}

TEST(PollState, TheSameGuidWithAnotherEnclosureIsNotedNotMixedAgain) {
  PollState state;
  const Subscription s = show_subscription();
  take_feed(s, feed_of({10}), state, kNow, 0.0);
  state.pending.clear();
  Feed moved = feed_of({10});
  moved.items[0].enclosure->url = "https://cdn.example.com/ep10-fixed.mp3";
  take_feed(s, moved, state, kNow + kInterval, 0.0);
  EXPECT_TRUE(state.pending.empty());
  ASSERT_FALSE(state.events.empty());
  EXPECT_NE(state.events.back().message.find("enclosure"), std::string::npos);
  EXPECT_EQ(state.events.back().level, "warn");
}

TEST(PollState, FailuresBackOffDoublingUpToSixteenIntervals) {
  PollState state;
  const Subscription s = show_subscription();
  const Error down = make_error(Errc::upstream_failed, "the feed answered HTTP 500");
  std::vector<std::int64_t> waits;
  for (int i = 0; i < 6; ++i) {
    take_failure(s, down, state, kNow, 0.0);
    waits.push_back(state.next_poll_ms - kNow);
  }
  EXPECT_EQ(waits, (std::vector<std::int64_t>{2 * kInterval, 4 * kInterval, 8 * kInterval,
                                              16 * kInterval, 16 * kInterval, 16 * kInterval}));
  EXPECT_EQ(state.last_outcome, "failed");
  EXPECT_EQ(state.consecutive_failures, 6);
  EXPECT_EQ(state.last_error.value("code", ""), "upstream_failed");
  // One event for a failure that repeats, not one per poll.
  EXPECT_EQ(state.events.size(), 1u);
  take_feed(s, feed_of({10}), state, kNow, 0.0);
  EXPECT_EQ(state.consecutive_failures, 0);
  EXPECT_TRUE(state.last_error.is_null());
  EXPECT_EQ(state.next_poll_ms, kNow + kInterval);
}

TEST(PollState, JitterIsATenthOfTheIntervalEitherWay) {
  const Subscription s = show_subscription();
  PollState early, late;
  take_not_modified(s, early, kNow, -1.0);
  take_not_modified(s, late, kNow, 1.0);
  EXPECT_EQ(early.next_poll_ms - kNow, kInterval - kInterval / 10);
  EXPECT_EQ(late.next_poll_ms - kNow, kInterval + kInterval / 10);
  EXPECT_EQ(late.last_outcome, "not_modified");
}

TEST(PollState, SurvivesAWriteAndARead) {
  PollState state;
  state.etag = "\"abc\"";
  state.last_modified = "Sat, 05 Dec 2026 02:00:00 GMT";
  take_feed(show_subscription(), feed_of({12, 11}), state, kNow, 0.3);
  auto again = PollState::from_json(state.to_json());
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->to_json(), state.to_json());
  EXPECT_EQ(pending_guids(*again), pending_guids(state));
}

}  // namespace
}  // namespace namix
