// The whole-episode remaster's plan ("--duration full"): everything in
// order, long pauses shortened, one segment (chapter) per block.
#pragma once

#include "analysis/episode_analysis.h"
#include "select/edit_list.h"
#include "select/theme.h"

namespace namix::selection {

EditList whole_episode(const EpisodeAnalysis& a, const Theme& theme);

}  // namespace namix::selection
