// align_transcript(): the phrase search (phrase_alignment.h) decides which
// stretches of the transcript go where; here the cues are moved accordingly
// and the report is put together.
#include "transcript/alignment.h"

#include <algorithm>
#include <cmath>

#include "transcript/cue_timing.h"
#include "transcript/phrase_alignment.h"

namespace namix {
namespace {

// Shorter placed cues, after clipping at the next one, are dropped.
constexpr double kMinPlacedCue_s = 0.05;

Cue shifted(const Cue& cue, double offset_s, double duration_s) {
  Cue out = cue;
  out.start_s = std::max(0.0, cue.start_s + offset_s);
  out.end_s = std::min(duration_s, cue.end_s + offset_s);
  for (auto& w : out.words) {
    w.start_s += offset_s;
    w.end_s += offset_s;
  }
  return out;
}

}  // namespace

TranscriptAlignment align_transcript(const Transcript& transcript, const EpisodeAnalysis& analysis,
                                     const AlignmentOptions& options) {
  TranscriptAlignment out;
  out.transcript.format = transcript.format;
  out.transcript.warnings = transcript.warnings;
  const auto& cues = transcript.cues;
  std::vector<bool> placed(cues.size(), false);
  std::vector<std::pair<Cue, std::size_t>> moved;
  if (!cues.empty()) {
    const PhraseAligner aligner(cues, analysis, options);
    const auto& phrases = aligner.phrases();
    for (const PhraseRun& run : aligner.align()) {
      AlignmentPiece piece;
      piece.source_start_s = phrases[run.first].start_s;
      piece.source_end_s = phrases[run.last].end_s;
      piece.offset_s = run.offset_s;
      piece.cue_count = phrases[run.last].last_cue - phrases[run.first].first_cue + 1;
      piece.matched_onsets = run.matched_onsets;
      piece.onset_error_s = run.onset_error_s;
      out.pieces.push_back(piece);
      for (std::size_t i = phrases[run.first].first_cue; i <= phrases[run.last].last_cue; ++i) {
        if (cues[i].end_s + run.offset_s <= 0.0 ||
            cues[i].start_s + run.offset_s >= analysis.duration_s) {
          continue;
        }
        moved.emplace_back(shifted(cues[i], run.offset_s, analysis.duration_s), i);
      }
    }
  }
  // Pieces moved by different offsets may now overlap: order by audio time
  // and clip each cue at the next one's start.
  std::stable_sort(moved.begin(), moved.end(),
                   [](const auto& a, const auto& b) { return a.first.start_s < b.first.start_s; });
  for (std::size_t k = 0; k < moved.size(); ++k) {
    Cue& cue = moved[k].first;
    if (k + 1 < moved.size()) cue.end_s = std::min(cue.end_s, moved[k + 1].first.start_s);
    if (cue.end_s - cue.start_s < kMinPlacedCue_s) continue;
    fill_word_times(cue);
    placed[moved[k].second] = true;
    out.source_cues.push_back(moved[k].second);
    out.transcript.cues.push_back(std::move(cue));
  }
  for (std::size_t i = 0; i < cues.size(); ++i) {
    if (!placed[i]) out.unplaced_cues.push_back(i);
  }
  return out;
}

double audio_time(const std::vector<AlignmentPiece>& pieces, double source_s) {
  if (pieces.empty()) return source_s;
  auto it = std::lower_bound(pieces.begin(), pieces.end(), source_s,
                             [](const AlignmentPiece& p, double t) { return p.source_end_s < t; });
  if (it == pieces.end()) --it;
  return source_s + it->offset_s;
}

std::vector<ChapterMark> align_chapters(const std::vector<ChapterMark>& chapters,
                                        const std::vector<AlignmentPiece>& pieces,
                                        double duration_s) {
  std::vector<ChapterMark> out;
  for (ChapterMark c : chapters) {
    c.start_s = std::max(0.0, audio_time(pieces, c.start_s));
    if (c.start_s >= duration_s) continue;
    if (c.end_s) {
      c.end_s = std::min(duration_s, audio_time(pieces, *c.end_s));
      if (*c.end_s <= c.start_s) c.end_s.reset();
    }
    out.push_back(std::move(c));
  }
  std::stable_sort(out.begin(), out.end(), [](const ChapterMark& a, const ChapterMark& b) {
    return a.start_s < b.start_s;
  });
  return out;
}

}  // namespace namix
