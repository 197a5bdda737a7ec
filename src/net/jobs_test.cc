#include "net/jobs.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "core/test_dir.h"
#include "store/local_storage.h"

namespace namix {
namespace {

TEST(WorkerPool, BoundedQueueRefusesAtOnceAndDrainCancelsWaitingTasks) {
  WorkerPool pool(/*workers=*/1, /*max_queued=*/1);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> ran{0}, cancelled{0};
  const auto blocking = [&](bool was_cancelled) {
    if (was_cancelled) {
      ++cancelled;
      return;
    }
    released.wait();
    ++ran;
  };
  ASSERT_TRUE(pool.try_submit(blocking));  // taken by the worker
  // Wait until the worker holds it, so the next one really waits in the queue.
  for (int i = 0; i < 1000 && pool.running() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_EQ(pool.running(), 1u);
  ASSERT_TRUE(pool.try_submit(blocking));  // waits: the one queue slot
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(pool.try_submit(blocking)) << "a full queue is refused";
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(100));
  EXPECT_EQ(pool.queued(), 1u);

  std::thread drainer([&] { pool.drain(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(cancelled.load(), 1) << "the waiting task is cancelled, not run";
  EXPECT_FALSE(pool.try_submit(blocking)) << "a draining pool takes nothing";
  release.set_value();  // the running task finishes; drain() returns
  drainer.join();
  EXPECT_EQ(ran.load(), 1);
  EXPECT_EQ(pool.running(), 0u);
}

TEST(WorkerPool, WaitUntilIdleReturnsOnceQueuedAndRunningTasksHaveRun) {
  WorkerPool pool(/*workers=*/1, /*max_queued=*/1);
  std::atomic<int> ran{0};
  const auto slow = [&](bool cancelled) {
    if (cancelled) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ++ran;
  };
  ASSERT_TRUE(pool.try_submit(slow));
  ASSERT_TRUE(pool.try_submit(slow));
  pool.wait_until_idle();
  EXPECT_EQ(ran.load(), 2);
  EXPECT_EQ(pool.queued() + pool.running(), 0u);
  EXPECT_TRUE(pool.try_submit(slow)) << "the pool still takes work";
  pool.wait_until_idle();
  EXPECT_EQ(ran.load(), 3);
}

// A job store over a fresh local storage of the test's own.
class JobStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::fresh_dir(std::string("jobs_") +
                              ::testing::UnitTest::GetInstance()->current_test_info()->name());
    auto opened = LocalStorage::open({dir_.string(), "k", ""});
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    storage_ = std::move(*opened);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path dir_;
  std::unique_ptr<LocalStorage> storage_;
};

TEST_F(JobStoreTest, RecordsSurviveAndUnfinishedJobsFailOnRecovery) {
  {
    JobStore jobs(*storage_);
    for (const char* id : {"a-1", "b-2", "c-3"}) {
      JobRecord r;
      r.job_id = id;
      r.session_id = "s";
      ASSERT_TRUE(jobs.create(r).ok());
    }
    jobs.update(
        "b-2",
        [](JobRecord& r) {
          r.state = JobState::running;
          r.progress = 0.4;
        },
        true);
    jobs.update(
        "c-3",
        [](JobRecord& r) {
          r.state = JobState::done;
          r.progress = 1.0;
          r.result = {{"status", "success"}};
        },
        true);
    auto live = jobs.find("b-2");
    ASSERT_TRUE(live.ok());
    EXPECT_DOUBLE_EQ(live->progress, 0.4);
  }
  JobStore restarted(*storage_);  // a new process: nothing live
  auto failed = restarted.fail_unfinished("restarted");
  ASSERT_TRUE(failed.ok());
  EXPECT_EQ(*failed, 2u);
  EXPECT_EQ(restarted.find("a-1")->state, JobState::failed);
  EXPECT_EQ(restarted.find("b-2")->state, JobState::failed);
  EXPECT_EQ(restarted.find("b-2")->error["error"]["message"], "restarted");
  auto done = restarted.find("c-3");
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->state, JobState::done);
  EXPECT_EQ(done->result["status"], "success");
  EXPECT_EQ(restarted.find("zzz").error().code, Errc::not_found);
}

TEST_F(JobStoreTest, ExpiryRemovesRecordsOlderThanTheAgeExceptRunningJobs) {
  JobStore jobs(*storage_);
  for (const char* id : {"done-1", "running-2"}) {
    JobRecord r;
    r.job_id = id;
    ASSERT_TRUE(jobs.create(r).ok());
  }
  jobs.update(
      "done-1", [](JobRecord& r) { r.state = JobState::done; }, true);
  jobs.update(
      "running-2", [](JobRecord& r) { r.state = JobState::running; }, true);
  const auto written = std::chrono::system_clock::now();
  const std::chrono::seconds week(7 * 24 * 3600);

  EXPECT_EQ(jobs.expire(week, written + std::chrono::hours(6 * 24)).value(), 0u);
  EXPECT_TRUE(jobs.find("done-1").ok());
  EXPECT_EQ(jobs.expire(week, written + std::chrono::hours(8 * 24)).value(), 1u);
  EXPECT_EQ(jobs.find("done-1").error().code, Errc::not_found);
  EXPECT_EQ(jobs.find("running-2")->state, JobState::running) << "a running job keeps its record";
  EXPECT_TRUE(storage_->head(JobStore::key_for("running-2")).ok());
}

TEST_F(JobStoreTest, AFinalStateThatCannotBeStoredIsStillAnsweredFromMemory) {
  JobStore jobs(*storage_);
  JobRecord r;
  r.job_id = "d-4";
  ASSERT_TRUE(jobs.create(r).ok());
  // A directory where the record's file goes makes every write of it fail.
  const auto record_file = dir_ / JobStore::key_for("d-4");
  std::filesystem::remove(record_file);
  std::filesystem::create_directories(record_file);
  jobs.update(
      "d-4",
      [](JobRecord& rec) {
        rec.state = JobState::done;
        rec.progress = 1.0;
      },
      true);
  auto found = jobs.find("d-4");
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(found->state, JobState::done);
  // Once the storage takes writes again (space freed), asking for the job
  // stores its final state: a restart does not find it unfinished.
  std::filesystem::remove(record_file);
  ASSERT_TRUE(jobs.find("d-4").ok());
  auto stored = storage_->get(JobStore::key_for("d-4"));
  ASSERT_TRUE(stored.ok()) << stored.error().message;
  EXPECT_EQ(nlohmann::json::parse(*stored).value("state", ""), "done");
  EXPECT_EQ(jobs.fail_unfinished("restarted").value(), 0u);
}

TEST(JobIds, AreSortableAndSafeAsKeys) {
  const std::string a = new_mix_id();
  EXPECT_TRUE(is_valid_job_id(a));
  EXPECT_TRUE(is_valid_storage_key("mixes/1/best-of/" + a + ".mp3"));
  EXPECT_FALSE(is_valid_job_id("../x"));
  EXPECT_FALSE(is_valid_job_id(""));
  EXPECT_FALSE(is_valid_job_id("a/b"));
}

}  // namespace
}  // namespace namix
