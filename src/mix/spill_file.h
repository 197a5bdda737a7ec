// The processed mix of a whole-episode remaster, kept on disk between the
// pass that measures its loudness and the pass that gains, limits and
// encodes it, so the episode is rendered once and memory stays flat. Raw
// interleaved stereo float, exactly what was rendered: 44,100 x 2 x 4 bytes
// = 353 kB/s, 1.27 GB per hour of episode (3.8 GB for a 3-hour one) in
// temp_directory_path() (TMPDIR). The file is unlinked as soon as it is
// created, so it is gone on every exit path, a crash included.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/audio_buffer.h"
#include "core/error.h"

namespace namix {

class SpillFile {
 public:
  static constexpr int kChannels = 2;

  SpillFile() = default;
  SpillFile(const SpillFile&) = delete;
  SpillFile& operator=(const SpillFile&) = delete;
  ~SpillFile();

  Result<void> open();

  // Writes `block` (stereo) at frame `first`; safe from several threads at
  // once for disjoint frames, each with its own `scratch`.
  Result<void> write_at(std::size_t first, AudioView block, std::vector<float>& scratch);

  // Once every frame up to `n` has been written.
  void set_frames(std::size_t n) { frames_ = n; }
  std::size_t frames() const { return frames_; }

  // Fills `block` (stereo) from frame `first` on; returns the frames read,
  // fewer than asked only at the end of what was written. Safe from several
  // threads at once, each with its own `scratch`.
  Result<std::size_t> read_at(std::size_t first, AudioView block,
                              std::vector<float>& scratch) const;

 private:
  Error io_failure(const char* what) const;

  int fd_ = -1;
  std::string dir_;
  std::size_t frames_ = 0;
};

}  // namespace namix
