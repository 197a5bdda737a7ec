#include "net/router.h"

#include <lame/lame.h>
#include <mpg123.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>
#include <system_error>
#include <thread>

#include "core/ascii_text.h"
#include "core/version.h"
#include "mix/result_json.h"
#include "net/http_error.h"

namespace namix {
namespace fs = std::filesystem;
namespace {

double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

// A storage key segment from an episode number ("1779"), or "unknown".
std::string episode_segment(const std::string& episode) {
  std::string out;
  for (unsigned char c : episode) {
    if (std::isalnum(c) || c == '-' || c == '_') out.push_back(static_cast<char>(c));
    if (out.size() >= 32) break;
  }
  return out.empty() ? "unknown" : out;
}

void add_cors(HttpResponse& r) {
  r.headers["Access-Control-Allow-Origin"] = "*";
  r.headers["Access-Control-Expose-Headers"] = "Retry-After, Content-Length, X-Request-Id";
}

std::string content_type_for(const std::string& path) {
  static const std::pair<const char*, const char*> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".txt", "text/plain; charset=utf-8"},
      {".map", "application/json"},
      {".woff2", "font/woff2"},
      {".wasm", "application/wasm"},
      {".mp3", "audio/mpeg"},
  };
  const std::string ext = ascii_lower(fs::path(path).extension().string());
  for (const auto& [e, t] : kTypes) {
    if (ext == e) return t;
  }
  return "application/octet-stream";
}

std::string new_request_id() { return "req-" + new_mix_id(); }

}  // namespace

ApiService::ApiService(ServiceOptions options, Storage& storage, LocalStorage* local_files,
                       const ThemeCatalog& themes, MixRunner runner, Metrics& metrics,
                       std::ostream* request_log)
    : options_(std::move(options)),
      storage_(storage),
      local_files_(local_files),
      themes_(themes),
      runner_(std::move(runner)),
      metrics_(metrics),
      request_log_(request_log),
      limiter_(options_.throttle),
      jobs_(storage),
      pool_(std::make_unique<WorkerPool>(options_.workers, options_.max_queued)) {
  // Downloads and uploads a crashed process left behind are of no use.
  std::error_code ec;
  fs::remove_all(fs::path(options_.data_dir) / "tmp", ec);
  fs::create_directories(fs::path(options_.data_dir) / "tmp", ec);
  metrics_.set_gauges([this] {
    return std::map<std::string, double>{
        {"namix_mixes_queued", static_cast<double>(pool_->queued())},
        {"namix_mixes_running", static_cast<double>(pool_->running())},
        {"namix_mix_workers", static_cast<double>(pool_->workers())},
        {"namix_draining", draining_.load() ? 1.0 : 0.0}};
  });
}

ApiService::~ApiService() {
  metrics_.set_gauges(nullptr);
  pool_.reset();  // drains: running mixes finish while the members still exist
}

Result<std::size_t> ApiService::recover_jobs() {
  return jobs_.fail_unfinished(
      "the server restarted before this job finished; submit the mix again");
}

void ApiService::begin_drain() { draining_.store(true); }

void ApiService::drain() {
  begin_drain();
  pool_->drain();
}

HttpResponse ApiService::handle(const HttpRequest& request) {
  const auto started = std::chrono::steady_clock::now();
  const std::string request_id = new_request_id();
  std::string route_label = "unmatched";
  HttpResponse response;
  try {
    response = route(request, route_label);
  } catch (const std::exception& e) {
    // Only our own bugs get here; the detail goes to the log, not the client.
    if (request_log_ != nullptr) {
      std::lock_guard lock(log_mutex_);
      *request_log_ << nlohmann::json{{"level", "error"},
                                      {"msg", "unhandled exception"},
                                      {"request_id", request_id},
                                      {"what", e.what()}}
                           .dump()
                    << "\n";
    }
    response = error_response(
        make_error(Errc::internal, "internal error (request " + request_id + "); please report it"),
        "");
  }
  add_cors(response);
  response.headers["X-Request-Id"] = request_id;
  const double elapsed = ms_since(started);
  metrics_.record_request(route_label, response.status, elapsed);
  log_request(request, route_label, response.status, elapsed, request_id);
  return response;
}

