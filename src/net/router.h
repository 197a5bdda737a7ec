// The HTTP API, independent of the transport: cpp-httplib (`namix serve`,
// net/server.h) and API Gateway events (`namix lambda`) both turn their
// requests into HttpRequest and call Router::handle(). The router only
// dispatches: it checks the method, the API key and (for mixes) admission,
// answers CORS, maps errors to statuses, logs and counts each request. The
// routes themselves live in mix_service, read_routes, health and static_files.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <ostream>
#include <set>
#include <string>

#include "net/follow_api.h"
#include "net/http_types.h"
#include "net/metrics.h"
#include "net/mix_service.h"
#include "net/throttling.h"
#include "select/theme.h"
#include "store/local_storage.h"
#include "store/storage.h"

namespace namix {

struct RouterOptions {
  std::set<std::string> api_keys;  // empty: no key needed
  ThrottleOptions throttle;        // mixes started per client (API key or address)
  std::string web_dir;             // empty: no web page
  FollowApi* follow = nullptr;     // subscriptions and published feeds; null: none
};

class Router {
 public:
  // `local_files` serves /files links when the storage is local (else null);
  // `request_log` gets one JSON line per request (null: none).
  Router(RouterOptions options, MixService& service, Storage& storage,
         const LocalStorage* local_files, const ThemeCatalog& themes, Metrics& metrics,
         std::ostream* request_log);
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // Never throws: a bug while answering is a 500 whose detail goes to the log.
  HttpResponse handle(const HttpRequest& request);

 private:
  struct Route;
  static const Route kRoutes[];

  HttpResponse route(const HttpRequest& request, std::string& label);
  std::optional<HttpResponse> check_api_key(const HttpRequest& request) const;
  // Draining (503) and throttling (429), both with Retry-After.
  std::optional<HttpResponse> admit_mix(const HttpRequest& request);
  void log_line(const nlohmann::json& line);

  // The routes; `rest` is what follows a prefix route's path.
  HttpResponse health(const HttpRequest& request, const std::string& rest);
  HttpResponse mix_health(const HttpRequest& request, const std::string& rest);
  HttpResponse themes(const HttpRequest& request, const std::string& rest);
  HttpResponse metrics(const HttpRequest& request, const std::string& rest);
  HttpResponse history(const HttpRequest& request, const std::string& rest);
  HttpResponse stored_result(const HttpRequest& request, const std::string& rest);
  HttpResponse mix_now(const HttpRequest& request, const std::string& rest);
  HttpResponse start_job(const HttpRequest& request, const std::string& rest);
  HttpResponse job_status(const HttpRequest& request, const std::string& rest);
  HttpResponse signed_file(const HttpRequest& request, const std::string& rest);
  HttpResponse subscriptions(const HttpRequest& request, const std::string& rest);
  HttpResponse subscription(const HttpRequest& request, const std::string& rest);
  HttpResponse podcast_feed(const HttpRequest& request, const std::string& rest);
  HttpResponse published_file(const HttpRequest& request, const std::string& rest);
  std::optional<HttpResponse> refuse_without_follow(const std::string& path) const;
  HttpResponse feed(const HttpRequest& request, const std::string& rest);

  RouterOptions options_;
  MixService& service_;
  Storage& storage_;
  const LocalStorage* local_files_;
  const ThemeCatalog& themes_;
  Metrics& metrics_;
  std::ostream* request_log_;
  std::mutex log_mutex_;
  TokenBucketLimiter limiter_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace namix
