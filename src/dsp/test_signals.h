// Deterministic signals and measurements shared by the dsp tests and bench.
// Header-only and not part of namix_dsp: nothing in the product uses it.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>
#include <vector>

#include "core/audio_buffer.h"
#include "dsp/decibels.h"

namespace namix::dsp::testing {

// xorshift64*: same numbers on every platform, unlike std:: distributions.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : s_(seed * 2654435761u + 0x9E3779B97F4A7C15ull) {}
  double uniform() {  // [0, 1)
    s_ ^= s_ >> 12;
    s_ ^= s_ << 25;
    s_ ^= s_ >> 27;
    return static_cast<double>((s_ * 2685821657736338717ull) >> 11) * (1.0 / 9007199254740992.0);
  }
  double gaussian() {  // Box-Muller, one of the pair
    const double u1 = std::max(uniform(), 1e-300);
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  }

 private:
  std::uint64_t s_;
};

// Sine with the given peak level in dBFS.
inline std::vector<float> sine(double fs, double freq_hz, double peak_dbfs, std::size_t frames,
                               double phase_rad = 0.0) {
  std::vector<float> v(frames);
  const double a = db_to_gain(peak_dbfs);
  for (std::size_t n = 0; n < frames; ++n) {
    v[n] = static_cast<float>(
        a * std::sin(2.0 * std::numbers::pi * freq_hz * static_cast<double>(n) / fs + phase_rad));
  }
  return v;
}

// Gaussian white noise with the given RMS in dBFS.
inline std::vector<float> white_noise(std::uint64_t seed, double rms_dbfs, std::size_t frames) {
  Rng rng(seed);
  const double a = db_to_gain(rms_dbfs);
  std::vector<float> v(frames);
  for (auto& s : v) s = static_cast<float>(a * rng.gaussian());
  return v;
}

// A speech-like voice: a harmonic complex whose pitch wanders (so it never
// sits on a mains harmonic), shaped by 3-6 Hz syllables with short pauses
// between phrases. Returns samples whose RMS over voiced parts is about
// `level_dbfs`; `voiced` (if given) marks samples inside phrases.
inline std::vector<float> speech_like(std::uint64_t seed, double fs, double level_dbfs,
                                      std::size_t frames, double f0_hz = 140.0,
                                      std::vector<bool>* voiced = nullptr) {
  Rng rng(seed);
  std::vector<float> v(frames, 0.0f);
  if (voiced) voiced->assign(frames, false);
  double phase = 0.0, pitch = f0_hz, pitch_target = f0_hz;
  std::size_t n = 0;
  std::vector<double> raw(frames, 0.0);
  while (n < frames) {
    // A phrase of 0.8-2.5 s, then a pause of 0.25-0.6 s.
    const auto phrase = static_cast<std::size_t>((0.8 + 1.7 * rng.uniform()) * fs);
    const auto pause = static_cast<std::size_t>((0.25 + 0.35 * rng.uniform()) * fs);
    const double syllable_hz = 3.0 + 3.0 * rng.uniform();
    const std::size_t end = std::min(frames, n + phrase);
    for (std::size_t i = n; i < end; ++i) {
      if ((i - n) % 2048 == 0) pitch_target = f0_hz * (0.8 + 0.4 * rng.uniform());
      pitch += (pitch_target - pitch) * 0.0005;
      phase += 2.0 * std::numbers::pi * pitch / fs;
      if (phase > 2.0 * std::numbers::pi) phase -= 2.0 * std::numbers::pi;
      double s = 0.0;
      for (int h = 1; h <= 12; ++h) s += std::sin(h * phase) / h;
      s += 0.3 * rng.gaussian();  // breath and fricatives
      const double t = static_cast<double>(i - n) / fs;
      const double env = 0.15 + 0.85 * std::pow(std::sin(std::numbers::pi * syllable_hz * t), 2.0);
      const double edge = std::min(1.0, std::min(t, static_cast<double>(end - i) / fs) / 0.02);
      raw[i] = s * env * edge;
      if (voiced) (*voiced)[i] = true;
    }
    n = std::min(frames, end + pause);
  }
  double acc = 0.0;
  std::size_t count = 0;
  for (std::size_t i = 0; i < frames; ++i) {
    if (raw[i] != 0.0) {
      acc += raw[i] * raw[i];
      ++count;
    }
  }
  const double scale =
      count ? db_to_gain(level_dbfs) / std::sqrt(acc / static_cast<double>(count)) : 0.0;
  for (std::size_t i = 0; i < frames; ++i) v[i] = static_cast<float>(raw[i] * scale);
  return v;
}

inline double rms_db(const float* x, std::size_t n) {
  double acc = 0.0;
  for (std::size_t i = 0; i < n; ++i) acc += static_cast<double>(x[i]) * x[i];
  return 10.0 * std::log10(acc / static_cast<double>(n) + 1e-30);
}
inline double rms_db(const std::vector<float>& x, std::size_t first = 0, std::size_t count = 0) {
  if (count == 0) count = x.size() - first;
  return rms_db(x.data() + first, count);
}

inline double peak_abs(const std::vector<float>& x) {
  double p = 0.0;
  for (float s : x) p = std::max(p, static_cast<double>(std::fabs(s)));
  return p;
}

// Amplitude of the component at `freq_hz` (Hann-windowed Goertzel, so a sine
// of amplitude A reads A).
inline double tone_amplitude(const float* x, std::size_t n, double fs, double freq_hz) {
  const double w = 2.0 * std::numbers::pi * freq_hz / fs;
  const double coeff = 2.0 * std::cos(w);
  double s1 = 0.0, s2 = 0.0, wsum = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double win = 0.5 - 0.5 * std::cos(2.0 * std::numbers::pi * static_cast<double>(i) /
                                            static_cast<double>(n));
    wsum += win;
    const double s0 = win * x[i] + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const double power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  return 2.0 * std::sqrt(std::max(power, 0.0)) / wsum;
}

// Builds a planar stereo buffer from one or two channels.
inline AudioBuffer make_buffer(const std::vector<float>& left,
                               const std::vector<float>* right = nullptr) {
  AudioBuffer b(right ? 2 : 1, left.size());
  std::copy(left.begin(), left.end(), b.channel(0));
  if (right) std::copy(right->begin(), right->end(), b.channel(1));
  return b;
}

inline std::vector<float> channel_copy(const AudioBuffer& b, int ch) {
  return std::vector<float>(b.channel(ch), b.channel(ch) + b.num_frames());
}

}  // namespace namix::dsp::testing
