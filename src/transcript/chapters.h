// JSON chapters (Podcasting 2.0, version 1.2): read leniently from a feed,
// written strictly for a mix.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace namix {

struct ChapterMark {
  double start_s = 0.0;
  std::optional<double> end_s;
  std::string title;
  std::string url;  // empty when none
  std::string img;  // empty when none
  bool toc = true;  // false: a marker players keep out of the chapter list

  bool operator==(const ChapterMark&) const = default;
};

struct Chapters {
  std::vector<ChapterMark> chapters;  // ascending start_s
  std::vector<std::string> warnings;  // one line per kind of repair, with counts
};

// Reads {"version": "1.2.0", "chapters": [...]}, or the list alone. Lenient
// where real files stray: the version may be missing, times may be numeric
// strings, endTime may be missing, unknown fields are ignored. Chapters out
// of order are sorted; ones without a usable, non-negative startTime are
// dropped; an endTime not after its start is dropped; each with a warning.
// Empty, oversize, non-UTF-8 or non-JSON input, or input without a single
// chapter, is Errc::undecodable naming `display_name`. A pure function of
// the bytes: it never throws.
Result<Chapters> parse_chapters(std::string_view bytes,
                                std::string_view display_name = "the chapters");

// Reads and parses the file at `path` (refusing files over the size cap
// before reading them); the path is its display name.
Result<Chapters> load_chapters_file(const std::string& path);

// {"version": "1.2.0", "chapters": [...]}, ascending startTime (sorted here,
// stably), times rounded to the millisecond; url, img and endTime only when
// set, toc only when false.
std::string write_chapters_json(const std::vector<ChapterMark>& chapters);

}  // namespace namix