void ApiService::log_request(const HttpRequest& request, const std::string& route_label, int status,
                             double elapsed_ms, const std::string& request_id) {
  if (request_log_ == nullptr) return;
  const nlohmann::json line = {{"ts", iso8601_now()},
                               {"level", status >= 500 ? "error" : "info"},
                               {"msg", "request"},
                               {"request_id", request_id},
                               {"method", request.method},
                               {"path", request.path},
                               {"route", route_label},
                               {"status", status},
                               {"ms", std::round(elapsed_ms * 10.0) / 10.0},
                               {"remote", request.remote_addr}};
  std::lock_guard lock(log_mutex_);
  *request_log_ << line.dump() << "\n" << std::flush;
}

HttpResponse ApiService::route(const HttpRequest& req, std::string& label) {
  const std::string& path = req.path;
  const std::string& method = req.method;
  const bool get = method == "GET" || method == "HEAD";

  if (method == "OPTIONS") {
    // CORS preflight, on every path: the web page may call any route.
    label = "options";
    HttpResponse r;
    r.status = 204;
    r.headers["Access-Control-Allow-Methods"] = "GET, HEAD, POST, OPTIONS";
    r.headers["Access-Control-Allow-Headers"] = "Content-Type, X-Api-Key, Authorization";
    r.headers["Access-Control-Max-Age"] = "86400";
    return r;
  }

  const auto method_not_allowed = [&](const char* allow) {
    HttpResponse r =
        error_response(make_error(Errc::invalid_argument,
                                  method + " is not allowed on " + path + "; use " + allow),
                       "", 405);
    r.headers["Allow"] = allow;
    return r;
  };

  if (path == "/health") {
    label = "/health";
    return get ? health() : method_not_allowed("GET");
  }
  if (path == "/mix/health") {
    label = "/mix/health";
    return get ? mix_health() : method_not_allowed("GET");
  }
  if (path == "/mix/themes") {
    label = "/mix/themes";
    return get ? themes_list() : method_not_allowed("GET");
  }
  if (path == "/metrics") {
    label = "/metrics";
    if (!get) return method_not_allowed("GET");
    if (auto refused = check_api_key(req)) return *refused;
    return metrics(req);
  }
  if (path == "/mix/history") {
    label = "/mix/history";
    if (!get) return method_not_allowed("GET");
    if (auto refused = check_api_key(req)) return *refused;
    return history(req);
  }
  if (path == "/mix/professional") {
    label = "/mix/professional";
    if (method != "POST") return method_not_allowed("POST");
    if (auto refused = check_api_key(req)) return *refused;
    if (auto refused = admit_mix(req)) return *refused;
    return mix_sync(req);
  }
  if (path == "/mix/jobs") {
    label = "/mix/jobs";
    if (method != "POST") return method_not_allowed("POST");
    if (auto refused = check_api_key(req)) return *refused;
    if (auto refused = admit_mix(req)) return *refused;
    return mix_async(req);
  }
  if (path.rfind("/mix/jobs/", 0) == 0) {
    label = "/mix/jobs/{id}";
    if (!get) return method_not_allowed("GET");
    if (auto refused = check_api_key(req)) return *refused;
    return job_status(path.substr(std::string("/mix/jobs/").size()));
  }
  if (path.rfind("/files/", 0) == 0) {
    label = "/files/{key}";
    if (!get) return method_not_allowed("GET, HEAD");
    return download(req, path.substr(std::string("/files/").size()));
  }
  if (path.rfind("/mix/", 0) == 0 || path == "/mix") {
    return error_response(make_error(Errc::not_found, "no route " + path +
                                                          " (see GET /mix/themes, POST "
                                                          "/mix/professional, POST /mix/jobs)"),
                          "");
  }
  if (get) {
    label = "static";
    return static_file(req);
  }
  return error_response(make_error(Errc::not_found, "no route " + method + " " + path), "");
}

