#include "net/metrics.h"

#include <iomanip>
#include <sstream>

namespace namix {
namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Prometheus label values escape backslash, quote and newline.
std::string label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

std::string num(double v) {
  std::ostringstream s;
  s << std::setprecision(10) << v;
  return s.str();
}

}  // namespace

Metrics::Metrics(std::ostream* emf_out) : emf_out_(emf_out) {}

void Metrics::set_gauges(std::function<std::map<std::string, double>()> gauges) {
  std::lock_guard lock(mutex_);
  gauges_ = std::move(gauges);
}

void Metrics::record_request(const std::string& route, int status, double elapsed_ms) {
  std::lock_guard lock(mutex_);
  ++requests_[{route, status}];
  auto& s = request_ms_[route];
  ++s.count;
  s.sum += elapsed_ms;
}

nlohmann::json Metrics::emf_for_mix(const MixOutcome& o, std::int64_t timestamp_ms) {
  // CloudWatch Embedded Metric Format: the _aws block declares which
  // top-level members are metrics; "Theme" is the one dimension, so every
  // metric is reported per theme.
  nlohmann::json metrics = nlohmann::json::array();
  const auto add = [&](const char* name, const char* unit) {
    metrics.push_back({{"Name", name}, {"Unit", unit}});
  };
  add("mix_ms", "Milliseconds");
  add("fetch_ms", "Milliseconds");
  add("decode_ms", "Milliseconds");
  add("analysis_ms", "Milliseconds");
  add("render_ms", "Milliseconds");
  add("encode_ms", "Milliseconds");
  add("store_ms", "Milliseconds");
  add("file_size_mb", "Megabytes");
  add("segments_processed", "Count");
  add("error_count", "Count");
  return {{"_aws",
           {{"Timestamp", timestamp_ms},
            {"CloudWatchMetrics",
             {{{"Namespace", "namix"}, {"Dimensions", {{"Theme"}}}, {"Metrics", metrics}}}}}},
          {"Theme", o.theme},
          {"mix_ms", o.timings.total_ms},
          {"fetch_ms", o.timings.fetch_ms},
          {"decode_ms", o.timings.decode_ms},
          {"analysis_ms", o.timings.analysis_ms},
          {"render_ms", o.timings.render_ms},
          {"encode_ms", o.timings.encode_ms},
          {"store_ms", o.timings.store_ms},
          {"file_size_mb", static_cast<double>(o.file_size_bytes) / (1024.0 * 1024.0)},
          {"segments_processed", o.segments},
          {"error_count", o.ok ? 0 : 1},
          {"outcome", o.ok ? "success" : o.error_code}};
}

void Metrics::record_mix(const MixOutcome& o) {
  {
    std::lock_guard lock(mutex_);
    ++mixes_[{o.theme, o.ok ? "success" : o.error_code}];
    if (o.ok) {
      const auto add = [&](const char* stage, double ms) {
        auto& s = stage_ms_[stage];
        ++s.count;
        s.sum += ms;
      };
      add("fetch", o.timings.fetch_ms);
      add("decode", o.timings.decode_ms);
      add("analysis", o.timings.analysis_ms);
      add("render", o.timings.render_ms);
      add("encode", o.timings.encode_ms);
      add("store", o.timings.store_ms);
      add("total", o.timings.total_ms);
      mix_bytes_ += o.file_size_bytes;
      segments_ += o.segments;
    }
    if (emf_out_ != nullptr) {
      // One line per mix; the lock keeps lines from interleaving.
      *emf_out_ << emf_for_mix(o, now_ms()).dump() << "\n" << std::flush;
    }
  }
}

