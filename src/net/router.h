// The HTTP API of SPEC.md, independent of the transport: cpp-httplib
// (`namix serve`, net/server.h) and API Gateway events (`namix lambda`) both
// turn their requests into HttpRequest and call ApiService::handle().
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "codec/mp3_encoder.h"
#include "core/byte_sink.h"
#include "core/error.h"
#include "mix/pipeline.h"
#include "net/fetch.h"
#include "net/http_types.h"
#include "net/jobs.h"
#include "net/metrics.h"
#include "net/mix_order.h"
#include "net/throttling.h"
#include "select/theme.h"
#include "store/local_storage.h"
#include "store/storage.h"

namespace namix {

// The one place a mix is made; `namix serve` passes run_mix(). A request for a
// URL arrives while the episode downloads (MixRequest::download): the runner
// must wait for the download before reading input_path to its end.
using MixRunner = std::function<Result<MixReport>(const MixRequest&, ByteSink&)>;

struct ServiceOptions {
  std::string data_dir;  // downloads and uploads wait in {data_dir}/tmp while mixing
  FetchOptions fetch;
  OrderLimits limits;
  std::size_t workers = 2;
  std::size_t max_queued = 8;  // mixes waiting for a worker; more is a 503
  ThrottleOptions throttle;
  std::set<std::string> api_keys;  // empty: no key needed
  std::string web_dir;             // empty: no web page
  std::chrono::seconds link_ttl{24 * 3600};
  // Set by `namix lambda`: POST /mix/jobs keeps the whole order in the job
  // record and calls this to start another invocation that runs run_job(),
  // instead of the local worker pool (which would be frozen with the
  // sandbox once the response is sent). Empty: the worker pool runs jobs.
  std::function<Result<void>(const std::string& job_id)> hand_off_job;
};

class ApiService {
 public:
  ApiService(ServiceOptions options, Storage& storage, LocalStorage* local_files,
             const ThemeCatalog& themes, MixRunner runner, Metrics& metrics,
             std::ostream* request_log);
  ~ApiService();
  ApiService(const ApiService&) = delete;
  ApiService& operator=(const ApiService&) = delete;

  HttpResponse handle(const HttpRequest& request);

  // Runs a job handed off by POST /mix/jobs (options().hand_off_job), in
  // whichever instance the invocation lands: the order is read back from the
  // job record, progress and the outcome are written to it. A mix that fails
  // is recorded in the job and is not an error here (a retry would fail the
  // same way); errors are for a job that cannot be read or recorded.
  Result<void> run_job(const std::string& job_id);

  // At start-up: jobs a previous process left unfinished are marked failed.
  Result<std::size_t> recover_jobs();
  // No new mixes from now on (503); health answers "draining".
  void begin_drain();
  // begin_drain(), then waits until running mixes have finished and stored.
  void drain();
  bool draining() const { return draining_.load(); }

  const ServiceOptions& options() const { return options_; }

 private:
  HttpResponse route(const HttpRequest& request, std::string& route_label);
  HttpResponse health();
  HttpResponse mix_health();
  HttpResponse themes_list();
  HttpResponse metrics(const HttpRequest& request);
  HttpResponse history(const HttpRequest& request);
  HttpResponse job_status(const std::string& job_id);
  HttpResponse mix_sync(const HttpRequest& request);
  HttpResponse mix_async(const HttpRequest& request);
  HttpResponse hand_off_async(MixOrder order, JobRecord record);
  // The worker-pool and run_job() paths: running -> progress -> done/failed.
  void run_order(const std::string& job_id, MixOrder& order);
  HttpResponse download(const HttpRequest& request, const std::string& key);
  HttpResponse static_file(const HttpRequest& request);
  std::optional<HttpResponse> check_api_key(const HttpRequest& request);
  std::optional<HttpResponse> admit_mix(const HttpRequest& request);

  // Fetch (or take the upload), mix, store: the result JSON.
  Result<nlohmann::json> execute(const std::string& mix_id, MixOrder& order,
                                 const ProgressFn& progress);
  int retry_after_busy_s() const;

  void log_request(const HttpRequest& request, const std::string& route_label, int status,
                   double elapsed_ms, const std::string& request_id);

  ServiceOptions options_;
  Storage& storage_;
  LocalStorage* local_files_;
  const ThemeCatalog& themes_;
  MixRunner runner_;
  Metrics& metrics_;
  std::ostream* request_log_;
  std::mutex log_mutex_;
  TokenBucketLimiter limiter_;
  JobStore jobs_;
  std::atomic<bool> draining_{false};
  std::atomic<double> mean_mix_s_{20.0};
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  // Last member: its destructor drains, and running tasks use the members above.
  std::unique_ptr<WorkerPool> pool_;
};

}  // namespace namix
