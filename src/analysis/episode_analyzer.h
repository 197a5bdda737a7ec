// Streaming front of the analysis: feed blocks of mono float, then finish().
//
// analyze_episode() is a thin loop over this class; tests and benchmarks feed
// it synthetic signals directly. Only features (about 50 bytes per 10 ms) are
// kept, never the audio.
#pragma once

#include <cstddef>
#include <vector>

#include "analysis/episode_analysis.h"
#include "analysis/features.h"
#include "analysis/utterance_stats.h"

namespace namix {

class EpisodeAnalyzer {
 public:
  explicit EpisodeAnalyzer(int sample_rate_hz, const AnalysisOptions& options = {});

  void add(const float* mono, std::size_t n);
  // Segments, classifies and groups what was fed. Call once.
  EpisodeAnalysis finish();

  double seconds_fed() const;
  // The per-utterance evidence behind the last finish(), for tests and tuning.
  const std::vector<UtteranceStats>& utterance_stats() const { return stats_; }

 private:
  AnalysisOptions options_;
  FeatureExtractor extractor_;
  std::vector<FeatureFrame> frames_;
  std::vector<TimbreBands> timbre_;
  std::vector<UtteranceStats> stats_;
};

}  // namespace namix
