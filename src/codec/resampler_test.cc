#include "codec/resampler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "codec/codec_test_fixtures.h"

namespace namix {
namespace {

using namespace namix::testing;

// Runs `in` through a resampler in blocks of `block` frames and returns the
// whole output, flush included.
AudioBuffer resample_all(const AudioBuffer& in, double in_rate, double out_rate,
                         std::size_t block) {
  auto resampler = Resampler::create(in_rate, out_rate, in.num_channels());
  EXPECT_TRUE(resampler.ok());
  std::vector<std::vector<float>> planes(static_cast<std::size_t>(in.num_channels()));
  AudioBuffer copy = in;
  AudioBuffer out;
  auto append = [&] {
    for (int c = 0; c < out.num_channels(); ++c) {
      planes[static_cast<std::size_t>(c)].insert(planes[static_cast<std::size_t>(c)].end(),
                                                 out.channel(c), out.channel(c) + out.num_frames());
    }
  };
  for (std::size_t first = 0; first < copy.num_frames(); first += block) {
    const std::size_t n = std::min(block, copy.num_frames() - first);
    EXPECT_TRUE(resampler->process(copy.view().slice(first, n), out).ok());
    append();
  }
  EXPECT_TRUE(resampler->flush(out).ok());
  append();
  AudioBuffer all(in.num_channels(), planes[0].size());
  for (int c = 0; c < in.num_channels(); ++c) {
    std::copy(planes[static_cast<std::size_t>(c)].begin(),
              planes[static_cast<std::size_t>(c)].end(), all.channel(c));
  }
  return all;
}

TEST(Resampler, SineAt48kTo44k1KeepsFrequencyLevelAndLength) {
  for (int channels : {1, 2}) {
    SCOPED_TRACE(channels);
    const AudioBuffer sine = make_sine(48000, channels, 3.0, 1000.0, 0.5f);
    const AudioBuffer out = resample_all(sine, 48000, 44100, 4097);
    // Length: soxr removes its own delay, so in * 44100/48000 = 132300 frames.
    EXPECT_NEAR(static_cast<double>(out.num_frames()), 132300.0, 4.0);
    for (int c = 0; c < channels; ++c) {
      // Away from the edges, where the filter meets the start and end.
      const float* mid = out.channel(c) + 4410;
      const std::size_t n = out.num_frames() - 8820;
      const double level_db = 20 * std::log10(rms(mid, n) / (0.5 / std::sqrt(2.0)));
      EXPECT_NEAR(level_db, 0.0, 0.1);
      EXPECT_NEAR(zero_crossing_hz(mid, n, 44100), 1000.0, 0.5);
    }
    // Time alignment: the output at t is the sine at t (phase within 1 sample).
    const double t = 1.0;
    const auto i = static_cast<std::size_t>(t * 44100);
    EXPECT_NEAR(out.channel(0)[i], 0.5 * std::sin(2 * std::numbers::pi * 1000.0 * t),
                0.5 * 2 * std::numbers::pi * 1000 / 44100);
  }
}

TEST(Resampler, BlockSizeDoesNotChangeTheOutput) {
  const AudioBuffer chirp = make_chirp(32000, 2, 1.0, 50, 14000, 0.5f);
  const AudioBuffer whole = resample_all(chirp, 32000, 44100, chirp.num_frames());
  for (std::size_t block : {1ul, 577ul, 10000ul}) {
    SCOPED_TRACE(block);
    const AudioBuffer split = resample_all(chirp, 32000, 44100, block);
    ASSERT_EQ(split.num_frames(), whole.num_frames());
    for (int c = 0; c < 2; ++c) {
      for (std::size_t i = 0; i < whole.num_frames(); ++i) {
        ASSERT_NEAR(split.channel(c)[i], whole.channel(c)[i], 1e-6) << i;
      }
    }
  }
}

TEST(Resampler, RejectsNonsense) {
  EXPECT_EQ(Resampler::create(0, 44100, 2).error().code, Errc::invalid_argument);
  EXPECT_EQ(Resampler::create(48000, 44100, 3).error().code, Errc::invalid_argument);
}

}  // namespace
}  // namespace namix
