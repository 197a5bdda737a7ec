#include "transcript/phrase_alignment.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "transcript/offset_candidates.h"

namespace namix {
namespace {

// A pause this long between cues (or a change of speaker) ends a phrase:
// the analysis splits utterances at pauses of 0.3 s, so phrases and
// utterances then start and end together.
constexpr double kPhraseGap_s = 0.3;
// A phrase bound within this of an utterance bound matches, linearly less
// so the further it is.
constexpr double kBoundTolerance_s = 0.3;
// What a phrase's span landing on silence costs, at most (a missed onset
// or end costs 1 each).
constexpr double kSilenceCost = 0.5;
constexpr double kMaxCost = 2.0 + kSilenceCost;
// "Nowhere" costs less than a chance placement (which rarely hits an onset
// or an end, and lands on sound about two thirds of the time) and far more
// than a true one.
constexpr double kNowhereShare = 0.6;
// Onset residuals within this refine a run's offset; a bound within it
// after refinement confirms a phrase.
constexpr double kConfirm_s = 0.15;
// Detected onsets sit within about this of the truth: an onset fitting as
// well as that at another offset is no coincidence to rule out.
constexpr double kOnsetPrecision_s = 0.03;
// An utterance may end this much after its words do (a breath, a trailing
// voice, reverb, or sound that follows across an insertion point without a
// pause the analysis sees), where onsets are sharp.
constexpr double kEndTail_s = 0.6;
// A matched onset, for the report.
constexpr double kMatched_s = 0.1;
// Runs whose offsets differ by less than this are one run.
constexpr double kSameRun_s = 0.2;
// Phrases may stick out of the audio by this much (rounding, encoder delay)
// and still be placed.
constexpr double kEdgeSlack_s = 0.5;

static_assert(kMaxCandidateOffsets + 1 <= 255, "Viterbi back-pointers are bytes");

double median(std::vector<double> v) {
  const auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  return *mid;
}

double closeness(double residual_s) {
  return std::max(0.0, 1.0 - std::fabs(residual_s) / kBoundTolerance_s);
}

}  // namespace

std::vector<Phrase> phrases_of(const std::vector<Cue>& cues) {
  std::vector<Phrase> phrases;
  for (std::size_t i = 0; i < cues.size(); ++i) {
    const bool joins = i > 0 && cues[i].start_s - cues[i - 1].end_s < kPhraseGap_s &&
                       cues[i].speaker == cues[i - 1].speaker;
    if (joins) {
      phrases.back().last_cue = i;
      phrases.back().end_s = cues[i].end_s;
    } else {
      phrases.push_back({i, i, cues[i].start_s, cues[i].end_s});
    }
  }
  return phrases;
}

PhraseAligner::PhraseAligner(const std::vector<Cue>& cues, const EpisodeAnalysis& analysis,
                             const AlignmentOptions& options)
    : options_(options), phrases_(phrases_of(cues)), timeline_(analysis) {
  // Phrases past the audio's end by more than any offset searched can go
  // nowhere; leaving them out keeps the search bounded by the audio, not by
  // what a transcript claims.
  const double reach_s = analysis.duration_s + options.max_offset_s;
  std::erase_if(phrases_, [&](const Phrase& p) { return p.start_s > reach_s; });
}

std::vector<PhraseRun> PhraseAligner::align() const {
  std::vector<double> starts, ends;
  for (const auto& p : phrases_) {
    starts.push_back(p.start_s);
    ends.push_back(p.end_s);
  }
  const auto offsets = candidate_offsets(starts, ends, timeline_, options_.max_offset_s);
  const auto states = viterbi(offsets, options_.jump_cost);
  std::vector<PhraseRun> runs;
  for (std::size_t i = 0; i < states.size(); ++i) {
    if (states[i] == offsets.size()) continue;  // nowhere
    const double d = offsets[states[i]];
    if (!runs.empty() && runs.back().last + 1 == i &&
        std::fabs(runs.back().offset_s - d) < kSameRun_s) {
      runs.back().last = i;
    } else {
      runs.push_back({i, i, d, 0, 0.0});
    }
  }
  for (auto& run : runs) refine(run);

  // Where a run meets another run or unplaced phrases, a phrase at its edge
  // belongs to it only when the audio confirms it there and its onset does
  // not fit as well at the offset across the edge: otherwise it could as
  // well belong to the other side of an insertion (whose audio often starts
  // with a voice right away), and it is left out rather than guessed.
  const bool ends_count = ends_reliable(runs);
  const auto belongs = [&](std::size_t p, const PhraseRun& run, const PhraseRun* across) {
    if (!confirmed(p, run.offset_s, ends_count)) return false;
    if (across == nullptr) return true;
    const double own = std::fabs(timeline_.onset_residual_s(phrases_[p].start_s + run.offset_s));
    const double other =
        std::fabs(timeline_.onset_residual_s(phrases_[p].start_s + across->offset_s));
    // Detection jitter sets what "as well" means: twice the runs' median
    // onset error, and never below kOnsetPrecision_s.
    const double precision =
        std::max(kOnsetPrecision_s, 2.0 * std::max(run.onset_error_s, across->onset_error_s));
    return other > std::max(own, precision);
  };
  std::vector<PhraseRun> kept;
  for (std::size_t r = 0; r < runs.size(); ++r) {
    PhraseRun run = runs[r];
    const PhraseRun* before = r > 0 ? &runs[r - 1] : nullptr;
    const PhraseRun* after = r + 1 < runs.size() ? &runs[r + 1] : nullptr;
    std::size_t first = run.first, end = run.last + 1;  // [first, end)
    if (first > 0) {
      while (first < end && !belongs(first, run, before)) ++first;
    }
    if (end < phrases_.size()) {
      while (end > first && !belongs(end - 1, run, after)) --end;
    }
    if (first == end) continue;
    run.first = first;
    run.last = end - 1;
    refine(run);
    kept.push_back(run);
  }
  return kept;
}

double PhraseAligner::emission(std::size_t p, double offset_s) const {
  const double a = phrases_[p].start_s + offset_s;
  const double b = phrases_[p].end_s + offset_s;
  if (a < -kEdgeSlack_s || b > timeline_.duration_s() + kEdgeSlack_s) return kMaxCost;
  const double cover = timeline_.covered_s(a, b) / (b - a);
  return (1.0 - closeness(timeline_.onset_residual_s(a))) +
         (1.0 - closeness(timeline_.end_residual_s(b))) + kSilenceCost * (1.0 - cover);
}

double PhraseAligner::nowhere_cost() const { return kNowhereShare * kMaxCost; }

// The cheapest state per phrase: an index into `offsets`, or offsets.size()
// for nowhere. Entering or leaving nowhere costs half a jump each way.
std::vector<std::size_t> PhraseAligner::viterbi(const std::vector<double>& offsets,
                                                double jump_cost) const {
  const std::size_t k_states = offsets.size() + 1;
  const std::size_t nowhere = offsets.size();
  const std::size_t n = phrases_.size();
  if (n == 0) return {};
  std::vector<std::uint8_t> back(n * k_states);
  std::vector<double> cost(k_states), next(k_states);
  for (std::size_t k = 0; k < k_states; ++k) {
    cost[k] = k == nowhere ? nowhere_cost() : emission(0, offsets[k]);
    back[k] = static_cast<std::uint8_t>(k);
  }
  for (std::size_t i = 1; i < n; ++i) {
    std::size_t best = 0;
    for (std::size_t k = 1; k < nowhere; ++k) best = cost[k] < cost[best] ? k : best;
    std::uint8_t* from = &back[i * k_states];
    for (std::size_t k = 0; k < nowhere; ++k) {
      double c = cost[k];
      std::size_t f = k;
      if (cost[best] + jump_cost < c) c = cost[best] + jump_cost, f = best;
      if (cost[nowhere] + 0.5 * jump_cost < c) c = cost[nowhere] + 0.5 * jump_cost, f = nowhere;
      next[k] = c + emission(i, offsets[k]);
      from[k] = static_cast<std::uint8_t>(f);
    }
    double c = cost[nowhere];
    std::size_t f = nowhere;
    if (nowhere > 0 && cost[best] + 0.5 * jump_cost < c) c = cost[best] + 0.5 * jump_cost, f = best;
    next[nowhere] = c + nowhere_cost();
    from[nowhere] = static_cast<std::uint8_t>(f);
    cost.swap(next);
  }
  std::vector<std::size_t> states(n);
  auto s = static_cast<std::size_t>(std::min_element(cost.begin(), cost.end()) - cost.begin());
  for (std::size_t i = n; i-- > 0;) {
    states[i] = s;
    s = back[i * k_states + s];
  }
  return states;
}

// Moves the run's offset by the median onset residual of its phrases, and
// counts the onsets it then matches.
void PhraseAligner::refine(PhraseRun& run) const {
  const auto residuals = [&](double offset_s, double window_s) {
    std::vector<double> r;
    for (std::size_t p = run.first; p <= run.last; ++p) {
      const double x = timeline_.onset_residual_s(phrases_[p].start_s + offset_s);
      if (std::fabs(x) <= window_s) r.push_back(x);
    }
    return r;
  };
  const auto near = residuals(run.offset_s, kConfirm_s);
  if (near.size() >= 3) run.offset_s += median(near);
  auto matched = residuals(run.offset_s, kMatched_s);
  for (double& x : matched) x = std::fabs(x);
  run.matched_onsets = matched.size();
  run.onset_error_s = matched.empty() ? 0.0 : median(matched);
}

bool PhraseAligner::confirmed(std::size_t p, double offset_s, bool ends_count) const {
  const Phrase& phrase = phrases_[p];
  if (std::fabs(timeline_.onset_residual_s(phrase.start_s + offset_s)) > kConfirm_s) return false;
  const double end_s = phrase.end_s + offset_s;
  return !ends_count || timeline_.ends_between(end_s - kConfirm_s, end_s + kEndTail_s);
}

// Whether the transcript's phrase ends are timed well enough to confirm
// anything: most phrases whose onset matches end on an utterance end too.
// Captioners who keep a cue on screen until the next one make them useless.
bool PhraseAligner::ends_reliable(const std::vector<PhraseRun>& runs) const {
  std::size_t onsets = 0, both = 0;
  for (const auto& run : runs) {
    for (std::size_t p = run.first; p <= run.last; ++p) {
      if (!confirmed(p, run.offset_s, false)) continue;
      ++onsets;
      both += confirmed(p, run.offset_s, true);
    }
  }
  return both * 2 > onsets;
}

}  // namespace namix
