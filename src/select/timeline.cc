#include "select/timeline.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace namix::selection {
namespace {

// Long music is cut into pieces of this length.
constexpr double kMusicPieceS = 1.0;
// Speech runs longer than this are searched for breaths the segmentation's
// minimum pause let through (a fast rant leaves 0.12-0.15 s between
// sentences), so fitting is not stuck with a minute-long "utterance".
constexpr double kLongUtteranceS = 6.0;
// A breath: at least this long, this far under the utterance's level, and
// not at the utterance's edges. Stops and commas inside a sentence stay
// under ~0.2 s by this measure (word tails count as quiet), the breaths
// between fast sentences over it: on the corpus rants, 131 of 143 quiet runs
// of 0.23 s or more lay between sentences, against 101 of 380 of 0.1-0.2 s.
constexpr double kMinBreathS = 0.23;
constexpr double kBreathBelowDb = 20.0;
constexpr double kBreathEdgeS = 0.5;
// Pauses shorter than this are where a sentence break inside one utterance
// (a full stop in a read line) also falls: on the corpus 15 of 476 detected
// pauses under 0.4 s lay inside an utterance, against 1 of 1414 longer ones.
// Cuts go there only when nothing clearer lands.
constexpr double kClearPauseS = 0.4;
// What a cut inside a sentence of the transcript is worth against one
// between sentences: taken only when nothing else lands on the target.
constexpr double kInsideSentence = 0.05;

// Quiet stretches inside a long speech utterance, as [start, end) in seconds.
std::vector<std::pair<double, double>> breaths_in(const EpisodeAnalysis& a, const Utterance& ut) {
  std::vector<std::pair<double, double>> out;
  if (a.frames.empty() || a.hop_s <= 0.0 || ut.sound == SoundClass::music ||
      ut.duration_s() < kLongUtteranceS) {
    return out;
  }
  auto frame_at = [&](double t) {
    return static_cast<std::size_t>(std::clamp(t / a.hop_s, 0.0, double(a.frames.size())));
  };
  std::size_t f0 = frame_at(ut.start_s + kBreathEdgeS);
  std::size_t f1 = frame_at(ut.end_s - kBreathEdgeS);
  if (f1 <= f0) return out;
  float level = ut.level_db;
  if (level <= -100.0f) {
    // No level from analysis: the median frame of the utterance.
    std::vector<float> levels;
    for (std::size_t f = f0; f < f1; ++f) levels.push_back(a.frames[f].level_db);
    std::nth_element(levels.begin(),
                     levels.begin() + static_cast<std::ptrdiff_t>(levels.size() / 2), levels.end());
    level = levels[levels.size() / 2];
  }
  const float floor = level - static_cast<float>(kBreathBelowDb);
  std::size_t run_start = f0;
  bool in_run = false;
  for (std::size_t f = f0; f <= f1; ++f) {
    bool quiet = f < f1 && a.frames[f].level_db < floor;
    if (quiet && !in_run) {
      run_start = f;
      in_run = true;
    } else if (!quiet && in_run) {
      in_run = false;
      double start = static_cast<double>(run_start) * a.hop_s;
      double end = static_cast<double>(f) * a.hop_s;
      if (end - start >= kMinBreathS) out.emplace_back(start, end);
    }
  }
  return out;
}

std::vector<int> block_of_utterances(const EpisodeAnalysis& a) {
  std::vector<int> block_of(a.utterances.size(), -1);
  for (std::size_t b = 0; b < a.blocks.size(); ++b) {
    const Block& bl = a.blocks[b];
    for (std::size_t k = 0; k < bl.utterance_count; ++k) {
      std::size_t u = bl.first_utterance + k;
      if (u < block_of.size()) block_of[u] = static_cast<int>(b);
    }
  }
  return block_of;
}

std::vector<Unit> merge_clips(const EpisodeAnalysis& a, const std::vector<Unit>& units) {
  std::vector<Unit> merged;
  for (const Unit& u : units) {
    bool clip_block =
        u.block >= 0 && a.blocks[static_cast<std::size_t>(u.block)].kind == BlockKind::clip;
    if (clip_block && !merged.empty() && merged.back().block == u.block) {
      double gap = u.start - merged.back().end;
      if (gap > kMaxKeptPauseS) {
        merged.back().inner_dropped.push_back(
            {merged.back().end + kShortenedPauseS / 2.0, u.start - kShortenedPauseS / 2.0});
      }
      merged.back().end = u.end;
    } else {
      merged.push_back(u);
    }
  }
  return merged;
}

}  // namespace

