#include "analysis/envelope_high_pass.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <numbers>
#include <random>
#include <vector>

#include "dsp/decibels.h"

namespace namix {
namespace {

// Speech-like test signal: noise whose level jumps every 0.3 s over 60 dB,
// with a stretch of digital silence where a split seam falls after loud
// input (a chain settled from silence cannot match a state that decays
// towards zero there, so that seam is filtered again).
std::vector<float> bursts(std::size_t n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> g(0.0f, 1.0f);
  std::uniform_real_distribution<float> level_db(-60.0f, 0.0f);
  std::vector<float> x(n);
  float gain = 0.1f;
  for (std::size_t i = 0; i < n; ++i) {
    if (i % 3300 == 0) gain = dsp::db_to_gain(level_db(rng));
    x[i] = gain * g(rng);
  }
  return x;
}

void expect_same_as_serial(const HighPassCoeffs& c, const std::vector<float>& x,
                           HighPassState start, const char* what) {
  HighPassState serial = start, split = start;
  std::vector<float> e_serial(x.size()), e_split(x.size(), -1.0f);
  high_pass_energy(c, serial, x.data(), x.size(), e_serial.data());
  high_pass_energy_split(c, split, x.data(), x.size(), e_split.data());
  EXPECT_TRUE(same_bits(serial, split)) << what;
  // (memcmp must not see an empty vector's null data(), even for 0 bytes.)
  if (!x.empty()) {
    EXPECT_EQ(std::memcmp(e_serial.data(), e_split.data(), x.size() * sizeof(float)), 0) << what;
  }
}

TEST(EnvelopeHighPass, SplitEqualsSerialBitForBit) {
  for (int fs : {8000, 11025, 12000, 16000, 48000}) {
    const HighPassCoeffs c = envelope_high_pass_coeffs(fs);
    for (std::size_t n : {0u, 1u, 1000u, 4099u, 8192u, 16411u, 100003u}) {
      const auto x = bursts(n, static_cast<std::uint32_t>(n + 7));
      expect_same_as_serial(c, x, {0.013f, -0.021f},
                            (std::to_string(fs) + " Hz, n = " + std::to_string(n)).c_str());
    }
  }
}

TEST(EnvelopeHighPass, SplitEqualsSerialWhereASeamFallsInDigitalSilence) {
  const HighPassCoeffs c = envelope_high_pass_coeffs(11025);
  const std::size_t n = 16384;
  for (std::size_t silence_from : {n / 4 - 300, n / 2 - 2000, 3 * n / 4 - 50}) {
    auto x = bursts(n, 5);
    for (std::size_t i = silence_from; i < silence_from + 3000; ++i) x[i] = 0.0f;
    expect_same_as_serial(c, x, {}, std::to_string(silence_from).c_str());
  }
}

TEST(EnvelopeHighPass, IsA200HzButterworthHighPass) {
  // |H|^2 of a 2nd-order Butterworth high-pass: 1 / (1 + (fc/f)^4) up to the
  // bilinear warping (< 0.1 dB here); measured on a settled sine's energy.
  const int fs = 11025;
  const HighPassCoeffs c = envelope_high_pass_coeffs(fs);
  for (double f : {50.0, 200.0, 1000.0}) {
    std::vector<float> x(static_cast<std::size_t>(fs));
    for (std::size_t i = 0; i < x.size(); ++i)
      x[i] = static_cast<float>(std::sin(2.0 * std::numbers::pi * f * double(i) / fs));
    std::vector<float> e(x.size());
    HighPassState s;
    high_pass_energy(c, s, x.data(), x.size(), e.data());
    double sum = 0.0;
    for (std::size_t i = x.size() / 2; i < x.size(); ++i) sum += e[i];
    const double gain_db = 10.0 * std::log10(sum / double(x.size() / 2) / 0.5);
    const double expected_db = -10.0 * std::log10(1.0 + std::pow(200.0 / f, 4.0));
    EXPECT_NEAR(gain_db, expected_db, 0.15) << f;
  }
}

}  // namespace
}  // namespace namix
