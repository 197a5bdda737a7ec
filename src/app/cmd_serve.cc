// `namix serve`: the HTTP API on one box: mixing workers, local storage in the
// data directory by default, or S3.
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>
#include <thread>

#include "app/command.h"
#include "app/exit_code.h"
#include "follow/follow_stack.h"
#include "mix/pipeline.h"
#include "net/mix_service.h"
#include "net/router.h"
#include "net/server.h"
#include "select/theme.h"
#include "store/data_dir_lock.h"
#include "store/local_storage.h"
#include "store/s3_url.h"
#include "store/storage_factory.h"

namespace namix {
namespace {

struct ServeSettings {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string data_dir = "./namix-data";
  std::string storage;  // empty: local storage in data_dir
  std::string s3_endpoint;
  bool apply_lifecycle = false;
  bool allow_private_urls = false;
  std::string api_keys_file;
  std::size_t workers = 2;
  std::size_t queue = 8;
  std::size_t http_threads = 256;
  std::string web_dir;
  std::string themes_dir;
  std::string signing_key;
  std::string public_url;
  std::string port_file;
  std::uint64_t max_download_mb = 1024;
  std::uint64_t max_upload_mb = 1024;
  int fetch_timeout_s = 600;
  double rate_per_minute = 30.0;
  double burst = 10.0;
  double link_ttl_hours = 24.0;
  std::string subscriptions_file;
  std::string public_base_url;
  int min_poll_interval_s = 60;
  int webhook_first_retry_s = 30;
  std::uint64_t min_free_mb = 512;
};

void log_line(const nlohmann::json& j) { std::cerr << j.dump() << "\n" << std::flush; }

Result<std::set<std::string>> load_api_keys(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return make_error(Errc::not_found, "cannot read the API keys file " + path +
                                           " (one key per line; '#' starts a comment)");
  }
  std::set<std::string> keys;
  std::string line;
  while (std::getline(in, line)) {
    const auto hash = line.find('#');
    if (hash != std::string::npos) line.erase(hash);
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos) continue;
    const auto last = line.find_last_not_of(" \t\r");
    keys.insert(line.substr(first, last - first + 1));
  }
  if (keys.empty()) {
    return make_error(Errc::invalid_argument,
                      "the API keys file " + path + " holds no key; add one per line");
  }
  return keys;
}

bool same_directory(const std::string& a, const std::string& b) {
  std::error_code ec;
  return std::filesystem::weakly_canonical(std::filesystem::absolute(a, ec), ec) ==
         std::filesystem::weakly_canonical(std::filesystem::absolute(b, ec), ec);
}

// The web page in the build tree: <build>/src/app/namix -> <source>/web.
std::string default_web_dir() {
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "";
  const auto candidate = exe.parent_path() / "../../../web";
  if (std::filesystem::is_directory(candidate, ec)) {
    return std::filesystem::weakly_canonical(candidate, ec).string();
  }
  return "";
}

