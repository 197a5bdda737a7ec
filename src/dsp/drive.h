// Soft-clip saturation ("+2 dB drive"): the signal is pushed drive_db into a
// clipper whose linear region ends at full scale, then brought back down by
// the same amount, so quiet passages keep their level and only peaks within
// drive_db of full scale are rounded off.
#pragma once

#include "dsp/processor.h"

namespace namix::dsp {

struct DriveParams {
  double drive_db = 0.0;  // >= 0; 0 leaves [-1, 1] untouched
};

// The static curve. Linear up to |x| = 10^(-drive_db/20), then a tanh
// shoulder with matching slope; monotonic, and |y| < kDriveCeiling *
// 10^(-drive_db/20) for any input.
inline constexpr double kDriveCeiling = 1.25;
float drive_curve(float x, float drive_gain) noexcept;

class Drive final : public Processor {
 public:
  explicit Drive(const DriveParams& params = {});

  const DriveParams& params() const { return params_; }

  void prepare(const ProcessSpec& spec) override;
  void process(AudioView audio) noexcept override;
  void reset() override {}

 private:
  DriveParams params_;
  float gain_ = 1.0f;
};

}  // namespace namix::dsp
