// Sound class of each utterance (speech, music, clip) and the two hosts.
#pragma once

#include <vector>

#include "analysis/episode_analysis.h"
#include "analysis/utterance_stats.h"

namespace namix {

void classify_sounds(std::vector<Utterance>& utterances, const std::vector<UtteranceStats>& stats,
                     int analysis_rate_hz);

// Clusters the speech utterances into two voices; host A (speaker 0) is the
// one with more speech time. Clips and music keep speaker -1.
void assign_speakers(std::vector<Utterance>& utterances, const std::vector<UtteranceStats>& stats);

}  // namespace namix
