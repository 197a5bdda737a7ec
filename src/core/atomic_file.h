// A file written under a temporary name in its final directory and renamed
// into place by commit(): a failed or interrupted run leaves no file behind
// (the temporary file is a registered partial file, core/partial_files.h).
#pragma once

#include <cstdint>
#include <cstdio>
#include <span>
#include <string>

#include "core/byte_sink.h"
#include "core/error.h"

namespace namix {

class AtomicFile final : public ByteSink {
 public:
  // `name` is what error messages call the file (a storage key, say, where
  // the path is the server's business); empty: its path. A write that fails
  // for want of space is storage_full, any other failure io_error.
  static Result<AtomicFile> create(const std::string& final_path, const std::string& name = "");
  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile& operator=(AtomicFile&& other) noexcept;
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  ~AtomicFile() override;  // removes the temporary file unless committed

  Result<void> write(std::span<const std::uint8_t> bytes) override;
  // Overwrites bytes already written (e.g. the LAME info frame at the start).
  Result<void> write_at(std::uint64_t offset, std::span<const std::uint8_t> bytes) override;
  std::uint64_t size() const override { return size_; }
  const std::string& temp_path() const { return temp_path_; }
  const std::string& final_path() const { return final_path_; }

  // fsync, close and rename to the final path.
  Result<void> commit();

 private:
  AtomicFile() = default;
  void discard();

  std::FILE* file_ = nullptr;
  std::string final_path_;
  std::string temp_path_;
  std::string name_;
  std::uint64_t size_ = 0;
  bool committed_ = false;
};

}  // namespace namix