std::string Metrics::prometheus_text() const {
  std::lock_guard lock(mutex_);
  std::ostringstream out;
  out << "# HELP namix_http_requests_total HTTP requests by route and status.\n"
         "# TYPE namix_http_requests_total counter\n";
  for (const auto& [k, v] : requests_) {
    out << "namix_http_requests_total{route=\"" << label(k.route) << "\",status=\"" << k.status
        << "\"} " << v << "\n";
  }
  out << "# HELP namix_http_request_duration_ms_sum Time spent answering, by route.\n"
         "# TYPE namix_http_request_duration_ms_sum counter\n";
  for (const auto& [route, s] : request_ms_) {
    out << "namix_http_request_duration_ms_sum{route=\"" << label(route) << "\"} " << num(s.sum)
        << "\n";
  }
  out << "# HELP namix_mixes_total Mixes attempted, by theme and outcome.\n"
         "# TYPE namix_mixes_total counter\n";
  for (const auto& [k, v] : mixes_) {
    out << "namix_mixes_total{theme=\"" << label(k.theme) << "\",outcome=\"" << label(k.outcome)
        << "\"} " << v << "\n";
  }
  out << "# HELP namix_mix_stage_ms_sum Time spent per stage of successful mixes.\n"
         "# TYPE namix_mix_stage_ms_sum counter\n";
  for (const auto& [stage, s] : stage_ms_) {
    out << "namix_mix_stage_ms_sum{stage=\"" << stage << "\"} " << num(s.sum) << "\n";
  }
  out << "# HELP namix_mix_stage_ms_count Successful mixes timed per stage.\n"
         "# TYPE namix_mix_stage_ms_count counter\n";
  for (const auto& [stage, s] : stage_ms_) {
    out << "namix_mix_stage_ms_count{stage=\"" << stage << "\"} " << s.count << "\n";
  }
  out << "# HELP namix_mix_output_bytes_total Bytes of MP3 produced.\n"
         "# TYPE namix_mix_output_bytes_total counter\n"
      << "namix_mix_output_bytes_total " << mix_bytes_ << "\n"
      << "# HELP namix_mix_segments_total Segments placed in mixes.\n"
         "# TYPE namix_mix_segments_total counter\n"
      << "namix_mix_segments_total " << segments_ << "\n"
      << "# HELP namix_throttled_total Requests refused by throttling (429).\n"
         "# TYPE namix_throttled_total counter\n"
      << "namix_throttled_total " << throttled_.load() << "\n"
      << "# HELP namix_fetch_bytes_total Episode bytes downloaded.\n"
         "# TYPE namix_fetch_bytes_total counter\n"
      << "namix_fetch_bytes_total " << fetch_bytes_.load() << "\n"
      << "# HELP namix_uptime_seconds Seconds since the server started.\n"
         "# TYPE namix_uptime_seconds gauge\n"
      << "namix_uptime_seconds "
      << num(std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count())
      << "\n";
  if (gauges_) {
    for (const auto& [name, value] : gauges_()) {
      out << "# TYPE " << name << " gauge\n" << name << " " << num(value) << "\n";
    }
  }
  return out.str();
}

nlohmann::json Metrics::emf_document() const {
  std::lock_guard lock(mutex_);
  std::uint64_t ok = 0, failed = 0, requests = 0, server_errors = 0;
  for (const auto& [k, v] : mixes_) (k.outcome == "success" ? ok : failed) += v;
  for (const auto& [k, v] : requests_) {
    requests += v;
    if (k.status >= 500) server_errors += v;
  }
  const auto mean = [&](const char* stage) {
    auto it = stage_ms_.find(stage);
    return it == stage_ms_.end() || it->second.count == 0
               ? 0.0
               : it->second.sum / static_cast<double>(it->second.count);
  };
  nlohmann::json metrics = nlohmann::json::array();
  const auto add = [&](const char* name, const char* unit) {
    metrics.push_back({{"Name", name}, {"Unit", unit}});
  };
  add("mixes_succeeded", "Count");
  add("mixes_failed", "Count");
  add("error_rate", "Percent");
  add("mix_ms_mean", "Milliseconds");
  add("decode_ms_mean", "Milliseconds");
  add("analysis_ms_mean", "Milliseconds");
  add("encode_ms_mean", "Milliseconds");
  add("store_ms_mean", "Milliseconds");
  add("file_size_mb_total", "Megabytes");
  add("http_requests", "Count");
  add("http_5xx", "Count");
  add("throttled", "Count");
  nlohmann::json doc = {
      {"_aws",
       {{"Timestamp", now_ms()},
        {"CloudWatchMetrics",
         {{{"Namespace", "namix"}, {"Dimensions", {{"Service"}}}, {"Metrics", metrics}}}}}},
      {"Service", "namix"},
      {"mixes_succeeded", ok},
      {"mixes_failed", failed},
      {"error_rate", ok + failed == 0
                         ? 0.0
                         : 100.0 * static_cast<double>(failed) / static_cast<double>(ok + failed)},
      {"mix_ms_mean", mean("total")},
      {"decode_ms_mean", mean("decode")},
      {"analysis_ms_mean", mean("analysis")},
      {"encode_ms_mean", mean("encode")},
      {"store_ms_mean", mean("store")},
      {"file_size_mb_total", static_cast<double>(mix_bytes_) / (1024.0 * 1024.0)},
      {"http_requests", requests},
      {"http_5xx", server_errors},
      {"throttled", throttled_.load()}};
  if (gauges_) {
    for (const auto& [name, value] : gauges_()) doc[name] = value;
  }
  return doc;
}

}  // namespace namix
