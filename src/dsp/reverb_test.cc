#include "dsp/reverb.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "dsp/test_signals.h"

namespace namix::dsp {
namespace {

constexpr double kFs = 44100.0;

// RT60 from the impulse response by Schroeder backward integration (ISO
// 3382-1): the time the energy decay curve takes from -5 to -35 dB, doubled.
double rt60_s(const std::vector<float>& ir, double fs) {
  std::vector<double> edc(ir.size());
  double acc = 0.0;
  for (std::size_t i = ir.size(); i-- > 0;) {
    acc += static_cast<double>(ir[i]) * ir[i];
    edc[i] = acc;
  }
  const double total = edc[0];
  double t5 = -1.0, t35 = -1.0;
  for (std::size_t i = 0; i < edc.size(); ++i) {
    const double db = 10.0 * std::log10(edc[i] / total);
    if (t5 < 0.0 && db <= -5.0) t5 = static_cast<double>(i) / fs;
    if (t35 < 0.0 && db <= -35.0) {
      t35 = static_cast<double>(i) / fs;
      break;
    }
  }
  return 2.0 * (t35 - t5);
}

std::vector<float> impulse_response(const ReverbParams& p, double fs, double seconds) {
  const auto n = static_cast<std::size_t>(seconds * fs);
  std::vector<float> x(n, 0.0f);
  x[0] = 1.0f;
  auto buf = testing::make_buffer(x, &x);
  Reverb rv(p);
  rv.prepare({fs, 4096, 2});
  for (std::size_t pos = 0; pos < n; pos += 4096) {
    rv.process(buf.view().slice(pos, std::min<std::size_t>(4096, n - pos)));
  }
  return testing::channel_copy(buf, 0);
}

// Freeverb's combs have loop gain g = 0.7 + 0.28 room at DC; with a mean
// comb delay of 30.6 ms the low-frequency RT60 is -3 * 0.0306 / log10(g):
// 0.76 s at room 0.2, 1.21 s at 0.5, 2.67 s at 0.8. Damping shortens the
// broadband figure, so it must lie between 40 % and 105 % of that, grow with
// room_size, and hold at 48 kHz too (delays scale with the rate).
TEST(Reverb, Rt60GrowsWithRoomSize) {
  for (double fs : {44100.0, 48000.0}) {
    double previous = 0.0;
    for (double room : {0.2, 0.5, 0.8}) {
      ReverbParams p;
      p.room_size = room;
      p.wet = 1.0;
      p.dry = 0.0;
      auto ir = impulse_response(p, fs, 8.0);
      const double rt = rt60_s(ir, fs);
      const double g = 0.7 + 0.28 * room;
      const double lf = -3.0 * 0.0306 / std::log10(g);
      EXPECT_GT(rt, previous) << room;
      EXPECT_GT(rt, 0.4 * lf) << room;
      EXPECT_LT(rt, 1.05 * lf) << room;
      previous = rt;
      // And it has died away by the end: the last second is 80 dB under the peak.
      const double peak = testing::peak_abs(ir);
      std::vector<float> tail(ir.end() - static_cast<std::ptrdiff_t>(fs), ir.end());
      EXPECT_LT(testing::peak_abs(tail), peak * 1e-4) << room;
    }
  }
}

TEST(Reverb, WetZeroIsIdentity) {
  ReverbParams p;
  p.wet = 0.0;
  auto l = testing::white_noise(1, -20.0, 44100);
  auto r = testing::speech_like(2, kFs, -20.0, 44100);
  auto buf = testing::make_buffer(l, &r);
  Reverb rv(p);
  rv.prepare({kFs, 1024, 2});
  for (std::size_t pos = 0; pos < l.size(); pos += 1024) {
    rv.process(buf.view().slice(pos, std::min<std::size_t>(1024, l.size() - pos)));
  }
  for (std::size_t i = 0; i < l.size(); ++i) {
    ASSERT_EQ(buf.channel(0)[i], l[i]);
    ASSERT_EQ(buf.channel(1)[i], r[i]);
  }
}

// 10 s of loud noise into the longest, least damped room (comb loop gain
// 0.98, i.e. +17 dB per comb on white noise): the output stays finite, stops
// growing once the tank is full (the last second is no louder than the
// fifth), and stays under +20 dB.
TEST(Reverb, EnergyBoundedOnLongNoise) {
  ReverbParams p{1.0, 0.0, 1.0, 0.5, 1.0};
  auto l = testing::white_noise(3, -10.0, 10 * 44100);
  auto r = testing::white_noise(4, -10.0, 10 * 44100);
  auto buf = testing::make_buffer(l, &r);
  Reverb rv(p);
  rv.prepare({kFs, 4096, 2});
  for (std::size_t pos = 0; pos < l.size(); pos += 4096) {
    rv.process(buf.view().slice(pos, std::min<std::size_t>(4096, l.size() - pos)));
  }
  for (int c = 0; c < 2; ++c) {
    const auto out = testing::channel_copy(buf, c);
    for (float s : out) ASSERT_TRUE(std::isfinite(s));
    const double fifth = testing::rms_db(out, 4 * 44100, 44100);
    const double last = testing::rms_db(out, 9 * 44100);
    EXPECT_LT(last, fifth + 0.5);
    EXPECT_LT(last, -10.0 + 20.0);
  }
}

// Width 0 gives the same tail in both channels.
TEST(Reverb, WidthZeroIsAMonoTail) {
  ReverbParams p{0.5, 0.5, 1.0, 0.0, 0.0};
  auto ir = impulse_response(p, kFs, 1.0);
  std::vector<float> x(44100, 0.0f);
  x[0] = 1.0f;
  auto buf = testing::make_buffer(x, &x);
  Reverb rv(p);
  rv.prepare({kFs, 44100, 2});
  rv.process(buf.view());
  for (std::size_t i = 0; i < x.size(); ++i)
    ASSERT_NEAR(buf.channel(0)[i], buf.channel(1)[i], 1e-7f);
}

}  // namespace
}  // namespace namix::dsp
