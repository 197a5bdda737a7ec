#include "net/router.h"

#include <algorithm>
#include <cmath>
#include <string_view>

#include "net/byte_range.h"
#include "net/health.h"
#include "net/http_error.h"
#include "net/mix_order.h"
#include "net/read_routes.h"
#include "net/static_files.h"

namespace namix {

// Who may call a route.
enum class Access {
  open,      // anyone
  key,       // an API key, when the server has keys
  admitted,  // an API key, and a mix admitted: not draining, not throttled
};

struct Router::Route {
  std::string_view path;   // the whole path, or a prefix when it ends in '/'
  std::string_view label;  // in metrics and the request log
  // The methods it takes, the Allow header of a 405; HEAD goes with GET.
  std::string_view allow;
  Access access;
  HttpResponse (Router::*serve)(const HttpRequest&, const std::string& rest);
};

const Router::Route Router::kRoutes[] = {
    {"/health", "/health", "GET", Access::open, &Router::health},
    {"/mix/health", "/mix/health", "GET", Access::open, &Router::mix_health},
    {"/mix/themes", "/mix/themes", "GET", Access::open, &Router::themes},
    {"/metrics", "/metrics", "GET", Access::key, &Router::metrics},
    {"/mix/history", "/mix/history", "GET", Access::key, &Router::history},
    {"/mix/history/", "/mix/history/{mix}", "GET", Access::key, &Router::stored_result},
    {"/mix/professional", "/mix/professional", "POST", Access::admitted, &Router::mix_now},
    {"/mix/jobs", "/mix/jobs", "POST", Access::admitted, &Router::start_job},
    {"/mix/jobs/", "/mix/jobs/{id}", "GET", Access::key, &Router::job_status},
    {"/files/", "/files/{key}", "GET, HEAD", Access::open, &Router::signed_file},
    {"/subscriptions", "/subscriptions", "GET, POST", Access::key, &Router::subscriptions},
    {"/subscriptions/", "/subscriptions/{id}", "GET, DELETE", Access::key, &Router::subscription},
    {"/feeds/", "/feeds/{subscription}/{theme}.xml", "GET, HEAD", Access::open,
     &Router::podcast_feed},
    {"/published/", "/published/{subscription}/{theme}/{file}", "GET, HEAD", Access::open,
     &Router::published_file},
    // Fetches a URL for the caller: throttled and refused while draining, as mixes are.
    {"/feed", "/feed", "GET", Access::admitted, &Router::feed},
};

namespace {

bool method_allowed(std::string_view allow, const std::string& method) {
  const std::string_view wanted = method == "HEAD" ? std::string_view("GET") : method;
  for (std::size_t start = 0; start < allow.size();) {
    const std::size_t end = std::min(allow.find(',', start), allow.size());
    std::string_view listed = allow.substr(start, end - start);
    while (!listed.empty() && listed.front() == ' ') listed.remove_prefix(1);
    if (listed == wanted || listed == method) return true;
    start = end + 1;
  }
  return false;
}

double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

void add_cors(HttpResponse& r) {
  r.headers["Access-Control-Allow-Origin"] = "*";
  r.headers["Access-Control-Expose-Headers"] = "Retry-After, Content-Length, X-Request-Id";
}

// CORS preflight, on every path: the web page may call any route.
HttpResponse preflight() {
  HttpResponse r;
  r.status = 204;
  r.headers["Access-Control-Allow-Methods"] = "GET, HEAD, POST, DELETE, OPTIONS";
  r.headers["Access-Control-Allow-Headers"] = "Content-Type, X-Api-Key, Authorization";
  r.headers["Access-Control-Max-Age"] = "86400";
  return r;
}

HttpResponse with_retry_after(HttpResponse r, int seconds) {
  r.headers["Retry-After"] = std::to_string(seconds);
  return r;
}

// A mix or job that failed, or was refused before it started.
template <typename T>
HttpResponse refused(const ServiceAnswer<T>& answer, const std::string& session_id) {
  HttpResponse r = error_response(answer.value.error(), session_id);
  return answer.retry_after_s > 0 ? with_retry_after(std::move(r), answer.retry_after_s) : r;
}

}  // namespace

Router::Router(RouterOptions options, MixService& service, Storage& storage,
               const LocalStorage* local_files, const ThemeCatalog& themes, Metrics& metrics,
               std::ostream* request_log)
    : options_(std::move(options)),
      service_(service),
      storage_(storage),
      local_files_(local_files),
      themes_(themes),
      metrics_(metrics),
      request_log_(request_log),
      limiter_(options_.throttle) {}

HttpResponse Router::handle(const HttpRequest& request) {
  const auto started = std::chrono::steady_clock::now();
  const std::string request_id = "req-" + new_mix_id();
  std::string label = "unmatched";
  HttpResponse response;
  try {
    response = route(request, label);
  } catch (const std::exception& e) {
    // Only our own bugs get here; the detail goes to the log, not the client.
    log_line({{"level", "error"},
              {"msg", "unhandled exception"},
              {"request_id", request_id},
              {"what", e.what()}});
    response = error_response(make_error(
        Errc::internal, "internal error (request " + request_id + "); please report it"));
  }
  apply_range_request(request, response);
  add_cors(response);
  response.headers["X-Request-Id"] = request_id;
  const double elapsed_ms = ms_since(started);
  metrics_.record_request(label, response.status, elapsed_ms);
  log_line({{"ts", iso8601_now()},
            {"level", response.status >= 500 ? "error" : "info"},
            {"msg", "request"},
            {"request_id", request_id},
            {"method", request.method},
            {"path", request.path},
            {"route", label},
            {"status", response.status},
            {"ms", std::round(elapsed_ms * 10.0) / 10.0},
            {"remote", request.remote_addr}});
  return response;
}

void Router::log_line(const nlohmann::json& line) {
  if (request_log_ == nullptr) return;
  std::lock_guard lock(log_mutex_);
  *request_log_ << line.dump() << "\n" << std::flush;
}

HttpResponse Router::route(const HttpRequest& request, std::string& label) {
  const std::string& path = request.path;
  const std::string& method = request.method;
  const bool get = method == "GET" || method == "HEAD";
  if (method == "OPTIONS") {
    label = "options";
    return preflight();
  }
  for (const Route& r : kRoutes) {
    const bool prefix = r.path.back() == '/';
    if (prefix ? path.rfind(r.path, 0) != 0 : path != r.path) continue;
    label = std::string(r.label);
    if (!method_allowed(r.allow, method)) {
      HttpResponse refused =
          error_response(make_error(Errc::invalid_argument, method + " is not allowed on " + path +
                                                                "; use " + std::string(r.allow)),
                         "", 405);
      refused.headers["Allow"] = std::string(r.allow);
      return refused;
    }
    if (r.access != Access::open) {
      if (auto refused = check_api_key(request)) return *refused;
    }
    if (r.access == Access::admitted) {
      if (auto refused = admit_mix(request)) return *refused;
    }
    return (this->*r.serve)(request, prefix ? path.substr(r.path.size()) : std::string());
  }
  if (path.rfind("/mix/", 0) == 0 || path == "/mix") {
    return error_response(make_error(Errc::not_found, "no route " + path +
                                                          " (see GET /mix/themes, POST "
                                                          "/mix/professional, POST /mix/jobs)"));
  }
  if (get) {
    label = "static";
    return static_file_response(request, options_.web_dir);
  }
  return error_response(make_error(Errc::not_found, "no route " + method + " " + path));
}

std::optional<HttpResponse> Router::check_api_key(const HttpRequest& request) const {
  if (options_.api_keys.empty()) return std::nullopt;
  const auto key = request.header("x-api-key");
  if (!key || key->empty()) {
    return error_response(make_error(
        Errc::unauthorized, "this server needs an API key: send it in the x-api-key header"));
  }
  if (options_.api_keys.count(*key) == 0) {
    return error_response(make_error(Errc::forbidden, "the x-api-key is not valid on this server"));
  }
  return std::nullopt;
}

std::optional<HttpResponse> Router::admit_mix(const HttpRequest& request) {
  if (service_.draining()) {
    return with_retry_after(
        error_response(
            make_error(Errc::unavailable, "the server is shutting down; retry in a moment")),
        5);
  }
  const auto key = request.header("x-api-key");
  const std::string client =
      key && !options_.api_keys.empty() ? "key:" + *key : "addr:" + request.remote_addr;
  if (auto wait = limiter_.take(client)) {
    metrics_.record_throttled();
    return with_retry_after(error_response(make_error(Errc::throttled,
                                                      "too many mixes requested from this client; "
                                                      "retry in " +
                                                          std::to_string(*wait) + " s")),
                            *wait);
  }
  return std::nullopt;
}

HttpResponse Router::health(const HttpRequest&, const std::string&) {
  return health_response(service_.draining(), started_);
}

HttpResponse Router::mix_health(const HttpRequest&, const std::string&) {
  return mix_health_response(service_, storage_, themes_);
}

HttpResponse Router::themes(const HttpRequest&, const std::string&) {
  return themes_response(themes_);
}

HttpResponse Router::metrics(const HttpRequest& request, const std::string&) {
  return metrics_response(request, metrics_);
}

HttpResponse Router::history(const HttpRequest& request, const std::string&) {
  return history_response(request, storage_, service_.options().link_ttl);
}

HttpResponse Router::stored_result(const HttpRequest&, const std::string& mix_path) {
  return stored_result_response(mix_path, storage_, service_.options().link_ttl);
}

HttpResponse Router::mix_now(const HttpRequest& request, const std::string&) {
  auto order = parse_mix_order(request, themes_, service_.options().limits, service_.scratch_dir());
  if (!order) return error_response(order.error());
  const std::string session_id = order->session_id;
  auto answer = service_.mix_now(std::move(*order));
  if (!answer.value) return refused(answer, session_id);
  return json_response(200, *answer.value);
}

HttpResponse Router::start_job(const HttpRequest& request, const std::string&) {
  auto order = parse_mix_order(request, themes_, service_.options().limits, service_.scratch_dir());
  if (!order) return error_response(order.error());
  const std::string session_id = order->session_id;
  auto answer = service_.start_job(std::move(*order));
  if (!answer.value) return refused(answer, session_id);
  const std::string& job_id = *answer.value;
  HttpResponse r = json_response(202, {{"status", "accepted"},
                                       {"job_id", job_id},
                                       {"session_id", session_id},
                                       {"state", "queued"},
                                       {"status_url", "/mix/jobs/" + job_id}});
  r.headers["Location"] = "/mix/jobs/" + job_id;
  return r;
}

HttpResponse Router::job_status(const HttpRequest&, const std::string& job_id) {
  return job_status_response(job_id, service_);
}

HttpResponse Router::signed_file(const HttpRequest& request, const std::string& key) {
  return signed_file_response(request, key, storage_, local_files_);
}

std::optional<HttpResponse> Router::refuse_without_follow(const std::string& path) const {
  if (options_.follow != nullptr) return std::nullopt;
  return error_response(
      make_error(Errc::not_found, "no route " + path + ": this server does not follow any feed"));
}

HttpResponse Router::subscriptions(const HttpRequest& request, const std::string&) {
  if (auto refused = refuse_without_follow(request.path)) return *refused;
  return options_.follow->subscriptions(request);
}

HttpResponse Router::subscription(const HttpRequest& request, const std::string& rest) {
  if (auto refused = refuse_without_follow(request.path)) return *refused;
  return options_.follow->subscription(request, rest);
}

HttpResponse Router::podcast_feed(const HttpRequest& request, const std::string& rest) {
  if (auto refused = refuse_without_follow(request.path)) return *refused;
  return options_.follow->podcast_feed(request, rest);
}

HttpResponse Router::published_file(const HttpRequest& request, const std::string& rest) {
  if (auto refused = refuse_without_follow(request.path)) return *refused;
  return options_.follow->published_file(request, rest);
}

HttpResponse Router::feed(const HttpRequest& request, const std::string&) {
  return feed_response(request, service_.options().fetch);
}

}  // namespace namix
