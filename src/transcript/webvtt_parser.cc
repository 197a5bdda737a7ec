// WebVTT (W3C): a "WEBVTT" header block, then blocks separated by blank
// lines — cues (an optional identifier line, a timing line with optional
// cue settings, text lines) and NOTE, STYLE and REGION blocks, which carry
// no text. A line with "-->" inside a cue starts the next cue, as the
// standard's parser does.
#include <string>

#include "transcript/cue_text.h"
#include "transcript/transcript_formats.h"

namespace namix {
namespace {

// A block that begins with `keyword` alone or followed by blank space.
bool starts_block(std::string_view line, std::string_view keyword) {
  if (line.substr(0, keyword.size()) != keyword) return false;
  return line.size() == keyword.size() || line[keyword.size()] == ' ' ||
         line[keyword.size()] == '\t';
}

}  // namespace

ParsedCues parse_webvtt_cues(std::string_view text) {
  ParsedCues parsed;
  LineReader lines(text);
  std::string_view line;
  while (lines.next(line) && !is_blank(line)) {
  }  // the header block: signature, then metadata headers

  enum class State { between, identifier, cue, skipped_block };
  State state = State::between;
  CueTiming timing;
  std::string body;
  std::size_t broken_blocks = 0;
  const auto flush = [&] {
    if (state == State::cue) append_cue_body(timing.start_s, timing.end_s, body, parsed.cues);
    body.clear();
  };
  while (lines.next(line)) {
    if (is_blank(line)) {
      flush();
      state = State::between;
      continue;
    }
    const bool has_arrow = line.find("-->") != std::string_view::npos;
    const auto t = has_arrow ? parse_cue_timing(line) : std::nullopt;
    switch (state) {
      case State::between:
        if (starts_block(line, "NOTE") || starts_block(line, "STYLE") ||
            starts_block(line, "REGION")) {
          state = State::skipped_block;
        } else if (t) {
          timing = *t;
          state = State::cue;
        } else {
          state = has_arrow ? State::skipped_block : State::identifier;
          broken_blocks += has_arrow;
        }
        break;
      case State::identifier:
        if (t) {
          timing = *t;
          state = State::cue;
        } else {
          state = State::skipped_block;
          ++broken_blocks;
        }
        break;
      case State::cue:
        if (t) {
          flush();
          timing = *t;
        } else {
          if (!body.empty()) body += '\n';
          body += line;
        }
        break;
      case State::skipped_block:
        break;
    }
  }
  flush();
  if (broken_blocks > 0) {
    parsed.warnings.push_back(std::to_string(broken_blocks) +
                              " blocks without a valid timing line ignored");
  }
  return parsed;
}

}  // namespace namix
