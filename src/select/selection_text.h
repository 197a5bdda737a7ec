// What a selection knows of the words: the episode's transcript, aligned to
// the analysed audio, and the producer's own description of the subject.
// Without a transcript a selection chooses by sound alone.
#pragma once

#include <string>

#include "transcript/transcript.h"

namespace namix {

struct SelectionText {
  // Re-timed to the audio (align_transcript()); null when the episode has none.
  const Transcript* transcript = nullptr;
  // "gas stoves, electric car mandate": choose the passages that talk about
  // it. Needs a transcript; empty when not asked for.
  std::string about;
};

}  // namespace namix