std::optional<HttpResponse> ApiService::check_api_key(const HttpRequest& req) {
  if (options_.api_keys.empty()) return std::nullopt;
  const auto key = req.header("x-api-key");
  if (!key || key->empty()) {
    return error_response(
        make_error(Errc::unauthorized,
                   "this server needs an API key: send it in the x-api-key header"),
        "");
  }
  if (options_.api_keys.count(*key) == 0) {
    return error_response(make_error(Errc::forbidden, "the x-api-key is not valid on this server"),
                          "");
  }
  return std::nullopt;
}

std::optional<HttpResponse> ApiService::admit_mix(const HttpRequest& req) {
  if (draining_.load()) {
    HttpResponse r = error_response(
        make_error(Errc::unavailable, "the server is shutting down; retry in a moment"), "");
    r.headers["Retry-After"] = "5";
    return r;
  }
  const auto key = req.header("x-api-key");
  const std::string client =
      key && !options_.api_keys.empty() ? "key:" + *key : "addr:" + req.remote_addr;
  if (auto wait = limiter_.take(client)) {
    metrics_.record_throttled();
    HttpResponse r = error_response(
        make_error(Errc::throttled, "too many mixes requested from this client; retry in " +
                                        std::to_string(*wait) + " s"),
        "");
    r.headers["Retry-After"] = std::to_string(*wait);
    return r;
  }
  return std::nullopt;
}

int ApiService::retry_after_busy_s() const {
  const double waiting = static_cast<double>(pool_->queued() + pool_->running());
  const double s = mean_mix_s_.load() * waiting / static_cast<double>(pool_->workers());
  return std::clamp(static_cast<int>(std::ceil(s)), 1, 300);
}

HttpResponse ApiService::health() {
  if (draining_.load()) {
    return json_response(
        503,
        {{"status", "draining"}, {"service", "namix"}, {"version", std::string(kNamixVersion)}});
  }
  return json_response(200, {{"status", "healthy"},
                             {"service", "namix"},
                             {"version", std::string(kNamixVersion)},
                             {"timestamp", iso8601_now()},
                             {"uptime_s", std::round(ms_since(started_) / 100.0) / 10.0}});
}

HttpResponse ApiService::mix_health() {
  bool healthy = true;
  nlohmann::json components = nlohmann::json::object();
  const auto component = [&](const char* name, bool ok, nlohmann::json detail) {
    detail["state"] = ok ? "ok" : "failed";
    components[name] = std::move(detail);
    healthy = healthy && ok;
  };
  // The decoder: libmpg123 with at least one synthesis backend.
  const char** decoders = mpg123_decoders();
  component("decoder", decoders != nullptr && decoders[0] != nullptr,
            {{"library", "libmpg123"},
             {"backend", decoders != nullptr && decoders[0] != nullptr ? decoders[0] : ""}});
  component("encoder", get_lame_version() != nullptr,
            {{"library", "LAME"}, {"version", get_lame_version()}, {"bitrate_kbps", 320}});
  auto reachable = storage_.check_reachable();
  component("storage", reachable.ok(),
            {{"backend", storage_.describe()},
             {"detail", reachable.ok() ? "reachable" : reachable.error().message}});
  nlohmann::json names = nlohmann::json::array();
  for (const auto& t : themes_.themes()) names.push_back(t.name);
  component("themes", !themes_.themes().empty(), {{"count", themes_.themes().size()}});
  component("mixer", static_cast<bool>(runner_),
            {{"workers", pool_->workers()},
             {"running", pool_->running()},
             {"queued", pool_->queued()},
             {"queue_capacity", pool_->capacity()}});
  const bool up = healthy && !draining_.load();
  return json_response(
      up ? 200 : 503,
      {{"status", draining_.load() ? "draining" : (healthy ? "healthy" : "degraded")},
       {"service", "namix-professional-mixer"},
       {"version", std::string(kNamixVersion)},
       {"components", components},
       {"themes_available", names},
       {"timestamp", iso8601_now()}});
}

