#include "core/error.h"

#include <algorithm>
#include <cerrno>

#include "core/utf8.h"

namespace namix {

Errc write_failure_code(int errno_value, Errc otherwise) {
  return errno_value == ENOSPC || errno_value == EDQUOT ? Errc::storage_full : otherwise;
}

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
    case Errc::storage_full:
      return "storage_full";
    case Errc::io_error:
      return "io_error";
    case Errc::internal:
      return "internal";
  }
  return "internal";
}

namespace {

// Appends `run` (valid UTF-8) to `out` with control characters as '?', as
// much of it as fits in kMaxQuotedInputBytes at a character boundary;
// false when it did not all fit.
bool append_quoted(std::string_view run, std::string& out) {
  std::size_t take = run.size();
  const bool fits = out.size() + take <= kMaxQuotedInputBytes;
  if (!fits) {
    take = kMaxQuotedInputBytes - out.size();
    while (take > 0 && (static_cast<unsigned char>(run[take]) & 0xC0) == 0x80) --take;
  }
  for (const char c : run.substr(0, take)) {
    const auto u = static_cast<unsigned char>(c);
    out += u < 0x20 || u == 0x7F ? '?' : c;  // a line break, say
  }
  return fits;
}

}  // namespace

std::string quoted_input(std::string_view text) {
  std::string out;
  while (!text.empty()) {
    const std::size_t valid = first_invalid_utf8(text).value_or(text.size());
    // The valid run, then the byte that is not UTF-8 as '?'.
    if (!append_quoted(text.substr(0, valid), out) ||
        (valid < text.size() && !append_quoted("?", out))) {
      return out + "…";
    }
    text.remove_prefix(std::min(text.size(), valid + 1));
  }
  return out;
}

}  // namespace namix
