#include "dsp/biquad.h"

#include <cassert>
#include <cmath>
#include <complex>
#include <numbers>

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

double magnitude_db(const BiquadCoeffs& c, double fs, double freq_hz) {
  const std::complex<double> z1 = std::polar(1.0, -2.0 * std::numbers::pi * freq_hz / fs);
  const std::complex<double> z2 = z1 * z1;
  const std::complex<double> h = (c.b0 + c.b1 * z1 + c.b2 * z2) / (1.0 + c.a1 * z1 + c.a2 * z2);
  return 20.0 * std::log10(std::abs(h));
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

void Biquad::process(AudioView audio) noexcept {
  const BiquadCoeffs c = coeffs_;
  const int sections = params_.cascade;
  for (int ch = 0; ch < audio.num_channels; ++ch) {
    float* x = audio[ch];
    auto& st = state_[static_cast<std::size_t>(ch)];
    for (int s = 0; s < sections; ++s) {
      // Section by section over the block keeps each loop's state in registers.
      double s1 = st[static_cast<std::size_t>(s)].s1;
      double s2 = st[static_cast<std::size_t>(s)].s2;
      for (std::size_t n = 0; n < audio.num_frames; ++n) {
        const double in = x[n];
        const double out = c.b0 * in + s1;
        s1 = c.b1 * in - c.a1 * out + s2;
        s2 = c.b2 * in - c.a2 * out;
        x[n] = static_cast<float>(out);
      }
      st[static_cast<std::size_t>(s)].s1 = s1;
      st[static_cast<std::size_t>(s)].s2 = s2;
    }
  }
}

}  // namespace namix::dsp
