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

// Job 2 fails for a reason of its own and stops the others, which fail after
// it because they were stopped: job 2's error is the one returned, though
// job 0 (on the calling thread) comes first in order.
TEST(RunJobs, ReturnsTheErrorOfTheJobThatFailedFirst) {
  std::atomic<bool> stop{false};
  auto result = run_jobs(3, [&](std::size_t k) -> Result<void> {
    if (k == 2) {
      stop = true;
      return make_error(Errc::io_error, "disk full");
    }
    while (!stop) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return make_error(Errc::internal, "stopped");
  });
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, Errc::io_error);
  EXPECT_EQ(result.error().message, "disk full");
}

}  // namespace
}  // namespace namix
