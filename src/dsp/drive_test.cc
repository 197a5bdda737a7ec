#include "dsp/drive.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "dsp/test_signals.h"

namespace namix::dsp {
namespace {

constexpr double kFs = 44100.0;

TEST(Drive, ZeroDbIsIdentityOnFullScaleAudio) {
  auto x = testing::white_noise(1, -6.0, 44100);
  for (auto& s : x) s = std::fmax(-1.0f, std::fmin(1.0f, s));
  auto buf = testing::make_buffer(x, &x);
  Drive d({0.0});
  d.prepare({kFs, x.size(), 2});
  d.process(buf.view());
  for (std::size_t i = 0; i < x.size(); ++i) ASSERT_EQ(buf.channel(1)[i], x[i]);
}

TEST(Drive, CurveIsMonotonicBoundedAndLinearBelowTheKnee) {
  for (double db : {0.0, 2.0, 6.0, 12.0}) {
    const auto g = static_cast<float>(db_to_gain(db));
    float previous = -1e30f;
    for (float x = -100.0f; x <= 100.0f; x += 0.0005f) {
      const float y = drive_curve(x, g);
      ASSERT_GE(y, previous) << db << " at " << x;
      ASSERT_LT(std::fabs(y), kDriveCeiling / g + 1e-6f) << db << " at " << x;
      if (std::fabs(x) * g <= 1.0f) {
        ASSERT_EQ(y, x);
      }
      previous = y;
    }
    // The shoulder starts with the line's slope: no kink at the knee.
    const float knee = 1.0f / g;
    const float slope = (drive_curve(knee + 1e-3f, g) - drive_curve(knee, g)) / 1e-3f;
    EXPECT_NEAR(slope, 1.0, 0.01) << db;
  }
}

// It does saturate: a 0 dBFS sine through +6 dB of drive loses > 1 dB of
// peak and gains a third harmonic above -40 dB; a -20 dBFS sine is untouched.
TEST(Drive, SaturatesPeaksOnly) {
  Drive d({6.0});
  d.prepare({kFs, 44100, 1});
  auto loud = testing::sine(kFs, 441.0, 0.0, 44100);
  auto buf = testing::make_buffer(loud);
  d.process(buf.view());
  const auto out = testing::channel_copy(buf, 0);
  EXPECT_LT(gain_to_db(testing::peak_abs(out)), -1.0);
  const double h1 = testing::tone_amplitude(out.data(), out.size(), kFs, 441.0);
  const double h3 = testing::tone_amplitude(out.data(), out.size(), kFs, 1323.0);
  EXPECT_GT(gain_to_db(h3 / h1), -40.0);

  auto quiet = testing::sine(kFs, 441.0, -20.0, 4410);
  auto qbuf = testing::make_buffer(quiet);
  d.process(qbuf.view());
  for (std::size_t i = 0; i < quiet.size(); ++i) ASSERT_EQ(qbuf.channel(0)[i], quiet[i]);
}

}  // namespace
}  // namespace namix::dsp
