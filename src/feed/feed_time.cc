#include "feed/feed_time.h"

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <vector>

#include "core/ascii_text.h"

namespace namix {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

bool all_alpha(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isalpha(static_cast<unsigned char>(c))) return false;
  return true;
}

int to_int(std::string_view digits) {
  int v = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), v);
  return v;
}

// 1..12 for a month name or its abbreviation ("nov", "november", "sept").
int month_number(std::string_view word) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "january", "february", "march",     "april",   "may",      "june",
      "july",    "august",   "september", "october", "november", "december"};
  if (word.size() < 3) return 0;
  for (std::size_t i = 0; i < kMonths.size(); ++i)
    if (kMonths[i].substr(0, word.size()) == word) return static_cast<int>(i) + 1;
  return 0;
}

bool is_day_name(std::string_view word) {
  static constexpr std::array<std::string_view, 7> kDays = {
      "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};
  if (word.size() < 2) return false;
  for (std::string_view d : kDays)
    if (d.substr(0, word.size()) == word) return true;
  return false;
}

// Offsets of the zone names RFC 822 defines and of a few more that feeds use.
std::optional<minutes> zone_name_offset(std::string_view word) {
  struct Zone {
    std::string_view name;
    int offset_min;
  };
  static constexpr std::array<Zone, 17> kZones = {{{"gmt", 0},
                                                   {"ut", 0},
                                                   {"utc", 0},
                                                   {"z", 0},
                                                   {"est", -300},
                                                   {"edt", -240},
                                                   {"cst", -360},
                                                   {"cdt", -300},
                                                   {"mst", -420},
                                                   {"mdt", -360},
                                                   {"pst", -480},
                                                   {"pdt", -420},
                                                   {"akst", -540},
                                                   {"akdt", -480},
                                                   {"bst", 60},
                                                   {"cet", 60},
                                                   {"cest", 120}}};
  for (const Zone& z : kZones)
    if (z.name == word) return minutes(z.offset_min);
  return std::nullopt;
}

// "+0100", "-05:00", "+01": east of UTC is positive.
std::optional<minutes> numeric_zone(std::string_view token) {
  if (token.size() < 3 || (token[0] != '+' && token[0] != '-')) return std::nullopt;
  std::string digits;
  for (char c : token.substr(1))
    if (c != ':') digits += c;
  if (!all_digits(digits) || (digits.size() != 4 && digits.size() != 2)) return std::nullopt;
  const int h = to_int(std::string_view(digits).substr(0, 2));
  const int m = digits.size() == 4 ? to_int(std::string_view(digits).substr(2, 2)) : 0;
  if (h > 14 || m > 59) return std::nullopt;
  const minutes offset(h * 60 + m);
  return token[0] == '-' ? -offset : offset;
}

struct DateParts {
  int day = 0;
  int month = 0;
  int year = -1;
  int hour = 0;
  int minute = 0;
  int second = 0;
  bool pm = false;
  bool am = false;
  minutes zone{0};
};

// "21:41", "21:41:17", "21:41:17.250" (the fraction is dropped).
bool read_clock(std::string_view token, DateParts& d) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t colon = token.find(':', start);
    parts.push_back(token.substr(start, colon - start));
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  if (parts.size() < 2 || parts.size() > 3) return false;
  if (parts.size() == 3) parts[2] = parts[2].substr(0, parts[2].find('.'));
  for (std::string_view p : parts)
    if (!all_digits(p) || p.size() > 2) return false;
  d.hour = to_int(parts[0]);
  d.minute = to_int(parts[1]);
  d.second = parts.size() == 3 ? to_int(parts[2]) : 0;
  return d.hour < 24 && d.minute < 60 && d.second <= 60;
}

std::optional<std::chrono::sys_seconds> assemble(const DateParts& d) {
  if (d.day == 0 || d.month == 0 || d.year < 0) return std::nullopt;
  int year = d.year;
  if (year < 100) year += year < 50 ? 2000 : 1900;  // RFC 2822 section 4.3
  const std::chrono::year_month_day ymd{std::chrono::year(year),
                                        std::chrono::month(static_cast<unsigned>(d.month)),
                                        std::chrono::day(static_cast<unsigned>(d.day))};
  if (!ymd.ok()) return std::nullopt;
  int hour = d.hour;
  if (d.pm && hour < 12) hour += 12;
  if (d.am && hour == 12) hour = 0;
  const auto local =
      std::chrono::sys_days(ymd) + hours(hour) + minutes(d.minute) + seconds(d.second);
  return std::chrono::sys_seconds(local - d.zone);
}

