#include "core/scoped_temp_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>
#include <utility>

#include "core/partial_files.h"

namespace namix {

Result<ScopedTempFile> ScopedTempFile::create(const std::string& dir, const std::string& stem) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  std::random_device rd;
  const std::string path = dir + "/" + stem + "-" + std::to_string(::getpid()) + "-" +
                           std::to_string(rd()) + std::to_string(rd() & 0xffff);
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return make_error(
        write_failure_code(errno, Errc::unavailable),
        "cannot store the " + stem + " on the server's disk: " + std::strerror(errno));
  }
  // Registered so that a CLI run stopped by a signal (a download under way)
  // removes it too.
  register_partial_file(path);
  ScopedTempFile f;
  f.fd_ = fd;
  f.path_ = path;
  f.stem_ = stem;
  return f;
}

ScopedTempFile::ScopedTempFile(ScopedTempFile&& other) noexcept { *this = std::move(other); }

ScopedTempFile& ScopedTempFile::operator=(ScopedTempFile&& other) noexcept {
  if (this != &other) {
    release();
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::exchange(other.path_, std::string());
    stem_ = std::move(other.stem_);
    size_ = other.size_;
  }
  return *this;
}

ScopedTempFile::~ScopedTempFile() { release(); }

void ScopedTempFile::release() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (!path_.empty()) {
    ::unlink(path_.c_str());
    unregister_partial_file(path_);
  }
  path_.clear();
}

Result<void> ScopedTempFile::write(std::span<const std::uint8_t> bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return write_failure();
    }
    done += static_cast<std::size_t>(n);
  }
  size_ += bytes.size();
  return {};
}

Result<void> ScopedTempFile::write_at(std::uint64_t offset, std::span<const std::uint8_t> bytes) {
  if (::pwrite(fd_, bytes.data(), bytes.size(), static_cast<off_t>(offset)) !=
      static_cast<ssize_t>(bytes.size())) {
    return write_failure();
  }
  return {};
}

Error ScopedTempFile::write_failure() const {
  return make_error(write_failure_code(errno, Errc::unavailable),
                    "cannot store the " + stem_ + " on the server's disk: " + std::strerror(errno));
}

}  // namespace namix
