// A show's published transcript: cues with speakers, plain text and timed
// words, read from SubRip, WebVTT or Podcasting 2.0 JSON.
//
// The format is recognised from the bytes, never from a file name. Whatever
// the input, the cues come out tidy: in start order, not overlapping, each
// with positive length, non-empty text and words timed inside it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/transcript_format.h"

namespace namix {

struct TranscriptWord {
  double start_s = 0.0;
  double end_s = 0.0;
  std::string text;  // one whitespace-free token, punctuation attached

  bool operator==(const TranscriptWord&) const = default;
};

struct Cue {
  double start_s = 0.0;
  double end_s = 0.0;
  std::string speaker;  // empty when the source names none
  // Plain text: markup stripped, entities decoded, whitespace collapsed to
  // single spaces. Always the words joined by one space.
  std::string text;
  // Every cue has words with times: from word-level input, from WebVTT
  // timestamp tags, or spread over the cue in proportion to their length.
  std::vector<TranscriptWord> words;

  double duration_s() const { return end_s - start_s; }
  bool operator==(const Cue&) const = default;
};

struct Transcript {
  std::vector<Cue> cues;
  TranscriptFormat format = TranscriptFormat::vtt;  // json, vtt or srt
  // One line per kind of repair (cues sorted, clipped, dropped), with counts.
  std::vector<std::string> warnings;
};

// Larger inputs are refused before parsing: a 3-hour show's transcript is
// about 1 MB, so 20 MB is far beyond any real one.
inline constexpr std::size_t kMaxTranscriptBytes = 20u * 1024u * 1024u;

// Parses a transcript in any of the three formats. `display_name` names the
// input in error messages (a file name or "the transcript URL", never an
// internal path). Empty, oversize, non-UTF-8 or unrecognised input, or input
// without a single usable cue, is Errc::undecodable with a one-line message.
// A pure function of the bytes: it never throws and never reads anything else.
Result<Transcript> parse_transcript(std::string_view bytes,
                                    std::string_view display_name = "the transcript");

// Reads and parses the file at `path` (refusing files over the size cap
// before reading them); the path is its display name. Errc::not_found and
// Errc::unreadable as for audio files.
Result<Transcript> load_transcript_file(const std::string& path);

// The words whose middle lies in [start_s, end_s), joined by spaces, in
// order: the text a stretch of audio carries.
std::string text_between(const Transcript& transcript, double start_s, double end_s);

}  // namespace namix
