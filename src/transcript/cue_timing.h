// The repairs every parsed transcript goes through, whatever its format:
// times are never trusted as given.
//
// Internal to the transcript library (the writers and alignment use it too,
// and the mix's own transcript joins its words with join_words()).
#pragma once

#include <string>
#include <vector>

#include "transcript/transcript.h"

namespace namix {

// Cue times past this are not times of any episode (hours above 99 still
// parse; 1000 hours do not describe audio).
inline constexpr double kMaxCueTime_s = 1000.0 * 3600.0;

// Gives every word of `cue` a start and an end inside the cue, in order.
// Known starts (NaN marks unknown) are kept where they are in order and
// inside the cue; the others are spread between their known neighbours (or
// the cue's bounds) in proportion to their length in characters. A word
// ends where the next one starts, the last one where the cue ends, unless
// its own end is known and earlier.
void fill_word_times(Cue& cue);

// Puts parsed cues in order and in shape, with one warning per kind of
// repair and its count:
// - drops cues with no words, non-finite or absurd times, or no length;
// - takes a leading "Name:" as the speaker of cues that name none, when the
//   same name leads at least two cues (so "Note: ..." stays text);
// - sorts by start time;
// - clips a cue that runs into the next one, and merges the two when they
//   start together;
// - fills and clamps word times, and sets each text to its words.
void tidy_cues(std::vector<Cue>& cues, std::vector<std::string>& warnings);

// The words' texts joined by single spaces.
std::string join_words(const std::vector<TranscriptWord>& words);

}  // namespace namix
