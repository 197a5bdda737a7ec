#include "transcript/alignment_json.h"

#include <cmath>

namespace namix {
namespace {

// Times to the millisecond: finer says nothing about 10 ms analysis hops.
double ms(double s) { return std::round(s * 1000.0) / 1000.0; }

// A report lists the first unplaced cues; all of them could be thousands
// when the transcript belongs to another episode.
constexpr std::size_t kListedUnplaced = 100;

}  // namespace

nlohmann::json alignment_to_json(const TranscriptAlignment& alignment, const Transcript& source) {
  nlohmann::json pieces = nlohmann::json::array();
  for (const auto& p : alignment.pieces) {
    pieces.push_back({{"source_start_s", ms(p.source_start_s)},
                      {"source_end_s", ms(p.source_end_s)},
                      {"offset_s", ms(p.offset_s)},
                      {"cues", p.cue_count},
                      {"matched_onsets", p.matched_onsets},
                      {"onset_error_s", ms(p.onset_error_s)}});
  }
  nlohmann::json unplaced = nlohmann::json::array();
  for (std::size_t i : alignment.unplaced_cues) {
    if (unplaced.size() == kListedUnplaced) break;
    const Cue& c = source.cues.at(i);
    unplaced.push_back({{"index", i}, {"start_s", ms(c.start_s)}, {"text", c.text}});
  }
  return {{"format", std::string(transcript_format_name(source.format))},
          {"cues", source.cues.size()},
          {"placed_cues", alignment.transcript.cues.size()},
          {"alignment", std::move(pieces)},
          {"unplaced_count", alignment.unplaced_cues.size()},
          {"unplaced_cues", std::move(unplaced)},
          {"warnings", source.warnings}};
}

}  // namespace namix