HttpResponse ApiService::themes_list() {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& t : themes_.themes()) {
    list.push_back({{"name", t.name},
                    {"slug", t.slug},
                    {"description", t.description},
                    {"processing_chain", t.chain_summary()},
                    {"target_lufs", t.target_lufs},
                    {"true_peak_ceiling_dbtp", t.true_peak_ceiling_dbtp}});
  }
  return json_response(200, {{"status", "success"}, {"count", list.size()}, {"themes", list}});
}

HttpResponse ApiService::metrics(const HttpRequest& req) {
  auto format = req.query.find("format");
  if (format != req.query.end() && ascii_lower(format->second) == "emf") {
    return json_response(200, metrics_.emf_document());
  }
  if (format != req.query.end() && ascii_lower(format->second) != "prometheus") {
    return error_response(make_error(Errc::invalid_argument,
                                     "unknown metrics format '" + format->second +
                                         "'; use format=emf or leave it out for Prometheus text"),
                          "");
  }
  HttpResponse r;
  r.headers["Content-Type"] = "text/plain; version=0.0.4; charset=utf-8";
  r.body = metrics_.prometheus_text();
  return r;
}

HttpResponse ApiService::history(const HttpRequest& req) {
  std::string prefix = "mixes/";
  auto episode = req.query.find("episode");
  if (episode != req.query.end()) {
    const std::string segment = episode_segment(episode->second);
    if (segment != episode->second) {
      return error_response(
          make_error(Errc::invalid_argument, "episode must be an episode number such as 1779"), "");
    }
    prefix += segment + "/";
  }
  std::size_t limit = 50;
  auto limit_it = req.query.find("limit");
  if (limit_it != req.query.end()) {
    auto n = number_in_text(limit_it->second);
    if (!n || *n < 1 || *n > 1000 || std::floor(*n) != *n) {
      return error_response(make_error(Errc::invalid_argument, "limit must be 1..1000"), "");
    }
    limit = static_cast<std::size_t>(*n);
  }
  auto listed = storage_.list(prefix);
  if (!listed) return error_response(listed.error(), "");
  std::vector<ObjectInfo> results;
  for (const auto& info : *listed) {
    if (info.key.size() > 5 && info.key.compare(info.key.size() - 5, 5, ".json") == 0) {
      results.push_back(info);
    }
  }
  // Keys end in {id}.json and ids start with a UTC timestamp; newest first.
  std::sort(results.begin(), results.end(), [](const ObjectInfo& a, const ObjectInfo& b) {
    return fs::path(a.key).filename() > fs::path(b.key).filename();
  });
  nlohmann::json mixes = nlohmann::json::array();
  for (const auto& info : results) {
    if (mixes.size() >= limit) break;
    auto text = storage_.get(info.key);
    if (!text) continue;  // removed meanwhile
    auto j = nlohmann::json::parse(*text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) continue;
    // Stored links expire; hand out a fresh one for the MP3 beside the JSON.
    const std::string mp3_key = info.key.substr(0, info.key.size() - 5) + ".mp3";
    if (storage_.head(mp3_key).ok()) {
      auto url = storage_.download_url(mp3_key, options_.link_ttl);
      if (url && j.contains("download") && j["download"].is_object()) j["download"]["url"] = *url;
    }
    j["mix_key"] = mp3_key;
    mixes.push_back(std::move(j));
  }
  return json_response(200, {{"status", "success"}, {"count", mixes.size()}, {"mixes", mixes}});
}

HttpResponse ApiService::job_status(const std::string& job_id) {
  if (!is_valid_job_id(job_id)) {
    return error_response(make_error(Errc::not_found, "no job '" + job_id.substr(0, 80) + "'"), "");
  }
  auto record = jobs_.find(job_id);
  if (!record) return error_response(record.error(), "");
  nlohmann::json shown = record->to_json();
  shown.erase("order");  // internal: where the upload waits, for run_job()
  return json_response(200, shown);
}

