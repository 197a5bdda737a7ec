// Sentences across cue boundaries: the units a selection cuts on when it
// has the words.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "transcript/transcript.h"

namespace namix {

// A word's place in a transcript: transcript.cues[cue].words[word].
struct WordPosition {
  std::size_t cue = 0;
  std::size_t word = 0;
  bool operator==(const WordPosition&) const = default;
};

struct Sentence {
  double start_s = 0.0;  // start of its first word
  double end_s = 0.0;    // end of its last word
  std::string speaker;   // the speaker of its first word
  std::string text;      // its words joined by spaces
  WordPosition first;    // first word
  WordPosition last;     // last word (inclusive)
  std::size_t word_count = 0;
};

// Splits the word stream into sentences. A sentence ends after a word
// ending in '.', '?', '!' or '…' (closing quotes and brackets aside; not
// after "Mr." and kin, or initials like "J."), where the speaker changes,
// and at a silence of 1.5 s or more between words. A transcript without
// punctuation still gets sentences: one running past 30 s ends at the next
// cue boundary.
std::vector<Sentence> split_sentences(const Transcript& transcript);

}  // namespace namix
