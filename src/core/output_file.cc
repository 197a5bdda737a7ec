#include "core/output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <utility>
#include <vector>

namespace namix {
namespace {

std::string errno_text() { return std::strerror(errno); }

const char* kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISBLK(mode)) return "a block device";
  return "not a regular file";
}

// An unlinked temporary file in TMPDIR for bytes that wait for commit().
Result<int> open_held_file(const std::string& option) {
  const char* tmpdir = std::getenv("TMPDIR");
  const std::string dir = tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp";
  std::string path = dir + "/namix-output-XXXXXX";
  const int fd = ::mkostemp(path.data(), O_CLOEXEC);
  if (fd < 0) {
    return make_error(Errc::io_error, "cannot hold the bytes for " + option + " in " + dir + ": " +
                                          errno_text() + " (set TMPDIR to a writable directory)");
  }
  ::unlink(path.c_str());
  return fd;
}

Result<void> write_all(int fd, const std::uint8_t* bytes, std::size_t n, const std::string& what) {
  while (n > 0) {
    const ssize_t written = ::write(fd, bytes, n);
    if (written < 0) {
      if (errno == EINTR) continue;
      return make_error(Errc::io_error, "writing " + what + " failed: " + errno_text());
    }
    bytes += written;
    n -= static_cast<std::size_t>(written);
  }
  return {};
}

}  // namespace

Result<OutputFile> OutputFile::open(const std::string& path, std::string_view option) {
  OutputFile out;
  out.option_ = std::string(option);
  if (path.empty()) {
    return make_error(Errc::invalid_argument,
                      out.option_ + " is empty; give a file path, or - for standard output");
  }
  if (path == "-") {
    struct stat st {};
    if (::fstat(STDOUT_FILENO, &st) != 0) {
      return make_error(Errc::io_error, out.option_ + " -: standard output is closed");
    }
    if (::isatty(STDOUT_FILENO) != 0) {
      return make_error(Errc::invalid_argument,
                        out.option_ +
                            " - would write to the terminal; redirect standard output to a file "
                            "or a pipe, or give a file path");
    }
    auto held = open_held_file(out.option_);
    if (!held) return held.error();
    out.held_fd_ = *held;
    out.to_stdout_ = true;
    out.destination_ = "-";
    return out;
  }
  // A symbolic link stands for what it points to: the link stays.
  std::string target = path;
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
    char* resolved = ::realpath(path.c_str(), nullptr);
    if (resolved == nullptr) {
      return make_error(Errc::invalid_argument,
                        out.option_ + " " + path +
                            " is a symbolic link to nothing; remove it or give another path");
    }
    target = resolved;
    std::free(resolved);
  }
  std::error_code ec;
  out.destination_ = std::filesystem::absolute(target, ec).string();
  if (ec) out.destination_ = target;
  if (::stat(target.c_str(), &st) != 0 || S_ISREG(st.st_mode)) {
    // Nothing there yet, or a file to replace; creating the temporary file
    // checks that the directory exists and is writable.
    auto file = AtomicFile::create(target);
    if (!file) return file.error();
    out.file_.emplace(std::move(*file));
    return out;
  }
  if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)) {
    if (::access(target.c_str(), W_OK) != 0) {
      return make_error(Errc::io_error,
                        "cannot write to " + out.option_ + " " + path + ": " + errno_text());
    }
    auto held = open_held_file(out.option_);
    if (!held) return held.error();
    out.held_fd_ = *held;
    return out;
  }
  return make_error(Errc::invalid_argument,
                    out.option_ + " " + path + " is " + kind_of(st.st_mode) +
                        "; give the path of a file to write, or - for standard output");
}

OutputFile::OutputFile(OutputFile&& other) noexcept { *this = std::move(other); }

OutputFile& OutputFile::operator=(OutputFile&& other) noexcept {
  if (this != &other) {
    release();
    file_ = std::move(other.file_);
    other.file_.reset();
    held_fd_ = std::exchange(other.held_fd_, -1);
    destination_ = std::move(other.destination_);
    option_ = std::move(other.option_);
    to_stdout_ = other.to_stdout_;
    size_ = other.size_;
  }
  return *this;
}

OutputFile::~OutputFile() { release(); }

void OutputFile::release() {
  if (held_fd_ >= 0) ::close(held_fd_);
  held_fd_ = -1;
  file_.reset();  // removes its temporary file unless committed
}

Result<void> OutputFile::write(std::span<const std::uint8_t> bytes) {
  if (file_) {
    NAMIX_TRY(file_->write(bytes));
  } else {
    assert(held_fd_ >= 0);
    NAMIX_TRY(write_all(held_fd_, bytes.data(), bytes.size(),
                        "the temporary file for " + option_ + " (is TMPDIR full?)"));
  }
  size_ += bytes.size();
  return {};
}

Result<void> OutputFile::write_at(std::uint64_t offset, std::span<const std::uint8_t> bytes) {
  if (file_) return file_->write_at(offset, bytes);
  assert(held_fd_ >= 0 && offset + bytes.size() <= size_);
  if (::pwrite(held_fd_, bytes.data(), bytes.size(), static_cast<off_t>(offset)) !=
      static_cast<ssize_t>(bytes.size())) {
    return make_error(Errc::io_error,
                      "writing the temporary file for " + option_ + " failed: " + errno_text());
  }
  return {};
}

Result<void> OutputFile::copy_held_bytes_to(int fd) const {
  const std::string what = option_ + " " + destination_;
  std::vector<std::uint8_t> buffer(1 << 20);
  for (std::uint64_t at = 0; at < size_;) {
    const ssize_t got = ::pread(held_fd_, buffer.data(), buffer.size(), static_cast<off_t>(at));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      return make_error(Errc::io_error,
                        "reading back the temporary file for " + option_ + " failed");
    }
    NAMIX_TRY(write_all(fd, buffer.data(), static_cast<std::size_t>(got), what));
    at += static_cast<std::uint64_t>(got);
  }
  return {};
}

Result<void> OutputFile::commit() {
  if (file_) return file_->commit();
  assert(held_fd_ >= 0);
  Result<void> copied;
  if (to_stdout_) {
    copied = copy_held_bytes_to(STDOUT_FILENO);
  } else {
    // No O_CREAT, no O_TRUNC: only into the FIFO or device open() saw.
    int fd = -1;
    do {
      fd = ::open(destination_.c_str(), O_WRONLY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
      copied = make_error(Errc::io_error,
                          "cannot open " + option_ + " " + destination_ + ": " + errno_text());
    } else {
      struct stat st {};
      if (::fstat(fd, &st) != 0 || !(S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode))) {
        copied = make_error(Errc::io_error, option_ + " " + destination_ +
                                                " was replaced while mixing; nothing written");
      } else {
        copied = copy_held_bytes_to(fd);
      }
      ::close(fd);
    }
  }
  release();
  return copied;
}

}  // namespace namix