std::vector<Unit> build_units(const EpisodeAnalysis& a, const UnitOptions& options) {
  const std::vector<int> block_of = block_of_utterances(a);
  std::vector<Unit> units;
  for (std::size_t i = 0; i < a.utterances.size(); ++i) {
    const Utterance& ut = a.utterances[i];
    if (ut.end_s <= ut.start_s) continue;
    int pieces = 1;
    if (options.cut_inside_music && ut.sound == SoundClass::music &&
        ut.duration_s() > 1.5 * kMusicPieceS) {
      pieces = static_cast<int>(std::lround(ut.duration_s() / kMusicPieceS));
    }
    if (pieces > 1) {
      double piece = ut.duration_s() / pieces;
      for (int p = 0; p < pieces; ++p) {
        Unit u;
        u.start = ut.start_s + p * piece;
        u.end = p + 1 == pieces ? ut.end_s : ut.start_s + (p + 1) * piece;
        u.block = block_of[i];
        u.sound = ut.sound;
        u.speaker = ut.speaker;
        units.push_back(u);
      }
      continue;
    }
    double start = ut.start_s;
    for (const auto& [quiet_from, quiet_to] :
         options.split_at_breaths ? breaths_in(a, ut) : std::vector<std::pair<double, double>>{}) {
      units.push_back({start, quiet_from, 0.0, 0.0, block_of[i], ut.sound, ut.speaker});
      start = quiet_to;
    }
    units.push_back({start, ut.end_s, 0.0, 0.0, block_of[i], ut.sound, ut.speaker});
  }
  if (options.whole_clips) units = merge_clips(a, units);
  for (std::size_t i = 0; i < units.size(); ++i) {
    double prev_end = i == 0 ? 0.0 : units[i - 1].end;
    units[i].gap_before = std::max(0.0, units[i].start - prev_end);
    double next_start =
        i + 1 == units.size() ? std::max(a.duration_s, units[i].end) : units[i + 1].start;
    units[i].gap_after = std::max(0.0, next_start - units[i].end);
  }
  return units;
}

std::vector<Unit> join_units(const std::vector<Unit>& units, const std::vector<bool>& join_before) {
  std::vector<Unit> out;
  for (std::size_t k = 0; k < units.size(); ++k) {
    const Unit& u = units[k];
    if (k > 0 && join_before[k] && !out.empty() && out.back().block == u.block) {
      Unit& prev = out.back();
      if (u.gap_before > kMaxKeptPauseS) {
        prev.inner_dropped.push_back(
            {prev.end + kShortenedPauseS / 2.0, u.start - kShortenedPauseS / 2.0});
      }
      prev.inner_dropped.insert(prev.inner_dropped.end(), u.inner_dropped.begin(),
                                u.inner_dropped.end());
      prev.end = u.end;
      prev.gap_after = u.gap_after;
    } else {
      out.push_back(u);
    }
  }
  return out;
}

std::vector<Range> units_of_blocks(const std::vector<Unit>& units, std::size_t block_count) {
  std::vector<Range> out(block_count, Range{-1, -1});
  for (std::size_t i = 0; i < units.size(); ++i) {
    int b = units[i].block;
    if (b < 0) continue;
    Range& r = out[static_cast<std::size_t>(b)];
    if (r.first < 0) r.first = static_cast<int>(i);
    r.last = static_cast<int>(i);
  }
  return out;
}

