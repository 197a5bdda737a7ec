#include "core/run_jobs.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace namix {
namespace {

TEST(RunJobs, RunsEveryJobOnceAndTheFirstOnTheCallingThread) {
  std::vector<std::atomic<int>> runs(4);
  std::vector<std::thread::id> ids(4);
  EXPECT_TRUE(run_jobs(4, [&](std::size_t k) {
                ++runs[k];
                ids[k] = std::this_thread::get_id();
                return Result<void>{};
              }).ok());
  for (const auto& r : runs) EXPECT_EQ(r.load(), 1);
  EXPECT_EQ(ids[0], std::this_thread::get_id());
  EXPECT_NE(ids[1], ids[0]);
  EXPECT_NE(ids[2], ids[1]);
  EXPECT_TRUE(
      run_jobs(0, [](std::size_t) { return make_error(Errc::internal, "never run"); }).ok());
}

// Job 2 fails for a reason of its own; run_jobs then sets the stop flag and
// the others, waiting for it, fail because they were stopped. Job 2's error
// is the one returned, though job 0 (on the calling thread) comes first in
// order and the others fail the moment they see the flag: run_jobs sets it
// only after it has recorded job 2's error.
TEST(RunJobs, SetsStopAfterRecordingTheErrorOfTheJobThatFailedFirst) {
  std::atomic<bool> stop{false};
  auto result = run_jobs(
      3,
      [&](std::size_t k) -> Result<void> {
        if (k == 2) return make_error(Errc::io_error, "disk full");
        // Not forever: if the flag is never set the test fails, not hangs.
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (!stop && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
        return make_error(Errc::internal, stop ? "stopped" : "never stopped");
      },
      &stop);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, Errc::io_error);
  EXPECT_EQ(result.error().message, "disk full");
  EXPECT_TRUE(stop);
}

TEST(RunJobs, LeavesStopAloneWhenEveryJobSucceeds) {
  std::atomic<bool> stop{false};
  EXPECT_TRUE(run_jobs(
                  3, [](std::size_t) { return Result<void>{}; }, &stop)
                  .ok());
  EXPECT_FALSE(stop);
}

}  // namespace
}  // namespace namix
