// A themed selection for one target duration: candidates from the theme's
// kinds, picked best first (or the best in each zone of the show for a
// spread theme), fitted to the target and described.
#pragma once

#include "analysis/episode_analysis.h"
#include "core/error.h"
#include "select/edit_list.h"
#include "select/selection_text.h"
#include "select/theme.h"

namespace namix::selection {

// How selection may land on the target when whole utterances of theme
// material do not add up to it.
enum class Landing {
  whole_utterances,    // theme material only, cut in the analysis' pauses
  fill_from_fallback,  // theme material under the target, the rest from the fallback kinds
  at_breaths,          // theme material cut also at breaths inside long utterances
};

struct SelectionRequest {
  double target_s = 0.0;
  Landing landing = Landing::whole_utterances;
  bool whole_clips = false;  // a clip is taken whole or not at all
  SelectionText text;        // the words, when the episode has a transcript
};

// Errors: invalid_argument when the episode holds nothing but silence.
Result<EditList> select_for_theme(const EpisodeAnalysis& a, const Theme& theme,
                                  const SelectionRequest& request);

}  // namespace namix::selection
