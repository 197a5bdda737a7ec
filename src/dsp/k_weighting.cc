#include "dsp/k_weighting.h"

#include <cmath>
#include <complex>
#include <numbers>

#include "dsp/decibels.h"

namespace namix::dsp {
namespace {

constexpr double kTableRateHz = 48000.0;

BiquadCoeffs design_shelf(double fs) {
  const double f0 = 1681.974450955533, gain_db = 3.999843853973347, q = 0.7071752369554196;
  const double k = std::tan(std::numbers::pi * f0 / fs);
  const double vh = db_to_gain(gain_db);
  const double vb = std::pow(vh, 0.4996667741545416);
  const double a0 = 1.0 + k / q + k * k;
  return {(vh + vb * k / q + k * k) / a0, 2.0 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0,
          2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0};
}

BiquadCoeffs design_rlb_highpass(double fs) {
  const double f0 = 38.13547087602444, q = 0.5003270373238773;
  const double k = std::tan(std::numbers::pi * f0 / fs);
  const double a0 = 1.0 + k / q + k * k;
  // The numerator is 1, -2, 1 unnormalised, as in the standard.
  return {1.0, -2.0, 1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0};
}

}  // namespace

KWeightingCoeffs design_k_weighting(double fs) {
  return {design_shelf(fs), design_rlb_highpass(fs)};
}

double k_weighting_power_gain(double frequency_hz) {
  static const KWeightingCoeffs k = design_k_weighting(kTableRateHz);
  return std::norm(frequency_response(k[0], kTableRateHz, frequency_hz) *
                   frequency_response(k[1], kTableRateHz, frequency_hz));
}

}  // namespace namix::dsp
