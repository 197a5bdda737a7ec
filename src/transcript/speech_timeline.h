// Where the analysed audio has sound, indexed for the alignment's two
// questions: how far is the nearest utterance onset, and how much of a
// stretch is covered by utterances. Both in O(log n).
//
// Internal to the transcript library.
#pragma once

#include <vector>

#include "analysis/episode_analysis.h"

namespace namix {

class SpeechTimeline {
 public:
  explicit SpeechTimeline(const EpisodeAnalysis& analysis);

  double duration_s() const { return duration_s_; }
  const std::vector<double>& onsets_s() const { return starts_; }

  const std::vector<double>& ends_s() const { return ends_; }

  // Signed distance from `t_s` to the nearest utterance onset (onset − t),
  // or a huge value when there is none.
  double onset_residual_s(double t_s) const;
  // The same for utterance ends (where pauses begin).
  double end_residual_s(double t_s) const;

  // Whether an utterance ends in [from_s, to_s].
  bool ends_between(double from_s, double to_s) const;

  // Seconds of [a_s, b_s) inside utterances.
  double covered_s(double a_s, double b_s) const;

 private:
  double covered_until(double t_s) const;  // seconds of [0, t) inside utterances

  double duration_s_ = 0.0;
  std::vector<double> starts_;          // utterance onsets, ascending
  std::vector<double> ends_;            // their ends, ascending too (utterances do not overlap)
  std::vector<double> covered_before_;  // sum of utterance lengths before each one
};

}  // namespace namix
