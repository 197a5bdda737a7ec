// Streaming sample-rate conversion with libsoxr (SOXR_HQ), planar float.
// The render stage uses it to bring 32/48 kHz sources to 44.1 kHz; the
// sndfile decoder uses it for reduced analysis streams.
#pragma once

#include <array>
#include <memory>
#include <vector>

#include "core/audio_buffer.h"
#include "core/error.h"

namespace namix {

class Resampler {
 public:
  static Result<Resampler> create(double in_rate, double out_rate, int channels);

  // Replaces out's contents with the frames produced for `in` (in.num_channels
  // == channels). soxr's filter delay is removed: early calls return fewer
  // frames than in.num_frames * ratio() and flush() returns the rest, so the
  // whole stream is round(total_in * ratio()) frames, time-aligned with the input.
  Result<void> process(AudioView in, AudioBuffer& out);
  // Replaces out's contents with what is left after the last input.
  Result<void> flush(AudioBuffer& out);

  double ratio() const { return out_rate_ / in_rate_; }
  int channels() const { return channels_; }

 private:
  struct SoxrDeleter {
    void operator()(void* soxr) const;
  };
  Resampler(void* soxr, double in_rate, double out_rate, int channels);
  Result<void> run(const AudioView* in, AudioBuffer& out);

  std::unique_ptr<void, SoxrDeleter> soxr_;
  double in_rate_ = 0;
  double out_rate_ = 0;
  int channels_ = 0;
  std::array<std::vector<float>, kMaxChannels> scratch_;
};

}  // namespace namix
