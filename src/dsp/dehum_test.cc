#include "dsp/dehum.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "dsp/test_signals.h"

namespace namix::dsp {
namespace {

constexpr double kFs = 44100.0;

// Mains hum: fundamental and 7 harmonics with a 1/h spectrum and odd
// harmonics 6 dB up (rectifier buzz), scaled to `rms_dbfs` in total.
std::vector<float> hum(double f0, double rms_dbfs, std::size_t frames) {
  std::vector<double> amp(8);
  double power = 0.0;
  for (int h = 1; h <= 8; ++h) {
    amp[static_cast<std::size_t>(h - 1)] = (h % 2 ? 2.0 : 1.0) / h;
    power += 0.5 * amp[static_cast<std::size_t>(h - 1)] * amp[static_cast<std::size_t>(h - 1)];
  }
  const double scale = db_to_gain(rms_dbfs) / std::sqrt(power);
  std::vector<float> x(frames);
  for (std::size_t n = 0; n < frames; ++n) {
    double s = 0.0;
    for (int h = 1; h <= 8; ++h) {
      s += amp[static_cast<std::size_t>(h - 1)] *
           std::sin(2.0 * std::numbers::pi * f0 * h * static_cast<double>(n) / kFs + 0.7 * h);
    }
    x[n] = static_cast<float>(scale * s);
  }
  return x;
}

// 30 s of a speech-like voice at -20 dBFS over a -70 dBFS noise floor.
std::vector<float> programme(std::uint64_t seed) {
  const std::size_t frames = 30 * 44100;
  auto x = testing::speech_like(seed, kFs, -20.0, frames);
  auto n = testing::white_noise(seed + 1, -70.0, frames);
  for (std::size_t i = 0; i < frames; ++i) x[i] += n[i];
  return x;
}

HumDetection detect(const std::vector<float>& x) {
  auto buf = testing::make_buffer(x, &x);
  return detect_hum(buf.view(), kFs);
}

TEST(DetectHum, FindsSixtyAndFiftyUnderSpeech) {
  for (double f0 : {60.0, 50.0}) {
    for (std::uint64_t seed : {1u, 2u}) {
      auto x = programme(seed);
      auto h = hum(f0, -50.0, x.size());
      for (std::size_t i = 0; i < x.size(); ++i) x[i] += h[i];
      const auto d = detect(x);
      EXPECT_EQ(d.fundamental_hz, f0) << seed;
      EXPECT_GE(d.harmonics_found, 3);
    }
  }
}

TEST(DetectHum, NoneInSpeechOrNoiseAlone) {
  EXPECT_EQ(detect(programme(3)).fundamental_hz, 0.0);
  EXPECT_EQ(detect(testing::white_noise(4, -30.0, 20 * 44100)).fundamental_hz, 0.0);
  // A voice whose pitch sits near 120 Hz is not hum.
  EXPECT_EQ(detect(testing::speech_like(5, kFs, -20.0, 20 * 44100, 120.0)).fundamental_hz, 0.0);
}

// The notches are linear and time-invariant, so their effect on hum is
// measured on the hum alone (under speech the speech would dominate the
// bins): each harmonic falls by >= 25 dB once the notches have settled,
// while a 1 kHz tone changes by < 0.1 dB.
TEST(Dehum, RemovesEachHarmonicAndSparesTheVoiceBand) {
  for (double f0 : {60.0, 50.0}) {
    const std::size_t frames = 6 * 44100, settle = 2 * 44100;
    auto h = hum(f0, -50.0, frames);
    auto buf = testing::make_buffer(h, &h);
    Dehum dehum({f0});
    dehum.prepare({kFs, frames, 2});
    EXPECT_EQ(dehum.active_notches(), 8);
    dehum.process(buf.view());
    const auto out = testing::channel_copy(buf, 1);
    for (int k = 1; k <= 8; ++k) {
      const double before =
          testing::tone_amplitude(h.data() + settle, frames - settle, kFs, f0 * k);
      const double after =
          testing::tone_amplitude(out.data() + settle, frames - settle, kFs, f0 * k);
      EXPECT_LE(gain_to_db(after / before), -25.0) << f0 << " harmonic " << k;
    }

    auto tone = testing::sine(kFs, 1000.0, -20.0, frames);
    auto tbuf = testing::make_buffer(tone);
    Dehum d2({f0});
    d2.prepare({kFs, frames, 1});
    d2.process(tbuf.view());
    EXPECT_NEAR(
        testing::rms_db(testing::channel_copy(tbuf, 0), settle) - testing::rms_db(tone, settle),
        0.0, 0.1);
  }
}

// Detection and removal together on the programme with hum.
TEST(Dehum, DetectedHumIsRemovedFromProgramme) {
  auto x = programme(6);
  auto h = hum(60.0, -50.0, x.size());
  auto clean = x;
  for (std::size_t i = 0; i < x.size(); ++i) x[i] += h[i];
  const auto d = detect(x);
  ASSERT_EQ(d.fundamental_hz, 60.0);
  auto buf = testing::make_buffer(x);
  Dehum dehum({d.fundamental_hz});
  dehum.prepare({kFs, x.size(), 1});
  dehum.process(buf.view());
  EXPECT_EQ(detect(testing::channel_copy(buf, 0)).fundamental_hz, 0.0);
}

TEST(Dehum, ZeroFundamentalPassesThrough) {
  auto x = testing::white_noise(9, -20.0, 4410);
  auto buf = testing::make_buffer(x);
  Dehum dehum;
  dehum.prepare({kFs, x.size(), 1});
  dehum.process(buf.view());
  for (std::size_t i = 0; i < x.size(); ++i) EXPECT_EQ(buf.channel(0)[i], x[i]);
}

}  // namespace
}  // namespace namix::dsp
