// The per-format readers behind parse_transcript(). Each turns well-formed
// UTF-8 text (byte order mark removed) into raw cues, which tidy_cues()
// then puts in order.
//
// Internal to the transcript library.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "transcript/transcript.h"

namespace namix {

struct ParsedCues {
  std::vector<Cue> cues;
  std::vector<std::string> warnings;
};

// Whether a SubRip timing line ("00:00:01,000 --> 00:00:02,500") comes
// within the first few lines: how SubRip is told from other text.
bool looks_like_srt(std::string_view text);
ParsedCues parse_srt_cues(std::string_view text);

// `text` starts with the "WEBVTT" signature.
ParsedCues parse_webvtt_cues(std::string_view text);

// A Podcasting 2.0 JSON transcript ({"segments": [...]}, or the list of
// segments alone), segment- or word-level.
Result<ParsedCues> parse_json_transcript_cues(std::string_view text, std::string_view display_name);

}  // namespace namix
