// The JSON report of an alignment: the result's `transcript` object and
// `namix analyze --transcript --json`.
#pragma once

#include <nlohmann/json.hpp>

#include "transcript/alignment.h"

namespace namix {

// {"format", "cues", "placed_cues", "alignment": [{"source_start_s",
//  "source_end_s", "offset_s", "cues", "matched_onsets", "onset_error_s"}],
//  "unplaced_count", "unplaced_cues": [{"index", "start_s", "text"}],
//  "warnings": [...]}. `source` is the transcript that was aligned; the
// unplaced list stops after the first 100.
nlohmann::json alignment_to_json(const TranscriptAlignment& alignment, const Transcript& source);

}  // namespace namix