Timeline::Timeline(const std::vector<Unit>& units, const CutRules& rules)
    : units_(units), rules_(rules) {
  // The crossfade is centred on the cut: half of it runs before the cut in
  // this segment's pause, so keep that much and a little more, but no more
  // than 0.45 s, so that a join (both pads) never holds over 0.9 s of pause.
  pad_ = std::clamp(rules.crossfade_s / 2.0 + 0.25, 0.3, 0.45);
  dropped_prefix_.assign(units.size() + 1, 0.0);
  inner_prefix_.assign(units.size() + 1, 0.0);
  for (std::size_t k = 0; k < units.size(); ++k) {
    dropped_prefix_[k + 1] = dropped_prefix_[k] + (k == 0 ? 0.0 : dropped_before(k));
    inner_prefix_[k + 1] = inner_prefix_[k] + units[k].inner_dropped_s();
  }
}

double Timeline::in_point(int i) const {
  const Unit& u = units_[static_cast<std::size_t>(i)];
  return u.start - std::min(u.gap_before / 2.0, pad_);
}

double Timeline::out_point(int j) const {
  const Unit& u = units_[static_cast<std::size_t>(j)];
  return u.end + std::min(u.gap_after / 2.0, pad_);
}

double Timeline::join_before(int i) const {
  const Unit& u = units_[static_cast<std::size_t>(i)];
  if (u.gap_before > rules_.max_kept_pause_s) return u.start - kShortenedPauseS / 2.0;
  return u.start - u.gap_before / 2.0;
}

double Timeline::join_after(int j) const {
  const Unit& u = units_[static_cast<std::size_t>(j)];
  if (u.gap_after > rules_.max_kept_pause_s) return u.end + kShortenedPauseS / 2.0;
  return u.end + u.gap_after / 2.0;
}

// A cut in a short pause lets the crossfade run into speech; prefer wide ones.
// Breaths found inside long utterances are the last resort: a comma can
// look the same.
double Timeline::boundary_quality(double gap_s) const {
  if (gap_s <= 0.0) return rules_.cut_inside_music ? 0.9 : 0.0;
  if (gap_s < 0.15) return 0.4;
  if (gap_s < kClearPauseS) return 0.5;
  return gap_s >= rules_.crossfade_s + 0.1 ? 1.0 : 0.75;
}

double Timeline::in_quality(int i) const {
  const Unit& u = units_[static_cast<std::size_t>(i)];
  return boundary_quality(u.gap_before) * (u.sentence_goes_on ? kInsideSentence : 1.0);
}

double Timeline::out_quality(int j) const {
  const auto next = static_cast<std::size_t>(j) + 1;
  const bool splits = next < units_.size() && units_[next].sentence_goes_on;
  return boundary_quality(units_[next - 1].gap_after) * (splits ? kInsideSentence : 1.0);
}

double Timeline::dropped_before(std::size_t k) const {
  double g = units_[k].gap_before;
  return g > rules_.max_kept_pause_s ? g - kShortenedPauseS : 0.0;
}

double Timeline::body(const Range& r) const {
  double d = out_point(r.last) - in_point(r.first);
  const auto first = static_cast<std::size_t>(r.first);
  const auto last = static_cast<std::size_t>(r.last);
  return d - (dropped_prefix_[last + 1] - dropped_prefix_[first + 1]) -
         (inner_prefix_[last + 1] - inner_prefix_[first]);
}

std::vector<Pause> Timeline::dropped(const Range& r) const {
  std::vector<Pause> out;
  for (int k = r.first; k <= r.last; ++k) {
    std::size_t uk = static_cast<std::size_t>(k);
    if (k > r.first && dropped_before(uk) > 0.0) {
      out.push_back(
          {units_[uk - 1].end + kShortenedPauseS / 2.0, units_[uk].start - kShortenedPauseS / 2.0});
    }
    out.insert(out.end(), units_[uk].inner_dropped.begin(), units_[uk].inner_dropped.end());
  }
  return out;
}

}  // namespace namix::selection
