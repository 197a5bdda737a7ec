// Service metrics: counters and sums kept in memory, shown as Prometheus
// text (GET /metrics) or one CloudWatch Embedded Metric Format document
// (GET /metrics?format=emf); plus the EMF line written to stdout per mix,
// which CloudWatch Logs turns into metrics without an agent.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "mix/pipeline.h"

namespace namix {

struct MixOutcome {
  std::string theme;  // theme name, or "unknown" when it never got that far
  bool ok = false;
  std::string error_code;  // errc_name when !ok
  StageTimings timings;
  std::uint64_t file_size_bytes = 0;
  std::size_t segments = 0;
  double duration_s = 0.0;
};

class Metrics {
 public:
  explicit Metrics(std::ostream* emf_out = nullptr);

  void record_request(const std::string& route, int status, double elapsed_ms);
  // Counts the mix and writes its EMF line (if an output was given).
  void record_mix(const MixOutcome& outcome);
  void record_throttled() { throttled_.fetch_add(1); }
  void record_fetch_bytes(std::uint64_t n) { fetch_bytes_.fetch_add(n); }

  // Gauges read at scrape time (queue depth, running mixes).
  void set_gauges(std::function<std::map<std::string, double>()> gauges);

  std::string prometheus_text() const;
  nlohmann::json emf_document() const;
  // The per-mix EMF object (exposed for tests).
  static nlohmann::json emf_for_mix(const MixOutcome& outcome, std::int64_t timestamp_ms);

 private:
  struct RequestKey {
    std::string route;
    int status;
    bool operator<(const RequestKey& o) const {
      return route != o.route ? route < o.route : status < o.status;
    }
  };
  struct MixKey {
    std::string theme;
    std::string outcome;
    bool operator<(const MixKey& o) const {
      return theme != o.theme ? theme < o.theme : outcome < o.outcome;
    }
  };
  struct Sum {
    std::uint64_t count = 0;
    double sum = 0.0;
  };

  std::ostream* emf_out_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  mutable std::mutex mutex_;
  std::map<RequestKey, std::uint64_t> requests_;
  std::map<std::string, Sum> request_ms_;  // by route
  std::map<MixKey, std::uint64_t> mixes_;
  std::map<std::string, Sum> stage_ms_;  // fetch, decode, ..., total (successful mixes)
  std::uint64_t mix_bytes_ = 0;
  std::uint64_t segments_ = 0;
  std::atomic<std::uint64_t> throttled_{0};
  std::atomic<std::uint64_t> fetch_bytes_{0};
  std::function<std::map<std::string, double>()> gauges_;
};

}  // namespace namix
