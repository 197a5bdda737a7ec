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

std::string errno_text() { return std::strerror(errno); }

}  // namespace

Result<AtomicFile> AtomicFile::create(const std::string& final_path) {
  // Same directory as the final file so rename() is atomic (one filesystem).
  std::random_device rd;
  const std::string temp =
      final_path + ".part-" + std::to_string(::getpid()) + "-" + std::to_string(rd() & 0xffffffu);
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    return make_error(Errc::io_error, "cannot create output file " + final_path + ": " +
                                          errno_text() +
                                          " (check the directory exists and is writable)");
  }
  AtomicFile f;
  f.file_ = ::fdopen(fd, "wb");
  if (f.file_ == nullptr) {
    ::close(fd);
    ::unlink(temp.c_str());
    return make_error(Errc::io_error, "cannot open output file " + temp + ": " + errno_text());
  }
  f.final_path_ = final_path;
  f.temp_path_ = temp;
  register_partial_file(temp);
  return f;
}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept { *this = std::move(other); }

AtomicFile& AtomicFile::operator=(AtomicFile&& other) noexcept {
  if (this != &other) {
    discard();
    file_ = std::exchange(other.file_, nullptr);
    final_path_ = std::move(other.final_path_);
    temp_path_ = std::move(other.temp_path_);
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
    return make_error(Errc::io_error, "writing " + final_path_ + " failed: " + errno_text());
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
    return make_error(Errc::io_error, "writing " + final_path_ + " failed: " + errno_text());
  }
  return {};
}

Result<void> AtomicFile::commit() {
  assert(file_ != nullptr);
  const bool flushed = std::fflush(file_) == 0 && ::fsync(::fileno(file_)) == 0;
  const bool closed = std::fclose(file_) == 0;
  file_ = nullptr;
  if (!flushed || !closed) {
    discard();
    return make_error(Errc::io_error, "writing " + final_path_ + " failed: " + errno_text());
  }
  if (::rename(temp_path_.c_str(), final_path_.c_str()) != 0) {
    discard();
    return make_error(Errc::io_error,
                      "cannot move output into place at " + final_path_ + ": " + errno_text());
  }
  unregister_partial_file(temp_path_);
  committed_ = true;
  return {};
}

}  // namespace namix