int serve(const ServeSettings& s) {
  // glibc gives a thread that finds its arena busy an arena of its own, up
  // to 8 per core, and keeps what a mix freed in that arena's heap. With
  // hundreds of HTTP threads and the mixing workers, that memory grows
  // with the threads, not the work: bench/load_service.sh --soak shows the
  // difference (the README's Reliability section has the figures).
  // MALLOC_ARENA_MAX in the environment still decides when it is set.
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr)
    ::mallopt(M_ARENA_MAX, static_cast<int>(std::max(2u, std::thread::hardware_concurrency())));
  // Signals are taken by one thread with sigwait(); every thread created
  // from here on inherits the blocked mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  auto catalog = load_theme_catalog(s.themes_dir);
  if (!catalog) return report_error(catalog.error());

  // Before anything touches the data directory (the service empties its
  // tmp/ and fails unfinished jobs), and held until the process ends. A
  // local storage directory of its own is locked too: the jobs live there.
  const std::string storage_spec = s.storage.empty() ? s.data_dir : s.storage;
  auto data_lock = DataDirLock::acquire(s.data_dir);
  if (!data_lock) return report_error(data_lock.error());
  std::optional<DataDirLock> storage_lock;
  if (!is_s3_url(storage_spec) && !same_directory(storage_spec, s.data_dir)) {
    auto locked = DataDirLock::acquire(storage_spec);
    if (!locked) return report_error(locked.error());
    storage_lock.emplace(std::move(*locked));
  }

  std::set<std::string> keys;
  if (!s.api_keys_file.empty()) {
    auto loaded = load_api_keys(s.api_keys_file);
    if (!loaded) return report_error(loaded.error());
    keys = std::move(*loaded);
  }

  ServiceOptions service;
  service.data_dir = s.data_dir;
  service.fetch.allow_private_urls = s.allow_private_urls;
  service.fetch.max_bytes = s.max_download_mb << 20;
  service.fetch.total_timeout = std::chrono::seconds(s.fetch_timeout_s);
  service.fetch.stall_timeout = std::chrono::seconds(std::min(30, std::max(1, s.fetch_timeout_s)));
  service.fetch.connect_timeout =
      std::chrono::seconds(std::min(10, std::max(1, s.fetch_timeout_s)));
  service.limits.max_upload_bytes = s.max_upload_mb << 20;
  service.workers = std::max<std::size_t>(1, s.workers);
  service.max_queued = s.queue;
  service.link_ttl = std::chrono::seconds(static_cast<long>(s.link_ttl_hours * 3600.0));
  service.min_free_bytes = s.min_free_mb << 20;

  RouterOptions router_options;
  router_options.throttle = {s.rate_per_minute, std::max(1.0, s.burst)};
  router_options.api_keys = std::move(keys);
  router_options.web_dir = s.web_dir.empty() ? default_web_dir() : s.web_dir;

  ServerOptions server_options;
  server_options.host = s.host;
  server_options.port = s.port;
  // Synchronous mixes hold a connection thread while they wait, so there are
  // always threads left for health checks and polling.
  server_options.http_threads = std::max(s.http_threads, service.workers + service.max_queued + 8);
  server_options.max_upload_bytes = service.limits.max_upload_bytes;
  server_options.max_json_bytes = service.limits.max_json_bytes;

  // --storage DIR or s3://BUCKET/PREFIX; by default the data directory.
  std::unique_ptr<Storage> storage;
  LocalStorage* local = nullptr;  // serves /files links when the storage is local
  if (is_s3_url(storage_spec)) {
    StorageOpenOptions options;
    options.s3_endpoint = s.s3_endpoint;
    options.apply_lifecycle = s.apply_lifecycle;
    options.warnings = &std::cerr;
    auto opened = open_storage(storage_spec, options);
    if (!opened) return report_error(opened.error());
    storage = std::move(*opened);
  } else {
    auto opened = LocalStorage::open({storage_spec, s.signing_key, ""});
    if (!opened) return report_error(opened.error());
    local = opened->get();
    storage = std::move(*opened);
  }
  Metrics metrics(&std::cout);  // one EMF line per mix on stdout
  MixService mixer(
      service, *storage, *catalog,
      [](const MixRequest& request, ByteSink& out) { return run_mix(request, out); }, metrics);
  auto recovered = mixer.recover_jobs();
  if (!recovered) return report_error(recovered.error());
  FollowStackOptions follow_options;
  follow_options.subscriptions_file = s.subscriptions_file;
  follow_options.rules.themes = &*catalog;
  follow_options.rules.limits = service.limits;
  follow_options.rules.min_poll_interval = std::chrono::seconds(std::max(1, s.min_poll_interval_s));
  follow_options.follow.fetch = service.fetch;
  follow_options.follow.links.server_base = s.public_url;
  follow_options.follow.links.public_base_url = s.public_base_url;
  follow_options.webhooks.first_retry = std::chrono::seconds(s.webhook_first_retry_s);
  while (!follow_options.follow.links.public_base_url.empty() &&
         follow_options.follow.links.public_base_url.back() == '/')
    follow_options.follow.links.public_base_url.pop_back();
  auto follow = FollowStack::open(std::move(follow_options), *storage, mixer);
  if (!follow) return report_error(follow.error());
  router_options.follow = &(*follow)->routes();
  Router router(router_options, mixer, *storage, local, *catalog, metrics, &std::cerr);

  HttpServer server(router, server_options);
  auto port = server.bind();
  if (!port) return report_error(port.error());
  const std::string base = "http://" +
                           (s.host.find(':') != std::string::npos ? "[" + s.host + "]" : s.host) +
                           ":" + std::to_string(*port);
  // Links must reach this server from the client; behind a proxy pass --public-url.
  if (local != nullptr) local->set_public_base_url(s.public_url.empty() ? base : s.public_url);
  if (!s.port_file.empty()) {
    std::ofstream(s.port_file) << *port << "\n";
  }
  log_line({{"ts", iso8601_now()},
            {"level", "info"},
            {"msg", "listening"},
            {"url", base},
            {"storage", storage->describe()},
            {"themes", catalog->themes().size()},
            {"workers", service.workers},
            {"queue", service.max_queued},
            {"http_threads", server_options.http_threads},
            {"allow_private_urls", s.allow_private_urls},
            {"api_keys", router_options.api_keys.size()},
            {"web_dir", router_options.web_dir},
            {"unfinished_jobs_failed", *recovered},
            {"subscriptions", (*follow)->subscription_count()}});
  (*follow)->start(base);

  std::atomic<bool> listener_failed{false};
  std::thread listener([&] {
    if (!server.run()) listener_failed = true;
    // However the listener ended, wake the signal wait below.
    ::kill(::getpid(), SIGTERM);
  });
  int signal_number = 0;
  sigwait(&signals, &signal_number);
  log_line(
      {{"ts", iso8601_now()}, {"level", "info"}, {"msg", "draining"}, {"signal", signal_number}});
  // New mixes are refused (503) while running ones finish and are stored;
  // queued ones fail cleanly. Then the listener stops.
  (*follow)->begin_stop();
  mixer.drain();
  (*follow)->stop();
  server.stop();
  listener.join();
  log_line({{"ts", iso8601_now()}, {"level", "info"}, {"msg", "stopped"}});
  return listener_failed ? kExitOutput : kExitOk;
}

