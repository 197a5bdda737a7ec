#include "dsp/sparse_true_peak.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <numbers>
#include <vector>

#include "dsp/loudness.h"
#include "dsp/test_signals.h"

namespace namix::dsp {
namespace {

constexpr double kFs = 44100.0;

double full_true_peak_dbtp(AudioView audio) {
  return measure(audio, kFs, LoudnessMeasures::with_true_peak()).true_peak_dbtp;
}

double sparse_true_peak_dbtp(AudioView audio, std::size_t chunk, double* fraction = nullptr) {
  SparseTruePeakMeter meter(audio.num_channels, kFs);
  for (std::size_t pos = 0; pos < audio.num_frames; pos += chunk) {
    meter.add(audio.slice(pos, std::min(chunk, audio.num_frames - pos)));
  }
  const double tp = meter.finish_true_peak_dbtp();
  if (fraction) *fraction = meter.measured_fraction();
  return tp;
}

double sample_peak_dbfs(const AudioBuffer& b) {
  double p = 0.0;
  for (int c = 0; c < b.num_channels(); ++c)
    p = std::max(p, testing::peak_abs(testing::channel_copy(b, c)));
  return gain_to_db(p);
}

// The bound the screen relies on is libebur128's: the sign pattern of the
// half-sample phase (sinc at +-0.5, +-1.5, ... alternates + - + ...) makes
// libebur128 read sum |c| times the amplitude, and no more. If libebur128's
// interpolator changed, this is the test that says so.
TEST(SparseTruePeakMeter, GainBoundIsLibebur128sWorstPhase) {
  std::vector<float> x(4096, 0.0f);
  const double a = 0.25;
  for (int k = -6; k < 6; ++k) {
    const int dist = k >= 0 ? k : -k - 1;  // |k + 0.5| - 0.5
    x[static_cast<std::size_t>(2000 + k)] = static_cast<float>(dist % 2 == 0 ? a : -a);
  }
  auto buf = testing::make_buffer(x, &x);
  SparseTruePeakMeter meter(2, kFs);
  const double ratio = db_to_gain(full_true_peak_dbtp(buf.view())) / a;
  EXPECT_LE(ratio, meter.gain_bound());
  EXPECT_GE(ratio, meter.gain_bound() / 1.0001 - 1e-5);
  EXPECT_NEAR(ratio, 1.8642, 1e-3);
}

// A mostly quiet programme (speech at -30 dBFS RMS) with, early on, a 100 Hz
// burst whose samples reach 0.8, and later a burst of fs/4 at phase pi/4 in
// one channel: its samples are only +-0.95 x 0.707 = 0.67, below the first
// burst's, but its true peak lies between samples at about 0.95. A screen
// that looked only near the loudest samples would read the 100 Hz burst
// (-1.9 dBTP) instead of the true peak (about -0.45 dBTP).
AudioBuffer quiet_mix_with_intersample_peak() {
  const auto frames = static_cast<std::size_t>(20.0 * kFs);
  auto left = testing::speech_like(3, kFs, -30.0, frames);
  auto right = testing::speech_like(4, kFs, -30.0, frames, 180.0);
  const auto low = testing::sine(kFs, 100.0, gain_to_db(0.8), 8820);
  for (std::size_t i = 0; i < low.size(); ++i) left[44100 + i] = low[i];
  const auto isp = testing::sine(kFs, kFs / 4.0, gain_to_db(0.95), 2205, std::numbers::pi / 4.0);
  // 10 ms raised-cosine fades, so the burst's edges add no overshoot of their own.
  for (std::size_t i = 0; i < isp.size(); ++i) {
    const double edge = std::min(1.0, static_cast<double>(std::min(i, isp.size() - 1 - i)) / 441.0);
    right[529200 + i] =
        static_cast<float>(isp[i] * 0.5 * (1.0 - std::cos(std::numbers::pi * edge)));
  }
  return testing::make_buffer(left, &right);
}

TEST(SparseTruePeakMeter, FindsAnIntersamplePeakInAMostlyQuietMix) {
  auto buf = quiet_mix_with_intersample_peak();
  const double full = full_true_peak_dbtp(buf.view());
  // The reference is libebur128 over the whole stream; the peak is between
  // samples, well above the sample peak.
  EXPECT_NEAR(full, gain_to_db(0.95), 0.1);
  EXPECT_GT(full - sample_peak_dbfs(buf), 1.0);
  double fraction = 1.0;
  const double sparse = sparse_true_peak_dbtp(buf.view(), 1152, &fraction);
  EXPECT_DOUBLE_EQ(sparse, full);
  // And it is sparse: libebur128 saw a small part of the programme.
  EXPECT_LT(fraction, 0.2);
  std::printf("libebur128 saw %.1f %% of the frames\n", 100.0 * fraction);
}

TEST(SparseTruePeakMeter, AnyBlockSizeGivesTheSameFigure) {
  auto buf = quiet_mix_with_intersample_peak();
  const double whole = sparse_true_peak_dbtp(buf.view(), buf.num_frames());
  for (std::size_t chunk : {1u, 37u, 64u, 1152u, 16384u}) {
    EXPECT_DOUBLE_EQ(sparse_true_peak_dbtp(buf.view(), chunk), whole) << chunk;
  }
}

// measure_encoded's split: the first part ends at `mid`, the second is given
// the 1152 frames before `mid` as lead-in only. Cut inside the fs/4 burst.
TEST(SparseTruePeakMeter, PartsWithLeadInCombineIntoTheWhole) {
  auto buf = quiet_mix_with_intersample_peak();
  const double full = full_true_peak_dbtp(buf.view());
  for (std::size_t mid : {529200u + 3u, 529200u + 1001u, 300000u}) {
    SparseTruePeakMeter first(2, kFs), second(2, kFs);
    first.add(buf.view().slice(0, mid));
    second.add_lead_in(buf.view().slice(mid - 1152, 1152));
    second.add(buf.view().slice(mid, buf.num_frames() - mid));
    EXPECT_DOUBLE_EQ(std::max(first.finish_true_peak_dbtp(), second.finish_true_peak_dbtp()), full)
        << mid;
  }
}

// The values just after a cut are computed from the samples before it: a
// peak between the last samples of the first part, followed by digital
// silence, is the second part's to count although its own samples are zero.
TEST(SparseTruePeakMeter, PeakJustBeforeACutFollowedBySilence) {
  const std::size_t frames = 16384, mid = 8192;
  auto left = testing::white_noise(9, -30.0, frames);
  auto right = left;
  const float a = 0.6f;
  for (std::size_t k = 0; k < 4; ++k) left[mid - 4 + k] = (k == 0 || k == 3) ? -a : a;
  for (std::size_t i = mid; i < mid + 200; ++i) left[i] = right[i] = 0.0f;
  auto buf = testing::make_buffer(left, &right);
  const double full = full_true_peak_dbtp(buf.view());
  ASSERT_GT(full, gain_to_db(0.9));
  SparseTruePeakMeter first(2, kFs), second(2, kFs);
  first.add(buf.view().slice(0, mid));
  second.add_lead_in(buf.view().slice(mid - 1152, 1152));
  second.add(buf.view().slice(mid, frames - mid));
  EXPECT_DOUBLE_EQ(std::max(first.finish_true_peak_dbtp(), second.finish_true_peak_dbtp()), full);
}

// A short + - pattern whose interpolated peak (about 1.7 x its samples) is
// the maximum, moved across a block boundary one frame at a time after a
// louder sample has raised the running peak: every window around it must be
// fed with its real neighbours, or the figure moves.
TEST(SparseTruePeakMeter, PeakAtEveryOffsetAcrossABlockBoundary) {
  const std::size_t frames = 8192;
  const auto noise_l = testing::white_noise(7, -30.0, frames);
  const auto noise_r = testing::white_noise(8, -30.0, frames);
  for (std::size_t offset = 0; offset < 80; ++offset) {
    auto left = noise_l;
    auto right = noise_r;
    left[100] = 0.9f;
    const std::size_t at = 4096 - 40 + offset;  // 4096 is a block boundary
    const float a = 0.6f;
    for (std::size_t k = 0; k < 4; ++k) right[at + k] = (k == 0 || k == 3) ? -a : a;
    auto buf = testing::make_buffer(left, &right);
    const double full = full_true_peak_dbtp(buf.view());
    ASSERT_GT(full, gain_to_db(0.95)) << offset;  // the pattern is the peak
    EXPECT_DOUBLE_EQ(sparse_true_peak_dbtp(buf.view(), 1152), full) << offset;
  }
}

TEST(SparseTruePeakMeter, SilenceReadsMinusInfinity) {
  AudioBuffer buf(2, 10000);
  for (int c = 0; c < 2; ++c) std::fill_n(buf.channel(c), 10000, 0.0f);
  EXPECT_EQ(sparse_true_peak_dbtp(buf.view(), 1152), -HUGE_VAL);
}

}  // namespace
}  // namespace namix::dsp
