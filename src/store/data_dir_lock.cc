#include "store/data_dir_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <utility>

namespace namix {
namespace {

std::string holder_description() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) std::strcpy(host, "unknown");
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char since[32];
  std::strftime(since, sizeof since, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return "pid " + std::to_string(::getpid()) + " on " + host + ", since " + since;
}

// What the holder wrote, on one line (it may still be writing: then less).
std::string read_holder(int fd) {
  char buf[512] = {};
  const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  std::string text(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
  if (const auto newline = text.find('\n'); newline != std::string::npos) text.resize(newline);
  return text.empty() ? "a process that has not said who it is" : text;
}

}  // namespace

Result<DataDirLock> DataDirLock::acquire(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  DataDirLock lock;
  lock.path_ = (std::filesystem::path(dir) / ".lock").string();
  lock.fd_ = ::open(lock.path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock.fd_ < 0) {
    return make_error(Errc::io_error, "cannot create the lock file " + lock.path_ + ": " +
                                          std::strerror(errno) +
                                          " (check the data directory is writable)");
  }
  while (::flock(lock.fd_, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EINTR) continue;
    if (errno == EWOULDBLOCK) {
      return make_error(Errc::unavailable,
                        "the data directory " + dir + " is in use by another namix serve (" +
                            read_holder(lock.fd_) +
                            "); stop that one, or give this one its own --data-dir");
    }
    return make_error(Errc::io_error,
                      "cannot lock " + lock.path_ + ": " + std::strerror(errno) +
                          " (the data directory must be on a file system with flock)");
  }
  const std::string holder = holder_description() + "\n";
  if (::ftruncate(lock.fd_, 0) != 0 ||
      ::pwrite(lock.fd_, holder.data(), holder.size(), 0) != static_cast<ssize_t>(holder.size())) {
    return make_error(Errc::io_error,
                      "cannot write the lock file " + lock.path_ + ": " + std::strerror(errno));
  }
  return lock;
}

DataDirLock::DataDirLock(DataDirLock&& other) noexcept { *this = std::move(other); }

DataDirLock& DataDirLock::operator=(DataDirLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
  }
  return *this;
}

// Closing the descriptor releases the lock; the file stays, holding the last
// holder's name (truncating it here could race with the next holder's write).
DataDirLock::~DataDirLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace namix
