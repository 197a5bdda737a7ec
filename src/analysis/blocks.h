// Blocks: runs of utterances with one kind (banter, rant, clip, donation,
// jingle, music), each with confidence, engagement and the evidence.
#pragma once

#include <vector>

#include "analysis/episode_analysis.h"
#include "analysis/utterance_stats.h"

namespace namix {

// Also fills the two host profiles (hosts[0] = host A).
std::vector<Block> find_blocks(const std::vector<Utterance>& utterances,
                               const std::vector<UtteranceStats>& stats, HostProfile hosts[2]);

}  // namespace namix
