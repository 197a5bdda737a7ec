#include "dsp/fast_math.h"

#include <gtest/gtest.h>

#include <cmath>

namespace namix::dsp {
namespace {

// Reference: libm in double. Every float mantissa step over 2^-24 .. 2^24
// at a stride that visits all octaves and many mantissas.
TEST(FastMath, Log2WithinBound) {
  EXPECT_EQ(fast_log2(1.0f), 0.0f);
  double worst_excess = -1.0;
  for (float x = 5.96e-8f; x < 1.68e7f; x *= 1.0001237f) {
    const double want = std::log2(static_cast<double>(x));
    const double bound = 3e-7 + 6e-8 * std::fabs(want);
    const double err = std::fabs(static_cast<double>(fast_log2(x)) - want);
    worst_excess = std::max(worst_excess, err - bound);
    ASSERT_LE(err, bound) << x;
  }
  EXPECT_LT(worst_excess, 0.0);
  // Powers of two are exact: the mantissa folds to 1.
  for (int e = -126; e <= 127; ++e) EXPECT_EQ(fast_log2(std::ldexp(1.0f, e)), e);
}

TEST(FastMath, Exp2WithinBound) {
  EXPECT_EQ(fast_exp2(0.0f), 1.0f);
  for (float x = -60.0f; x <= 60.0f; x += 0.000731f) {
    const double want = std::exp2(static_cast<double>(x));
    ASSERT_LE(std::fabs(static_cast<double>(fast_exp2(x)) / want - 1.0), 4e-7) << x;
  }
  // A dB gain through both: 20 dB is x10 within 3.5e-6 dB.
  const float ten = fast_exp2(20.0f * 0.1660964047f);
  EXPECT_NEAR(20.0 * std::log10(static_cast<double>(ten)), 20.0, 3.5e-6);
}

}  // namespace
}  // namespace namix::dsp
