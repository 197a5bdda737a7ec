// Synthetic transcripts and analyses for the alignment's tests and
// benchmark: a show's utterances and the cues a captioner would publish for
// them, and what the analysis of the served file (ads stitched in) would
// report: onsets jittered, some utterances missed, merged or invented.
//
// Test support only; nothing in the pipeline includes it.
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

#include "analysis/episode_analysis.h"
#include "transcript/transcript.h"

namespace namix::synthetic {

struct Insertion {
  double at_source_s = 0.0;  // transcript time the ad is inserted before
  double length_s = 0.0;
};

struct Scenario {
  Transcript transcript;
  EpisodeAnalysis analysis;
  std::vector<Insertion> ads;
  double delay_s = 0.0;

  // Where transcript time `t` plays in the served audio.
  double truth(double t) const {
    double audio = t + delay_s;
    for (const auto& ad : ads) audio += t >= ad.at_source_s ? ad.length_s : 0.0;
    return audio;
  }
};

struct ScenarioOptions {
  double minutes = 10.0;
  double pre_roll_s = 12.0;
  std::vector<double> mid_rolls_s = {20.0};
  double miss_share = 0.05;      // utterances the analysis does not see
  double spurious_share = 0.03;  // extra short sounds it does see
  double jitter_s = 0.02;        // onset error of the analysis
  double max_cue_s = 2.5;        // longer utterances are captioned in several cues
};

inline Scenario make_scenario(std::uint32_t seed, const ScenarioOptions& o) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::normal_distribution<double> jitter(0.0, o.jitter_s);
  Scenario sc;
  sc.delay_s = 0.06 * u(rng);

  // The show in transcript time: utterances, each captioned by 1..3 cues.
  std::vector<std::pair<double, double>> spoken;
  const char* names[] = {"Alex", "Blake"};
  int speaker = 0;
  double t = 0.5 + u(rng);
  while (t < o.minutes * 60.0) {
    const double len = 0.8 + 5.0 * u(rng);
    spoken.emplace_back(t, t + len);
    if (u(rng) < 0.3) speaker = 1 - speaker;
    const int parts = 1 + static_cast<int>(len / o.max_cue_s);
    for (int p = 0; p < parts; ++p) {
      const double a = t + len * p / parts;
      const double b = t + len * (p + 1) / parts;
      sc.transcript.cues.push_back({a, b, names[speaker], "words here", {{a, b, "words"}}});
    }
    t += len + 0.35 + 0.9 * u(rng);
  }
  // Ads go in at pauses: a pre-roll at 0, mid-rolls spread over the show.
  if (o.pre_roll_s > 0) sc.ads.push_back({0.0, o.pre_roll_s});
  for (std::size_t m = 0; m < o.mid_rolls_s.size(); ++m) {
    const auto k = (m + 1) * spoken.size() / (o.mid_rolls_s.size() + 1) +
                   static_cast<std::size_t>(u(rng) * 10.0);
    const std::size_t at = std::min(k, spoken.size() - 1);
    sc.ads.push_back({0.5 * (spoken[at - 1].second + spoken[at].first), o.mid_rolls_s[m]});
  }

  // The analysis of the served audio.
  std::vector<Utterance> heard;
  for (const auto& [a, b] : spoken) {
    if (u(rng) < o.miss_share) continue;
    const double start = sc.truth(a) + jitter(rng);
    const double end = sc.truth(b) + jitter(rng);
    if (!heard.empty() && start - heard.back().end_s < 0.4 && u(rng) < 0.3) {
      heard.back().end_s = end;  // a short pause the analysis did not split at
      continue;
    }
    heard.push_back({start, end, SoundClass::speech, 0});
  }
  for (const auto& ad : sc.ads) {
    // Ads are speech too: someone else talking, in utterances of their own.
    const double from = sc.truth(ad.at_source_s) - ad.length_s;
    for (double a = from + 0.3; a + 1.0 < from + ad.length_s; a += 1.5 + 2.0 * u(rng)) {
      heard.push_back(
          {a, std::min(a + 1.0 + 2.0 * u(rng), from + ad.length_s - 0.2), SoundClass::speech, -1});
    }
  }
  const std::size_t real = heard.size();
  for (std::size_t i = 0; i < real; ++i) {
    if (u(rng) < o.spurious_share) {
      const double a = heard[i].end_s + 0.05;
      heard.push_back({a, a + 0.12, SoundClass::speech, -1});  // a click or a breath
    }
  }
  std::sort(heard.begin(), heard.end(),
            [](const Utterance& x, const Utterance& y) { return x.start_s < y.start_s; });
  sc.analysis.utterances = heard;
  sc.analysis.duration_s = sc.truth(t) + 3.0;
  return sc;
}

}  // namespace namix::synthetic
