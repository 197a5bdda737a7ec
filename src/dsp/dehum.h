// Mains hum: find whether a recording carries 50 Hz or 60 Hz hum, then notch
// the fundamental and its harmonics with narrow filters.
#pragma once

#include <array>
#include <cstddef>

#include "dsp/biquad.h"
#include "dsp/processor.h"

namespace namix::dsp {

struct HumDetection {
  double fundamental_hz = 0.0;  // 50, 60, or 0 for none
  int harmonics_found = 0;      // harmonics standing >= 6 dB over their neighbourhood
  double prominence_db = 0.0;   // mean prominence of the winning family's harmonics
};

// Looks at the quietest moments of each frequency (hum is there all the time;
// speech is not), so pass a stretch with some pauses: 20-60 s is plenty, and
// the cost is linear in the length. Channels are summed.
HumDetection detect_hum(AudioView audio, double sample_rate);

struct DehumParams {
  double fundamental_hz = 0.0;  // 0: pass through
  int harmonics = 8;            // those at or above 0.45 fs are skipped
  double q = 20.0;              // per notch; bandwidth is f/q
};

class Dehum final : public Processor {
 public:
  static constexpr int kMaxHarmonics = 16;

  explicit Dehum(const DehumParams& params = {});

  const DehumParams& params() const { return params_; }
  int active_notches() const { return num_notches_; }

  void prepare(const ProcessSpec& spec) override;
  void process(AudioView audio) noexcept override;
  void reset() override;

 private:
  DehumParams params_;
  int num_notches_ = 0;
  std::array<BiquadCoeffs, kMaxHarmonics> notches_;
  std::array<BiquadSectionState, kMaxHarmonics> state_{};
};

}  // namespace namix::dsp
