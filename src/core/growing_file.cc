#include "core/growing_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

namespace namix {

class GrowingFile::Reader final : public ByteSource {
 public:
  Reader(GrowingFile& file, int fd) : file_(file), fd_(fd) {}
  ~Reader() override { ::close(fd_); }
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  Result<std::size_t> read(std::span<std::uint8_t> out) override {
    if (out.empty()) return std::size_t{0};
    if (next_ == buffered_) NAMIX_TRY(refill());
    const std::size_t n = std::min(out.size(), buffered_ - next_);
    std::copy_n(buffer_.data() + next_, n, out.data());
    next_ += n;
    return n;
  }

 private:
  // Decoders ask for a frame header, then a frame body: a few hundred bytes
  // at a time. Reading what has arrived in large pieces keeps that from
  // costing a system call and a lock each.
  Result<void> refill() {
    next_ = buffered_ = 0;
    auto available = file_.wait_beyond(offset_);
    if (!available) return available.error();
    if (*available <= offset_) return {};  // finished: the end
    const auto want =
        static_cast<std::size_t>(std::min<std::uint64_t>(buffer_.size(), *available - offset_));
    const ssize_t n = ::pread(fd_, buffer_.data(), want, static_cast<off_t>(offset_));
    if (n < 0) {
      return make_error(Errc::io_error, std::string("the download cannot be read back (") +
                                            std::strerror(errno) + ")");
    }
    offset_ += static_cast<std::uint64_t>(n);
    buffered_ = static_cast<std::size_t>(n);
    return {};
  }

  GrowingFile& file_;
  int fd_;
  std::uint64_t offset_ = 0;  // of the file, after the buffer
  std::vector<std::uint8_t> buffer_ = std::vector<std::uint8_t>(256 * 1024);
  std::size_t next_ = 0, buffered_ = 0;
};

Result<void> GrowingFile::write(std::span<const std::uint8_t> bytes) {
  {
    const std::lock_guard lock(mutex_);
    if (error_) return *error_;
  }
  NAMIX_TRY(file_.write(bytes));
  {
    const std::lock_guard lock(mutex_);
    size_ += bytes.size();
  }
  changed_.notify_all();
  return {};
}

Result<void> GrowingFile::write_at(std::uint64_t, std::span<const std::uint8_t>) {
  // Readers may already have consumed any earlier byte.
  return make_error(Errc::internal, "a growing file is append-only");
}

std::uint64_t GrowingFile::size() const {
  const std::lock_guard lock(mutex_);
  return size_;
}

void GrowingFile::finish(Result<void> outcome) {
  {
    const std::lock_guard lock(mutex_);
    finished_ = true;
    if (!outcome.ok() && !error_) error_ = outcome.error();
  }
  changed_.notify_all();
}

void GrowingFile::cancel(std::string why) {
  {
    const std::lock_guard lock(mutex_);
    if (!error_) error_ = make_error(Errc::unavailable, std::move(why));
    finished_ = true;
  }
  changed_.notify_all();
}

bool GrowingFile::finished() const {
  const std::lock_guard lock(mutex_);
  return finished_;
}

Result<void> GrowingFile::wait_finished() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return finished_; });
  if (error_) return *error_;
  return {};
}

Result<std::uint64_t> GrowingFile::wait_beyond(std::uint64_t offset) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return size_ > offset || finished_ || error_; });
  if (error_) return *error_;
  return size_;
}

Result<std::unique_ptr<ByteSource>> GrowingFile::open_reader() {
  const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return make_error(Errc::io_error, std::string("the download cannot be opened for reading (") +
                                          std::strerror(errno) + ")");
  }
  return std::unique_ptr<ByteSource>(std::make_unique<Reader>(*this, fd));
}

}  // namespace namix
