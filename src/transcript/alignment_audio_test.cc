// Alignment against namix's own analysis of real audio: a two-host show
// synthesised sample by sample (analysis/synthetic_show.h), its true
// transcript, and the same show served with a 12 s music pre-roll and a
// 20 s mid-roll (another voice, then music) in the audio only.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>

#include "analysis/episode_analyzer.h"
#include "analysis/synthetic_show.h"
#include "transcript/alignment.h"

namespace namix {
namespace {

using synthetic::ShowBuilder;
using synthetic::Voice;

struct ServedShow {
  std::vector<float> audio;
  Transcript transcript;                       // in the published show's time
  std::vector<double> truth_s;                 // each cue's start in the served audio
  std::vector<std::pair<double, double>> ads;  // [start, end) in the served audio
};

ServedShow make_served_show(int fs, std::uint32_t seed) {
  ShowBuilder show(fs, seed);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const Voice a{.pitch_hz = 115, .level_dbfs = -20};
  const Voice b{.pitch_hz = 95, .formant_scale = 0.9, .level_dbfs = -27};
  const Voice announcer{
      .pitch_hz = 170, .formant_scale = 0.8, .level_dbfs = -19, .syllables_per_s = 5.5};
  ServedShow served;
  double inserted_s = 0.0;  // audio inserted so far: served time − published time
  const auto ad = [&](auto&& body) {
    const double start = show.now();
    body();
    served.ads.emplace_back(start, show.now());
    inserted_s += show.now() - start;
  };
  const auto talk = [&](double seconds) {
    int who = 0;
    const double until = show.now() + seconds;
    while (show.now() < until) {
      show.say(who ? b : a, 1.2 + 3.5 * u(rng), who, 2.0 * (u(rng) - 0.5));
      const auto& sound = show.sounds().back();
      // Captions of at most ~2.5 s, as a captioner splits long sentences.
      const int parts = 1 + static_cast<int>((sound.end_s - sound.start_s) / 2.5);
      for (int p = 0; p < parts; ++p) {
        const double len = (sound.end_s - sound.start_s) / parts;
        const double start = sound.start_s + p * len;
        served.transcript.cues.push_back(
            {start - inserted_s, start + len - inserted_s, who ? "Blake" : "Alex", "words", {}});
        served.truth_s.push_back(start);
      }
      show.gap(0.35 + 0.6 * u(rng));
      if (u(rng) < 0.4) who = 1 - who;
    }
  };

  ad([&] {
    show.music(11.5, -16.0);
    show.gap(0.5);
  });
  talk(55.0);
  ad([&] {
    const double begin = show.now();
    for (int i = 0; i < 4; ++i) {
      show.say(announcer, 2.0 + 1.0 * u(rng), 2);
      show.gap(0.3 + 0.2 * u(rng));
    }
    show.music(19.5 - (show.now() - begin), -16.0);
    show.gap(0.5);
  });
  talk(55.0);
  show.gap(1.0);
  served.audio = show.render();
  for (auto& c : served.transcript.cues) c.words = {{c.start_s, c.end_s, "words"}};
  return served;
}

TEST(AlignmentOnAudio, HoldsAfterAPreRollAndAMidRoll) {
  const int fs = 11025;
  const ServedShow served = make_served_show(fs, 21);
  ASSERT_EQ(served.ads.size(), 2u);
  EpisodeAnalyzer analyzer(fs);
  analyzer.add(served.audio.data(), served.audio.size());
  const EpisodeAnalysis analysis = analyzer.finish();

  const auto al = align_transcript(served.transcript, analysis);
  double worst_s = 0.0;
  for (std::size_t k = 0; k < al.transcript.cues.size(); ++k) {
    const double truth = served.truth_s[al.source_cues[k]];
    const double error = std::fabs(al.transcript.cues[k].start_s - truth);
    worst_s = std::max(worst_s, error);
    EXPECT_LE(error, 0.2) << "cue " << al.source_cues[k] << " at " << truth;
  }
  std::printf("%zu cues, %zu placed (worst onset error %.3f s), %zu unplaced; pieces:",
              served.transcript.cues.size(), al.transcript.cues.size(), worst_s,
              al.unplaced_cues.size());
  for (const auto& p : al.pieces)
    std::printf(" [%.1f..%.1f] %+.3f s", p.source_start_s, p.source_end_s, p.offset_s);
  std::printf("\n");
  EXPECT_LE(al.unplaced_cues.size(), 1u);
  ASSERT_EQ(al.pieces.size(), 2u);
  const double pre_roll = served.ads[0].second - served.ads[0].first;
  const double both = pre_roll + served.ads[1].second - served.ads[1].first;
  EXPECT_NEAR(al.pieces[0].offset_s, pre_roll, 0.05);
  EXPECT_NEAR(al.pieces[1].offset_s, both, 0.05);
  // Nothing is placed inside an ad.
  for (const auto& c : al.transcript.cues) {
    for (const auto& [a, b] : served.ads) EXPECT_FALSE(c.start_s > a + 0.2 && c.start_s < b - 0.2);
  }
}

}  // namespace
}  // namespace namix
