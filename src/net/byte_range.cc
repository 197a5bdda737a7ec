#include "net/byte_range.h"

#include <sys/stat.h>

#include <cstdio>
#include <ctime>
#include <limits>
#include <optional>
#include <string>

#include "core/ascii_text.h"
#include "net/http_error.h"

namespace namix {
namespace {

constexpr std::uint64_t kNoNumber = std::numeric_limits<std::uint64_t>::max();

// 1*DIGIT, saturating: a position past any file is as good as its end.
std::optional<std::uint64_t> digits(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::uint64_t value = 0;
  for (const char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    value = value > (kNoNumber - 1 - digit) / 10 ? kNoNumber - 1 : value * 10 + digit;
  }
  return value;
}

// One range-spec: first-pos "-" [last-pos], or "-" suffix-length. `first`
// is kNoNumber for a suffix range, `last` for an open one; nullopt when it
// is not a range-spec, or its last byte comes before its first.
struct RangeSpec {
  std::uint64_t first = kNoNumber;
  std::uint64_t last = kNoNumber;
};

std::optional<RangeSpec> parse_range_spec(std::string_view s) {
  const auto dash = s.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  const std::string_view before = s.substr(0, dash);
  const std::string_view after = s.substr(dash + 1);
  RangeSpec spec;
  if (before.empty()) {
    const auto suffix = digits(after);
    if (!suffix) return std::nullopt;
    spec.last = *suffix;
    return spec;
  }
  const auto first = digits(before);
  if (!first) return std::nullopt;
  spec.first = *first;
  if (!after.empty()) {
    const auto last = digits(after);
    if (!last || *last < *first) return std::nullopt;
    spec.last = *last;
  }
  return spec;
}

// "Sun, 06 Nov 1994 08:49:37 GMT" (RFC 9110 §5.6.7), whatever the locale.
std::string http_date(std::time_t t) {
  static const char* const kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday % 7],
                tm.tm_mday, kMonths[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

}  // namespace

RangeAnswer answer_range(std::string_view range_header, std::uint64_t size_bytes) {
  const RangeAnswer whole;
  const auto equals = range_header.find('=');
  if (equals == std::string_view::npos || size_bytes == 0) return whole;
  // The unit is case-insensitive (§14.1); no whitespace around '='.
  if (ascii_lower(std::string(range_header.substr(0, equals))) != "bytes") return whole;
  std::string_view set = range_header.substr(equals + 1);
  std::optional<RangeSpec> only;
  // A list (§5.6.1): elements separated by commas with optional whitespace;
  // empty elements are allowed and count for nothing.
  while (true) {
    const auto comma = set.find(',');
    const std::string_view element = trim_whitespace(set.substr(0, comma));
    if (!element.empty()) {
      if (only) return whole;  // a second range
      only = parse_range_spec(element);
      if (!only) return whole;
    }
    if (comma == std::string_view::npos) break;
    set.remove_prefix(comma + 1);
  }
  if (!only) return whole;
  RangeAnswer part;
  part.status = 206;
  if (only->first == kNoNumber) {  // the last `last` bytes
    if (only->last == 0) return {416, 0, 0};
    part.length_bytes = std::min(only->last, size_bytes);
    part.first_byte = size_bytes - part.length_bytes;
    return part;
  }
  if (only->first >= size_bytes) return {416, 0, 0};
  part.first_byte = only->first;
  part.length_bytes = std::min(only->last, size_bytes - 1) - only->first + 1;
  return part;
}

void apply_range_request(const HttpRequest& request, HttpResponse& response) {
  if (response.body_file.empty() || response.status != 200) return;
  struct stat st {};
  // A file that is gone is answered by the transport when it opens it.
  if (::stat(response.body_file.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return;
  const auto size = static_cast<std::uint64_t>(st.st_size);
  const std::string modified = http_date(st.st_mtime);
  response.headers["Accept-Ranges"] = "bytes";
  response.headers["Last-Modified"] = modified;
  // §14.2: GET is the only method with range handling.
  const auto range = request.header("Range");
  if (request.method != "GET" || !range) return;
  // §13.1.5: a Range with an If-Range applies only to the representation it
  // names; with no ETag here, that is one whose Last-Modified is the same.
  if (const auto if_range = request.header("If-Range"); if_range && *if_range != modified) return;
  const RangeAnswer answer = answer_range(*range, size);
  if (answer.status == 206) {
    response.status = 206;
    response.headers["Content-Range"] =
        "bytes " + std::to_string(answer.first_byte) + "-" +
        std::to_string(answer.first_byte + answer.length_bytes - 1) + "/" + std::to_string(size);
    response.headers["Content-Length"] = std::to_string(answer.length_bytes);
    response.body_file_offset = answer.first_byte;
    response.body_file_length = answer.length_bytes;
  } else if (answer.status == 416) {
    HttpResponse refused =
        error_response(make_error(Errc::invalid_argument,
                                  "the Range asks for bytes past the end of the file (" +
                                      std::to_string(size) + " bytes); ask for bytes=0-" +
                                      std::to_string(size - 1) + " or less, or leave Range out"),
                       "", 416);
    refused.headers["Content-Range"] = "bytes */" + std::to_string(size);
    response = std::move(refused);
  }
}

}  // namespace namix
