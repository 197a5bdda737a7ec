// Aligning a published transcript to the audio that was analysed.
//
// The file served is not always the one the transcript was made from: ads
// are stitched in when it is served (a pre-roll, mid-rolls), and encoders
// add tens of milliseconds of delay. So a transcript time maps to an audio
// time by an offset that is constant over long stretches and jumps where
// audio was inserted (or cut). The alignment finds those stretches
// ("pieces") from where the cues' phrases start and end against where the
// utterances the analysis detected do, re-times the cues, and says which
// cues it could not place.
#pragma once

#include <cstddef>
#include <vector>

#include "analysis/episode_analysis.h"
#include "transcript/chapters.h"
#include "transcript/transcript.h"

namespace namix {

struct AlignmentOptions {
  // The largest shift searched between transcript and audio, either way: a
  // pre-roll and several mid-rolls together stay well below 15 minutes.
  double max_offset_s = 900.0;
  // What one change of offset costs, where a phrase whose start and end
  // both match nothing costs 2: a piece needs a few phrases of evidence to
  // exist, so a stray match never splits the transcript.
  double jump_cost = 4.0;
};

// A stretch of the transcript placed with one offset.
struct AlignmentPiece {
  double source_start_s = 0.0;  // transcript time of its first cue's start
  double source_end_s = 0.0;    // transcript time of its last cue's end
  double offset_s = 0.0;        // audio time = transcript time + offset_s
  std::size_t cue_count = 0;
  // Phrases (cues between pauses or changes of speaker) that start within
  // 0.1 s of an utterance onset, and the median distance of those onsets.
  std::size_t matched_onsets = 0;
  double onset_error_s = 0.0;
};

struct TranscriptAlignment {
  // The cues placed, re-timed to the audio (words too), in order, inside
  // [0, duration]. Format and warnings are the input's.
  Transcript transcript;
  // For each placed cue, its index among the input's cues.
  std::vector<std::size_t> source_cues;
  std::vector<AlignmentPiece> pieces;  // in transcript order
  // Input cues it could not place: in no piece (nothing in the audio
  // matches them), or moved outside the audio.
  std::vector<std::size_t> unplaced_cues;
};

// Aligns `transcript` to `analysis`. Runs in O(n log n) in the number of
// cues and utterances (a 3-hour transcript takes tens of milliseconds).
TranscriptAlignment align_transcript(const Transcript& transcript, const EpisodeAnalysis& analysis,
                                     const AlignmentOptions& options = {});

// The audio time of transcript time `source_s`: by the piece holding it; a
// time between two pieces belongs to the later one (what follows an
// insertion point plays after the inserted audio), one before the first
// or after the last to that piece. Without pieces, unchanged.
double audio_time(const std::vector<AlignmentPiece>& pieces, double source_s);

// Chapters of the published transcript's timeline moved onto the audio's:
// starts and ends through audio_time(), those starting past `duration_s`
// dropped, the rest kept in order.
std::vector<ChapterMark> align_chapters(const std::vector<ChapterMark>& chapters,
                                        const std::vector<AlignmentPiece>& pieces,
                                        double duration_s);

}  // namespace namix
