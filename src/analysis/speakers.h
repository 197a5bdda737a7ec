// Sound class of each utterance (speech, music, clip) and the two hosts.
#pragma once

#include <vector>

#include "analysis/episode_analysis.h"
#include "analysis/utterance_stats.h"

namespace namix {

// How much an utterance sounds like music rather than a voice, 0..4: no
// syllabic dips (0..2), a steady spectrum (0..1), long held tones (0..1).
float music_score(const UtteranceStats& s);

void classify_sounds(std::vector<Utterance>& utterances, const std::vector<UtteranceStats>& stats,
                     int analysis_rate_hz);

// Clusters the speech utterances into two voices; host A (speaker 0) is the
// one with more speech time. Clips and music keep speaker -1.
void assign_speakers(std::vector<Utterance>& utterances, const std::vector<UtteranceStats>& stats);

}  // namespace namix
