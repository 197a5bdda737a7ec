// Where encoded bytes go: a local AtomicFile, memory, or an S3 multipart
// upload. write_at() rewrites bytes already written (the MP3 info frame sits
// at the start and is only known at the end).
#pragma once

#include <cassert>
#include <cstdint>
#include <cstring>
#include <span>
#include <utility>
#include <vector>

#include "core/error.h"

namespace namix {

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual Result<void> write(std::span<const std::uint8_t> bytes) = 0;
  virtual Result<void> write_at(std::uint64_t offset, std::span<const std::uint8_t> bytes) = 0;
  virtual std::uint64_t size() const = 0;
};

class MemorySink final : public ByteSink {
 public:
  Result<void> write(std::span<const std::uint8_t> bytes) override {
    bytes_.insert(bytes_.end(), bytes.begin(), bytes.end());
    return {};
  }
  Result<void> write_at(std::uint64_t offset, std::span<const std::uint8_t> bytes) override {
    assert(offset + bytes.size() <= bytes_.size());
    if (!bytes.empty()) std::memcpy(bytes_.data() + offset, bytes.data(), bytes.size());
    return {};
  }
  std::uint64_t size() const override { return bytes_.size(); }
  const std::vector<std::uint8_t>& bytes() const { return bytes_; }
  std::vector<std::uint8_t> release() { return std::move(bytes_); }

 private:
  std::vector<std::uint8_t> bytes_;
};

}  // namespace namix
