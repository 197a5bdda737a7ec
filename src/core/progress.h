// Progress reporting shared by the CLI progress bar, HTTP jobs and Lambda.
#pragma once

#include <functional>
#include <string_view>

namespace namix {

// stage: "fetch", "decode", "analysis", "select", "render", "encode", "store".
// fraction: overall progress of the whole mix in [0, 1], non-decreasing.
using ProgressFn = std::function<void(std::string_view stage, double fraction)>;

}  // namespace namix
