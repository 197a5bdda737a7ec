#include "dsp/integrated_loudness.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "dsp/loudness.h"
#include "dsp/test_signals.h"

namespace namix::dsp {
namespace {

double integrated(AudioView v, double fs, std::size_t block) {
  IntegratedLoudness meter(v.num_channels, fs);
  for (std::size_t first = 0; first < v.num_frames; first += block) {
    meter.add(v.slice(first, std::min(block, v.num_frames - first)));
  }
  return meter.integrated_lufs();
}

// EBU Tech 3341 (v3) table 1, cases 1 and 2: a 1 kHz sine at -23 / -33 dBFS
// in both channels reads -23.0 / -33.0 LUFS +-0.1.
TEST(IntegratedLoudness, Tech3341SteadySine) {
  for (double fs : {44100.0, 48000.0}) {
    for (double level : {-23.0, -33.0}) {
      const auto x = testing::sine(fs, 1000.0, level, static_cast<std::size_t>(20.0 * fs));
      auto buf = testing::make_buffer(x, &x);
      EXPECT_NEAR(integrated(buf.view(), fs, 4096), level, 0.1) << fs << " " << level;
    }
  }
}

// Same weighting, blocks and gates as libebur128, so on speech with pauses
// (both gates at work), mono and stereo, at any block size, the two agree to
// rounding: 0.01 LU.
TEST(IntegratedLoudness, AgreesWithLibebur128) {
  for (double fs : {44100.0, 48000.0}) {
    const auto frames = static_cast<std::size_t>(30.0 * fs);
    auto l = testing::speech_like(3, fs, -20.0, frames);
    auto r = testing::speech_like(4, fs, -26.0, frames, 150.0);
    auto stereo = testing::make_buffer(l, &r);
    auto mono = testing::make_buffer(l, nullptr);
    for (AudioBuffer* buf : {&stereo, &mono}) {
      const double want =
          measure(buf->view(), fs, LoudnessMeasures::integrated_only()).integrated_lufs;
      for (std::size_t block : {1u, 1000u, 4096u, 16384u}) {
        EXPECT_NEAR(integrated(buf->view(), fs, block), want, 0.01)
            << fs << " channels " << buf->num_channels() << " block " << block;
      }
    }
  }
}

// Meters of consecutive stretches, joined, read what one meter of the whole
// reads: the split is where a parallel render puts its window seams. Speech
// at -20 and -26 dBFS on either side, both inside the relative gate, so a
// join that lost either side's 100 ms energies would read over a LU off.
TEST(IntegratedLoudness, MetersOfConsecutiveStretchesJoin) {
  const double fs = 44100.0;
  const auto half = static_cast<std::size_t>(20.0 * fs);  // a multiple of 4410 frames
  auto loud = testing::speech_like(5, fs, -20.0, half);
  auto quiet = testing::speech_like(6, fs, -26.0, half);
  std::vector<float> x = loud;
  x.insert(x.end(), quiet.begin(), quiet.end());
  auto whole = testing::make_buffer(x, &x);
  const double want = integrated(whole.view(), fs, 4096);
  IntegratedLoudness first(2, fs), second(2, fs);
  first.add(whole.view().slice(0, half));
  second.add(whole.view().slice(half, half));
  const double loud_alone = integrated(whole.view().slice(0, half), fs, 4096);
  EXPECT_GT(std::fabs(loud_alone - want), 1.0);
  EXPECT_GT(std::fabs(second.integrated_lufs() - want), 1.0);
  first.append(second, 0);
  EXPECT_NEAR(first.integrated_lufs(), want, 0.005);
  // A part that measured nothing joins even a meter that ended mid-block.
  IntegratedLoudness odd(2, fs), empty(2, fs);
  odd.add(whole.view().slice(0, half + 1000));
  const double before = odd.integrated_lufs();
  odd.append(empty, 0);
  EXPECT_EQ(odd.integrated_lufs(), before);
}

// Two parts measured apart and joined read what one meter reads: the second
// part starts 1 s (10 sub-blocks) early on the same 100 ms grid, long enough
// for the K-weighting (slowest pole: the 38 Hz highpass, decaying by e^-238
// over 1 s at 44.1 kHz) to forget its start, and drops that warm-up.
TEST(IntegratedLoudness, PartsJoinedReadAsOneMeter) {
  const double fs = 44100.0;
  const auto frames = static_cast<std::size_t>(40.0 * fs);
  // Loud then quiet speech, so counting the warm-up twice or dropping the
  // wrong sub-blocks would move the gated figure.
  auto l = testing::speech_like(5, fs, -18.0, frames);
  auto r = testing::speech_like(6, fs, -24.0, frames, 170.0);
  for (std::size_t i = frames / 2; i < frames; ++i) {
    l[i] *= 0.1f;
    r[i] *= 0.1f;
  }
  auto buf = testing::make_buffer(l, &r);
  const double whole = integrated(buf.view(), fs, 4096);
  const std::size_t sub = 4410, warm = 10 * sub;
  for (std::size_t cut : {100 * sub, 200 * sub, 201 * sub, 300 * sub}) {
    auto joined = [&](std::size_t skip) {
      IntegratedLoudness first(2, fs), second(2, fs);
      first.add(buf.view().slice(0, cut));
      second.add(buf.view().slice(cut - warm, frames - cut + warm));
      first.append(second, skip);
      return first.integrated_lufs();
    };
    EXPECT_NEAR(joined(10), whole, 1e-6) << cut;
    // What a join that kept the warm-up would read: measurably off where the
    // warm-up is loud enough to pass the relative gate.
    if (cut < frames / 2) {
      EXPECT_GT(std::fabs(joined(0) - whole), 1e-3) << cut;
    }
  }
}

TEST(IntegratedLoudness, SilenceIsMinusInfinity) {
  AudioBuffer silence(2, 441000);
  EXPECT_EQ(integrated(silence.view(), 44100.0, 4096), -HUGE_VAL);
  // Under the absolute gate: a -80 dBFS sine.
  const auto x = testing::sine(44100.0, 1000.0, -80.0, 441000);
  auto quiet = testing::make_buffer(x, &x);
  EXPECT_EQ(integrated(quiet.view(), 44100.0, 4096), -HUGE_VAL);
}

}  // namespace
}  // namespace namix::dsp
