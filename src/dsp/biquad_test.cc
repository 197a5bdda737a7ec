#include "dsp/biquad.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "dsp/test_signals.h"

namespace namix::dsp {
namespace {

constexpr double kFs = 44100.0;

// Reference values: scipy 1.10.1. HPF/LPF at Butterworth Q are
//   b, a = scipy.signal.butter(2, fc, 'highpass'|'lowpass', fs=44100)
// and every other shape is the cookbook's analog prototype with s scaled by
// the prewarped W = 2*fs*tan(pi*f0/fs), through scipy.signal.bilinear:
//   peaking:   bilinear([1, A*W/q, W*W], [1, W/(A*q), W*W], fs),   A = 10**(g/40)
//   notch:     bilinear([1, 0, W*W], [1, W/q, W*W], fs)
//   HPF(q):    bilinear([1, 0, 0], [1, W/q, W*W], fs)
//   low shelf: k = sqrt(A)*sqrt((A+1/A)*(1/S-1)+2)*W
//              bilinear(A*[1, k, A*W*W], [A, k, W*W], fs)
//   high shelf: bilinear(A*[A, k, W*W], [1, k, A*W*W], fs)
// and magnitudes from scipy.signal.freqz(b, a, worN=freqs, fs=fs).
struct Case {
  const char* name;
  BiquadCoeffs got;
  BiquadCoeffs want;  // b0 b1 b2 a1 a2
  std::vector<std::pair<double, double>> mag_db;
};

std::vector<Case> cases() {
  return {
      {"hpf 80 Hz butterworth",
       design_highpass(kFs, 80.0),
       {0.991972739802589, -1.98394547960518, 0.991972739802589, -1.98388104166084,
        0.984009917549517},
       {{20, -24.0995},
        {50, -8.7816},
        {80, -3.0103},
        {100, -1.4909},
        {200, -0.1098},
        {1000, -0.0002},
        {15000, 0.0}}},
      {"lpf 8 kHz butterworth",
       design_lowpass(kFs, 8000.0),
       {0.177245025541441, 0.354490051082883, 0.177245025541441, -0.508717528105478,
        0.217697630271244},
       {{100, 0.0}, {1000, -0.0007}, {3000, -0.0568}, {8000, -3.0103}, {15000, -18.2072}}},
      {"hpf 100 Hz q 1",
       design_highpass(kFs, 100.0, 1.0),
       {0.992876445589349, -1.9857528911787, 0.992876445589349, -1.98565211393795,
        0.985853668419448},
       {{20, -27.7890}, {50, -11.1397}, {80, -2.7391}, {100, 0.0}, {200, 0.9017}, {1000, 0.0431}}},
      {"peaking 200 Hz q 0.7 +2 dB",
       design_peaking(kFs, 200.0, 0.7, 2.0),
       {1.00461267207921, -1.96357319408659, 0.959757977775117, -1.96357319408659,
        0.96437064985433},
       {{20, 0.0411}, {50, 0.2549}, {100, 0.9514}, {200, 2.0}, {1000, 0.1633}, {8000, 0.0020}}},
      {"peaking 3 kHz q 1.2 +1.5 dB",
       design_peaking(kFs, 3000.0, 1.2, 1.5),
       {1.02578050858249, -1.57114830439973, 0.700689476064213, -1.57114830439973,
        0.726469984646703},
       {{200, 0.0045}, {1000, 0.1298}, {3000, 1.5}, {8000, 0.1389}, {15000, 0.0151}}},
      {"peaking 800 Hz q 1.5 -2 dB",
       design_peaking(kFs, 800.0, 1.5, -2.0),
       {0.991608253778978, -1.90594867846136, 0.926788457507356, -1.90594867846136,
        0.918396711286334},
       {{200, -0.0616}, {800, -2.0}, {1000, -1.3702}, {3000, -0.0690}}},
      {"notch 60 Hz q 30",
       design_notch(kFs, 60.0, 30.0),
       {0.999857546173974, -1.99964202547142, 0.999857546173974, -1.99964202547142,
        0.999715092347948},
       {{50, -0.0357}, {59, -2.9738}, {61, -3.0461}, {70, -0.0501}, {120, -0.0021}}},
      {"low shelf 150 Hz +3 dB S 1",
       design_low_shelf(kFs, 150.0, 3.0, 1.0),
       {1.00261618651981, -1.972199922355, 0.970119135412265, -1.97227810520676, 0.972657139080315},
       {{20, 2.9990}, {80, 2.7720}, {150, 1.5}, {200, 0.7266}, {1000, 0.0015}}},
      {"high shelf 6 kHz +2 dB S 1",
       design_high_shelf(kFs, 6000.0, 2.0, 1.0),
       {1.17867145941768, -1.07156848442768, 0.379137399790337, -0.80117414450691,
        0.28741451928725},
       {{1000, 0.0012}, {3000, 0.0988}, {6000, 1.0}, {8000, 1.5916}, {15000, 1.9921}}},
  };
}

TEST(BiquadDesign, CoefficientsMatchScipy) {
  for (const auto& c : cases()) {
    SCOPED_TRACE(c.name);
    EXPECT_NEAR(c.got.b0, c.want.b0, 1e-9);
    EXPECT_NEAR(c.got.b1, c.want.b1, 1e-9);
    EXPECT_NEAR(c.got.b2, c.want.b2, 1e-9);
    EXPECT_NEAR(c.got.a1, c.want.a1, 1e-9);
    EXPECT_NEAR(c.got.a2, c.want.a2, 1e-9);
  }
}

TEST(BiquadDesign, MagnitudeMatchesScipy) {
  for (const auto& c : cases()) {
    SCOPED_TRACE(c.name);
    for (auto [f, want] : c.mag_db) EXPECT_NEAR(magnitude_db(c.got, kFs, f), want, 0.01) << f;
  }
}

TEST(BiquadDesign, NotchIsDeepAtCentre) {
  EXPECT_LT(magnitude_db(design_notch(kFs, 60.0, 30.0), kFs, 60.0), -100.0);
}

// The running filter, not just the design: a steady sine through the
// processor comes out at the designed magnitude.
TEST(Biquad, SteadySineMatchesDesignedMagnitude) {
  BiquadParams p{FilterType::peaking, 3000.0, 1.2, 1.5};
  for (double f : {300.0, 1000.0, 3000.0, 8000.0}) {
    Biquad bq(p);
    bq.prepare({kFs, 4096, 2});
    auto x = testing::sine(kFs, f, -6.0, 44100);
    auto buf = testing::make_buffer(x, &x);
    bq.process(buf.view());
    const std::size_t skip = 22050;
    const double in = testing::rms_db(x, skip);
    for (int ch = 0; ch < 2; ++ch) {
      const double out = testing::rms_db(testing::channel_copy(buf, ch), skip);
      EXPECT_NEAR(out - in, magnitude_db(bq.coeffs(), kFs, f), 0.01) << f;
    }
  }
}

// Two Butterworth sections give 24 dB/oct: -6.02 dB at the cutoff and about
// -48 dB two octaves below (the single section reads -24.1 dB at 20 Hz).
TEST(Biquad, CascadeDoublesTheSlope) {
  BiquadParams p{FilterType::highpass, 80.0, kButterworthQ, 0.0, 1.0, 2};
  for (auto [f, want] : {std::pair{80.0, -6.0206}, std::pair{20.0, -48.199}}) {
    Biquad bq(p);
    bq.prepare({kFs, 1 << 18, 1});
    auto x = testing::sine(kFs, f, -1.0, 4 * 44100);
    auto buf = testing::make_buffer(x);
    bq.process(buf.view());
    const std::size_t skip = 2 * 44100;
    EXPECT_NEAR(testing::rms_db(testing::channel_copy(buf, 0), skip) - testing::rms_db(x, skip),
                want, 0.05)
        << f;
  }
}

TEST(Biquad, ResetClearsState) {
  Biquad bq({FilterType::lowpass, 1000.0});
  bq.prepare({kFs, 64, 1});
  std::vector<float> x(64, 1.0f);
  auto a = testing::make_buffer(x);
  bq.process(a.view());
  bq.reset();
  auto b = testing::make_buffer(x);
  Biquad fresh({FilterType::lowpass, 1000.0});
  fresh.prepare({kFs, 64, 1});
  auto c = testing::make_buffer(x);
  bq.process(b.view());
  fresh.process(c.view());
  for (std::size_t i = 0; i < 64; ++i) EXPECT_EQ(b.channel(0)[i], c.channel(0)[i]);
}

// A series of different stages (six sections: more than one fused pass)
// equals the stages one after another, mono and stereo, in odd blocks. The
// stages hand on float between them, the series double, so they agree to
// float rounding: 1e-6 of full scale.
TEST(BiquadSeries, EqualsTheStagesInTurn) {
  const std::vector<BiquadParams> stages = {
      {FilterType::highpass, 60.0, kButterworthQ, 0.0, 1.0, 1},
      {FilterType::lowpass, 8000.0, kButterworthQ, 0.0, 1.0, 4},
      {FilterType::peaking, 120.0, 0.8, 1.5, 1.0, 1}};
  const auto l = testing::speech_like(7, kFs, -16.0, 44100);
  const auto r = testing::white_noise(8, -20.0, 44100);
  for (bool stereo : {false, true}) {
    auto want = testing::make_buffer(l, stereo ? &r : nullptr);
    auto got = want;
    const ProcessSpec spec{kFs, 4096, want.num_channels()};
    for (const auto& p : stages) {
      Biquad b(p);
      b.prepare(spec);
      for (std::size_t first = 0; first < want.num_frames(); first += 4096)
        b.process(want.view().slice(first, std::min<std::size_t>(4096, want.num_frames() - first)));
    }
    BiquadSeries series;
    for (const auto& p : stages) series.add(p);
    EXPECT_EQ(series.num_sections(), 6);
    series.prepare(spec);
    for (std::size_t first = 0, n = 1; first < got.num_frames();
         first += n, n = (n * 7 + 3) % 4096 + 1)
      series.process(got.view().slice(first, std::min(n, got.num_frames() - first)));
    double worst = 0.0;
    for (int c = 0; c < want.num_channels(); ++c) {
      for (std::size_t i = 0; i < want.num_frames(); ++i) {
        worst =
            std::max(worst, static_cast<double>(std::fabs(want.channel(c)[i] - got.channel(c)[i])));
      }
    }
    EXPECT_LE(worst, 1e-6) << (stereo ? "stereo" : "mono");
  }
}

}  // namespace
}  // namespace namix::dsp
