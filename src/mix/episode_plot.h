// The picture of an episode as SVG: loudness over time, the detected blocks
// coloured by kind, and the segments a mix chose highlighted. The CLI draws
// it for `namix analyze INPUT --plot out.svg`; the web page draws the same
// picture from the result JSON.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "analysis/episode_analysis.h"
#include "select/edit_list.h"

namespace namix {

struct EpisodePlotOptions {
  int width_px = 1200;
  int height_px = 360;
  double floor_db = -70.0;  // loudness below this is drawn at the bottom of the plot
  double ceiling_db = 0.0;
  std::string title;  // e.g. the input file name; empty draws no title
};

// Loudness over time at a coarser step than the 10 ms analysis frames: the
// `analysis.timeline` of the result JSON ({step_s, level_db}) and the curve of
// the picture. level_db[i] is the power mean of the frames in
// [i * step_s, (i + 1) * step_s), floored at -120 dB; at most max_points
// points (2000 keeps a 3 h episode's JSON near 15 kB at 5.4 s a point).
struct LoudnessTimeline {
  double step_s = 0.0;
  std::vector<float> level_db;
};
LoudnessTimeline loudness_timeline(const EpisodeAnalysis& analysis, std::size_t max_points = 2000);

// Colour of a block or segment kind ("banter", "clip", ...) in the picture
// (the web page uses the same colours); grey for an unknown kind.
const char* episode_plot_kind_colour(const std::string& kind);

// A standalone SVG document. `edit_list` may be null (analysis only). Every
// block is a <rect class="block block-KIND">, every chosen segment a
// <rect class="segment">, each with a <title> for a tooltip.
std::string episode_plot_svg(const EpisodeAnalysis& analysis, const EditList* edit_list,
                             const EpisodePlotOptions& options = {});

}  // namespace namix