std::function<int()> add_serve(CLI::App& app) {
  auto settings = std::make_shared<ServeSettings>();
  CLI::App* cmd =
      app.add_subcommand("serve", "Serve the mixing HTTP API, with local or S3 storage");
  cmd->add_option("--host", settings->host, "Address to listen on")
      ->envname("NAMIX_HOST")
      ->capture_default_str();
  cmd->add_option("--port", settings->port, "Port to listen on (0: any free port)")
      ->envname("NAMIX_PORT")
      ->capture_default_str();
  cmd->add_option("--data-dir", settings->data_dir,
                  "Where mixes, their JSON and job state are kept (one server per "
                  "directory: it is locked)")
      ->envname("NAMIX_DATA_DIR")
      ->capture_default_str();
  cmd->add_option("--storage", settings->storage,
                  "Where mixes, history and jobs are stored: a directory or s3://BUCKET/PREFIX "
                  "(default: the data directory)")
      ->envname("NAMIX_STORAGE");
  cmd->add_option("--s3-endpoint", settings->s3_endpoint,
                  "S3-compatible endpoint (default: AWS in AWS_REGION)")
      ->envname("NAMIX_S3_ENDPOINT");
  cmd->add_flag("--apply-lifecycle", settings->apply_lifecycle,
                "Put the lifecycle rules on the S3 bucket at start (temp/ and jobs/ expire "
                "after 7 days, mixes/ go to GLACIER after 90, unfinished uploads are aborted "
                "after 1)");
  cmd->add_flag(
         "--allow-private-urls", settings->allow_private_urls,
         "Fetch episodes from loopback/private/link-local addresses too (never on a public server)")
      ->envname("NAMIX_ALLOW_PRIVATE_URLS");
  cmd->add_option("--api-keys", settings->api_keys_file,
                  "File of accepted x-api-key values, one a line (default: no key needed)")
      ->envname("NAMIX_API_KEYS_FILE");
  cmd->add_option("--workers", settings->workers, "Mixes run at once")
      ->envname("NAMIX_WORKERS")
      ->capture_default_str();
  cmd->add_option("--queue", settings->queue, "Mixes that may wait for a worker; more get 503")
      ->envname("NAMIX_QUEUE")
      ->capture_default_str();
  // cpp-httplib serves one keep-alive connection per thread: connections
  // beyond this wait for a free thread (p99 of /health at 200 connections:
  // 1.2 s with 32 threads, 15 ms with 256, bench/load_service.sh).
  cmd->add_option("--http-threads", settings->http_threads,
                  "Connection threads (one per open keep-alive connection)")
      ->envname("NAMIX_HTTP_THREADS")
      ->capture_default_str();
  cmd->add_option("--web-dir", settings->web_dir,
                  "The web page's files (default: web/ of the source tree)")
      ->envname("NAMIX_WEB_DIR");
  cmd->add_option("--themes-dir", settings->themes_dir,
                  "Directory of extra *.toml themes (override shipped ones by name)");
  cmd->add_option("--signing-key", settings->signing_key,
                  "Secret for /files download links (default: random, kept in the data dir)")
      ->envname("NAMIX_SIGNING_KEY");
  cmd->add_option("--public-url", settings->public_url,
                  "Base URL of download links (default: http://HOST:PORT)")
      ->envname("NAMIX_PUBLIC_URL");
  cmd->add_option("--port-file", settings->port_file, "Write the port listened on to this file")
      ->envname("NAMIX_PORT_FILE");
  cmd->add_option("--max-download-mb", settings->max_download_mb, "Largest episode fetched, MiB")
      ->envname("NAMIX_MAX_DOWNLOAD_MB")
      ->capture_default_str();
  cmd->add_option("--max-upload-mb", settings->max_upload_mb, "Largest upload, MiB")
      ->envname("NAMIX_MAX_UPLOAD_MB")
      ->capture_default_str();
  cmd->add_option("--fetch-timeout", settings->fetch_timeout_s,
                  "Seconds allowed for fetching an episode")
      ->envname("NAMIX_FETCH_TIMEOUT_S")
      ->capture_default_str();
  cmd->add_option("--rate-per-minute", settings->rate_per_minute,
                  "Mixes each client (API key or address) may start per minute; 0: no limit")
      ->envname("NAMIX_RATE_PER_MINUTE")
      ->capture_default_str();
  cmd->add_option("--burst", settings->burst, "Mixes a client may start at once")
      ->envname("NAMIX_BURST")
      ->capture_default_str();
  cmd->add_option("--link-ttl-hours", settings->link_ttl_hours, "Lifetime of download links")
      ->envname("NAMIX_LINK_TTL_HOURS")
      ->capture_default_str();
  cmd->add_option("--subscriptions", settings->subscriptions_file,
                  "TOML file of shows to follow by their feed: each new episode is mixed and "
                  "published as a podcast feed (more can be added with POST /subscriptions)")
      ->envname("NAMIX_SUBSCRIPTIONS_FILE");
  cmd->add_option("--public-base-url", settings->public_base_url,
                  "Public base URL of the storage (a CDN or a public-read bucket): published "
                  "feeds link files at URL/KEY (default: this server's /published/ links)")
      ->envname("NAMIX_PUBLIC_BASE_URL");
  cmd->add_option("--min-poll-interval", settings->min_poll_interval_s,
                  "Shortest poll_interval a subscription may ask for, seconds")
      ->envname("NAMIX_MIN_POLL_INTERVAL_S")
      ->capture_default_str();
  cmd->add_option("--webhook-first-retry", settings->webhook_first_retry_s,
                  "Seconds before a failed webhook delivery is tried again; each later wait "
                  "doubles, up to an hour, for 12 attempts")
      ->envname("NAMIX_WEBHOOK_FIRST_RETRY_S")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  cmd->add_option("--min-free-mb", settings->min_free_mb,
                  "Free space on the data directory's disk below which /mix/health says "
                  "degraded, MiB")
      ->envname("NAMIX_MIN_FREE_MB")
      ->capture_default_str();
  return [cmd, settings]() -> int {
    if (!cmd->parsed()) return -1;
    return serve(*settings);
  };
}

}  // namespace
NAMIX_REGISTER_COMMAND(serve, add_serve);
}  // namespace namix
