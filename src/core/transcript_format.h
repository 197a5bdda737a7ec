// The formats a podcast transcript comes in (Podcasting 2.0
// <podcast:transcript>): what a feed says a transcript is, and what the
// transcript reader finds it to be.
#pragma once

#include <string_view>

namespace namix {

// JSON is Podcasting 2.0 JSON, vtt WebVTT, srt SubRip; other is anything
// else a feed may link (HTML, plain text).
enum class TranscriptFormat { json, vtt, srt, other };

// "json", "vtt", "srt", "other".
constexpr std::string_view transcript_format_name(TranscriptFormat format) {
  switch (format) {
    case TranscriptFormat::json:
      return "json";
    case TranscriptFormat::vtt:
      return "vtt";
    case TranscriptFormat::srt:
      return "srt";
    case TranscriptFormat::other:
      return "other";
  }
  return "other";
}

}  // namespace namix
