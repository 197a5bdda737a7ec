#include "dsp/loudness.h"

#include <gtest/gtest.h>

#include <cmath>
#include <initializer_list>
#include <utility>
#include <vector>

#include "dsp/test_signals.h"

namespace namix::dsp {
namespace {

// A stereo 1 kHz sine made of (peak dBFS, seconds) segments with phase kept
// continuous across segments, as the EBU Tech 3341 / 3342 test signals are.
AudioBuffer stepped_sine(double fs, std::initializer_list<std::pair<double, double>> segments,
                         double freq_hz = 1000.0) {
  std::vector<float> x;
  std::size_t n = 0;
  for (auto [db, seconds] : segments) {
    const auto frames = static_cast<std::size_t>(std::llround(seconds * fs));
    const double a = db_to_gain(db);
    for (std::size_t i = 0; i < frames; ++i, ++n) {
      x.push_back(static_cast<float>(
          a * std::sin(2.0 * std::numbers::pi * freq_hz * static_cast<double>(n) / fs)));
    }
  }
  return testing::make_buffer(x, &x);
}

// EBU Tech 3341 (v3, 2016) table 1, cases 1 and 2: a 1 kHz stereo sine at
// -23 dBFS (resp. -33 dBFS) in both channels reads -23.0 (-33.0) LUFS +-0.1.
TEST(LoudnessMeter, Tech3341Case1And2SteadySine) {
  for (double fs : {44100.0, 48000.0}) {
    for (double level : {-23.0, -33.0}) {
      auto buf = stepped_sine(fs, {{level, 20.0}});
      EXPECT_NEAR(measure(buf.view(), fs).integrated_lufs, level, 0.1) << fs << " " << level;
    }
  }
}

// Parts of one programme measured by separate meters gate together: the
// relative gate of case 3 must see the loud middle part even when the quiet
// parts are in another meter, so the combination reads what one meter reads.
TEST(LoudnessMeter, MetersOfPartsCombineIntoTheWholesIntegratedLoudness) {
  const double fs = 48000.0;
  auto buf = stepped_sine(fs, {{-36.0, 10.0}, {-23.0, 60.0}, {-36.0, 10.0}});
  const std::size_t cut = static_cast<std::size_t>(12.0 * fs);  // the first part is mostly quiet
  LoudnessMeter whole(2, fs), first(2, fs), second(2, fs);
  whole.add(buf.view());
  first.add(buf.view().slice(0, cut));
  second.add(buf.view().slice(cut, buf.num_frames() - cut));
  EXPECT_NEAR(LoudnessMeter::integrated_lufs_of({&first, &second}), whole.integrated_lufs(), 0.01);
  EXPECT_NEAR(whole.integrated_lufs(), -23.0, 0.1);
  // Alone, the quiet-heavy part reads far lower: the combination is not an average.
  EXPECT_LT(first.integrated_lufs(), -25.0);
}

// Tech 3341 case 3: -36 / -23 / -36 dBFS for 10 / 60 / 10 s; the relative
// gate removes the quiet parts, so it reads -23.0 +-0.1.
TEST(LoudnessMeter, Tech3341Case3RelativeGate) {
  auto buf = stepped_sine(48000.0, {{-36.0, 10.0}, {-23.0, 60.0}, {-36.0, 10.0}});
  EXPECT_NEAR(measure(buf.view(), 48000.0).integrated_lufs, -23.0, 0.1);
}

// Tech 3341 case 4: -72 / -36 / -23 / -36 / -72 dBFS for 10/10/60/10/10 s
// (absolute and relative gate) -> -23.0 +-0.1.
TEST(LoudnessMeter, Tech3341Case4AbsoluteGate) {
  auto buf = stepped_sine(
      48000.0, {{-72.0, 10.0}, {-36.0, 10.0}, {-23.0, 60.0}, {-36.0, 10.0}, {-72.0, 10.0}});
  EXPECT_NEAR(measure(buf.view(), 48000.0).integrated_lufs, -23.0, 0.1);
}

// EBU Tech 3342 cases 1 and 3: 20 s at -20 dBFS then 20 s at -30 (resp. -40)
// dBFS -> LRA 10 (resp. 20) LU +-1.
TEST(LoudnessMeter, Tech3342LoudnessRange) {
  auto a = stepped_sine(48000.0, {{-20.0, 20.0}, {-30.0, 20.0}});
  EXPECT_NEAR(measure(a.view(), 48000.0).loudness_range_lu, 10.0, 1.0);
  auto b = stepped_sine(48000.0, {{-20.0, 20.0}, {-40.0, 20.0}});
  EXPECT_NEAR(measure(b.view(), 48000.0).loudness_range_lu, 20.0, 1.0);
}

// True peak, in the manner of Tech 3341 cases 15-23: a sine at fs/4 sampled
// 45 degrees off its crest has every sample at +-A/sqrt(2). With the sample
// peak at 0 dBFS the true peak is 20*log10(sqrt(2)) = +3.01 dBTP; Tech 3341's
// tolerance is +0.2 / -0.4 dB.
TEST(LoudnessMeter, TruePeakOfQuarterRateSineBetweenSamples) {
  for (double fs : {44100.0, 48000.0}) {
    const double a = std::sqrt(2.0);  // sample peak 1.0
    std::vector<float> x(static_cast<std::size_t>(fs));
    for (std::size_t n = 0; n < x.size(); ++n) {
      x[n] = static_cast<float>(
          a * std::sin(std::numbers::pi / 2.0 * static_cast<double>(n) + std::numbers::pi / 4.0));
    }
    auto buf = testing::make_buffer(x, &x);
    const auto m = measure(buf.view(), fs);
    EXPECT_NEAR(m.sample_peak_dbfs, 0.0, 1e-6);
    EXPECT_LE(m.true_peak_dbtp, 3.0103 + 0.2) << fs;
    EXPECT_GE(m.true_peak_dbtp, 3.0103 - 0.4) << fs;
  }
}

// Low-frequency content has its peaks on the samples: true peak = sample peak
// (Tech 3341 case 15: 576 Hz at -6 dBFS reads -6.0 dBTP, +0.2/-0.4).
TEST(LoudnessMeter, TruePeakOfLowSineEqualsSamplePeak) {
  auto buf = stepped_sine(48000.0, {{-6.0, 2.0}}, 576.0);
  const auto m = measure(buf.view(), 48000.0);
  EXPECT_LE(m.true_peak_dbtp, -6.0 + 0.2);
  EXPECT_GE(m.true_peak_dbtp, -6.0 - 0.4);
}

TEST(LoudnessMeter, SilenceIsMinusInfinity) {
  AudioBuffer buf(2, 48000 * 5);
  const auto m = measure(buf.view(), 48000.0);
  EXPECT_TRUE(std::isinf(m.integrated_lufs) && m.integrated_lufs < 0.0);
}

// Feeding the meter in odd-sized pieces reads exactly what one call reads.
TEST(LoudnessMeter, BlockSizeIndependent) {
  auto x = testing::speech_like(7, 44100.0, -20.0, 44100 * 12);
  auto buf = testing::make_buffer(x, &x);
  const auto whole = measure(buf.view(), 44100.0);
  LoudnessMeter meter(2, 44100.0);
  const std::size_t sizes[] = {1, 7, 1152, 4096, 1021, 3};
  std::size_t pos = 0;
  for (std::size_t k = 0; pos < buf.num_frames(); ++k) {
    const std::size_t n = std::min(sizes[k % 6], buf.num_frames() - pos);
    meter.add(buf.view().slice(pos, n));
    pos += n;
  }
  EXPECT_NEAR(meter.integrated_lufs(), whole.integrated_lufs, 1e-9);
  EXPECT_NEAR(meter.loudness_range_lu(), whole.loudness_range_lu, 1e-9);
  EXPECT_NEAR(meter.true_peak_dbtp(), whole.true_peak_dbtp, 1e-9);
}

}  // namespace
}  // namespace namix::dsp
