// Look-ahead limiter that keeps the 4x-oversampled (true) peak of its output
// at or below a ceiling in dBTP, with one gain for both channels.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "dsp/processor.h"

namespace namix::dsp {

// 4x-oversampling interpolator (Kaiser-windowed sinc, 48 taps per branch;
// see true_peak_limiter.cc for why) shared by the limiter and the meter.
class TruePeakInterpolator {
 public:
  static constexpr int kTapsPerPhase = 48;
  static constexpr int kOversampling = 4;
  static constexpr int kHalf = kTapsPerPhase / 2;

  TruePeakInterpolator();
  // `w` holds the last kTapsPerPhase samples, oldest first. Returns the
  // largest magnitude at w[kHalf - 1] and at the three quarter-sample points
  // after it.
  float peak(const float* w) const noexcept;
  // No point can read more than this times the largest |sample| in its
  // window (the largest sum |h| of a branch; >= 1).
  double max_branch_gain() const { return max_branch_gain_; }

 private:
  // Branches for the fractional positions 1/4, 2/4, 3/4.
  alignas(32) std::array<std::array<float, kTapsPerPhase>, kOversampling - 1> phases_{};
  double max_branch_gain_ = 1.0;
};

// The highest 4x-oversampled peak of a stream, with the limiter's
// interpolator: a stricter reading than BS.1770's 12-tap one, and much
// cheaper than libebur128's, because windows whose samples are all too quiet
// to raise the running maximum are not interpolated at all.
class TruePeakMeter {
 public:
  explicit TruePeakMeter(int num_channels);
  void add(AudioView audio) noexcept;
  // Includes the last kHalf samples, judged against trailing silence.
  double true_peak_dbtp() const;

 private:
  using Interp = TruePeakInterpolator;
  void push(const float* frame) noexcept;

  Interp interp_;
  int num_channels_;
  std::array<std::array<float, 2 * Interp::kTapsPerPhase>, kMaxChannels> history_{};
  std::size_t pos_ = 0;
  float peak_ = 0.0f;
  float trigger_ = 0.0f;  // samples at or above this may raise peak_
  int countdown_ = 0;
};

struct TruePeakLimiterParams {
  double ceiling_dbtp = -1.0;
  // Total look-ahead, which is also the latency. The gain ramps down over it
  // minus the interpolator's reach (2 x 24 samples), so keep it >= 2 ms.
  double lookahead_ms = 5.0;
  double release_ms = 80.0;
};

class TruePeakLimiter final : public Processor {
 public:
  static constexpr int kTapsPerPhase = TruePeakInterpolator::kTapsPerPhase;
  static constexpr int kOversampling = TruePeakInterpolator::kOversampling;

  explicit TruePeakLimiter(const TruePeakLimiterParams& params = {});

  const TruePeakLimiterParams& params() const { return params_; }
  // Lowest gain applied since reset(), in dB (<= 0).
  double max_gain_reduction_db() const;

  void prepare(const ProcessSpec& spec) override;
  void process(AudioView audio) noexcept override;
  void reset() override;
  std::size_t latency_frames() const override { return delay_frames_; }

 private:
  static constexpr int kHalf = kTapsPerPhase / 2;
  // Frames per pass of process_block(): its scratch lives on the stack.
  static constexpr std::size_t kBlock = 256;

  void process_block(AudioView block) noexcept;

  TruePeakLimiterParams params_;
  int num_channels_ = 2;
  std::size_t delay_frames_ = 0;  // D: latency
  std::size_t box_frames_ = 0;    // B: length of the gain ramp
  std::size_t hold_frames_ = 0;   // H: minimum-hold window
  double ceiling_linear_ = 1.0;
  double release_coeff_ = 0.0;
  float quiet_level_ = 0.0f;  // ceiling_linear_ / max_branch_gain_, with rounding room
  int loud_countdown_ = 0;    // frames until the window holds no sample >= quiet_level_

  TruePeakInterpolator interp_;

  // Per channel: the last kTapsPerPhase - 1 input samples, then room for a
  // block, so that every frame's interpolation window is contiguous.
  std::array<std::vector<float>, kMaxChannels> window_;
  std::array<std::vector<float>, kMaxChannels> delay_;
  std::size_t delay_pos_ = 0;

  // Monotonic deque of (gain, arrival index) for the sliding minimum.
  std::vector<double> hold_gain_;
  std::vector<std::uint64_t> hold_index_;
  std::size_t hold_head_ = 0, hold_size_ = 0;

  std::vector<double> box_;
  std::size_t box_pos_ = 0;
  double box_sum_ = 0.0;

  double release_gain_ = 1.0;
  double min_gain_ = 1.0;
  std::uint64_t arrivals_ = 0;
};

}  // namespace namix::dsp
