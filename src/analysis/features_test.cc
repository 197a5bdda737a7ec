#include "analysis/features.h"

#include <fftw3.h>
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "analysis/fft_wisdom.h"
#include "dsp/decibels.h"

namespace namix {
namespace {

std::vector<float> sine(int fs, double hz, double peak_dbfs, double seconds) {
  std::vector<float> x(static_cast<std::size_t>(seconds * fs));
  const double a = dsp::db_to_gain(peak_dbfs);
  for (std::size_t i = 0; i < x.size(); ++i)
    x[i] =
        static_cast<float>(a * std::sin(2.0 * std::numbers::pi * hz * static_cast<double>(i) / fs));
  return x;
}

std::vector<FeatureFrame> run(int fs, const std::vector<float>& x, std::size_t chunk = 0) {
  FeatureExtractor fx(fs);
  std::vector<FeatureFrame> frames;
  std::vector<TimbreBands> timbre;
  if (chunk == 0) chunk = x.size();
  for (std::size_t i = 0; i < x.size(); i += chunk)
    fx.add(x.data() + i, std::min(chunk, x.size() - i), frames, timbre);
  fx.finish(frames, timbre);
  EXPECT_EQ(frames.size(), timbre.size());
  return frames;
}

float median(std::vector<float> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// A 1 kHz sine with peak -23 dBFS reads -23 LUFS in both channels of EBU Tech
// 3341; the analysis's dual-mono convention makes the mono stream read the same.
TEST(FeatureExtractor, KWeightedLevelOfSineAtMinus23) {
  for (int fs : {8000, 11025, 22050, 48000}) {
    const auto frames = run(fs, sine(fs, 1000.0, -23.0, 2.0));
    std::vector<float> levels;
    for (std::size_t i = 20; i + 20 < frames.size(); ++i) levels.push_back(frames[i].level_db);
    EXPECT_NEAR(median(levels), -23.0f, 0.5f) << fs;
    // Level tracks input: -10 dB in, -10 dB out.
    const auto quieter = run(fs, sine(fs, 1000.0, -33.0, 1.0));
    EXPECT_NEAR(quieter[50].level_db, -33.0f, 0.5f) << fs;
  }
}

TEST(FeatureExtractor, OneFramePer10msAtAnyRate) {
  for (int fs : {11025, 22050, 44100}) {
    const std::vector<float> x(static_cast<std::size_t>(fs * 3 + 7), 0.0f);
    EXPECT_EQ(run(fs, x).size(), 301u) << fs;  // ceil(3.0002 s / 10 ms)
  }
}

TEST(FeatureExtractor, BlockSizeIndependent) {
  const int fs = 11025;
  std::mt19937 rng(3);
  std::normal_distribution<float> g(0.0f, 0.1f);
  std::vector<float> x = sine(fs, 440.0, -12.0, 3.0);
  for (auto& v : x) v += g(rng);
  const auto whole = run(fs, x);
  for (std::size_t chunk : {1u, 1152u, 4099u}) {
    const auto split = run(fs, x, chunk);
    ASSERT_EQ(split.size(), whole.size());
    for (std::size_t i = 0; i < whole.size(); ++i) {
      ASSERT_EQ(split[i].level_db, whole[i].level_db) << chunk << " " << i;
      ASSERT_EQ(split[i].pitch_hz, whole[i].pitch_hz);
      ASSERT_EQ(split[i].envelope_db, whole[i].envelope_db);
    }
  }
}

TEST(FeatureExtractor, PitchOfHarmonicComplex) {
  const int fs = 11025;
  for (double f0 : {85.0, 120.0, 210.0}) {
    std::vector<float> x(static_cast<std::size_t>(fs));
    for (std::size_t i = 0; i < x.size(); ++i) {
      double s = 0.0;
      for (int h = 1; h <= 12; ++h)
        s += std::sin(2.0 * std::numbers::pi * f0 * h * static_cast<double>(i) / fs) / h;
      x[i] = static_cast<float>(0.1 * s);
    }
    const auto frames = run(fs, x);
    EXPECT_NEAR(frames[50].pitch_hz, f0, f0 * 0.015) << f0;
    EXPECT_GT(frames[50].voicing, 0.8f);
  }
}

TEST(FeatureExtractor, NoiseIsUnvoicedFlatAndWideband) {
  const int fs = 11025;
  std::mt19937 rng(5);
  std::normal_distribution<float> g(0.0f, 0.05f);
  std::vector<float> x(static_cast<std::size_t>(fs));
  for (auto& v : x) v = g(rng);
  const auto frames = run(fs, x);
  std::vector<float> voicing, flat, band, centroid;
  for (std::size_t i = 10; i + 10 < frames.size(); ++i) {
    voicing.push_back(frames[i].voicing);
    flat.push_back(frames[i].flatness);
    band.push_back(frames[i].band_limit_hz);
    centroid.push_back(frames[i].centroid_hz);
  }
  EXPECT_LT(median(voicing), 0.45f);
  int voiced = 0;
  for (const auto& f : frames) voiced += f.pitch_hz > 0.0f;
  EXPECT_LT(voiced, static_cast<int>(frames.size()) / 5);
  EXPECT_GT(median(flat),
            0.4f);  // white noise: geometric/arithmetic mean of exponential power ~0.56
  EXPECT_GT(median(band), 5000.0f);
  EXPECT_NEAR(median(centroid), 2756.0f, 150.0f);  // flat spectrum to 5.5 kHz
  // ZCR of white noise is 0.5 per sample.
  EXPECT_NEAR(frames[50].zcr, 0.5f, 0.1f);
}

TEST(FeatureExtractor, SineIsTonalAndNarrow) {
  const int fs = 22050;
  const auto frames = run(fs, sine(fs, 1000.0, -20.0, 1.0));
  EXPECT_LT(frames[50].flatness, 0.01f);
  EXPECT_NEAR(frames[50].centroid_hz, 1000.0f, 30.0f);
  EXPECT_NEAR(frames[50].band_limit_hz, 1000.0f, 60.0f);
  EXPECT_NEAR(frames[50].zcr, 2.0f * 1000.0f / fs, 0.005f);
  EXPECT_LT(frames[50].flux, 0.05f);  // steady
}

TEST(FeatureFft, CompiledWisdomPlansEveryAnalysisRate) {
  // FFTW loads wisdom only into the build that wrote it (fft_wisdom.cc's
  // first line names it); with another FFTW the extractor plans by estimate.
  const std::string version = fftwf_version;  // e.g. "fftw-3.3.10-sse2-avx"
  const std::string prefix = "(" + version.substr(0, version.find('-', 5)) + " ";
  if (std::string(kFeatureFftWisdom).rfind(prefix, 0) != 0)
    GTEST_SKIP() << "fft_wisdom.cc was made with another FFTW than " << version;
    // Its plans use FFTW's AVX codelets; on a CPU without AVX, FFTW drops the
    // wisdom and the extractor plans by estimate.
#if defined(__x86_64__)
  if (version.find("avx") != std::string::npos && !__builtin_cpu_supports("avx"))
    GTEST_SKIP() << "this CPU has no AVX, so FFTW cannot use the compiled-in wisdom";
#endif
  // Fails when the planned transforms no longer match the wisdom (their
  // size, placement or alignment changed): regenerate it with fft_wisdom_gen.
  // 8 kHz and 11025 Hz plan 512 points, 12 to 22050 Hz 1024, 48 kHz 4096.
  for (int fs : {8000, 11025, 12000, 16000, 22050, 24000, 48000})
    EXPECT_TRUE(feature_fft_plans_from_wisdom(fs)) << fs << " Hz";
  // 16384 points (192 kHz, which the decoders never leave unreduced) are not
  // in the wisdom: that extractor plans by estimate.
  EXPECT_FALSE(feature_fft_plans_from_wisdom(192000));
}

}  // namespace
}  // namespace namix
