#include "analysis/segmentation.h"

#include <gtest/gtest.h>

#include "analysis/episode_analyzer.h"
#include "analysis/synthetic_show.h"

namespace namix {
namespace {

// Sentences with known pauses (0.3 .. 1.5 s) over pink noise at -62 dBFS and
// 60 Hz hum at -52 dBFS: every detected pause must match a true gap within
// 30 ms at both ends, and every true gap must be found.
TEST(Segmentation, PausesMatchTruthWithin30ms) {
  for (int fs : {11025, 22050}) {
    synthetic::ShowBuilder show(fs, 7);
    synthetic::Voice a{.pitch_hz = 110, .formant_scale = 1.0, .level_dbfs = -20};
    synthetic::Voice b{.pitch_hz = 150, .formant_scale = 0.88, .level_dbfs = -27};
    show.gap(1.0);
    const double gaps[] = {0.3, 0.5, 0.8, 1.2, 0.35, 1.5, 0.4, 0.6, 0.32, 0.9};
    for (int i = 0; i < 10; ++i) {
      show.say(i % 2 ? b : a, 1.5 + 0.3 * (i % 4), i % 2);
      show.gap(gaps[i]);
    }
    const auto audio = show.render();
    EpisodeAnalyzer analyzer(fs);
    analyzer.add(audio.data(), audio.size());
    const EpisodeAnalysis result = analyzer.finish();

    const auto& truth = show.sounds();
    ASSERT_EQ(result.utterances.size(), truth.size()) << fs;
    for (std::size_t i = 0; i < truth.size(); ++i) {
      EXPECT_NEAR(result.utterances[i].start_s, truth[i].start_s, 0.03) << fs << " utt " << i;
      EXPECT_NEAR(result.utterances[i].end_s, truth[i].end_s, 0.03) << fs << " utt " << i;
    }
    // Pauses: leading, 9 between, trailing; each lies between true sounds.
    ASSERT_EQ(result.pauses.size(), truth.size() + 1);
    for (std::size_t i = 1; i + 1 < result.pauses.size(); ++i) {
      EXPECT_GE(result.pauses[i].start_s, truth[i - 1].end_s - 1e-9);
      EXPECT_LE(result.pauses[i].end_s, truth[i].start_s + 1e-9);
    }
  }
}

TEST(Segmentation, ShortGapsDoNotSplitAndClicksAreDropped) {
  const int fs = 11025;
  synthetic::ShowBuilder show(fs, 9);
  synthetic::Voice a{.pitch_hz = 110};
  show.gap(1.0);
  show.say(a, 1.0, 0);
  show.gap(0.12);  // a breath, not a pause
  show.say(a, 1.0, 0);
  show.gap(1.0);
  show.say(a, 0.05, 0);  // a click
  show.gap(1.0);
  show.say(a, 1.0, 0);
  show.gap(0.5);
  const auto audio = show.render();
  EpisodeAnalyzer analyzer(fs);
  analyzer.add(audio.data(), audio.size());
  const auto result = analyzer.finish();
  ASSERT_EQ(result.utterances.size(), 2u);
  EXPECT_NEAR(result.utterances[0].duration_s(), 2.12, 0.06);
}

TEST(Segmentation, FloorFollowsTheNoise) {
  // Envelope at -60 dB with sounds at -20: the floor sits at the noise.
  std::vector<FeatureFrame> frames(6000);
  for (std::size_t i = 0; i < frames.size(); ++i)
    frames[i].envelope_db = (i / 100) % 3 == 0 ? -20.0f : -60.0f + 0.5f * static_cast<float>(i % 7);
  float global = 0.0f;
  const auto floor = estimate_noise_floor(frames, &global);
  EXPECT_NEAR(global, -60.0f, 1.0f);
  for (float f : floor) EXPECT_NEAR(f, -60.0f, 1.5f);
}

}  // namespace
}  // namespace namix
