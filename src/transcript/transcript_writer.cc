#include "transcript/transcript_writer.h"

#include <cmath>
#include <cstdint>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "core/ascii_text.h"

namespace namix {
namespace {

// hh:mm:ss<sep>mmm; hours grow past two digits rather than wrap.
std::string clock(double s, char sep) {
  const auto ms = static_cast<std::int64_t>(std::llround(std::max(0.0, s) * 1000.0));
  char buf[40];
  std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld%c%03lld",
                static_cast<long long>(ms / 3600000), static_cast<long long>(ms / 60000 % 60),
                static_cast<long long>(ms / 1000 % 60), sep, static_cast<long long>(ms % 1000));
  return buf;
}

double to_ms(double s) { return std::round(s * 1000.0) / 1000.0; }

// WebVTT cue text: '&' and '<' start markup, '>' closes it, and "-->" may
// not appear at all.
std::string escape_vtt(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '&') {
      out += "&amp;";
    } else if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string write_srt(const Transcript& transcript) {
  std::string out;
  std::size_t index = 1;
  for (const Cue& c : transcript.cues) {
    out += std::to_string(index++) + "\n" + clock(c.start_s, ',') + " --> " + clock(c.end_s, ',') +
           "\n";
    if (!c.speaker.empty()) out += c.speaker + ": ";
    out += c.text + "\n\n";
  }
  return out;
}

std::string write_webvtt(const Transcript& transcript, const WebVttOptions& options) {
  std::string out = "WEBVTT\n\n";
  for (const Cue& c : transcript.cues) {
    out += clock(c.start_s, '.') + " --> " + clock(c.end_s, '.') + "\n";
    if (!c.speaker.empty()) out += "<v " + escape_vtt(c.speaker) + ">";
    if (options.word_timestamps && !c.words.empty()) {
      for (std::size_t k = 0; k < c.words.size(); ++k) {
        if (k > 0) out += " <" + clock(c.words[k].start_s, '.') + ">";
        out += escape_vtt(c.words[k].text);
      }
    } else {
      out += escape_vtt(c.text);
    }
    out += "\n\n";
  }
  return out;
}

std::string write_podcasting_json(const Transcript& transcript,
                                  const PodcastingJsonOptions& options) {
  nlohmann::json segments = nlohmann::json::array();
  const auto add = [&](const std::string& speaker, double start_s, double end_s,
                       const std::string& body) {
    nlohmann::json s;
    if (!speaker.empty()) s["speaker"] = speaker;
    s["startTime"] = to_ms(start_s);
    s["endTime"] = to_ms(end_s);
    s["body"] = body;
    segments.push_back(std::move(s));
  };
  for (const Cue& c : transcript.cues) {
    if (options.word_level) {
      for (const auto& w : c.words) add(c.speaker, w.start_s, w.end_s, w.text);
    } else {
      add(c.speaker, c.start_s, c.end_s, c.text);
    }
  }
  const nlohmann::json doc = {{"version", "1.0.0"}, {"segments", std::move(segments)}};
  return doc.dump(1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string write_transcript(const Transcript& transcript, TranscriptFormat format) {
  switch (format) {
    case TranscriptFormat::srt:
      return write_srt(transcript);
    case TranscriptFormat::json:
      return write_podcasting_json(transcript);
    case TranscriptFormat::vtt:
    case TranscriptFormat::other:
      break;
  }
  return write_webvtt(transcript);
}

std::optional<TranscriptFormat> transcript_format_for_path(std::string_view path) {
  const std::size_t dot = path.rfind('.');
  const std::size_t slash = path.find_last_of("/\\");
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) {
    return std::nullopt;
  }
  const std::string ext = ascii_lower(path.substr(dot + 1));
  if (ext == "vtt") return TranscriptFormat::vtt;
  if (ext == "srt") return TranscriptFormat::srt;
  if (ext == "json") return TranscriptFormat::json;
  return std::nullopt;
}

}  // namespace namix
