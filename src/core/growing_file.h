// A file that one thread is still writing (an episode being downloaded) and
// another reads as it grows, so decoding can start before the download ends.
//
// The writer appends through the ByteSink interface and ends with finish()
// (its outcome); readers block until the bytes they want have arrived, the
// writer has finished, or the file was cancelled. cancel() also makes the
// writer's next write fail, which is how a reader that gave up stops the
// download.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>

#include "core/byte_sink.h"
#include "core/error.h"

namespace namix {

// Bytes read in order, blocking until they are there.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Fills up to out.size() bytes; 0 means the end of the stream.
  virtual Result<std::size_t> read(std::span<std::uint8_t> out) = 0;
};

class GrowingFile final : public ByteSink {
 public:
  // `file` receives the bytes (appends only); `path` is where readers open it.
  GrowingFile(ByteSink& file, std::string path) : file_(file), path_(std::move(path)) {}
  GrowingFile(const GrowingFile&) = delete;
  GrowingFile& operator=(const GrowingFile&) = delete;

  // Writer side.
  Result<void> write(std::span<const std::uint8_t> bytes) override;
  Result<void> write_at(std::uint64_t offset, std::span<const std::uint8_t> bytes) override;
  std::uint64_t size() const override;
  // The writer is done: with ok() every byte is there; an error is what readers get.
  void finish(Result<void> outcome);

  // Reader side. Reads from the start of the file, blocking as needed.
  Result<std::unique_ptr<ByteSource>> open_reader();
  // Blocks until finish() or cancel(); the writer's outcome (cancelled: an error).
  Result<void> wait_finished();
  bool finished() const;
  // Stops everything: readers get an error, the writer's next write fails.
  void cancel(std::string why);

  const std::string& path() const { return path_; }

 private:
  class Reader;
  // Waits until more than `offset` bytes exist or nothing more will come;
  // returns how many bytes exist, or the error that ended the file early.
  Result<std::uint64_t> wait_beyond(std::uint64_t offset);

  ByteSink& file_;
  const std::string path_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::uint64_t size_ = 0;
  bool finished_ = false;
  std::optional<Error> error_;  // set by a failed finish() or by cancel()
};

}  // namespace namix
