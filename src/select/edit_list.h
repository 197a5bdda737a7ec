// The edit list: which source ranges go into the mix, in what order, and why.
// It is the truth about what the mix contains (SPEC.md, result JSON).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "analysis/episode_analysis.h"
#include "core/error.h"
#include "select/theme.h"

namespace namix {

struct EditSegment {
  double start_s = 0.0;      // in the source; lies in a pause
  double end_s = 0.0;        // in the source; lies in a pause
  double mix_start_s = 0.0;  // where start_s lands in the mix
  std::string kind;          // block kind name: banter, rant, clip, ...
  double confidence = 0.0;
  std::string description;  // why it was chosen
  double duration_s() const { return end_s - start_s; }
};

struct EditList {
  std::vector<EditSegment> segments;  // in mix order
  double crossfade_s = 0.0;           // centred on each join, inside the pauses
  double duration_s = 0.0;            // of the assembled mix
  std::string selection_method;
  std::vector<std::string> warnings;
};

// target_s: the mix duration wanted; nullopt means the whole episode
// ("full": everything in order, long pauses shortened).
// Errors: invalid_argument when target_s <= 0 or longer than the episode.
Result<EditList> select_segments(const EpisodeAnalysis& analysis, const Theme& theme,
                                 std::optional<double> target_s);

}  // namespace namix
