#include "dsp/compressor.h"

#include <algorithm>
#include <cassert>
#include <cmath>

#include "dsp/denormals.h"
#include "dsp/fast_math.h"

namespace namix::dsp {
namespace {

// AES17: the RMS of a full-scale sine is 1/sqrt(2); adding 3.01 dB makes a
// sine's detector level equal its peak level.
constexpr double kSineRmsToPeakDb = 3.0102999566398120;
// Below -150 dB the static curve is the identity whatever the threshold, so
// the log of silence never matters.
constexpr double kFloorMeanSquare = 1e-15;

// One-pole coefficient whose step response reaches 1 - 1/e after `time_ms`.
double one_pole(double time_ms, double fs) {
  return time_ms > 0.0 ? std::exp(-1000.0 / (time_ms * fs)) : 0.0;
}

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
  level_.assign(kScratchFrames, 0.0f);
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

// Passes per stretch of at most kScratchFrames: the level detector (a
// recursion), the static curve (vectorised, float), the attack/release
// smoothing (a recursion) and the gain (vectorised). The two recursions stay
// in double: they are bound by latency, where double costs no more than
// float, and a 150 ms release moves gr by 1.5e-4 of the way per sample,
// which float would round away near the end of a release.
void Compressor::process(AudioView audio) noexcept {
  const ScopedFlushDenormals no_denormals;
  const CompressorParams p = params_;
  const bool stereo = audio.num_channels == 2;
  constexpr float kDbPerLog2Power = 3.0102999566f;  // 10 log10(2)
  constexpr float kLog2PerDbGain = 0.1660964047f;   // log2(10) / 20
  const auto threshold = static_cast<float>(p.threshold_db - kSineRmsToPeakDb);
  const auto half_knee = static_cast<float>(p.knee_db / 2.0);
  const auto slope = static_cast<float>(1.0 - 1.0 / p.ratio);
  const float knee_scale = p.knee_db > 0.0 ? slope / static_cast<float>(2.0 * p.knee_db) : 0.0f;
  const auto makeup = static_cast<float>(p.makeup_db);
  const auto floor_mean_sq = static_cast<float>(kFloorMeanSquare);
  float* level = level_.data();
  double mean_sq = mean_square_;
  double gr = gr_db_;
  for (std::size_t first = 0; first < audio.num_frames; first += kScratchFrames) {
    const std::size_t n = std::min(kScratchFrames, audio.num_frames - first);
    float* l = audio[0] + first;
    float* r = stereo ? audio[1] + first : l;
    // Stereo link: one detector on the louder channel, one gain for both, so
    // the stereo image does not move.
    for (std::size_t i = 0; i < n; ++i) {
      const double x2 =
          std::max(static_cast<double>(l[i]) * l[i], static_cast<double>(r[i]) * r[i]);
      mean_sq = x2 + rms_coeff_ * (mean_sq - x2);
      level[i] = static_cast<float>(mean_sq);
    }
    // Gain reduction from the static curve (compressor_gain_reduction_db),
    // with the level in dB relative to the threshold; below the knee it is 0.
    for (std::size_t i = 0; i < n; ++i) {
      const float over =
          kDbPerLog2Power * fast_log2((level[i] > floor_mean_sq ? level[i] : floor_mean_sq)) -
          threshold;
      const float x = over + half_knee;
      const float in_knee = knee_scale * x * x;
      const float above = slope * over;
      float target = over < half_knee ? in_knee : above;
      target = over <= -half_knee ? 0.0f : target;
      level[i] = target;
    }
    for (std::size_t i = 0; i < n; ++i) {
      const double target = level[i];
      const double coeff = target > gr ? attack_coeff_ : release_coeff_;
      gr = target + coeff * (gr - target);
      // A release that has come within 1e-9 dB of no reduction is done.
      gr = gr < 1e-9 ? 0.0 : gr;
      level[i] = static_cast<float>(gr);
    }
    for (std::size_t i = 0; i < n; ++i) level[i] = fast_exp2((makeup - level[i]) * kLog2PerDbGain);
    for (std::size_t i = 0; i < n; ++i) l[i] *= level[i];
    if (stereo) {
      for (std::size_t i = 0; i < n; ++i) r[i] *= level[i];
    }
  }
  mean_square_ = mean_sq;
  gr_db_ = gr;
}

}  // namespace namix::dsp