HttpResponse ApiService::download(const HttpRequest& req, const std::string& key) {
  if (local_files_ == nullptr) {
    return error_response(
        make_error(Errc::not_found, "this server stores mixes in " + storage_.describe() +
                                        "; use the presigned URL from the result"),
        "");
  }
  const auto q = [&](const char* name) {
    auto it = req.query.find(name);
    return it == req.query.end() ? std::string() : it->second;
  };
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  auto verified = local_files_->verify_download(key, q("expires"), q("sig"), now);
  if (!verified) return error_response(verified.error(), "");
  auto info = storage_.head(key);
  if (!info) return error_response(info.error(), "");
  auto path = local_files_->path_for(key);
  if (!path) return error_response(path.error(), "");
  HttpResponse r;
  r.status = 200;
  r.body_file = *path;
  r.binary = true;
  r.headers["Content-Type"] = content_type_for(key);
  r.headers["Content-Length"] = std::to_string(info->size);
  r.headers["Content-Disposition"] =
      "attachment; filename=\"" + fs::path(key).filename().string() + "\"";
  r.headers["Cache-Control"] = "private, max-age=3600";
  return r;
}

HttpResponse ApiService::static_file(const HttpRequest& req) {
  const auto not_found = [&] {
    return error_response(make_error(Errc::not_found, "no page " + req.path.substr(0, 200)), "");
  };
  if (options_.web_dir.empty()) return not_found();
  std::string rel = req.path == "/" ? "index.html" : req.path.substr(1);
  if (!rel.empty() && rel.back() == '/') rel += "index.html";
  // Refuse anything that could leave the web directory before touching the disk.
  if (rel.find('\0') != std::string::npos || rel.find('\\') != std::string::npos)
    return not_found();
  for (const auto& part : fs::path(rel)) {
    if (part == ".." || part == "." || (!part.empty() && part.string()[0] == '.'))
      return not_found();
  }
  std::error_code ec;
  const fs::path root = fs::canonical(options_.web_dir, ec);
  if (ec) return not_found();
  const fs::path file = fs::weakly_canonical(root / rel, ec);
  if (ec) return not_found();
  const auto [root_end, nothing] =
      std::mismatch(root.begin(), root.end(), file.begin(), file.end());
  (void)nothing;
  if (root_end != root.end() || !fs::is_regular_file(file, ec)) return not_found();
  HttpResponse r;
  r.status = 200;
  r.body_file = file.string();
  r.headers["Content-Type"] = content_type_for(file.string());
  r.headers["Content-Length"] = std::to_string(fs::file_size(file, ec));
  r.headers["Cache-Control"] = "no-cache";
  r.binary = content_type_for(file.string()).rfind("text/", 0) != 0;
  return r;
}

