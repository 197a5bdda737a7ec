#include "publish/mix_episode.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/xml_text.h"

namespace namix {
namespace {

using nlohmann::json;

// Soundbites are clips a listener previews; the namespace advises 15-120 s.
constexpr double kMaxSoundbiteS = 120.0;

double number(const json& object, const char* name) {
  auto it = object.find(name);
  return it != object.end() && it->is_number() ? it->get<double>() : std::nan("");
}

std::string text(const json& object, const char* name) {
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::vector<MixSegment> mix_segments_from_result(const json& segments) {
  std::vector<MixSegment> out;
  if (!segments.is_array()) return out;
  for (const json& s : segments) {
    if (!s.is_object()) continue;
    MixSegment m;
    m.start_s = number(s, "start_time");
    m.end_s = number(s, "end_time");
    m.mix_start_s = number(s, "mix_start");
    m.duration_s = number(s, "duration");
    if (!std::isfinite(m.start_s) || !std::isfinite(m.end_s) || !std::isfinite(m.mix_start_s))
      continue;
    if (!std::isfinite(m.duration_s)) m.duration_s = m.end_s - m.start_s;
    const double confidence = number(s, "confidence");
    m.confidence = std::isfinite(confidence) ? confidence : 0.0;
    m.kind = text(s, "kind");
    m.description = text(s, "description");
    m.text = text(s, "text");
    out.push_back(std::move(m));
  }
  return out;
}

json mix_segments_json(const std::vector<MixSegment>& segments) {
  json out = json::array();
  for (const MixSegment& s : segments) {
    json j = {{"start_time", s.start_s},     {"end_time", s.end_s},
              {"mix_start", s.mix_start_s},  {"duration", s.duration_s},
              {"confidence", s.confidence},  {"kind", s.kind},
              {"description", s.description}};
    if (!s.text.empty()) j["text"] = s.text;
    out.push_back(std::move(j));
  }
  return out;
}

std::string clock_text(double seconds) {
  const long s = std::lround(std::max(0.0, seconds));
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  return buf;
}

std::string segments_description(std::string_view lead, const std::vector<MixSegment>& segments) {
  std::string html = "<p>" + xml_escape(lead) + "</p>";
  if (segments.empty()) return html;
  html += "<ol>";
  for (const MixSegment& s : segments) {
    char confidence[16];
    std::snprintf(confidence, sizeof confidence, "%.2f", s.confidence);
    html += "<li>" + clock_text(s.mix_start_s) + " in the mix: " + clock_text(s.start_s) +
            "\u2013" + clock_text(s.end_s) + " of the episode, " + xml_escape(s.kind) + " (" +
            confidence + ")";
    if (!s.description.empty()) html += ". " + xml_escape(s.description);
    if (!s.text.empty()) html += " <q>" + xml_escape(s.text) + "</q>";
    html += "</li>";
  }
  html += "</ol>";
  return html;
}

std::optional<PodcastSoundbite> strongest_soundbite(const std::vector<MixSegment>& segments,
                                                    double mix_duration_s) {
  const MixSegment* best = nullptr;
  for (const MixSegment& s : segments) {
    if (s.duration_s <= 0.0 || s.mix_start_s >= mix_duration_s) continue;
    if (best == nullptr || s.confidence > best->confidence ||
        (s.confidence == best->confidence && s.duration_s > best->duration_s))
      best = &s;
  }
  if (best == nullptr) return std::nullopt;
  PodcastSoundbite bite;
  bite.start_s = best->mix_start_s;
  bite.duration_s =
      std::min({best->duration_s, kMaxSoundbiteS, mix_duration_s - best->mix_start_s});
  bite.title = best->kind.empty() ? "Highlight" : best->kind;
  if (!best->description.empty()) bite.title += ": " + best->description;
  return bite;
}

}  // namespace namix
