// The service end to end on raw HTTP: the bytes of one connection through
// httplib's request parsing, namix's body framing and caps, the router, its
// routes and the mix service (with a mixer that refuses every episode, so
// nothing is stored), as `namix serve` answers a socket.
//
// Each input ends only when the jobs it queued have run. libFuzzer checks for
// leaks between inputs, and a job left running would overlap that check. Its
// fetch resolves names on a libcurl resolver thread, and glibc keeps that
// thread's resolver state (28 bytes from __res_context_send) until the thread
// has exited. LeakSanitizer stops scanning an exiting thread's TLS before
// glibc frees that state, so a check that lands in between reports a leak
// that is not one. A program that only resolves names on joined threads and
// checks for leaks in a loop reports it in 5 checks of 20,000 (clang 14,
// glibc 2.36).
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "core/partial_files.h"
#include "fuzz/fuzz_check.h"
#include "net/metrics.h"
#include "net/mix_service.h"
#include "net/router.h"
#include "net/server.h"
#include "select/theme.h"
#include "store/local_storage.h"

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kRunDirPrefix = "namix-http-fuzz-";

// Removes the directories of runs whose process is gone: libFuzzer ends an
// interrupted run with _Exit, which skips the exit handler that removes them.
void remove_dirs_of_ended_runs(const fs::path& parent) {
  std::vector<fs::path> ended;
  std::error_code ec;
  for (auto it = fs::directory_iterator(parent, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!name.starts_with(kRunDirPrefix)) continue;
    const long pid = std::strtol(name.c_str() + kRunDirPrefix.size(), nullptr, 10);
    if (pid > 0 && namix::process_has_ended(pid)) ended.push_back(it->path());
  }
  for (const fs::path& dir : ended) fs::remove_all(dir, ec);
}

// Built once: a fresh service per input would spend the run on setup.
struct Service {
  Service() {
    remove_dirs_of_ended_runs(fs::temp_directory_path());
    dir = fs::temp_directory_path() / (std::string(kRunDirPrefix) + std::to_string(::getpid()));
    fs::remove_all(dir);
    auto opened = namix::LocalStorage::open({(dir / "store").string(), "fuzz-signing-key", ""});
    auto loaded = namix::ThemeCatalog::load_dir(NAMIX_SHIPPED_THEMES_DIR);
    if (!opened.ok() || !loaded.ok()) std::abort();
    storage = std::move(*opened);
    themes = std::make_unique<namix::ThemeCatalog>(std::move(*loaded));
    namix::ServiceOptions options;
    options.data_dir = (dir / "data").string();
    options.min_free_bytes = 0;
    options.workers = 1;
    options.max_queued = 1;
    // A job's fetch runs inside its input, so it must end well inside the
    // fuzzer's 10 s per input, and fetch little when a URL does answer.
    options.fetch.connect_timeout = std::chrono::seconds(4);
    options.fetch.total_timeout = std::chrono::seconds(6);
    options.fetch.stall_timeout = std::chrono::seconds(2);
    options.fetch.max_bytes = 1 << 20;
    // Each job ends with a sweep of the records older than a second, so the
    // one service does not pile up state from earlier inputs.
    options.job_record_ttl = std::chrono::seconds(0);
    options.job_expiry_interval = std::chrono::seconds(0);
    const namix::MixRunner refuse = [](const namix::MixRequest&,
                                       namix::ByteSink&) -> namix::Result<namix::MixReport> {
      return namix::make_error(namix::Errc::undecodable, "the fuzzer mixes nothing");
    };
    service = std::make_unique<namix::MixService>(options, *storage, *themes, refuse, metrics);
    namix::RouterOptions router_options;
    router_options.throttle.rate_per_minute = 0.0;
    router = std::make_unique<namix::Router>(router_options, *service, *storage, storage.get(),
                                             *themes, metrics, nullptr);
    namix::ServerOptions server_options;
    server_options.max_upload_bytes = 1 << 20;
    server_options.max_json_bytes = 16 * 1024;
    server = std::make_unique<namix::HttpServer>(*router, server_options);
  }

  fs::path dir;
  std::unique_ptr<namix::LocalStorage> storage;
  std::unique_ptr<namix::ThemeCatalog> themes;
  namix::Metrics metrics;
  std::unique_ptr<namix::MixService> service;
  std::unique_ptr<namix::Router> router;
  std::unique_ptr<namix::HttpServer> server;
};

Service& service() {
  static Service* s = [] {
    auto* made = new Service();  // outlives the exit handlers of its threads
    // The service's job threads may still write there: no throwing at exit.
    std::atexit([] {
      std::error_code ignored;
      fs::remove_all(service().dir, ignored);
    });
    return made;
  }();
  return *s;
}

}  // namespace

// One try per name server, of at most 1 s each, so that name resolution ends
// before the fetch's 4 s connect timeout. libcurl then joins its resolver
// thread rather than leaving it to exit on its own during a later input.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ::setenv("RES_OPTIONS", "timeout:1 attempts:1", 1);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Service& s = service();
  const std::string_view sent(reinterpret_cast<const char*>(data), size);
  const std::string answer = s.server->answer_connection(sent);
  s.service->wait_until_idle();
  // Each answer is an HTTP/1.1 status line, and no answer shows a path of
  // the server's (unless the request itself carried it: a 404 names the
  // route asked for).
  NAMIX_FUZZ_CHECK(answer.empty() || answer.rfind("HTTP/1.1 ", 0) == 0);
  NAMIX_FUZZ_CHECK(sent.find(s.dir.string()) != std::string_view::npos ||
                   answer.find(s.dir.string()) == std::string::npos);
  return 0;
}
