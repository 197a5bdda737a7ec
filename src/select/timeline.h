// The episode as selection sees it: units (utterances, further cut at
// breaths or into pieces of music) with the pauses around them, and the one
// place that decides where a cut goes inside a pause, how good a cut there
// is, and how much of a long pause the mix keeps.
#pragma once

#include <cstddef>
#include <vector>

#include "analysis/episode_analysis.h"

namespace namix::selection {

// A mix has no dead air over 1 s: pauses longer than this are shortened. The
// whole-episode remaster only has to shorten pauses over 1.2 s, but a kept
// 1.2 s pause measures longer with the word tails around it, so it uses the
// same limit.
inline constexpr double kMaxKeptPauseS = 1.0;
inline constexpr double kMaxKeptPauseFullS = 1.0;
// What is left of a shortened pause: a natural breath, half on each side.
inline constexpr double kShortenedPauseS = 0.7;

// A stretch of sound that selection takes whole or not at all.
struct Unit {
  double start = 0.0;
  double end = 0.0;
  double gap_before = 0.0;  // 0 where a long music utterance was cut into pieces
  double gap_after = 0.0;
  int block = -1;
  SoundClass sound = SoundClass::speech;
  int speaker = -1;
  // Long pauses inside a unit that stands for a whole clip, shortened like
  // the ones between units.
  std::vector<Pause> inner_dropped = {};
  // With a transcript: the pause before this unit lies inside a sentence,
  // so a cut there would split it.
  bool sentence_goes_on = false;
  double inner_dropped_s() const {
    double d = 0.0;
    for (const auto& p : inner_dropped) d += p.duration_s();
    return d;
  }
};

// Units first..last, both included.
struct Range {
  int first = 0;
  int last = 0;
};

struct UnitOptions {
  // Long music becomes pieces of about 1 s, so a music theme can take part
  // of the end-of-show music; speech is never cut inside an utterance.
  bool cut_inside_music = false;
  // Long speech utterances are cut at the breaths inside them too.
  bool split_at_breaths = false;
  // A clip block becomes one unit: its own silences (a prompt's inner
  // pauses) look like the gaps between its pieces, so a clip taken whole is
  // cut only where the hosts start or stop playing it.
  bool whole_clips = false;
};

std::vector<Unit> build_units(const EpisodeAnalysis& a, const UnitOptions& options);

// Units with each unit k where join_before[k] holds joined to the one
// before it, when both are of one block: a sentence of the transcript that
// runs on over a pause is taken whole or not at all. A pause joined over
// that is longer than the mix keeps is shortened inside the unit.
std::vector<Unit> join_units(const std::vector<Unit>& units, const std::vector<bool>& join_before);

// The first and last unit of each block; {-1, -1} for a block without units.
std::vector<Range> units_of_blocks(const std::vector<Unit>& units, std::size_t block_count);

struct CutRules {
  double crossfade_s = 0.0;  // centred on each cut, inside its pause
  double max_kept_pause_s = kMaxKeptPauseS;
  bool cut_inside_music = false;  // cuts between pieces of music are fine
};

// Where cuts go and what ranges of units last in the mix.
class Timeline {
 public:
  Timeline(const std::vector<Unit>& units, const CutRules& rules);

  // A themed mix's in and out points: a pad into the pause, or its middle
  // when it is narrower than two pads (so always inside it, never at a word's
  // edge).
  double in_point(int i) const;
  double out_point(int j) const;
  // The whole-episode remaster's joins: the middle of a kept pause, or the
  // edge of what is kept of a shortened one.
  double join_before(int i) const;
  double join_after(int j) const;
  // How good a cut before unit i / after unit j is, 0..1. A cut inside a
  // sentence of the transcript is a last resort.
  double in_quality(int i) const;
  double out_quality(int j) const;

  // Length in the mix of units r.first..r.last with their in and out points,
  // long pauses shortened.
  double body(const Range& r) const;
  // The source ranges the mix leaves out of r's long pauses.
  std::vector<Pause> dropped(const Range& r) const;

 private:
  double dropped_before(std::size_t k) const;
  double boundary_quality(double gap_s) const;

  const std::vector<Unit>& units_;
  CutRules rules_;
  double pad_ = 0.4;
  std::vector<double> dropped_prefix_;
  std::vector<double> inner_prefix_;
};

}  // namespace namix::selection
