// A temporary file that goes away with its owner: downloads and uploads land
// in one before decoding, tests use one for a sink whose bytes are on disk
// at once (unbuffered writes, so another reader sees every written byte).
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "core/byte_sink.h"
#include "core/error.h"

namespace namix {

// A new file in `dir` (created if needed), removed when this goes away, or
// by remove_partial_files() when a signal ends the process first.
class ScopedTempFile final : public ByteSink {
 public:
  static Result<ScopedTempFile> create(const std::string& dir, const std::string& stem);
  ScopedTempFile(ScopedTempFile&& other) noexcept;
  ScopedTempFile& operator=(ScopedTempFile&& other) noexcept;
  ScopedTempFile(const ScopedTempFile&) = delete;
  ScopedTempFile& operator=(const ScopedTempFile&) = delete;
  ~ScopedTempFile() override;

  Result<void> write(std::span<const std::uint8_t> bytes) override;
  Result<void> write_at(std::uint64_t offset, std::span<const std::uint8_t> bytes) override;
  std::uint64_t size() const override { return size_; }
  const std::string& path() const { return path_; }

 private:
  ScopedTempFile() = default;
  void release();
  Error write_failure() const;  // from errno
  int fd_ = -1;
  std::string path_;
  std::string stem_;
  std::uint64_t size_ = 0;
};

}  // namespace namix
