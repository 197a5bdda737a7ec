// From an edit list to what the renderer does, sample by sample: the source
// pieces to decode, where each lands in the mix, how long each crossfade is,
// and the gain each host gets.
//
// Joins are centred on the cut points, which lie in pauses: the outgoing
// piece fades out over [cut - h, cut + h] of its own source while the
// incoming one fades in over the same mix span, with h no longer than the
// pause allows, so a crossfade never reaches into a word. The mix therefore
// lasts exactly the sum of the piece durations. Parts of long pauses that the
// selection dropped (EditSegment::dropped) are joins of the same kind.
#pragma once

#include <cstddef>
#include <vector>

#include "analysis/episode_analysis.h"
#include "select/edit_list.h"

namespace namix {

struct RenderOptions {
  double crossfade_s = 0.3;   // wanted crossfade length at a join (2h)
  double edge_fade_s = 0.02;  // fade at the very start and end of the mix
  double guard_s = 0.01;      // distance a crossfade keeps from the nearest utterance
  double max_host_gain_db = 12.0;
};

struct GainChange {
  double src_time_s = 0.0;  // the gain is gain_db from here (ramped in just before)
  float gain_db = 0.0f;
};

struct RenderPiece {
  double src_start_s = 0.0;       // cut-in point, in a pause
  double src_end_s = 0.0;         // cut-out point, in a pause
  double fade_in_s = 0.0;         // h of the join before this piece (edge fade for the first)
  double fade_out_s = 0.0;        // h of the join after it (edge fade for the last)
  double mix_start_s = 0.0;       // where src_start_s lands in the mix
  std::size_t segment = 0;        // index into EditList::segments
  std::vector<GainChange> gains;  // host levelling within this piece, in time order
  double duration_s() const { return src_end_s - src_start_s; }
};

struct RenderPlan {
  std::vector<RenderPiece> pieces;
  std::vector<double> segment_mix_start_s;  // per EditList segment
  double duration_s = 0.0;
};

RenderPlan make_render_plan(const EditList& edit_list, const EpisodeAnalysis& analysis,
                            const RenderOptions& options);

// Room in the pause around `t`: how far one can go left/right of t before
// reaching an utterance (0 when t is inside an utterance).
struct PauseRoom {
  double before_s = 0.0;
  double after_s = 0.0;
};
PauseRoom pause_room_at(const EpisodeAnalysis& analysis, double t);

}  // namespace namix
