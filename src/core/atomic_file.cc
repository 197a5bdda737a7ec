#include "core/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <utility>

#include "core/partial_files.h"

namespace namix {
namespace {

// The error of a failed system call, `what` said before the reason.
Error write_error(const std::string& what) {
  return make_error(write_failure_code(errno), what + ": " + std::strerror(errno));
}

}  // namespace

Result<AtomicFile> AtomicFile::create(const std::string& final_path, const std::string& name) {
  const std::string& shown = name.empty() ? final_path : name;
  // Same directory as the final file so rename() is atomic (one filesystem).
  std::random_device rd;
  const std::string temp =
      final_path + ".part-" + std::to_string(::getpid()) + "-" + std::to_string(rd() & 0xffffffu);
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    Error e = write_error("cannot create output file " + shown);
    if (e.code != Errc::storage_full) e.message += " (check the directory exists and is writable)";
    return e;
  }
  AtomicFile f;
  f.file_ = ::fdopen(fd, "wb");
  if (f.file_ == nullptr) {
    Error e = write_error("cannot open output file " + shown);
    ::close(fd);
    ::unlink(temp.c_str());
    return e;
  }
  f.final_path_ = final_path;
  f.temp_path_ = temp;
  register_partial_file(temp);
  f.name_ = shown;
  return f;
}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept { *this = std::move(other); }

AtomicFile& AtomicFile::operator=(AtomicFile&& other) noexcept {
  if (this != &other) {
    discard();
    file_ = std::exchange(other.file_, nullptr);
    final_path_ = std::move(other.final_path_);
    temp_path_ = std::move(other.temp_path_);
    name_ = std::move(other.name_);
    size_ = other.size_;
    committed_ = std::exchange(other.committed_, true);
  }
  return *this;
}

AtomicFile::~AtomicFile() { discard(); }

void AtomicFile::discard() {
  if (file_ != nullptr) {
    std::fclose(file_);
    file_ = nullptr;
  }
  if (!committed_ && !temp_path_.empty()) {
    ::unlink(temp_path_.c_str());
    unregister_partial_file(temp_path_);
  }
  committed_ = true;
}

Result<void> AtomicFile::write(std::span<const std::uint8_t> bytes) {
  assert(file_ != nullptr);
  if (bytes.empty()) return {};
  if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) {
    return write_error("writing " + name_ + " failed");
  }
  size_ += bytes.size();
  return {};
}

Result<void> AtomicFile::write_at(std::uint64_t offset, std::span<const std::uint8_t> bytes) {
  assert(file_ != nullptr);
  assert(offset + bytes.size() <= size_);
  if (std::fflush(file_) != 0 ||
      ::pwrite(::fileno(file_), bytes.data(), bytes.size(), static_cast<off_t>(offset)) !=
          static_cast<ssize_t>(bytes.size())) {
    return write_error("writing " + name_ + " failed");
  }
  return {};
}

Result<void> AtomicFile::commit() {
  assert(file_ != nullptr);
  // Buffered bytes meet a full disk here at the latest (tmpfs at write(),
  // others as late as fsync); the first failure's errno is the reason.
  int failure = 0;
  if (std::fflush(file_) != 0 || ::fsync(::fileno(file_)) != 0) failure = errno;
  if (std::fclose(file_) != 0 && failure == 0) failure = errno;
  file_ = nullptr;
  if (failure != 0) {
    discard();
    errno = failure;
    return write_error("writing " + name_ + " failed");
  }
  if (::rename(temp_path_.c_str(), final_path_.c_str()) != 0) {
    Error e = write_error("cannot move output into place at " + name_);
    discard();
    return e;
  }
  unregister_partial_file(temp_path_);
  committed_ = true;
  return {};
}

}  // namespace namix
