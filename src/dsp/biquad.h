// RBJ "Audio EQ Cookbook" biquads: coefficient design as pure functions in
// double, kept apart from the filter state that runs them.
#pragma once

#include <array>
#include <complex>
#include <cstddef>
#include <vector>

#include "dsp/processor.h"

namespace namix::dsp {

// Normalised so that a0 == 1:
// y[n] = b0 x[n] + b1 x[n-1] + b2 x[n-2] - a1 y[n-1] - a2 y[n-2].
struct BiquadCoeffs {
  double b0 = 1.0, b1 = 0.0, b2 = 0.0, a1 = 0.0, a2 = 0.0;
};

inline constexpr double kButterworthQ = 0.70710678118654752;

BiquadCoeffs design_highpass(double fs, double cutoff_hz, double q = kButterworthQ);
BiquadCoeffs design_lowpass(double fs, double cutoff_hz, double q = kButterworthQ);
BiquadCoeffs design_peaking(double fs, double f0_hz, double q, double gain_db);
// `slope` is the cookbook's shelf slope S; 1.0 is the steepest without overshoot.
BiquadCoeffs design_low_shelf(double fs, double f0_hz, double gain_db, double slope = 1.0);
BiquadCoeffs design_high_shelf(double fs, double f0_hz, double gain_db, double slope = 1.0);
BiquadCoeffs design_notch(double fs, double f0_hz, double q);
// An identity filter: the cookbook has none, but a chain stage may need one.
BiquadCoeffs design_identity();

// H(e^jw) at `freq_hz`, and |H| in dB.
std::complex<double> frequency_response(const BiquadCoeffs& c, double fs, double freq_hz);
double magnitude_db(const BiquadCoeffs& c, double fs, double freq_hz);

enum class FilterType { highpass, lowpass, peaking, low_shelf, high_shelf, notch };

// What a theme asks for; designed against the sample rate at prepare().
struct BiquadParams {
  FilterType type = FilterType::peaking;
  double frequency_hz = 1000.0;
  double q = kButterworthQ;  // peaking, notch, HPF/LPF; ignored by shelves
  double gain_db = 0.0;      // peaking and shelves
  double shelf_slope = 1.0;  // shelves only
  // Identical sections in series: 2 makes a 24 dB/oct HPF/LPF (Linkwitz-Riley
  // style when q is Butterworth).
  int cascade = 1;
};

BiquadCoeffs design(const BiquadParams& p, double fs);

// State of one transposed-direct-form-II section, per channel.
struct BiquadState {
  double s1 = 0.0, s2 = 0.0;
};
using BiquadSectionState = std::array<BiquadState, kMaxChannels>;

// Up to this many sections run in one pass over a block.
inline constexpr int kMaxFusedSections = 4;

// Runs `count` sections in series, each with its own coefficients and
// state, in one pass: each section's recursion is a chain of dependent
// multiply-adds, and a pass that runs several (and both channels) at once
// lets them overlap. Cascades longer than kMaxFusedSections take more calls.
void run_biquad_sections(const BiquadCoeffs* coeffs, BiquadSectionState* state, int count,
                         AudioView audio) noexcept;

// Transposed direct form II with double state: at 60 Hz and 44.1 kHz the
// poles sit within 1e-3 of the unit circle, where float state would add
// audible noise and drift. Double costs nothing here: the loop is bound by
// the latency of its recursion, not by arithmetic width, and stereo runs
// both channels in one SSE2 register. Cascaded sections run in one pass and
// hand on double, not float, between sections.
class Biquad final : public Processor {
 public:
  static constexpr int kMaxCascade = kMaxFusedSections;

  explicit Biquad(const BiquadParams& params = {});

  void set_params(const BiquadParams& params);  // redesigns if already prepared
  const BiquadParams& params() const { return params_; }
  const BiquadCoeffs& coeffs() const { return coeffs_; }

  void prepare(const ProcessSpec& spec) override;
  void process(AudioView audio) noexcept override;
  void reset() override;

 private:
  BiquadParams params_;
  BiquadCoeffs coeffs_;
  double sample_rate_ = 0.0;
  std::array<BiquadSectionState, kMaxCascade> state_{};
};

// Different biquads in series as one stage: a theme's run of EQ stages
// (HPF, shelves, peaking, LPF) becomes one of these, so the run costs one
// pass per four sections instead of one pass per stage.
class BiquadSeries final : public Processor {
 public:
  // Before prepare(); a cascade of n identical sections counts as n.
  void add(const BiquadParams& params);
  int num_sections() const { return static_cast<int>(coeffs_.size()); }

  void prepare(const ProcessSpec& spec) override;
  void process(AudioView audio) noexcept override;
  void reset() override;

 private:
  std::vector<BiquadParams> params_;
  std::vector<BiquadCoeffs> coeffs_;
  std::vector<BiquadSectionState> state_;
};

}  // namespace namix::dsp
