#include "select/loudness_target.h"

#include <sstream>
#include <string>

namespace namix {

Result<double> checked_target_lufs(double requested, std::string_view option,
                                   std::string_view given) {
  // Written so that NaN fails too.
  if (requested >= kMinTargetLufs && requested <= kMaxTargetLufs) return requested;
  std::ostringstream got;
  if (given.empty()) {
    got << requested;
  } else {
    got << quoted_input(given);
  }
  std::ostringstream message;
  message << option << " must be a number of LUFS from " << kMinTargetLufs << " to "
          << kMaxTargetLufs << "; got " << got.str() << " (leave it out for the theme's, -16)";
  return make_error(Errc::invalid_argument, message.str());
}

}  // namespace namix
