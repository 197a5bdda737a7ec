// The mix's own transcript: the words of the aligned episode transcript
// that the mix plays, re-timed from source time to mix time through the
// edit list (its segments, and the parts of long pauses each one leaves
// out). Crossfades are centred on cut points inside pauses, so they take no
// time and move no word.
#pragma once

#include <optional>
#include <vector>

#include "select/edit_list.h"
#include "transcript/transcript.h"

namespace namix {

// One stretch of the source that plays without a cut, and where it lands.
struct MixSpan {
  double source_start_s = 0.0;
  double source_end_s = 0.0;
  double mix_start_s = 0.0;
  std::size_t segment = 0;  // index into EditList::segments
};

// The spans the edit list plays, in mix order: each segment split where it
// drops part of a pause.
std::vector<MixSpan> mix_spans(const EditList& edits);

// The span of `spans` holding source time `source_s` ([start, end)); null
// when the mix leaves that moment out.
const MixSpan* span_holding(const std::vector<MixSpan>& spans, double source_s);

// The mix time of source time `source_s`; nullopt when the mix leaves it out.
std::optional<double> mix_time(const std::vector<MixSpan>& spans, double source_s);

// The words of `aligned` (timed to the analysed audio) whose middle the mix
// plays, at their mix times. A cue keeps its speaker; one that a cut runs
// through becomes one cue per segment it lands in. Format is `aligned`'s;
// no warnings.
Transcript mix_transcript(const Transcript& aligned, const EditList& edits);

}  // namespace namix
