#include "net/server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <vector>

#include "core/test_dir.h"
#include "net/metrics.h"
#include "net/mix_service.h"
#include "net/router.h"
#include "select/theme.h"
#include "store/local_storage.h"

namespace namix {
namespace {

namespace fs = std::filesystem;

// The service behind a server over a fresh data directory; no mix is ever run.
struct Service {
  explicit Service(const char* name) {
    dir = testing::fresh_dir(name);
    auto opened = LocalStorage::open({dir.string(), "key", ""});
    EXPECT_TRUE(opened.ok());
    storage = std::move(*opened);
    auto loaded = ThemeCatalog::load_dir(NAMIX_SHIPPED_THEMES_DIR);
    EXPECT_TRUE(loaded.ok());
    catalog = std::make_unique<ThemeCatalog>(std::move(*loaded));
    ServiceOptions options;
    options.data_dir = dir.string();
    mixer = std::make_unique<MixService>(
        options, *storage, *catalog,
        [](const MixRequest&, ByteSink&) -> Result<MixReport> {
          return make_error(Errc::internal, "no mixing here");
        },
        metrics);
    router = std::make_unique<Router>(RouterOptions{}, *mixer, *storage, storage.get(), *catalog,
                                      metrics, nullptr);
  }
  ~Service() { fs::remove_all(dir); }
  fs::path dir;
  std::unique_ptr<LocalStorage> storage;
  std::unique_ptr<ThemeCatalog> catalog;
  Metrics metrics;
  std::unique_ptr<MixService> mixer;
  std::unique_ptr<Router> router;
};

int connect_nonblocking(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
  return fd;
}

TEST(HttpServer, KernelCompletesABurstOfConnectionsBeforeAnyIsAccepted) {
  Service service("namix_server_backlog");
  ServerOptions options;
  options.port = 0;
  HttpServer server(*service.router, options);
  auto port = server.bind();
  ASSERT_TRUE(port.ok()) << port.error().message;
  // Nothing accepts yet (run() is not called): every handshake the kernel
  // completes waits in the listen queue. With a backlog of 5 the rest lose
  // their SYNs and would retry after a second; here all 200 complete at once.
  constexpr int kConnections = 200;
  std::vector<int> fds;
  for (int i = 0; i < kConnections; ++i) fds.push_back(connect_nonblocking(*port));
  int connected = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
  std::vector<bool> done(fds.size(), false);
  while (connected < kConnections && std::chrono::steady_clock::now() < deadline) {
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (done[i]) continue;
      pollfd p{fds[i], POLLOUT, 0};
      if (::poll(&p, 1, 0) == 1 && (p.revents & POLLOUT) != 0) {
        int error = 0;
        socklen_t len = sizeof error;
        ::getsockopt(fds[i], SOL_SOCKET, SO_ERROR, &error, &len);
        if (error == 0) {
          done[i] = true;
          ++connected;
        }
      }
    }
    ::usleep(1000);
  }
  for (int fd : fds) ::close(fd);
  EXPECT_EQ(connected, kConnections);
}

TEST(HttpServer, APortInUseIsAnErrorNotASharedPort) {
  Service service("namix_server_port");
  ServerOptions options;
  options.port = 0;
  HttpServer first(*service.router, options);
  auto port = first.bind();
  ASSERT_TRUE(port.ok()) << port.error().message;
  options.port = *port;
  HttpServer second(*service.router, options);
  auto again = second.bind();
  ASSERT_FALSE(again.ok()) << "a second server took port " << *port << " too (SO_REUSEPORT)";
  EXPECT_EQ(again.error().code, Errc::unavailable);
}

}  // namespace
}  // namespace namix
