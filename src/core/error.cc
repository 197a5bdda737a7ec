#include "core/error.h"

namespace namix {

std::string_view errc_name(Errc code) {
  switch (code) {
    case Errc::invalid_argument:
      return "invalid_argument";
    case Errc::not_found:
      return "not_found";
    case Errc::unreadable:
      return "unreadable";
    case Errc::not_audio:
      return "not_audio";
    case Errc::undecodable:
      return "undecodable";
    case Errc::too_large:
      return "too_large";
    case Errc::unauthorized:
      return "unauthorized";
    case Errc::forbidden:
      return "forbidden";
    case Errc::throttled:
      return "throttled";
    case Errc::upstream_failed:
      return "upstream_failed";
    case Errc::upstream_timeout:
      return "upstream_timeout";
    case Errc::unavailable:
      return "unavailable";
    case Errc::io_error:
      return "io_error";
    case Errc::internal:
      return "internal";
  }
  return "internal";
}

}  // namespace namix