Result<nlohmann::json> ApiService::execute(const std::string& mix_id, MixOrder& order,
                                           const ProgressFn& progress) {
  const auto started = std::chrono::steady_clock::now();
  MixOutcome outcome;
  outcome.theme = order.theme != nullptr ? order.theme->name : "unknown";
  const auto fail = [&](const Error& e) -> Result<nlohmann::json> {
    outcome.ok = false;
    outcome.error_code = std::string(errc_name(e.code));
    outcome.timings.total_ms = ms_since(started);
    metrics_.record_mix(outcome);
    return e;
  };
  if (!runner_) return fail(make_error(Errc::unavailable, "this server has no mixer wired in"));

  // A URL is fetched on its own thread into a growing file that the mix
  // starts decoding at once (run_mix waits for the end before rendering).
  std::optional<ScopedTempFile> download;
  std::optional<GrowingFile> growing;
  std::optional<Result<FetchReport>> fetched;
  std::thread fetcher;
  struct JoinFetcher {
    std::optional<GrowingFile>& growing;
    std::thread& thread;
    ~JoinFetcher() {
      if (!thread.joinable()) return;
      if (growing && !growing->finished()) growing->cancel("the mix ended before the download");
      thread.join();
    }
  } join_fetcher{growing, fetcher};
  std::string input_path;
  if (!order.episode_url.empty()) {
    if (progress) progress("fetch", 0.0);
    auto temp = ScopedTempFile::create(options_.data_dir + "/tmp", "fetch");
    if (!temp) return fail(temp.error());
    download.emplace(std::move(*temp));
    growing.emplace(*download, download->path());
    fetcher = std::thread([&, url = order.episode_url] {
      auto r = fetch_episode(url, options_.fetch, *growing);
      growing->finish(r.ok() ? Result<void>{} : Result<void>(r.error()));
      fetched.emplace(std::move(r));
    });
    input_path = download->path();
  } else {
    input_path = order.upload->path();
  }
  // The fetch's own outcome once it has ended: its error explains any failure after it.
  const auto fetch_outcome = [&]() -> std::optional<Error> {
    if (!fetcher.joinable()) return std::nullopt;
    if (!growing->finished()) growing->cancel("the mix ended before the download");
    fetcher.join();
    if (!fetched->ok()) return fetched->error();
    metrics_.record_fetch_bytes((*fetched)->bytes);
    return std::nullopt;
  };

  const std::string key_stem =
      "mixes/" + episode_segment(order.episode_number) + "/" + order.theme->slug + "/" + mix_id;
  auto pending = storage_.begin_put(key_stem + ".mp3", "audio/mpeg");
  if (!pending) {
    if (auto e = fetch_outcome()) return fail(*e);
    return fail(pending.error());
  }
  MixRequest request = order.mix_request();
  request.input_path = input_path;
  request.download = growing ? &*growing : nullptr;
  request.progress = [&](std::string_view stage, double fraction) {
    if (progress) progress(stage, 0.05 + 0.9 * std::clamp(fraction, 0.0, 1.0));
  };
  auto report = runner_(request, **pending);
  const std::optional<Error> fetch_error = fetch_outcome();
  // The episode is no longer needed once mixed (or failed).
  growing.reset();
  download.reset();
  order.upload.reset();
  if (fetch_error) return fail(*fetch_error);
  if (!report) return fail(report.error());

  if (progress) progress("store", 0.95);
  const auto store_started = std::chrono::steady_clock::now();
  auto committed = (*pending)->commit();
  if (!committed) return fail(committed.error());
  auto url = storage_.download_url(key_stem + ".mp3", options_.link_ttl);
  if (!url) return fail(url.error());
  if (fetched && fetched->ok()) report->timings.fetch_ms = (*fetched)->elapsed_ms;
  report->timings.store_ms = ms_since(store_started);
  report->timings.total_ms = ms_since(started);
  DownloadInfo info{*url, key_stem + ".mp3", storage_.bucket(),
                    static_cast<double>(options_.link_ttl.count()) / 3600.0};
  nlohmann::json result = result_json(*report, info, order.session_id);
  result["mix_id"] = mix_id;
  const std::string text = result.dump();
  // The JSON beside the MP3 is what history lists; written last so history
  // never shows a mix whose MP3 is missing.
  auto stored = storage_.put(key_stem + ".json",
                             {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()},
                             "application/json");
  if (!stored) {
    (void)storage_.remove(key_stem + ".mp3");
    return fail(stored.error());
  }
  outcome.ok = true;
  outcome.timings = report->timings;
  outcome.file_size_bytes = report->file_size_bytes;
  outcome.segments = report->edit_list.segments.size();
  outcome.duration_s = report->duration_s;
  metrics_.record_mix(outcome);
  // A running mean for Retry-After estimates.
  mean_mix_s_.store(0.8 * mean_mix_s_.load() + 0.2 * report->timings.total_ms / 1000.0);
  return result;
}

HttpResponse ApiService::mix_sync(const HttpRequest& req) {
  auto order = parse_mix_order(req, themes_, options_.limits, options_.data_dir + "/tmp");
  if (!order) return error_response(order.error(), "");
  const std::string session_id = order->session_id;
  auto shared = std::make_shared<MixOrder>(std::move(*order));
  auto promise = std::make_shared<std::promise<Result<nlohmann::json>>>();
  auto future = promise->get_future();
  const std::string mix_id = new_mix_id();
  const bool queued = pool_->try_submit([this, shared, promise, mix_id](bool cancelled) {
    if (cancelled) {
      promise->set_value(
          make_error(Errc::unavailable, "the server shut down before the mix started; retry"));
      return;
    }
    promise->set_value(execute(mix_id, *shared, nullptr));
  });
  if (!queued) {
    HttpResponse r = error_response(
        make_error(Errc::unavailable,
                   draining_.load() ? "the server is shutting down; retry in a moment"
                                    : "all mixers are busy and the queue is full; retry later"),
        session_id);
    r.headers["Retry-After"] = std::to_string(retry_after_busy_s());
    return r;
  }
  auto result = future.get();
  if (!result) return error_response(result.error(), session_id);
  return json_response(200, *result);
}

