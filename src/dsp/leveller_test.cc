#include "dsp/leveller.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "dsp/test_signals.h"

namespace namix::dsp {
namespace {

constexpr double kFs = 44100.0;

struct Conversation {
  std::vector<float> audio;
  std::vector<bool> voiced;
  std::vector<std::size_t> chunk_starts;  // plus audio.size() at the end
};

// Two hosts 7 dB apart (-20 and -27 dBFS RMS while talking) taking turns in
// chunks of 4-8 s, with -62 dBFS noise under everything (audible in pauses).
Conversation conversation(std::uint64_t seed, int chunks) {
  Conversation c;
  testing::Rng rng(seed);
  for (int k = 0; k < chunks; ++k) {
    const auto len = static_cast<std::size_t>((4.0 + 4.0 * rng.uniform()) * kFs);
    std::vector<bool> voiced;
    const double level = k % 2 == 0 ? -20.0 : -27.0;
    const double f0 = k % 2 == 0 ? 120.0 : 190.0;
    auto voice = testing::speech_like(seed * 100 + static_cast<std::uint64_t>(k), kFs, level, len,
                                      f0, &voiced);
    c.chunk_starts.push_back(c.audio.size());
    c.audio.insert(c.audio.end(), voice.begin(), voice.end());
    c.voiced.insert(c.voiced.end(), voiced.begin(), voiced.end());
  }
  c.chunk_starts.push_back(c.audio.size());
  auto noise = testing::white_noise(seed + 7, -62.0, c.audio.size());
  for (std::size_t i = 0; i < c.audio.size(); ++i) c.audio[i] += noise[i];
  return c;
}

// RMS in dB over the samples of [first, last) whose mask equals `want`.
double masked_rms_db(const std::vector<float>& x, const std::vector<bool>& mask, bool want,
                     std::size_t first, std::size_t last) {
  double acc = 0.0;
  std::size_t n = 0;
  for (std::size_t i = first; i < last; ++i) {
    if (mask[i] == want) {
      acc += static_cast<double>(x[i]) * x[i];
      ++n;
    }
  }
  return 10.0 * std::log10(acc / static_cast<double>(std::max<std::size_t>(n, 1)));
}

// Pause samples at least 150 ms from any speech, where only the noise is.
std::vector<bool> deep_pauses(const std::vector<bool>& voiced) {
  const auto guard = static_cast<std::size_t>(0.15 * kFs);
  std::vector<bool> deep(voiced.size(), false);
  std::size_t since = guard;  // samples since the last voiced one
  for (std::size_t i = 0; i < voiced.size(); ++i) {
    since = voiced[i] ? 0 : since + 1;
    deep[i] = since > guard;
  }
  // and at least `guard` before the next voiced sample
  std::size_t until = guard;
  for (std::size_t i = voiced.size(); i-- > 0;) {
    until = voiced[i] ? 0 : until + 1;
    deep[i] = deep[i] && until > guard;
  }
  return deep;
}

// What the leveller is for: per-chunk speech level (RMS over talking,
// from 0.7 s into the chunk to its end) spans at most 2 dB after the leveller
// where it spanned 7 dB before; noise in pauses rises by no more than 6 dB.
TEST(Leveller, TwoHostsSevenDbApartEndWithinTwoDb) {
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    auto conv = conversation(seed, 10);
    auto l = conv.audio;
    auto buf = testing::make_buffer(l, &l);
    Leveller lev;
    lev.prepare({kFs, 4096, 2});
    for (std::size_t pos = 0; pos < l.size(); pos += 4096) {
      lev.process(buf.view().slice(pos, std::min<std::size_t>(4096, l.size() - pos)));
    }
    const auto out = testing::channel_copy(buf, 0);
    double lo = 1e9, hi = -1e9, in_lo = 1e9, in_hi = -1e9;
    const auto skip = static_cast<std::size_t>(0.7 * kFs);
    for (std::size_t k = 0; k + 1 < conv.chunk_starts.size(); ++k) {
      const std::size_t a = conv.chunk_starts[k] + skip, b = conv.chunk_starts[k + 1];
      const double level = masked_rms_db(out, conv.voiced, true, a, b);
      const double in_level = masked_rms_db(conv.audio, conv.voiced, true, a, b);
      lo = std::min(lo, level);
      hi = std::max(hi, level);
      in_lo = std::min(in_lo, in_level);
      in_hi = std::max(in_hi, in_level);
    }
    SCOPED_TRACE(seed);
    EXPECT_GT(in_hi - in_lo, 6.5);
    EXPECT_LE(hi - lo, 2.0);
    // And it levels towards the target, not just towards each other.
    EXPECT_NEAR((hi + lo) / 2.0, -23.0, 1.5);

    const auto deep = deep_pauses(conv.voiced);
    const double noise_in = masked_rms_db(conv.audio, deep, true, 0, l.size());
    const double noise_out = masked_rms_db(out, deep, true, 0, l.size());
    EXPECT_LE(noise_out - noise_in, 6.0);
  }
}

// In a long silence after speech the gain holds where the speech left it:
// the noise floor alone never moves the estimate.
TEST(Leveller, HoldsGainThroughSilence) {
  auto voice = testing::speech_like(4, kFs, -30.0, 5 * 44100);
  std::vector<float> x = voice;
  auto noise = testing::white_noise(5, -70.0, 10 * 44100);
  x.insert(x.end(), noise.begin(), noise.end());
  auto buf = testing::make_buffer(x);
  Leveller lev;
  lev.prepare({kFs, 4096, 1});
  const std::size_t one_second = 44100;
  lev.process(buf.view().slice(0, voice.size() + one_second));
  const double after_one_second = lev.gain_db();
  lev.process(buf.view().slice(voice.size() + one_second, noise.size() - one_second));
  EXPECT_NEAR(after_one_second, 7.0, 1.5);
  EXPECT_NEAR(lev.gain_db(), after_one_second, 0.05);
}

TEST(Leveller, APieceThatStartsAtTheTargetLevelIsNotBoostedAtItsOnset) {
  // Every piece of a mix starts from reset(): voice already at the target
  // level after 50 ms of room noise must not be lifted while the short-term
  // window is still filling (it read the onset as quiet speech and surged).
  auto x = testing::white_noise(11, -62.0, 2205);
  auto voice = testing::speech_like(12, kFs, -23.0, 44100);
  x.insert(x.end(), voice.begin(), voice.end());
  auto buf = testing::make_buffer(x);
  Leveller lev;
  lev.prepare({kFs, 4096, 1});
  double most = -100.0;
  for (std::size_t at = 0; at < x.size(); at += 441) {  // 10 ms steps
    lev.process(buf.view().slice(at, std::min<std::size_t>(441, x.size() - at)));
    most = std::max(most, lev.gain_db());
  }
  EXPECT_LT(most, 2.0) << "onset surge";
}

TEST(Leveller, GainIsBounded) {
  LevellerParams p;
  p.max_gain_db = 6.0;
  p.max_cut_db = 4.0;
  for (auto [level, want] : {std::pair{-45.0, 6.0}, std::pair{-8.0, -4.0}}) {
    auto x = testing::speech_like(8, kFs, level, 6 * 44100);
    auto buf = testing::make_buffer(x);
    Leveller lev(p);
    lev.prepare({kFs, x.size(), 1});
    lev.process(buf.view());
    EXPECT_NEAR(lev.gain_db(), want, 0.01) << level;
  }
}

}  // namespace
}  // namespace namix::dsp
