#include "analysis/analysis_json.h"

#include <cmath>

namespace namix {
namespace {

// Times to the millisecond and levels to 0.01 dB keep the JSON readable.
double ms(double s) { return std::round(s * 1000.0) / 1000.0; }
double centi(double v) { return std::round(v * 100.0) / 100.0; }

}  // namespace

nlohmann::json analysis_to_json(const EpisodeAnalysis& a, const AnalysisJsonOptions& options) {
  using nlohmann::json;
  json j;
  j["duration_s"] = ms(a.duration_s);
  j["analysis_rate_hz"] = a.analysis_rate_hz;
  j["hop_s"] = a.hop_s;
  json hosts = json::array();
  for (const auto& h : a.hosts) {
    hosts.push_back({{"level_db", centi(h.level_db)},
                     {"pitch_hz", centi(h.pitch_hz)},
                     {"words_per_s", centi(h.words_per_s)}});
  }
  j["hosts"] = hosts;
  json utterances = json::array();
  for (const auto& u : a.utterances) {
    utterances.push_back({{"start", ms(u.start_s)},
                          {"end", ms(u.end_s)},
                          {"sound", sound_class_name(u.sound)},
                          {"speaker", u.speaker},
                          {"level_db", centi(u.level_db)},
                          {"pitch_hz", centi(u.pitch_hz)},
                          {"pitch_range_st", centi(u.pitch_range_st)},
                          {"band_limit_hz", std::round(u.band_limit_hz)}});
  }
  j["utterances"] = utterances;
  json pauses = json::array();
  for (const auto& p : a.pauses) pauses.push_back({{"start", ms(p.start_s)}, {"end", ms(p.end_s)}});
  j["pauses"] = pauses;
  json blocks = json::array();
  for (const auto& b : a.blocks) {
    blocks.push_back({{"start", ms(b.start_s)},
                      {"end", ms(b.end_s)},
                      {"kind", block_kind_name(b.kind)},
                      {"speaker", b.speaker},
                      {"confidence", centi(b.confidence)},
                      {"engagement", centi(b.engagement)},
                      {"first_utterance", b.first_utterance},
                      {"utterance_count", b.utterance_count},
                      {"why", b.why}});
  }
  j["blocks"] = blocks;
  if (options.frame_decimation > 0) {
    json frames = json::array();
    const auto step = static_cast<std::size_t>(options.frame_decimation);
    for (std::size_t i = 0; i < a.frames.size(); i += step) {
      const auto& f = a.frames[i];
      frames.push_back({{"t", ms(static_cast<double>(i) * a.hop_s)},
                        {"level_db", centi(f.level_db)},
                        {"envelope_db", centi(f.envelope_db)},
                        {"centroid_hz", std::round(f.centroid_hz)},
                        {"flatness", std::round(f.flatness * 1e4) / 1e4},
                        {"flux", std::round(f.flux * 1e4) / 1e4},
                        {"zcr", std::round(f.zcr * 1e4) / 1e4},
                        {"band_limit_hz", std::round(f.band_limit_hz)},
                        {"voicing", std::round(f.voicing * 1e3) / 1e3},
                        {"pitch_hz", centi(f.pitch_hz)}});
    }
    j["frames_decimation"] = options.frame_decimation;
    j["frames"] = frames;
  }
  return j;
}

}  // namespace namix
