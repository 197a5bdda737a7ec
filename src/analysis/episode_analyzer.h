// Streaming front of the analysis: feed blocks of mono float, then finish().
//
// analyze_episode() is a thin loop over this class; tests and benchmarks feed
// it synthetic signals directly. Only features (about 50 bytes per 10 ms) are
// kept, never the audio.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
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
  // The same for frames computed elsewhere (parallel spans laid end to end)
  // from a stream of `stream_samples`; nothing may have been fed.
  EpisodeAnalysis finish(std::vector<FeatureFrame> frames, std::vector<TimbreBands> timbre,
                         std::int64_t stream_samples);

  double seconds_fed() const;
  // The per-utterance evidence behind the last finish(), for tests and tuning.
  const std::vector<UtteranceStats>& utterance_stats() const { return stats_; }

 private:
  AnalysisOptions options_;
  FeatureExtractor extractor_;
  std::vector<FeatureFrame> frames_;
  std::vector<TimbreBands> timbre_;
  std::vector<UtteranceStats> stats_;
  double duration_s_ = 0.0;

  EpisodeAnalysis analyse_frames();
};

// analyze_episode() of the file at `path`, opened with open_analysis_decoder():
// the same result bit for bit, computed on `n_threads` cores (0: all of them)
// when the file is an MP3 long enough to split. Same errors as opening and
// analysing serially.
Result<EpisodeAnalysis> analyze_episode_file(const std::string& path,
                                             const AnalysisOptions& options,
                                             const ProgressFn& progress, int n_threads = 0);

// The same for a decoder open_analysis_decoder() opened on a file (not a
// stream being downloaded: its spans are decoded by sibling decoders of the
// file); the decoder is left at an unspecified position.
Result<EpisodeAnalysis> analyze_episode_parallel(AudioDecoder& file_decoder,
                                                 const AnalysisOptions& options,
                                                 const ProgressFn& progress, int n_threads = 0);

}  // namespace namix
