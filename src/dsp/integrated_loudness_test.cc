#include "dsp/integrated_loudness.h"

#include <gtest/gtest.h>

#include <cmath>

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
