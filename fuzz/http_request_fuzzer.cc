// The service end to end on raw HTTP: the bytes of one connection through
// httplib's request parsing, namix's body framing and caps, the router, its
// routes and the mix service (with a mixer that refuses every episode, so
// nothing is stored), as `namix serve` answers a socket.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

#include "fuzz/fuzz_check.h"
#include "net/metrics.h"
#include "net/mix_service.h"
#include "net/router.h"
#include "net/server.h"
#include "select/theme.h"
#include "store/local_storage.h"

namespace {

namespace fs = std::filesystem;

// Built once: a fresh service per input would spend the run on setup.
struct Service {
  Service() {
    dir = fs::temp_directory_path() / ("namix-http-fuzz-" + std::to_string(::getpid()));
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

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Service& s = service();
  const std::string_view sent(reinterpret_cast<const char*>(data), size);
  const std::string answer = s.server->answer_connection(sent);
  // Each answer is an HTTP/1.1 status line, and no answer shows a path of
  // the server's (unless the request itself carried it: a 404 names the
  // route asked for).
  NAMIX_FUZZ_CHECK(answer.empty() || answer.rfind("HTTP/1.1 ", 0) == 0);
  NAMIX_FUZZ_CHECK(sent.find(s.dir.string()) != std::string_view::npos ||
                   answer.find(s.dir.string()) == std::string::npos);
  return 0;
}
