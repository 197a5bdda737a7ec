#include "dsp/compressor.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace namix::dsp {
namespace {

// AES17: the RMS of a full-scale sine is 1/sqrt(2); adding 3.01 dB makes a
// sine's detector level equal its peak level.
constexpr double kSineRmsToPeakDb = 3.0102999566398120;
// Below -150 dB the static curve is the identity whatever the threshold, so
// the log of silence never matters.
constexpr double kFloorMeanSquare = 1e-15;

// One-pole coefficient whose step response reaches 1 - 1/e after `ms`.
double one_pole(double ms, double fs) { return ms > 0.0 ? std::exp(-1000.0 / (ms * fs)) : 0.0; }

}  // namespace

double compressor_gain_reduction_db(const CompressorParams& p, double level_db) {
  const double over = level_db - p.threshold_db;
  const double slope = 1.0 - 1.0 / p.ratio;
  const double half_knee = p.knee_db / 2.0;
  if (over <= -half_knee) return 0.0;
  if (over < half_knee) {
    const double x = over + half_knee;
    return slope * x * x / (2.0 * p.knee_db);
  }
  return slope * over;
}

Compressor::Compressor(const CompressorParams& params) : params_(params) {
  assert(params.ratio >= 1.0 && params.knee_db >= 0.0);
}

void Compressor::set_params(const CompressorParams& params) {
  assert(params.ratio >= 1.0 && params.knee_db >= 0.0);
  params_ = params;
  update_coefficients();
}

void Compressor::prepare(const ProcessSpec& spec) {
  sample_rate_ = spec.sample_rate;
  update_coefficients();
  reset();
}

void Compressor::update_coefficients() {
  rms_coeff_ = one_pole(params_.rms_window_ms, sample_rate_);
  attack_coeff_ = one_pole(params_.attack_ms, sample_rate_);
  release_coeff_ = one_pole(params_.release_ms, sample_rate_);
}

void Compressor::reset() {
  mean_square_ = 0.0;
  gr_db_ = 0.0;
}

void Compressor::process(AudioView audio) noexcept {
  const CompressorParams p = params_;
  // Below this mean square the curve gives no reduction: skip the logs.
  const double knee_start_ms =
      std::pow(10.0, (p.threshold_db - p.knee_db / 2.0 - kSineRmsToPeakDb) / 10.0);
  double ms = mean_square_;
  double gr = gr_db_;
  double last_gr = gr;
  auto g = static_cast<float>(std::pow(10.0, (p.makeup_db - gr) / 20.0));
  const bool stereo = audio.num_channels == 2;
  float* l = audio[0];
  float* r = stereo ? audio[1] : nullptr;
  for (std::size_t n = 0; n < audio.num_frames; ++n) {
    // Stereo link: one detector on the louder channel, one gain for both, so
    // the stereo image does not move.
    double x2 = static_cast<double>(l[n]) * l[n];
    if (stereo) x2 = std::max(x2, static_cast<double>(r[n]) * r[n]);
    ms = x2 + rms_coeff_ * (ms - x2);
    double target = 0.0;
    if (ms > knee_start_ms) {
      const double level_db = 10.0 * std::log10(std::max(ms, kFloorMeanSquare)) + kSineRmsToPeakDb;
      target = compressor_gain_reduction_db(p, level_db);
    }
    const double coeff = target > gr ? attack_coeff_ : release_coeff_;
    gr = target + coeff * (gr - target);
    // A release that has come within 1e-9 dB of no reduction is done; this
    // keeps gr out of denormals and lets the gain below be reused.
    if (gr < 1e-9) gr = 0.0;
    if (gr != last_gr) {
      g = static_cast<float>(std::pow(10.0, (p.makeup_db - gr) / 20.0));
      last_gr = gr;
    }
    l[n] *= g;
    if (stereo) r[n] *= g;
  }
  mean_square_ = ms;
  gr_db_ = gr;
}

}  // namespace namix::dsp
