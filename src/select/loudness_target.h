// The integrated-loudness targets a mix may be mastered to, in one place for
// the theme files (target_lufs), the CLI (--target-lufs) and the service
// (target_lufs). Outside the range the master gain stops making sense: below
// −40 LUFS the mastered mix nears BS.1770's −70 LUFS gate, where loudness
// can no longer be measured, and above −5 LUFS speech cannot get there under
// the true-peak ceiling without the limiter crushing it.
#pragma once

#include <string_view>

#include "core/error.h"

namespace namix {

inline constexpr double kMinTargetLufs = -40.0;
inline constexpr double kMaxTargetLufs = -5.0;

// `requested` when it is a number from kMinTargetLufs to kMaxTargetLufs;
// else invalid_argument naming `option` as the user wrote it
// ("--target-lufs", "target_lufs") and quoting what was given (`given` when
// not empty, text that was not a number, else `requested`).
Result<double> checked_target_lufs(double requested, std::string_view option,
                                   std::string_view given = {});

}  // namespace namix
