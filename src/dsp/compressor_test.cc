#include "dsp/compressor.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "dsp/test_signals.h"

namespace namix::dsp {
namespace {

constexpr double kFs = 44100.0;

// The soft-knee static curve of Giannoulis et al. (JAES 2012, eq. 4), written
// out independently of the implementation: T threshold, R ratio, W knee width.
double expected_gain_db(double level, double t, double r, double w) {
  if (2.0 * (level - t) < -w) return 0.0;
  if (2.0 * std::fabs(level - t) <= w) {
    const double d = level - t + w / 2.0;
    return (1.0 / r - 1.0) * d * d / (2.0 * w);
  }
  return (t + (level - t) / r) - level;
}

// Steady 1 kHz sines below, inside the knee, at and above the threshold:
// output/input RMS after 1 s matches the curve within 0.2 dB. A sine's level
// is its peak in dBFS (AES17), as the parameters document.
TEST(Compressor, StaticCurveOnSteadySines) {
  CompressorParams p;
  p.threshold_db = -18.0;
  p.ratio = 3.0;
  p.knee_db = 6.0;
  p.makeup_db = 0.0;
  for (double level : {-40.0, -22.0, -21.0, -19.5, -18.0, -16.0, -15.0, -10.0, -3.0}) {
    Compressor comp(p);
    comp.prepare({kFs, 1 << 17, 2});
    auto x = testing::sine(kFs, 1000.0, level, 2 * 44100);
    auto buf = testing::make_buffer(x, &x);
    comp.process(buf.view());
    const double gain =
        testing::rms_db(testing::channel_copy(buf, 0), 44100) - testing::rms_db(x, 44100);
    EXPECT_NEAR(gain, expected_gain_db(level, -18.0, 3.0, 6.0), 0.2) << level;
  }
}

TEST(Compressor, StaticCurveMatchesFormulaExactly) {
  CompressorParams p{-14.0, 4.0, 8.0};
  for (double level = -40.0; level <= 0.0; level += 0.25) {
    EXPECT_NEAR(-compressor_gain_reduction_db(p, level), expected_gain_db(level, -14.0, 4.0, 8.0),
                1e-12);
  }
}

TEST(Compressor, MakeupGainAndLinearRegion) {
  // Well below the knee the compressor is a plain gain: +20 dB in is x10 out.
  CompressorParams p;
  p.makeup_db = 3.0;
  Compressor comp(p);
  comp.prepare({kFs, 1 << 16, 2});
  auto quiet = testing::white_noise(3, -60.0, 44100);
  auto loud = quiet;
  for (auto& s : loud) s *= 10.0f;
  auto a = testing::make_buffer(quiet, &quiet);
  auto b = testing::make_buffer(loud, &loud);
  comp.process(a.view());
  comp.reset();
  comp.process(b.view());
  const float makeup = static_cast<float>(db_to_gain(3.0));
  for (std::size_t i = 0; i < quiet.size(); i += 97) {
    EXPECT_NEAR(a.channel(0)[i], quiet[i] * makeup, 1e-6f * makeup);
    EXPECT_NEAR(b.channel(1)[i], 10.0f * a.channel(1)[i], 1e-5f);
  }
}

// Attack and release on a DC step (output/input is the gain, sample by sample,
// with no ripple): the reduction reaches 63 % (1 - 1/e) of its change after
// attack_ms (release_ms) within 10 %.
double time_to_63_percent_ms(const std::vector<float>& in, const std::vector<float>& out,
                             std::size_t from) {
  auto gain_db = [&](std::size_t i) { return 20.0 * std::log10(out[i] / in[i]); };
  const double start = gain_db(from - 1);
  const double end = gain_db(in.size() - 1);
  const double mark = start + (end - start) * (1.0 - std::exp(-1.0));
  for (std::size_t i = from; i < in.size(); ++i) {
    if ((end < start && gain_db(i) <= mark) || (end > start && gain_db(i) >= mark)) {
      return 1000.0 * static_cast<double>(i - from) / kFs;
    }
  }
  return -1.0;
}

TEST(Compressor, AttackAndReleaseTimeConstants) {
  for (auto [attack, release] : {std::pair{10.0, 150.0}, std::pair{30.0, 400.0}}) {
    CompressorParams p;
    p.threshold_db = -30.0;
    p.ratio = 4.0;
    p.knee_db = 0.0;
    p.attack_ms = attack;
    p.release_ms = release;
    const std::size_t step = 44100, len = 4 * 44100;
    // -40 dB (no reduction) -> -6 dB (18 dB reduction) -> -40 dB.
    std::vector<float> x(len, 0.01f);
    for (std::size_t i = step; i < 2 * step; ++i) x[i] = 0.5f;
    // DC reads 3 dB above a sine of the same peak, so shift it to match.
    for (auto& s : x) s = static_cast<float>(s / std::sqrt(2.0));
    Compressor comp(p);
    comp.prepare({kFs, len, 1});
    auto buf = testing::make_buffer(x);
    comp.process(buf.view());
    auto y = testing::channel_copy(buf, 0);
    std::vector<float> xa(x.begin(), x.begin() + 2 * step), ya(y.begin(), y.begin() + 2 * step);
    EXPECT_NEAR(time_to_63_percent_ms(xa, ya, step), attack, 0.1 * attack);
    EXPECT_NEAR(time_to_63_percent_ms(x, y, 2 * step), release, 0.1 * release);
    EXPECT_NEAR(20.0 * std::log10(ya.back() / xa.back()), -18.0, 0.05);
  }
}

TEST(Compressor, StereoLinkedGainKeepsTheImage) {
  Compressor comp({-20.0, 4.0});
  comp.prepare({kFs, 44100, 2});
  auto l = testing::sine(kFs, 500.0, -6.0, 44100);
  auto r = testing::sine(kFs, 700.0, -30.0, 44100);
  auto buf = testing::make_buffer(l, &r);
  comp.process(buf.view());
  for (std::size_t i = 100; i < 44100; i += 101) {
    if (std::fabs(l[i]) > 0.05f && std::fabs(r[i]) > 0.005f) {
      EXPECT_NEAR(buf.channel(0)[i] / l[i], buf.channel(1)[i] / r[i], 1e-4);
    }
  }
}

}  // namespace
}  // namespace namix::dsp
