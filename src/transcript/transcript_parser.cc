// parse_transcript(): the checks every input goes through (size, encoding),
// the format told from the first bytes, then the format's reader and the
// common repairs.
#include <algorithm>

#include "transcript/cue_text.h"
#include "transcript/cue_timing.h"
#include "transcript/transcript.h"
#include "transcript/transcript_formats.h"

namespace namix {
namespace {

constexpr std::string_view kExpected = "give an SRT, WebVTT or Podcasting 2.0 JSON transcript";

Error undecodable(std::string_view display_name, std::string_view what) {
  return make_error(Errc::undecodable, std::string(display_name) + std::string(what));
}

bool starts_with_signature(std::string_view text) {
  if (text.substr(0, 6) != "WEBVTT") return false;
  return text.size() == 6 || std::string_view(" \t\r\n").find(text[6]) != std::string_view::npos;
}

}  // namespace

Result<Transcript> parse_transcript(std::string_view bytes, std::string_view display_name) {
  auto checked = checked_text(bytes, display_name, kExpected);
  if (!checked.ok()) return checked.error();
  const std::string_view text = *checked;
  Transcript transcript;
  ParsedCues parsed;
  if (starts_with_signature(text)) {
    transcript.format = TranscriptFormat::vtt;
    parsed = parse_webvtt_cues(text);
  } else if (text.front() == '{' || text.front() == '[') {
    transcript.format = TranscriptFormat::json;
    auto json = parse_json_transcript_cues(text, display_name);
    if (!json.ok()) return json.error();
    parsed = std::move(json.value());
  } else if (looks_like_srt(text)) {
    transcript.format = TranscriptFormat::srt;
    parsed = parse_srt_cues(text);
  } else {
    return undecodable(display_name, " is not a transcript; " + std::string(kExpected));
  }
  transcript.warnings = std::move(parsed.warnings);
  tidy_cues(parsed.cues, transcript.warnings);
  transcript.cues = std::move(parsed.cues);
  if (transcript.cues.empty()) {
    const char* kind = transcript.format == TranscriptFormat::srt   ? "SubRip"
                       : transcript.format == TranscriptFormat::vtt ? "WebVTT"
                                                                    : "JSON";
    return undecodable(display_name, std::string(" is ") + kind +
                                         " without a single cue with times and text; check it");
  }
  return transcript;
}

Result<Transcript> load_transcript_file(const std::string& path) {
  auto bytes = read_text_file(path, kExpected);
  if (!bytes.ok()) return bytes.error();
  return parse_transcript(*bytes, path);
}

std::string text_between(const Transcript& transcript, double start_s, double end_s) {
  const auto& cues = transcript.cues;
  // Cues are in order and do not overlap, so their ends are in order too.
  auto it = std::lower_bound(cues.begin(), cues.end(), start_s,
                             [](const Cue& c, double t) { return c.end_s <= t; });
  std::string text;
  for (; it != cues.end() && it->start_s < end_s; ++it) {
    for (const auto& w : it->words) {
      const double mid = 0.5 * (w.start_s + w.end_s);
      if (mid < start_s || mid >= end_s) continue;
      if (!text.empty()) text += ' ';
      text += w.text;
    }
  }
  return text;
}

}  // namespace namix