namespace {

// Where POST /mix/jobs on Lambda leaves an upload for the invocation that
// mixes it: an async Invoke payload is capped at 256 KB.
std::string upload_key_for(const std::string& job_id) { return "temp/uploads/" + job_id; }

Result<std::string> read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(Errc::io_error, "cannot read the upload back from " + path);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return make_error(Errc::io_error, "cannot read the upload back from " + path);
  return bytes;
}

nlohmann::json accepted_body(const std::string& job_id, const std::string& session_id) {
  return {{"status", "accepted"},
          {"job_id", job_id},
          {"session_id", session_id},
          {"state", "queued"},
          {"status_url", "/mix/jobs/" + job_id}};
}

}  // namespace

void ApiService::run_order(const std::string& job_id, MixOrder& order) {
  jobs_.update(
      job_id,
      [](JobRecord& r) {
        r.state = JobState::running;
        r.stage = "fetch";
      },
      true);
  std::string last_stage;
  auto result = execute(job_id, order, [&](std::string_view stage, double fraction) {
    const bool changed = stage != last_stage;
    last_stage = std::string(stage);
    jobs_.update(
        job_id,
        [&](JobRecord& r) {
          r.stage = std::string(stage);
          r.progress = std::max(r.progress, std::clamp(fraction, 0.0, 0.99));
        },
        changed);
  });
  if (!result) {
    jobs_.update(
        job_id,
        [&](JobRecord& r) {
          r.state = JobState::failed;
          r.stage = "failed";
          r.error = error_json(result.error(), order.session_id);
        },
        true);
    return;
  }
  jobs_.update(
      job_id,
      [&](JobRecord& r) {
        r.state = JobState::done;
        r.stage = "done";
        r.progress = 1.0;
        r.result = *result;
      },
      true);
}

HttpResponse ApiService::mix_async(const HttpRequest& req) {
  auto order = parse_mix_order(req, themes_, options_.limits, options_.data_dir + "/tmp");
  if (!order) return error_response(order.error(), "");
  const std::string job_id = new_mix_id();
  JobRecord record;
  record.job_id = job_id;
  record.state = JobState::queued;
  record.stage = "queued";
  record.created_at = record.updated_at = iso8601_now();
  record.session_id = order->session_id;
  record.theme = order->theme->name;
  record.source = order->source();
  if (options_.hand_off_job) return hand_off_async(std::move(*order), std::move(record));
  auto created = jobs_.create(record);
  if (!created) return error_response(created.error(), order->session_id);
  auto shared = std::make_shared<MixOrder>(std::move(*order));
  const bool queued = pool_->try_submit([this, shared, job_id](bool cancelled) {
    if (cancelled) {
      jobs_.update(
          job_id,
          [&](JobRecord& r) {
            r.state = JobState::failed;
            r.stage = "failed";
            r.error = error_json(
                make_error(Errc::unavailable,
                           "the server shut down before the job started; submit it again"),
                shared->session_id);
          },
          true);
      return;
    }
    run_order(job_id, *shared);
  });
  if (!queued) {
    jobs_.update(
        job_id,
        [](JobRecord& r) {
          r.state = JobState::failed;
          r.stage = "rejected";
          r.error = error_json(make_error(Errc::unavailable, "the queue was full"));
        },
        false);
    (void)storage_.remove(JobStore::key_for(job_id));
    HttpResponse r = error_response(
        make_error(Errc::unavailable,
                   draining_.load() ? "the server is shutting down; retry in a moment"
                                    : "all mixers are busy and the queue is full; retry later"),
        shared->session_id);
    r.headers["Retry-After"] = std::to_string(retry_after_busy_s());
    return r;
  }
  HttpResponse r = json_response(202, accepted_body(job_id, shared->session_id));
  r.headers["Location"] = "/mix/jobs/" + job_id;
  return r;
}

