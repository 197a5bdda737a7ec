// Mix jobs: a fixed pool of mixing threads fed by a bounded queue (a full
// queue is refused at once, never waited on), and job records kept in the
// storage under jobs/{id}.json so that any instance can answer GET
// /mix/jobs/{id} and a restart loses nothing that finished.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "store/storage.h"

namespace namix {

class WorkerPool {
 public:
  // `cancelled` is true when the task is dropped from the queue by drain()
  // before it ran; the task must then fail its job cleanly.
  using Task = std::function<void(bool cancelled)>;

  WorkerPool(std::size_t workers, std::size_t max_queued);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // False when every worker is busy and `max_queued` tasks already wait, or
  // when the pool is draining.
  bool try_submit(Task task);
  // Stops taking work, cancels what is queued, waits for running tasks.
  void drain();
  // Waits until no task is queued or running; the pool keeps taking work.
  void wait_until_idle();
  std::size_t queued() const;
  std::size_t running() const;
  std::size_t workers() const { return threads_.size(); }
  std::size_t capacity() const { return max_queued_; }

 private:
  void work();

  std::size_t max_queued_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<Task> queue_;
  std::size_t running_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

enum class JobState { queued, running, done, failed };
const char* job_state_name(JobState s);
std::optional<JobState> job_state_from_name(const std::string& name);

struct JobRecord {
  std::string job_id;
  JobState state = JobState::queued;
  double progress = 0.0;  // 0..1
  std::string stage;      // "queued", "fetch", "decode", ...
  std::string created_at;
  std::string updated_at;
  std::string session_id;
  std::string theme;
  std::string source;     // the episode URL, or "upload:<file name>"
  nlohmann::json result;  // the result JSON, when done
  nlohmann::json error;   // the error JSON, when failed
  // Jobs handed to another Lambda invocation: the mix order it runs (stored,
  // never shown by GET /mix/jobs/{id}).
  nlohmann::json order;
  nlohmann::json to_json() const;
  static Result<JobRecord> from_json(const nlohmann::json& j);
};

// Job records: the live ones in memory (progress changes often), every state
// change written through to storage.
class JobStore {
 public:
  explicit JobStore(Storage& storage) : storage_(storage) {}

  Result<void> create(JobRecord record);
  // Writes the record to storage only, not to the live map: for jobs that
  // another instance runs, whose live state this one must not shadow.
  Result<void> store(const JobRecord& record) { return save(record); }
  // Applies `change` to the live record; writes to storage when `persist`.
  void update(const std::string& job_id, const std::function<void(JobRecord&)>& change,
              bool persist);
  // Live record, else the stored one; not_found when neither exists.
  Result<JobRecord> find(const std::string& job_id);
  // At start-up: jobs left queued or running by a previous process are
  // marked failed (their work is gone). Returns how many.
  Result<std::size_t> fail_unfinished(const std::string& reason);
  // Removes the records last written more than `max_age` before `now`, except
  // those of jobs this process is running. Returns how many.
  Result<std::size_t> expire(std::chrono::seconds max_age,
                             std::chrono::system_clock::time_point now);

  static std::string key_for(const std::string& job_id) { return "jobs/" + job_id + ".json"; }

 private:
  Result<void> save(const JobRecord& record);

  Storage& storage_;
  std::mutex mutex_;
  std::map<std::string, JobRecord> live_;
};

std::string iso8601_now();
// A sortable, unique id: "20261129T132400Z-1a2b3c4d".
std::string new_mix_id();
bool is_valid_job_id(const std::string& id);

}  // namespace namix
