#include "dsp/k_weighting.h"

#include <gtest/gtest.h>

#include <cmath>

namespace namix::dsp {
namespace {

// ITU-R BS.1770-4 Table 1 (pre-filter) and Table 2 (RLB), fs = 48 kHz, as
// printed to 14 decimals.
TEST(KWeighting, DesignAt48kHzIsTheStandardsTable) {
  const KWeightingCoeffs k = design_k_weighting(48000.0);
  constexpr double kPrinted = 1e-14;
  EXPECT_NEAR(k[0].b0, 1.53512485958697, kPrinted);
  EXPECT_NEAR(k[0].b1, -2.69169618940638, kPrinted);
  EXPECT_NEAR(k[0].b2, 1.19839281085285, kPrinted);
  EXPECT_NEAR(k[0].a1, -1.69065929318241, kPrinted);
  EXPECT_NEAR(k[0].a2, 0.73248077421585, kPrinted);
  EXPECT_EQ(k[1].b0, 1.0);
  EXPECT_EQ(k[1].b1, -2.0);
  EXPECT_EQ(k[1].b2, 1.0);
  EXPECT_NEAR(k[1].a1, -1.99004745483398, kPrinted);
  EXPECT_NEAR(k[1].a2, 0.99007225036621, kPrinted);
}

TEST(KWeighting, PowerGainMatchesTheStandardFilters) {
  // Reference: scipy.signal.freqz on the BS.1770-4 48 kHz biquads (both stages),
  // 20*log10|H| at 20, 100, 1000, 3000, 10000 Hz.
  const double f[] = {20, 100, 1000, 3000, 10000};
  const double ref_db[] = {-13.2754, -1.1335, 0.6977, 3.8077, 4.0419};
  for (int i = 0; i < 5; ++i)
    EXPECT_NEAR(10.0 * std::log10(k_weighting_power_gain(f[i])), ref_db[i], 0.001) << f[i];
  EXPECT_EQ(k_weighting_power_gain(0.0), 0.0);  // the RLB high-pass's zero at DC
}

// Designed at 44.1 kHz, the sections weight a frequency as the 48 kHz
// design does within 0.01 dB to 10 kHz (0.0053 dB at most, measured).
TEST(KWeighting, At44k1WeightsAsAt48k) {
  const KWeightingCoeffs k = design_k_weighting(44100.0);
  for (double f : {20.0, 100.0, 1000.0, 3000.0, 10000.0}) {
    const double at_44k1 = magnitude_db(k[0], 44100.0, f) + magnitude_db(k[1], 44100.0, f);
    EXPECT_NEAR(at_44k1, 10.0 * std::log10(k_weighting_power_gain(f)), 0.01) << f;
  }
}

}  // namespace
}  // namespace namix::dsp