HttpResponse ApiService::hand_off_async(MixOrder order, JobRecord record) {
  const std::string job_id = record.job_id;
  const bool uploaded = order.episode_url.empty();
  if (uploaded) {
    auto bytes = read_whole_file(order.upload->path());
    if (!bytes) return error_response(bytes.error(), order.session_id);
    auto put = storage_.put(upload_key_for(job_id),
                            {reinterpret_cast<const std::uint8_t*>(bytes->data()), bytes->size()},
                            "application/octet-stream");
    if (!put) return error_response(put.error(), order.session_id);
    order.upload_key = upload_key_for(job_id);
    order.upload.reset();  // in storage now; the local copy is of no further use
  }
  record.order = order.to_json();
  auto stored = jobs_.store(record);
  if (!stored) {
    if (uploaded) (void)storage_.remove(upload_key_for(job_id));
    return error_response(stored.error(), order.session_id);
  }
  auto handed = options_.hand_off_job(job_id);
  if (!handed) {
    const Error refused =
        make_error(Errc::unavailable, "could not start the job (" + handed.error().message +
                                          "); submit it again in a moment");
    record.state = JobState::failed;
    record.stage = "failed";
    record.updated_at = iso8601_now();
    record.error = error_json(refused, order.session_id);
    (void)jobs_.store(record);
    if (uploaded) (void)storage_.remove(upload_key_for(job_id));
    HttpResponse r = error_response(refused, order.session_id, 503);
    r.headers["Retry-After"] = "5";
    return r;
  }
  HttpResponse r = json_response(202, accepted_body(job_id, order.session_id));
  r.headers["Location"] = "/mix/jobs/" + job_id;
  return r;
}

Result<void> ApiService::run_job(const std::string& job_id) {
  if (!is_valid_job_id(job_id))
    return make_error(Errc::invalid_argument, "not a job id: '" + job_id.substr(0, 80) + "'");
  auto record = jobs_.find(job_id);
  if (!record) return record.error();
  const std::string upload_key = record->order.is_object() && record->order.contains("upload_key")
                                     ? upload_key_for(job_id)
                                     : std::string();
  const auto finish_failed = [&](const Error& e) -> Result<void> {
    record->state = JobState::failed;
    record->stage = "failed";
    record->updated_at = iso8601_now();
    record->error = error_json(e, record->session_id);
    NAMIX_TRY(jobs_.store(*record));
    if (!upload_key.empty()) (void)storage_.remove(upload_key);
    return {};
  };
  // Asynchronous invocations arrive at least once, and Lambda retries one
  // that failed or timed out: only a queued job is run.
  if (record->state == JobState::done || record->state == JobState::failed) return {};
  if (record->state == JobState::running) {
    return finish_failed(make_error(
        Errc::unavailable,
        "the mix stopped before it finished (the function may have timed out); submit it again"));
  }
  auto order = MixOrder::from_json(record->order, themes_, options_.limits);
  if (!order) return finish_failed(order.error());
  if (!order->upload_key.empty()) {
    auto bytes = storage_.get(order->upload_key);
    if (!bytes) return finish_failed(bytes.error());
    auto temp = ScopedTempFile::create(options_.data_dir + "/tmp", "upload");
    if (!temp) return finish_failed(temp.error());
    auto written =
        temp->write({reinterpret_cast<const std::uint8_t*>(bytes->data()), bytes->size()});
    if (!written) return finish_failed(written.error());
    order->upload = std::make_shared<ScopedTempFile>(std::move(*temp));
  }
  record->state = JobState::running;
  record->stage = "fetch";
  record->updated_at = iso8601_now();
  NAMIX_TRY(jobs_.create(*record));  // live from here: run_order's changes write through
  run_order(job_id, *order);
  if (!upload_key.empty()) (void)storage_.remove(upload_key);
  return {};
}

}  // namespace namix
