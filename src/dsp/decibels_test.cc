#include "dsp/decibels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <type_traits>

namespace namix::dsp {
namespace {

// Whole decades are exact in libm's pow and log10; 6.0206 dB is the
// amplitude doubling (20 log10 2 = 6.020599913...).
TEST(Decibels, AmplitudeAndPowerRatios) {
  EXPECT_EQ(db_to_gain(20.0), 10.0);
  EXPECT_EQ(db_to_gain(-40.0), 0.01);
  EXPECT_EQ(db_to_gain(0.0), 1.0);
  EXPECT_NEAR(db_to_gain(6.020599913279624), 2.0, 1e-15);
  EXPECT_EQ(db_to_power(10.0), 10.0);
  EXPECT_EQ(db_to_power(-30.0), 0.001);
  EXPECT_NEAR(db_to_power(3.010299956639812), 2.0, 1e-15);
  EXPECT_EQ(gain_to_db(100.0), 40.0);
  for (double db = -120.0; db <= 24.0; db += 0.37)
    EXPECT_NEAR(gain_to_db(db_to_gain(db)), db, 1e-12);
}

// A float level gives a float gain, computed as std::pow of floats: the
// renderer's host gains rely on it to stay bit for bit what they are.
TEST(Decibels, FloatStaysFloat) {
  static_assert(std::is_same_v<decltype(db_to_gain(1.0f)), float>);
  static_assert(std::is_same_v<decltype(db_to_gain(1.0)), double>);
  for (float db = -30.0f; db <= 12.0f; db += 0.173f) {
    EXPECT_EQ(db_to_gain(db), std::pow(10.0f, db / 20.0f)) << db;
    EXPECT_NEAR(db_to_gain(db), db_to_gain(static_cast<double>(db)), 1e-6 * db_to_gain(db)) << db;
  }
}

}  // namespace
}  // namespace namix::dsp