// "2023-11-12", "2023-11-12T21:41:17Z", "2023-11-12 21:41:17+00:00".
std::optional<std::chrono::sys_seconds> read_iso8601(std::string_view text) {
  if (text.size() < 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  if (!all_digits(text.substr(0, 4)) || !all_digits(text.substr(5, 2)) ||
      !all_digits(text.substr(8, 2)))
    return std::nullopt;
  DateParts d;
  d.year = to_int(text.substr(0, 4));
  d.month = to_int(text.substr(5, 2));
  d.day = to_int(text.substr(8, 2));
  std::string_view rest = text.substr(10);
  if (!rest.empty()) {
    if (rest[0] != 'T' && rest[0] != 't' && rest[0] != ' ') return std::nullopt;
    rest.remove_prefix(1);
    const std::size_t zone_at = rest.find_first_of("Zz+-");
    std::string_view clock = rest.substr(0, zone_at);
    while (!clock.empty() && clock.back() == ' ') clock.remove_suffix(1);
    if (!read_clock(clock, d)) return std::nullopt;
    if (zone_at != std::string_view::npos) {
      const std::string_view zone = rest.substr(zone_at);
      if (zone == "Z" || zone == "z") {
        d.zone = minutes(0);
      } else if (auto offset = numeric_zone(zone)) {
        d.zone = *offset;
      } else {
        return std::nullopt;
      }
    }
  }
  if (d.month < 1 || d.month > 12) return std::nullopt;
  return assemble(d);
}

// One word or number of an RFC 822-like date; false when it cannot be part of one.
bool read_token(std::string_view token, DateParts& d) {
  if (token.empty()) return true;
  const std::string word = ascii_lower(token);
  if (auto offset = numeric_zone(word)) {
    d.zone = *offset;
    return true;
  }
  if (word.find(':') != std::string::npos) {
    // A zone can be glued to the clock: "21:41:17Z", "21:41:17+0000".
    const std::size_t zone_at = word.find_first_of("z+-", 1);
    if (zone_at != std::string::npos) {
      if (!read_token(std::string_view(token).substr(zone_at), d)) return false;
      return read_clock(std::string_view(word).substr(0, zone_at), d);
    }
    return read_clock(word, d);
  }
  if (all_digits(word)) {
    const int v = to_int(word);
    if (word.size() == 4) {
      d.year = v;
    } else if (word.size() <= 2 && d.day == 0) {
      d.day = v;
    } else if (word.size() <= 2 && d.year < 0) {
      d.year = v;
    } else {
      return false;
    }
    return true;
  }
  std::string letters = word;
  if (!letters.empty() && letters.back() == '.') letters.pop_back();  // "Sept."
  if (all_alpha(letters)) {
    if (letters == "am" || letters == "pm") {
      (letters == "pm" ? d.pm : d.am) = true;
      return true;
    }
    if (auto offset = zone_name_offset(letters)) {
      d.zone = *offset;
      return true;
    }
    if (d.month == 0) {
      if (const int m = month_number(letters); m != 0) {
        d.month = m;
        return true;
      }
    }
    return is_day_name(letters);
  }
  // "12-Nov-2023", "12/Nov/2023": date parts joined.
  if (word.find_first_of("-/") != std::string::npos && word[0] != '-') {
    std::size_t start = 0;
    while (start <= word.size()) {
      const std::size_t sep = word.find_first_of("-/", start);
      if (!read_token(std::string_view(token).substr(start, sep - start), d)) return false;
      if (sep == std::string::npos) break;
      start = sep + 1;
    }
    return true;
  }
  return false;
}

}  // namespace

std::optional<std::chrono::sys_seconds> parse_rfc822_date(std::string_view text) {
  text = trim_whitespace(text);
  if (auto iso = read_iso8601(text)) return iso;
  DateParts d;
  std::string token;
  bool in_comment = false;  // "(PST)"
  for (std::size_t i = 0; i <= text.size(); ++i) {
    const char c = i < text.size() ? text[i] : ' ';
    if (c == '(') in_comment = true;
    if (in_comment) {
      if (c == ')') in_comment = false;
      continue;
    }
    if (std::isspace(static_cast<unsigned char>(c)) || c == ',') {
      if (!read_token(token, d)) return std::nullopt;
      token.clear();
    } else {
      token += c;
    }
  }
  return assemble(d);
}

std::string format_iso8601(std::chrono::sys_seconds time) {
  const auto day = std::chrono::floor<days>(time);
  const std::chrono::year_month_day ymd(day);
  const std::chrono::hh_mm_ss clock(time - day);
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
                static_cast<int>(clock.seconds().count()));
  return text;
}

std::optional<std::chrono::sys_seconds> parse_iso8601(std::string_view text) {
  return read_iso8601(trim_whitespace(text));
}

std::string format_rfc822_date(std::chrono::sys_seconds time) {
  static constexpr std::array<const char*, 7> kWeekdays = {"Sun", "Mon", "Tue", "Wed",
                                                           "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto day = std::chrono::floor<days>(time);
  const std::chrono::year_month_day ymd(day);
  const std::chrono::weekday weekday(day);
  const std::chrono::hh_mm_ss clock(time - day);
  char text[40];
  std::snprintf(text, sizeof text, "%s, %02u %s %04d %02d:%02d:%02d +0000",
                kWeekdays[weekday.c_encoding()], static_cast<unsigned>(ymd.day()),
                kMonths[static_cast<unsigned>(ymd.month()) - 1], static_cast<int>(ymd.year()),
                static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
                static_cast<int>(clock.seconds().count()));
  return text;
}

std::optional<double> parse_itunes_duration(std::string_view text) {
  text = trim_whitespace(text);
  if (text.empty()) return std::nullopt;
  double total = 0.0;
  int fields = 0;
  std::size_t start = 0;
  while (true) {
    const std::size_t colon = text.find(':', start);
    const std::string_view field = text.substr(start, colon - start);
    const bool last = colon == std::string_view::npos;
    double v = 0.0;
    const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), v);
    if (field.empty() || ec != std::errc() || end != field.data() + field.size() || v < 0 ||
        !std::isfinite(v))
      return std::nullopt;
    // Only the seconds may carry a fraction.
    if (!last && v != std::floor(v)) return std::nullopt;
    total = total * 60.0 + v;
    if (++fields > 3) return std::nullopt;
    if (last) break;
    start = colon + 1;
  }
  if (total <= 0.0) return std::nullopt;
  return total;
}

}  // namespace namix
