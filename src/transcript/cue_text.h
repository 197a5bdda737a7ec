// The text-level pieces the transcript parsers share: lines, clock times,
// entities, and the markup inside a SubRip or WebVTT cue body.
//
// Internal to the transcript library.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "transcript/transcript.h"

namespace namix {

// The gate every transcript or chapters input passes: not blank, at most
// kMaxTranscriptBytes (`size`, when given, is the size of a file not read
// yet), UTF-8 without NUL bytes. Returns the text without a byte order mark
// and surrounding blank space; otherwise Errc::undecodable naming
// `display_name` and ending with `expected` (what to give instead).
Result<std::string_view> checked_text(std::string_view bytes, std::string_view display_name,
                                      std::string_view expected, std::int64_t size = -1);

// The bytes of the transcript or chapters file at `path`, refused unread
// when it is over kMaxTranscriptBytes (then checked_text()'s error). The
// path names the file in messages. Errc::not_found and Errc::unreadable as
// for audio files.
Result<std::string> read_text_file(const std::string& path, std::string_view expected);

// Splits text into lines at "\n", "\r\n" or a lone "\r".
class LineReader {
 public:
  explicit LineReader(std::string_view text) : text_(text) {}
  bool next(std::string_view& line);

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

// Nothing but spaces, tabs and line ends.
bool is_blank(std::string_view s);

// "[hours:]mm:ss[.,]fraction" in seconds; hours may have any number of
// digits, the fraction up to nine. Nothing else may follow.
std::optional<double> parse_clock_time(std::string_view s);

// "start --> end [settings]" as in SubRip and WebVTT; the text after the
// end time (cue settings, SubRip coordinates) is ignored.
struct CueTiming {
  double start_s = 0.0;
  double end_s = 0.0;
};
std::optional<CueTiming> parse_cue_timing(std::string_view line);

// Replaces character references (&amp; &lt; &gt; &quot; &apos; &nbsp;
// &lrm; &rlm; &#NNN; &#xHH;) by the characters they stand for; anything
// else that starts with '&' stays as it is.
std::string decode_entities(std::string_view text);

// Splits at ASCII whitespace into tokens.
std::vector<std::string> split_words(std::string_view text);

// A cue body of SubRip or WebVTT (lines joined by '\n'), turned into cues:
// tags dropped (<i>, <b>, <u>, <c.x>, <lang x>, <ruby>, <font ...>, {\an8}),
// entities decoded, whitespace collapsed. A voice tag <v Name> or
// <v.class Name> names the speaker; a cue holding several voices becomes
// one cue per voice. A timestamp tag <00:01.500> times the word after it.
// Words not timed by a tag carry NaN times, for tidy_cues() to fill.
void append_cue_body(double start_s, double end_s, std::string_view body, std::vector<Cue>& out);

}  // namespace namix
