// Float log2 and exp2 for per-sample gain computers, written so that GCC
// vectorises the loops that call them (libm's log10 and pow are calls it
// cannot vectorise). Error bounds are checked against libm in
// fast_math_test.cc.
#pragma once

#include <bit>
#include <cstdint>

namespace namix::dsp {

// Error bounds (fast_math_test.cc):
//  - fast_log2: mantissa folded into [sqrt(1/2), sqrt(2)), then the atanh
//    series to t^9 (truncation < 1e-9); with float rounding the error is
//    < 3e-7 + 6e-8 |log2 x|, i.e. < 1e-5 dB for powers down to -150 dB;
//    exactly 0 at 1.
//  - fast_exp2: 2^round(x) times the Taylor series of 2^f, |f| <= 1/2, to
//    f^7 (truncation < 1e-8): relative error < 4e-7 (3.5e-6 dB) with
//    float rounding; exactly 1 at 0.
// x must be a positive normal float.
inline float fast_log2(float x) {
  const auto bits = std::bit_cast<std::uint32_t>(x);
  // Exponent relative to a mantissa in [sqrt(1/2), sqrt(2)): 0x3f3504f3 is sqrt(1/2).
  const std::uint32_t offset = bits - 0x3f3504f3u;
  const auto exponent = static_cast<float>(static_cast<std::int32_t>(offset) >> 23);
  const float m = std::bit_cast<float>((offset & 0x007fffffu) + 0x3f3504f3u);
  const float t = (m - 1.0f) / (m + 1.0f);
  const float t2 = t * t;
  // 2/ln2 * atanh(t) = 2/ln2 * (t + t^3/3 + t^5/5 + t^7/7 + t^9/9)
  const float series =
      t * (2.8853900818f +
           t2 * (0.9617966939f + t2 * (0.5770780164f + t2 * (0.4121985831f + t2 * 0.3205988980f))));
  return exponent + series;
}

inline float fast_exp2(float x) {
  // Plain selects, not std::clamp (it returns a reference, which the
  // vectoriser sees as control flow).
  x = x < -126.0f ? -126.0f : x;
  x = x > 126.0f ? 126.0f : x;
  // Round to nearest by the 1.5 x 2^23 trick: nearbyint is a libm call
  // without SSE4.1, which would stop the loop vectorising.
  constexpr float kRound = 12582912.0f;
  const float whole = (x + kRound) - kRound;
  const float f = (x - whole) * 0.6931471806f;  // f ln2, |f ln2| <= 0.347
  const float poly =
      1.0f +
      f * (1.0f +
           f * (0.5f + f * (1.6666667e-1f +
                            f * (4.1666668e-2f +
                                 f * (8.3333338e-3f + f * (1.3888889e-3f + f * 1.9841270e-4f))))));
  const auto scale = std::bit_cast<float>(
      static_cast<std::uint32_t>((static_cast<std::int32_t>(whole) + 127) << 23));
  return poly * scale;
}

}  // namespace namix::dsp
