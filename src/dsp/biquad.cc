#include "dsp/biquad.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <complex>
#include <numbers>

#include "dsp/denormals.h"

namespace namix::dsp {
namespace {

struct Raw {
  double b0, b1, b2, a0, a1, a2;
};

BiquadCoeffs normalise(const Raw& r) {
  return BiquadCoeffs{r.b0 / r.a0, r.b1 / r.a0, r.b2 / r.a0, r.a1 / r.a0, r.a2 / r.a0};
}

double omega(double fs, double f0_hz) {
  assert(fs > 0.0 && f0_hz > 0.0 && f0_hz < fs / 2.0);
  return 2.0 * std::numbers::pi * f0_hz / fs;
}

}  // namespace

BiquadCoeffs design_highpass(double fs, double cutoff_hz, double q) {
  const double w0 = omega(fs, cutoff_hz);
  const double cw = std::cos(w0);
  const double alpha = std::sin(w0) / (2.0 * q);
  return normalise(
      {(1.0 + cw) / 2.0, -(1.0 + cw), (1.0 + cw) / 2.0, 1.0 + alpha, -2.0 * cw, 1.0 - alpha});
}

BiquadCoeffs design_lowpass(double fs, double cutoff_hz, double q) {
  const double w0 = omega(fs, cutoff_hz);
  const double cw = std::cos(w0);
  const double alpha = std::sin(w0) / (2.0 * q);
  return normalise(
      {(1.0 - cw) / 2.0, 1.0 - cw, (1.0 - cw) / 2.0, 1.0 + alpha, -2.0 * cw, 1.0 - alpha});
}

BiquadCoeffs design_peaking(double fs, double f0_hz, double q, double gain_db) {
  const double a = std::pow(10.0, gain_db / 40.0);
  const double w0 = omega(fs, f0_hz);
  const double cw = std::cos(w0);
  const double alpha = std::sin(w0) / (2.0 * q);
  return normalise(
      {1.0 + alpha * a, -2.0 * cw, 1.0 - alpha * a, 1.0 + alpha / a, -2.0 * cw, 1.0 - alpha / a});
}

BiquadCoeffs design_low_shelf(double fs, double f0_hz, double gain_db, double slope) {
  const double a = std::pow(10.0, gain_db / 40.0);
  const double w0 = omega(fs, f0_hz);
  const double cw = std::cos(w0);
  const double alpha = std::sin(w0) / 2.0 * std::sqrt((a + 1.0 / a) * (1.0 / slope - 1.0) + 2.0);
  const double k = 2.0 * std::sqrt(a) * alpha;
  return normalise({a * ((a + 1.0) - (a - 1.0) * cw + k), 2.0 * a * ((a - 1.0) - (a + 1.0) * cw),
                    a * ((a + 1.0) - (a - 1.0) * cw - k), (a + 1.0) + (a - 1.0) * cw + k,
                    -2.0 * ((a - 1.0) + (a + 1.0) * cw), (a + 1.0) + (a - 1.0) * cw - k});
}

BiquadCoeffs design_high_shelf(double fs, double f0_hz, double gain_db, double slope) {
  const double a = std::pow(10.0, gain_db / 40.0);
  const double w0 = omega(fs, f0_hz);
  const double cw = std::cos(w0);
  const double alpha = std::sin(w0) / 2.0 * std::sqrt((a + 1.0 / a) * (1.0 / slope - 1.0) + 2.0);
  const double k = 2.0 * std::sqrt(a) * alpha;
  return normalise({a * ((a + 1.0) + (a - 1.0) * cw + k), -2.0 * a * ((a - 1.0) + (a + 1.0) * cw),
                    a * ((a + 1.0) + (a - 1.0) * cw - k), (a + 1.0) - (a - 1.0) * cw + k,
                    2.0 * ((a - 1.0) - (a + 1.0) * cw), (a + 1.0) - (a - 1.0) * cw - k});
}

BiquadCoeffs design_notch(double fs, double f0_hz, double q) {
  const double w0 = omega(fs, f0_hz);
  const double cw = std::cos(w0);
  const double alpha = std::sin(w0) / (2.0 * q);
  return normalise({1.0, -2.0 * cw, 1.0, 1.0 + alpha, -2.0 * cw, 1.0 - alpha});
}

BiquadCoeffs design_identity() { return BiquadCoeffs{}; }

std::complex<double> frequency_response(const BiquadCoeffs& c, double fs, double freq_hz) {
  const std::complex<double> z1 = std::polar(1.0, -2.0 * std::numbers::pi * freq_hz / fs);
  const std::complex<double> z2 = z1 * z1;
  return (c.b0 + c.b1 * z1 + c.b2 * z2) / (1.0 + c.a1 * z1 + c.a2 * z2);
}

double magnitude_db(const BiquadCoeffs& c, double fs, double freq_hz) {
  return 20.0 * std::log10(std::abs(frequency_response(c, fs, freq_hz)));
}

BiquadCoeffs design(const BiquadParams& p, double fs) {
  switch (p.type) {
    case FilterType::highpass:
      return design_highpass(fs, p.frequency_hz, p.q);
    case FilterType::lowpass:
      return design_lowpass(fs, p.frequency_hz, p.q);
    case FilterType::peaking:
      return design_peaking(fs, p.frequency_hz, p.q, p.gain_db);
    case FilterType::low_shelf:
      return design_low_shelf(fs, p.frequency_hz, p.gain_db, p.shelf_slope);
    case FilterType::high_shelf:
      return design_high_shelf(fs, p.frequency_hz, p.gain_db, p.shelf_slope);
    case FilterType::notch:
      return design_notch(fs, p.frequency_hz, p.q);
  }
  return design_identity();
}

Biquad::Biquad(const BiquadParams& params) : params_(params) {
  assert(params.cascade >= 1 && params.cascade <= kMaxCascade);
}

void Biquad::set_params(const BiquadParams& params) {
  assert(params.cascade >= 1 && params.cascade <= kMaxCascade);
  params_ = params;
  if (sample_rate_ > 0.0) coeffs_ = design(params_, sample_rate_);
}

void Biquad::prepare(const ProcessSpec& spec) {
  sample_rate_ = spec.sample_rate;
  coeffs_ = design(params_, sample_rate_);
  reset();
}

void Biquad::reset() { state_ = {}; }

namespace {

// Two channels in one SSE2 register of doubles: the filter recursion is a
// chain of dependent multiply-adds, so the way to go faster is to run
// independent chains side by side (both channels, and all cascaded sections
// in one pass, which the CPU overlaps).
using Double2 = double __attribute__((vector_size(16)));

struct StereoFrames {
  using T = Double2;
  static T load(float* const* x, std::size_t n) {
    return T{static_cast<double>(x[0][n]), static_cast<double>(x[1][n])};
  }
  static void store(float* const* x, std::size_t n, T v) {
    x[0][n] = static_cast<float>(v[0]);
    x[1][n] = static_cast<float>(v[1]);
  }
};

struct MonoFrames {
  using T = double;
  static T load(float* const* x, std::size_t n) { return static_cast<double>(x[0][n]); }
  static void store(float* const* x, std::size_t n, T v) { x[0][n] = static_cast<float>(v); }
};

template <typename Frames, int kSections>
void run_sections(const BiquadCoeffs* c, typename Frames::T* s1, typename Frames::T* s2,
                  float* const* x, std::size_t frames) noexcept {
  using T = typename Frames::T;
  T b0[kSections], b1[kSections], b2[kSections], a1[kSections], a2[kSections];
  T st1[kSections], st2[kSections];
  for (int s = 0; s < kSections; ++s) {
    b0[s] = T{} + c[s].b0;
    b1[s] = T{} + c[s].b1;
    b2[s] = T{} + c[s].b2;
    a1[s] = T{} + c[s].a1;
    a2[s] = T{} + c[s].a2;
    st1[s] = s1[s];
    st2[s] = s2[s];
  }
  for (std::size_t n = 0; n < frames; ++n) {
    T in = Frames::load(x, n);
#pragma GCC unroll 4
    for (int s = 0; s < kSections; ++s) {
      const T out = b0[s] * in + st1[s];
      st1[s] = b1[s] * in - a1[s] * out + st2[s];
      st2[s] = b2[s] * in - a2[s] * out;
      in = out;
    }
    Frames::store(x, n, in);
  }
  for (int s = 0; s < kSections; ++s) {
    s1[s] = st1[s];
    s2[s] = st2[s];
  }
}

template <typename Frames>
void run(const BiquadCoeffs* c, int sections, typename Frames::T* s1, typename Frames::T* s2,
         float* const* x, std::size_t frames) noexcept {
  switch (sections) {
    case 1:
      return run_sections<Frames, 1>(c, s1, s2, x, frames);
    case 2:
      return run_sections<Frames, 2>(c, s1, s2, x, frames);
    case 3:
      return run_sections<Frames, 3>(c, s1, s2, x, frames);
    default:
      return run_sections<Frames, 4>(c, s1, s2, x, frames);
  }
}

}  // namespace

void run_biquad_sections(const BiquadCoeffs* coeffs, BiquadSectionState* state, int count,
                         AudioView audio) noexcept {
  assert(count >= 1 && count <= kMaxFusedSections);
  const ScopedFlushDenormals no_denormals;
  const auto sections = static_cast<std::size_t>(count);
  if (audio.num_channels == 2) {
    Double2 s1[kMaxFusedSections], s2[kMaxFusedSections];
    for (std::size_t s = 0; s < sections; ++s) {
      s1[s] = Double2{state[s][0].s1, state[s][1].s1};
      s2[s] = Double2{state[s][0].s2, state[s][1].s2};
    }
    run<StereoFrames>(coeffs, count, s1, s2, audio.channel.data(), audio.num_frames);
    for (std::size_t s = 0; s < sections; ++s) {
      state[s][0] = {s1[s][0], s2[s][0]};
      state[s][1] = {s1[s][1], s2[s][1]};
    }
    return;
  }
  for (int ch = 0; ch < audio.num_channels; ++ch) {
    const auto c = static_cast<std::size_t>(ch);
    double s1[kMaxFusedSections], s2[kMaxFusedSections];
    for (std::size_t s = 0; s < sections; ++s) {
      s1[s] = state[s][c].s1;
      s2[s] = state[s][c].s2;
    }
    float* x[1] = {audio[ch]};
    run<MonoFrames>(coeffs, count, s1, s2, x, audio.num_frames);
    for (std::size_t s = 0; s < sections; ++s) state[s][c] = {s1[s], s2[s]};
  }
}

void Biquad::process(AudioView audio) noexcept {
  BiquadCoeffs c[kMaxCascade];
  for (auto& section : c) section = coeffs_;
  run_biquad_sections(c, state_.data(), params_.cascade, audio);
}

void BiquadSeries::add(const BiquadParams& params) {
  assert(params.cascade >= 1 && params.cascade <= Biquad::kMaxCascade);
  params_.push_back(params);
  for (int i = 0; i < params.cascade; ++i) coeffs_.push_back(design_identity());
  state_.resize(coeffs_.size());
}

void BiquadSeries::prepare(const ProcessSpec& spec) {
  coeffs_.clear();
  for (const BiquadParams& p : params_) {
    for (int i = 0; i < p.cascade; ++i) coeffs_.push_back(design(p, spec.sample_rate));
  }
  state_.assign(coeffs_.size(), BiquadSectionState{});
}

void BiquadSeries::reset() { std::fill(state_.begin(), state_.end(), BiquadSectionState{}); }

void BiquadSeries::process(AudioView audio) noexcept {
  const int total = num_sections();
  for (int first = 0; first < total; first += kMaxFusedSections) {
    const auto k = static_cast<std::size_t>(first);
    run_biquad_sections(coeffs_.data() + k, state_.data() + k,
                        std::min(kMaxFusedSections, total - first), audio);
  }
}

}  // namespace namix::dsp
