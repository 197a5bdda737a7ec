// The times in podcast feeds: RSS pubDate (RFC 822 dates, as real feeds
// write them) and itunes:duration.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace namix {

// RFC 822 / RFC 2822 dates ("Sun, 12 Nov 2023 21:41:17 GMT") and the
// variants feeds publish: no weekday, full day and month names ("Sunday",
// "November", "Sept."), day and month in either order, two-digit years,
// no seconds, numeric zones with or without a colon, zone names (GMT, UT,
// UTC, Z, the North American ones, BST, CET, CEST), none at all (read as
// UTC), am/pm, and ISO 8601 written into pubDate ("2023-11-12T21:41:17Z").
// nullopt when no calendar date can be read.
std::optional<std::chrono::sys_seconds> parse_rfc822_date(std::string_view text);

// "2023-11-12T21:41:17Z", for JSON and listings.
std::string format_iso8601(std::chrono::sys_seconds time);

// "Sun, 12 Nov 2023 21:41:17 +0000": the RFC 822 date of RSS pubDate as
// feed validators want it (four-digit year, English names, numeric zone).
std::string format_rfc822_date(std::chrono::sys_seconds time);

// "2023-11-12T21:41:17Z" as format_iso8601() writes it, a numeric offset
// instead of Z, or a date alone; nullopt for anything else.
std::optional<std::chrono::sys_seconds> parse_iso8601(std::string_view text);

// itunes:duration: seconds ("3725", "3725.5"), mm:ss or hh:mm:ss. nullopt
// when empty, malformed or not positive.
std::optional<double> parse_itunes_duration(std::string_view text);

}  // namespace namix
