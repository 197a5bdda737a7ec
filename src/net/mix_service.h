// Runs mix orders: synchronous ones (POST /mix/professional) and jobs (POST
// /mix/jobs), on a fixed pool of mixing threads fed by a bounded queue, or,
// on Lambda, by handing each job to another invocation of the function. Job
// records live in storage, so any instance can answer for any job.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "net/fetch.h"
#include "net/jobs.h"
#include "net/metrics.h"
#include "net/mix_execution.h"
#include "net/mix_order.h"
#include "select/theme.h"
#include "store/storage.h"

namespace namix {

struct ServiceOptions {
  std::string data_dir;  // downloads and uploads wait in {data_dir}/tmp while mixing
  FetchOptions fetch;
  OrderLimits limits;
  std::size_t workers = 2;
  std::size_t max_queued = 8;  // mixes waiting for a worker; more are refused
  std::chrono::seconds link_ttl{24 * 3600};
  // A job record last written longer ago than this is removed: at start-up
  // (recover_jobs()) and, while serving, after a job ends at most once per
  // `job_expiry_interval`. By then its download link has long expired. On S3
  // the bucket's rule jobs-expire-after-7-days does the same where no server
  // runs (Lambda).
  std::chrono::seconds job_record_ttl{7 * 24 * 3600};
  std::chrono::seconds job_expiry_interval{3600};
  // Free space on the data directory's disk below which /mix/health says
  // degraded: a 3-hour remaster at 320 kbps is about 430 MB, and its
  // download waits there too.
  std::uint64_t min_free_bytes = std::uint64_t{512} << 20;
  // Set by `namix lambda`: a job keeps its whole order in its record and this
  // starts another invocation that runs run_job(), instead of the local
  // worker pool (which would be frozen with the sandbox once the response is
  // sent). Empty: the worker pool runs jobs.
  std::function<Result<void>(const std::string& job_id)> hand_off_job;
};

// A mix or a job as asked for: its value, or the error. `retry_after_s` is
// above 0 when it was refused before it started (queue full, shutting down,
// could not be handed off) and is worth asking again after that long.
template <typename T>
struct ServiceAnswer {
  ServiceAnswer(Result<T> result, int retry_after = 0)  // NOLINT(google-explicit-constructor)
      : value(std::move(result)), retry_after_s(retry_after) {}
  ServiceAnswer(Error error)  // NOLINT(google-explicit-constructor)
      : value(std::move(error)) {}

  Result<T> value;
  int retry_after_s = 0;
};

struct ServiceLoad {
  std::size_t workers = 0;
  std::size_t running = 0;
  std::size_t queued = 0;
  std::size_t queue_capacity = 0;
};

class MixService {
 public:
  MixService(ServiceOptions options, Storage& storage, const ThemeCatalog& themes, MixRunner runner,
             Metrics& metrics);
  // Waits for running mixes: they finish and are stored.
  ~MixService();
  MixService(const MixService&) = delete;
  MixService& operator=(const MixService&) = delete;

  // Mixes on a worker and waits for it: the result JSON. `mix_id` names the
  // stored mix (mix_key_stem()); empty gives a new one. A caller that
  // must find the mix again after a crash (subscriptions) picks it.
  ServiceAnswer<nlohmann::json> mix_now(MixOrder order, std::string mix_id = "");
  // Queues the order as a job, or hands it off: the job id.
  ServiceAnswer<std::string> start_job(MixOrder order);
  // A job's record as clients see it; not_found for an unknown id.
  Result<nlohmann::json> job_status(const std::string& job_id);

  // Runs a job handed off by start_job() (options().hand_off_job), in
  // whichever instance the invocation lands: the order is read back from the
  // job record, progress and the outcome are written to it. A mix that fails
  // is recorded in the job and is not an error here (a retry would fail the
  // same way); errors are for a job that cannot be read or recorded.
  Result<void> run_job(const std::string& job_id);

  // At start-up, with no other server on this storage: jobs a previous
  // process left unfinished are marked failed (the count is returned), and
  // the MP3s of mixes it was storing when it died, which have no result JSON
  // and so are in no history, are removed, as are job records older than
  // options().job_record_ttl.
  Result<std::size_t> recover_jobs();
  // No new mixes from now on.
  void begin_drain() { draining_.store(true); }
  // begin_drain(), then waits until running mixes have finished and stored.
  void drain();
  bool draining() const { return draining_.load(); }
  // Waits until no mix or job is queued or running, each to its end.
  void wait_until_idle() { pool_->wait_until_idle(); }

  ServiceLoad load() const;
  bool has_mixer() const { return executor_.has_mixer(); }
  const ServiceOptions& options() const { return options_; }
  // Where uploads wait until they are mixed.
  std::string scratch_dir() const { return options_.data_dir + "/tmp"; }

 private:
  ServiceAnswer<std::string> hand_off(MixOrder order, JobRecord record);
  // The worker-pool and run_job() paths: running -> progress -> done/failed.
  void run_order(const std::string& job_id, MixOrder& order);
  // The error for a full queue or a draining pool, and when to retry.
  Error refusal() const;
  int retry_after_busy_s() const;
  // Removes job records older than options().job_record_ttl: how many.
  Result<std::size_t> expire_job_records();
  // expire_job_records() when job_expiry_interval has passed since the last
  // time; a failure is logged, and tried again at the next interval.
  void expire_job_records_if_due();

  ServiceOptions options_;
  Storage& storage_;
  const ThemeCatalog& themes_;
  Metrics& metrics_;
  MixExecutor executor_;
  JobStore jobs_;
  std::atomic<bool> draining_{false};
  std::atomic<std::int64_t> next_job_expiry_unix_{0};
  // Last member: its destructor drains, and running tasks use the members above.
  std::unique_ptr<WorkerPool> pool_;
};

}  // namespace namix
