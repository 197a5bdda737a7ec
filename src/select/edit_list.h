// The edit list: which source ranges go into the mix, in what order, and why.
// It is the truth about what the mix contains: the renderer plays exactly
// these ranges, and the result JSON's segments are these.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "analysis/episode_analysis.h"
#include "core/error.h"
#include "select/selection_text.h"
#include "select/theme.h"

namespace namix {

struct EditSegment {
  double start_s = 0.0;      // in the source; lies in a pause
  double end_s = 0.0;        // in the source; lies in a pause
  double mix_start_s = 0.0;  // where start_s lands in the mix
  std::string kind;          // block kind name: banter, rant, clip, ...
  double confidence = 0.0;
  std::string description;  // why it was chosen
  // With a transcript: the words spoken in the segment, the theme phrases or
  // --about terms that counted for it, and (with --about) its relevance score.
  std::string text;
  std::vector<std::string> matched;
  std::optional<double> score;
  // Source ranges inside this segment's long pauses that the renderer leaves
  // out, so the mix has no dead air (pauses over 1 s, in full mode too).
  // Each lies strictly inside a pause with >= 0.3 s of the pause kept on each
  // side; the renderer butt-joins the two sides (a few-ms fade at most: both
  // sides are noise floor) with no overlap, so mix_start_s/duration hold.
  std::vector<Pause> dropped;
  double duration_s() const { return end_s - start_s; }
  // What the segment contributes to the mix before crossfade overlaps.
  double mix_duration_s() const {
    double d = end_s - start_s;
    for (const auto& p : dropped) d -= p.duration_s();
    return d;
  }
};

struct EditList {
  std::vector<EditSegment> segments;  // in mix order
  // Crossfades are centred on each cut point, inside its pause (the renderer
  // shortens one where the pause is narrow), so joins take no time:
  // segments[i+1].mix_start_s = segments[i].mix_start_s + segments[i].mix_duration_s().
  double crossfade_s = 0.0;
  double duration_s = 0.0;  // of the assembled mix
  std::string selection_method;
  std::vector<std::string> warnings;
};

// target_s: the mix duration wanted; nullopt means the whole episode
// ("full": everything in order, long pauses shortened).
// `text` adds the words to the choice (selection_text.h).
// Errors: invalid_argument when target_s <= 0 or longer than the episode.
Result<EditList> select_segments(const EpisodeAnalysis& analysis, const Theme& theme,
                                 std::optional<double> target_s, const SelectionText& text = {});

}  // namespace namix
