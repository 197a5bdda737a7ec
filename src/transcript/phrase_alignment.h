// The search behind align_transcript(), on phrases: runs of cues with
// neither a pause the analysis would see nor a change of speaker between
// them, which is what the analysis sees as one utterance. Each phrase gets one of the candidate
// offsets, or none, by dynamic programming (Viterbi) over the phrases in
// order: a phrase costs little where its start lands on an utterance onset,
// its end on an utterance end and its span on sound; changing offset costs
// a fixed penalty. The runs of one offset are refined to their median onset
// error; at the edges of a run, phrases that the audio does not confirm are
// left out, since nothing says on which side of an insertion they belong.
//
// Internal to the transcript library.
#pragma once

#include <cstddef>
#include <vector>

#include "analysis/episode_analysis.h"
#include "transcript/alignment.h"
#include "transcript/speech_timeline.h"

namespace namix {

struct Phrase {
  std::size_t first_cue = 0;  // inclusive
  std::size_t last_cue = 0;   // inclusive
  double start_s = 0.0;
  double end_s = 0.0;
};

// Cues in order; a phrase ends where a pause of 0.3 s or more, or a change
// of speaker, follows a cue.
std::vector<Phrase> phrases_of(const std::vector<Cue>& cues);

struct PhraseRun {
  std::size_t first = 0;  // phrase indices, inclusive
  std::size_t last = 0;
  double offset_s = 0.0;
  std::size_t matched_onsets = 0;  // phrases starting within 0.1 s of an onset
  double onset_error_s = 0.0;      // their median distance
};

class PhraseAligner {
 public:
  PhraseAligner(const std::vector<Cue>& cues, const EpisodeAnalysis& analysis,
                const AlignmentOptions& options);

  // The phrases searched: those that start no later than the audio's end
  // plus the largest offset (cues of the others cannot be placed).
  const std::vector<Phrase>& phrases() const { return phrases_; }
  // The runs, in order; phrases in none could not be placed.
  std::vector<PhraseRun> align() const;

 private:
  double emission(std::size_t p, double offset_s) const;
  double nowhere_cost() const;
  std::vector<std::size_t> viterbi(const std::vector<double>& offsets, double jump_cost) const;
  void refine(PhraseRun& run) const;
  bool confirmed(std::size_t p, double offset_s, bool ends_count) const;
  bool ends_reliable(const std::vector<PhraseRun>& runs) const;

  AlignmentOptions options_;
  std::vector<Phrase> phrases_;
  SpeechTimeline timeline_;
};

}  // namespace namix
