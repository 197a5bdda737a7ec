// Wording shared by the edit list's descriptions, methods and warnings.
#pragma once

#include <map>
#include <string>

#include "analysis/episode_analysis.h"

namespace namix::selection {

// One number through a printf format: number_text("%.1f", 90.0) is "90.0".
std::string number_text(const char* format, double v);
// A source position as m:ss, or h:mm:ss from an hour on.
std::string clock_text(double s);
// The kinds with a weight above 0, "banter, rant"; "none" when there are none.
std::string kinds_text(const std::map<BlockKind, double>& weights);

}  // namespace namix::selection
