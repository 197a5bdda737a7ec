#include "select/whole_episode.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "select/segment_text.h"
#include "select/timeline.h"

namespace namix::selection {
namespace {

// Blocks are joined inside a pause; a short overlap avoids a click without
// eating into speech when the pause is short.
constexpr double kFullModeCrossfadeS = 0.05;

// Consecutive units of one block; units outside any block join the group before.
std::vector<Range> group_by_block(const std::vector<Unit>& units) {
  std::vector<Range> groups;
  for (int i = 0; i < static_cast<int>(units.size()); ++i) {
    int b = units[static_cast<std::size_t>(i)].block;
    if (!groups.empty() &&
        (b < 0 || b == units[static_cast<std::size_t>(groups.back().last)].block)) {
      groups.back().last = i;
    } else {
      groups.push_back({i, i});
    }
  }
  return groups;
}

void describe(const EpisodeAnalysis& a, const Unit& first, EditSegment& seg) {
  if (first.block >= 0) {
    const Block& b = a.blocks[static_cast<std::size_t>(first.block)];
    seg.kind = kind_name(b.kind);
    seg.confidence = b.confidence;
    seg.description =
        seg.kind + " at " + clock_text(seg.start_s) + (b.why.empty() ? "" : ": " + b.why);
  } else {
    seg.kind = first.sound == SoundClass::music ? "music" : "banter";
    seg.description = "unclassified material at " + clock_text(seg.start_s);
  }
}

}  // namespace

EditList whole_episode(const EpisodeAnalysis& a, const Theme& theme) {
  const std::vector<Unit> units = build_units(a, {});
  EditList list;
  list.crossfade_s = std::min(theme.crossfade_s, kFullModeCrossfadeS);
  list.selection_method = theme.name + ": whole episode in order, pauses over " +
                          number_text("%.1f", kMaxKeptPauseFullS) +
                          " s shortened, one chapter per block";
  if (units.empty()) return list;
  const double end_of_episode = std::max(a.duration_s, units.back().end);
  const Timeline timeline(units, {.crossfade_s = 0.0, .max_kept_pause_s = kMaxKeptPauseFullS});
  const std::vector<Range> groups = group_by_block(units);
  double mix_t = 0.0;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const Range& r = groups[g];
    const Unit& first = units[static_cast<std::size_t>(r.first)];
    const Unit& last = units[static_cast<std::size_t>(r.last)];
    EditSegment seg;
    // The episode's own ends stay where their silence is short.
    seg.start_s =
        g == 0 && first.gap_before <= kMaxKeptPauseFullS ? 0.0 : timeline.join_before(r.first);
    seg.end_s = g + 1 == groups.size() && last.gap_after <= kMaxKeptPauseFullS
                    ? end_of_episode
                    : timeline.join_after(r.last);
    seg.start_s = std::max(0.0, seg.start_s);
    seg.dropped = timeline.dropped(r);
    describe(a, first, seg);
    seg.mix_start_s = mix_t;
    mix_t += seg.mix_duration_s();
    list.segments.push_back(std::move(seg));
  }
  list.duration_s = mix_t;
  return list;
}

}  // namespace namix::selection
