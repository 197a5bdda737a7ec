// Feed-forward compressor with a soft knee and stereo-linked detection
// (Giannoulis, Massberg & Reiss, "Digital Dynamic Range Compressor Design",
// JAES 2012: log-domain gain computer, smoothing of the gain in dB).
#pragma once

#include <vector>

#include "dsp/processor.h"

namespace namix::dsp {

struct CompressorParams {
  double threshold_db = -18.0;
  double ratio = 3.0;    // >= 1
  double knee_db = 6.0;  // total width of the quadratic knee, centred on the threshold
  double attack_ms = 10.0;
  double release_ms = 150.0;
  double makeup_db = 0.0;
  // Mean-square window of the level detector. Levels are read as AES17 dBFS
  // (a full-scale sine is 0 dB), so a sine's level is its peak in dBFS.
  double rms_window_ms = 2.0;
};

// The static curve: gain reduction in dB (>= 0) for a detector level in dB.
double compressor_gain_reduction_db(const CompressorParams& p, double level_db);

class Compressor final : public Processor {
 public:
  explicit Compressor(const CompressorParams& params = {});

  void set_params(const CompressorParams& params);
  const CompressorParams& params() const { return params_; }
  // The smoothed reduction applied to the last frame processed, in dB.
  double gain_reduction_db() const { return gr_db_; }

  void prepare(const ProcessSpec& spec) override;
  void process(AudioView audio) noexcept override;
  void reset() override;

 private:
  void update_coefficients();

  // Per-frame detector level, then reduction, between the passes of process().
  static constexpr std::size_t kScratchFrames = 1024;
  std::vector<float> level_;

  CompressorParams params_;
  double sample_rate_ = 44100.0;
  double rms_coeff_ = 0.0, attack_coeff_ = 0.0, release_coeff_ = 0.0;
  double mean_square_ = 0.0;
  double gr_db_ = 0.0;
};

}  // namespace namix::dsp
