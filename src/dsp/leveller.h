// Slow speech AGC: brings talkers recorded at different levels to one level
// without pumping up pauses. Gated: only blocks that look like speech move
// the level estimate, so in silence the gain holds.
#pragma once

#include <array>
#include <cstdint>

#include "dsp/processor.h"

namespace namix::dsp {

struct LevellerParams {
  double target_rms_dbfs = -23.0;  // RMS of active speech to aim for
  double max_gain_db = 12.0;
  double max_cut_db = 12.0;
  // Short-term level window; blocks under the gates do not count as speech.
  double window_ms = 50.0;
  double gate_dbfs = -50.0;          // absolute
  double gate_relative_db = -15.0;   // relative to the current speech estimate
  double adapt_ms = 400.0;           // speech-level estimate, counted in speech time
  double gain_smoothing_ms = 250.0;  // applied gain follows the estimate this fast
};

class Leveller final : public Processor {
 public:
  explicit Leveller(const LevellerParams& params = {});

  const LevellerParams& params() const { return params_; }
  double gain_db() const;  // gain applied to the last frame

  void prepare(const ProcessSpec& spec) override;
  void process(AudioView audio) noexcept override;
  void reset() override;

 private:
  void update_control() noexcept;

  LevellerParams params_;
  double window_coeff_ = 0.0, adapt_coeff_ = 0.0, gain_coeff_ = 0.0;
  double gate_mean_sq_ = 0.0;  // the absolute gate
  double short_mean_sq_ = 0.0;
  double speech_mean_sq_ = -1.0;  // < 0 until the first speech block
  // Control periods of speech seen before the estimate is seeded.
  std::uint32_t warmup_periods_ = 0, warmup_periods_needed_ = 1;
  double target_gain_ = 1.0;
  double gain_ = 1.0;
  std::uint32_t control_phase_ = 0;
  // The gate and the estimate move every kControlFrames frames (1.5 ms at
  // 44.1 kHz): far faster than the 100 ms time constants involved, and it
  // keeps logs and divisions out of the per-sample loop.
  static constexpr std::size_t kControlFrames = 64;
  // c^k for k = 0..kControlFrames, of the window and of the gain smoothing.
  std::array<double, kControlFrames + 1> window_power_{}, gain_power_{};
};

}  // namespace namix::dsp
