// The offsets (audio time − transcript time) worth trying when aligning:
// found by letting each window of phrases vote for the offsets that put
// their starts on utterance onsets and their ends on utterance ends.
//
// Internal to the transcript library.
#pragma once

#include <vector>

#include "transcript/speech_timeline.h"

namespace namix {

// `starts_s` and `ends_s` are the phrases' bounds in transcript time, in
// order. Returns at most kMaxCandidateOffsets offsets, ascending, 0 among
// them.
std::vector<double> candidate_offsets(const std::vector<double>& starts_s,
                                      const std::vector<double>& ends_s,
                                      const SpeechTimeline& timeline, double max_offset_s);

inline constexpr std::size_t kMaxCandidateOffsets = 48;

}  // namespace namix
