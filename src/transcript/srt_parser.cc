// SubRip: blocks of an index line, a timing line and text lines, separated
// by blank lines. Real files stray from that: no index, no blank line
// before the next index, periods for commas, styling tags, hours past 99.
// A cue's text runs from its timing line to the next blank or timing line.
#include <algorithm>
#include <string>

#include "core/ascii_text.h"
#include "transcript/cue_text.h"
#include "transcript/transcript_formats.h"

namespace namix {
namespace {

bool all_digits(std::string_view s) {
  s = trim_whitespace(s);
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

bool looks_like_srt(std::string_view text) {
  LineReader lines(text);
  std::string_view line;
  for (int seen = 0; seen < 8 && lines.next(line);) {
    if (is_blank(line)) continue;
    if (parse_cue_timing(line)) return true;
    ++seen;
  }
  return false;
}

ParsedCues parse_srt_cues(std::string_view text) {
  ParsedCues parsed;
  LineReader lines(text);
  std::string_view line;
  std::optional<CueTiming> timing;
  std::vector<std::string_view> body;
  std::size_t stray_lines = 0;
  const auto flush = [&](bool next_is_timing) {
    if (!timing) return;
    // Without a blank line between cues, the next cue's index ends this body.
    if (next_is_timing && !body.empty() && all_digits(body.back())) body.pop_back();
    std::string joined;
    for (std::string_view l : body) {
      if (!joined.empty()) joined += '\n';
      joined += l;
    }
    append_cue_body(timing->start_s, timing->end_s, joined, parsed.cues);
    timing.reset();
    body.clear();
  };
  while (lines.next(line)) {
    if (auto t = parse_cue_timing(line)) {
      flush(true);
      timing = t;
    } else if (is_blank(line)) {
      flush(false);
    } else if (timing) {
      body.push_back(line);
    } else if (!all_digits(line)) {
      ++stray_lines;
    }
  }
  flush(false);
  if (stray_lines > 0) {
    parsed.warnings.push_back(std::to_string(stray_lines) +
                              " lines outside any cue ignored (no timing line before them)");
  }
  return parsed;
}

}  // namespace namix
