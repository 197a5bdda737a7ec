// Where `namix mix` writes a local output (the MP3 of --out, the JSON of
// --json), decided by what is at the path before any work starts:
// - nothing yet, or a regular file: an AtomicFile beside it, renamed into
//   place by commit(), so a failed run leaves no file, never half a file;
// - a FIFO or a character device (a pipe made with mkfifo, /dev/null): the
//   bytes are written into it by commit(); it is never replaced;
// - "-": standard output, written by commit() (not a terminal);
// - a symbolic link: what it points to, as above;
// - anything else (a directory, a socket, a block device): refused.
// A FIFO, a device or standard output gets its bytes only at commit(): they
// wait in an unlinked temporary file (in TMPDIR), because the MP3 encoder
// rewrites its first frame at the end and a pipe cannot seek back, and so a
// failed run writes nothing into them.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/atomic_file.h"
#include "core/byte_sink.h"
#include "core/error.h"

namespace namix {

class OutputFile final : public ByteSink {
 public:
  // `option` names the path in messages as the user gave it ("--out").
  static Result<OutputFile> open(const std::string& path, std::string_view option);
  OutputFile(OutputFile&& other) noexcept;
  OutputFile& operator=(OutputFile&& other) noexcept;
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;
  ~OutputFile() override;

  Result<void> write(std::span<const std::uint8_t> bytes) override;
  Result<void> write_at(std::uint64_t offset, std::span<const std::uint8_t> bytes) override;
  std::uint64_t size() const override { return size_; }

  // Renames the file into place, or writes the held bytes into the FIFO,
  // device or standard output (a FIFO's open waits for its reader).
  Result<void> commit();

  bool to_stdout() const { return to_stdout_; }
  // Where the bytes end up: the absolute path, or "-" for standard output.
  const std::string& destination() const { return destination_; }

 private:
  OutputFile() = default;
  Result<void> copy_held_bytes_to(int fd) const;
  void release();

  std::optional<AtomicFile> file_;  // regular files
  int held_fd_ = -1;                // the rest: the unlinked temporary file
  std::string destination_;
  std::string option_;
  bool to_stdout_ = false;
  std::uint64_t size_ = 0;
};

}  // namespace namix
