// Starts a private Ceph RADOS Gateway (scripts/rgw.sh) on free loopback ports
// for the whole test binary, and stops it at the end.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <sstream>
#include <string>

namespace namix::testing {

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout (stderr too when the command redirects it)
};

inline CommandResult run_command(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    result.output.append(buffer.data(), n);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

inline bool port_free(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

class RgwServer {
 public:
  // Returns false (and leaves the reason in error()) when the gateway does not come up.
  bool start() {
    // Two test processes may pick the same free port at the same moment;
    // rgw.sh then refuses, and we try other ports.
    std::mt19937 random{std::random_device{}()};
    std::uniform_int_distribution<int> pick(20000, 29000);
    for (int attempt = 0; attempt < 4; ++attempt) {
      port_ = 0;
      for (int tries = 0; tries < 20 && port_ == 0; ++tries) {
        const int candidate = pick(random) & ~1;
        if (port_free(candidate) && port_free(candidate + 1)) port_ = candidate;
      }
      dir_ = std::filesystem::temp_directory_path() /
             ("namix-rgw-" + std::to_string(getpid()) + "-" + std::to_string(port_));
      const CommandResult started =
          run_command(std::string(NAMIX_RGW_SCRIPT) + " start " + dir_.string() + " " +
                      std::to_string(port_) + " 2>&1");
      if (started.exit_code == 0) {
        std::istringstream lines(started.output);
        std::string line;
        while (std::getline(lines, line)) {
          const auto eq = line.find('=');
          if (eq != std::string::npos) env_[line.substr(0, eq)] = line.substr(eq + 1);
        }
        for (const auto& [name, value] : env_) setenv(name.c_str(), value.c_str(), 1);
        unsetenv("AWS_SESSION_TOKEN");
        return true;
      }
      error_ = started.output;
      stop();
      if (started.output.find("in use") == std::string::npos) return false;
    }
    return false;
  }

  void stop() {
    if (!dir_.empty()) run_command(std::string(NAMIX_RGW_SCRIPT) + " kill " + dir_.string());
    std::error_code ignored;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
  }
  bool stop_gateway() {
    return run_command(std::string(NAMIX_RGW_SCRIPT) + " stop-rgw " + dir_.string()).exit_code == 0;
  }
  bool start_gateway() {
    return run_command(std::string(NAMIX_RGW_SCRIPT) + " start-rgw " + dir_.string() + " 2>&1")
               .exit_code == 0;
  }

  // Runs the lifecycle pass now instead of at RGW's next scheduled one.
  bool process_lifecycle() {
    return run_command("radosgw-admin --conf " + (dir_ / "ceph.conf").string() +
                       " -n client.rgw lc process 2>/dev/null")
               .exit_code == 0;
  }

  std::string endpoint() const { return env_.at("NAMIX_S3_ENDPOINT"); }
  const std::string& error() const { return error_; }

 private:
  int port_ = 0;
  std::filesystem::path dir_;
  std::map<std::string, std::string> env_;
  std::string error_;
};

}  // namespace namix::testing
