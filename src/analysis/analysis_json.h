// JSON form of an EpisodeAnalysis (`namix analyze --json`, debugging, eval).
#pragma once

#include <nlohmann/json.hpp>

#include "analysis/episode_analysis.h"

namespace namix {

struct AnalysisJsonOptions {
  // Frames are 100 a second; 0 leaves them out, N keeps every N-th.
  int frame_decimation = 0;
};

nlohmann::json analysis_to_json(const EpisodeAnalysis& analysis,
                                const AnalysisJsonOptions& options = {});

}  // namespace namix
