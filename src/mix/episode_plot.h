// The picture of an episode as SVG: loudness over time, the detected blocks
// coloured by kind, and the segments a mix chose highlighted. The CLI draws
// it for `namix analyze INPUT --plot out.svg`; the web page draws the same
// picture from the result JSON.
#pragma once

#include <string>

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

// Colour of a block or segment kind ("banter", "clip", ...) in the picture
// (the web page uses the same colours); grey for an unknown kind.
const char* episode_plot_kind_colour(const std::string& kind);

// A standalone SVG document. `edit_list` may be null (analysis only). Every
// block is a <rect class="block block-KIND">, every chosen segment a
// <rect class="segment">, each with a <title> for a tooltip.
std::string episode_plot_svg(const EpisodeAnalysis& analysis, const EditList* edit_list,
                             const EpisodePlotOptions& options = {});

}  // namespace namix
