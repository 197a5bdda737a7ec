#include "dsp/compressor.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cmath>
#include <cstdint>

#include "dsp/denormals.h"

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

// Per-sample log and exp in float, written so the compiler vectorises them
// (libm's log10/pow are calls it cannot). Error bounds, checked against
// libm in compressor_test.cc:
//  - fast_log2: mantissa folded into [sqrt(1/2), sqrt(2)), then the atanh
//    series to t^9 (truncation < 1e-9); with float rounding the error is
//    < 3e-7 + 6e-8 |log2 x|, i.e. < 1e-5 dB for powers down to -150 dB;
//    exactly 0 at 1.
//  - fast_exp2: 2^round(x) times the Taylor series of 2^f, |f| <= 1/2, to
//    f^7 (truncation < 1e-8): relative error < 4e-7 (3.5e-6 dB) with
//    float rounding; exactly 1 at 0.
inline float fast_log2(float x) {
  const auto bits = std::bit_cast<std::uint32_t>(x);
  // Exponent relative to a mantissa in [sqrt(1/2), sqrt(2)): 0x3f3504f3 is sqrt(1/2).
  const std::uint32_t offset = bits - 0x3f3504f3u;
  const auto exponent = static_cast<float>(static_cast<std::int32_t>(offset) >> 23);
  const float m = std::bit_cast<float>((offset & 0x007fffffu) + 0x3f3504f3u);
  const float t = (m - 1.0f) / (m + 1.0f);
  const float t2 = t * t;
  // 2/ln2 * atanh(t) = 2/ln2 * (t + t^3/3 + t^5/5 + t^7/7 + t^9/9)
  const float series =
      t * (2.8853900818f +
           t2 * (0.9617966939f + t2 * (0.5770780164f + t2 * (0.4121985831f + t2 * 0.3205988980f))));
  return exponent + series;
}

inline float fast_exp2(float x) {
  // Plain selects, not std::clamp (it returns a reference, which the
  // vectoriser sees as control flow).
  x = x < -126.0f ? -126.0f : x;
  x = x > 126.0f ? 126.0f : x;
  // Round to nearest by the 1.5 x 2^23 trick: nearbyint is a libm call
  // without SSE4.1, which would stop the loop vectorising.
  constexpr float kRound = 12582912.0f;
  const float whole = (x + kRound) - kRound;
  const float f = (x - whole) * 0.6931471806f;  // f ln2, |f ln2| <= 0.347
  const float poly =
      1.0f +
      f * (1.0f +
           f * (0.5f + f * (1.6666667e-1f +
                            f * (4.1666668e-2f +
                                 f * (8.3333338e-3f + f * (1.3888889e-3f + f * 1.9841270e-4f))))));
  const auto scale = std::bit_cast<float>(
      static_cast<std::uint32_t>((static_cast<std::int32_t>(whole) + 127) << 23));
  return poly * scale;
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

// Three passes per stretch of at most kScratchFrames: the level detector
// (a recursion, in double), the static curve (vectorised, float), the
// attack/release smoothing (a recursion) and the gain (vectorised).
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
  const auto floor_ms = static_cast<float>(kFloorMeanSquare);
  float* level = level_.data();
  double ms = mean_square_;
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
      ms = x2 + rms_coeff_ * (ms - x2);
      level[i] = static_cast<float>(ms);
    }
    // Gain reduction from the static curve (compressor_gain_reduction_db),
    // with the level in dB relative to the threshold; below the knee it is 0.
    for (std::size_t i = 0; i < n; ++i) {
      const float over =
          kDbPerLog2Power * fast_log2((level[i] > floor_ms ? level[i] : floor_ms)) - threshold;
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
  mean_square_ = ms;
  gr_db_ = gr;
}

}  // namespace namix::dsp
