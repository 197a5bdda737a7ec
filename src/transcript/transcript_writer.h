// Writing a transcript in the three formats podcast apps read. Each writer
// produces what parse_transcript() reads back to the same cues (times to
// the millisecond).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "transcript/transcript.h"

namespace namix {

// SubRip: numbered cues, "Speaker: " before the text of cues with a speaker
// (SubRip has no speaker field; the reader takes a name back when it leads
// at least two cues).
std::string write_srt(const Transcript& transcript);

struct WebVttOptions {
  // A timestamp tag before every word but the first, so players can
  // highlight words and the reader gets their starts back.
  bool word_timestamps = false;
};
// WebVTT: speakers as <v Name>, text escaped.
std::string write_webvtt(const Transcript& transcript, const WebVttOptions& options = {});

struct PodcastingJsonOptions {
  bool word_level = false;  // one segment per word instead of per cue
};
// Podcasting 2.0 JSON, version 1.0.0.
std::string write_podcasting_json(const Transcript& transcript,
                                  const PodcastingJsonOptions& options = {});

// The writer for `format`, with default options (WebVTT for `other`).
std::string write_transcript(const Transcript& transcript, TranscriptFormat format);

// The format an output file name asks for: .vtt, .srt or .json (any case);
// nullopt for anything else.
std::optional<TranscriptFormat> transcript_format_for_path(std::string_view path);

}  // namespace namix
