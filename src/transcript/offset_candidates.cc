#include "transcript/offset_candidates.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>

namespace namix {
namespace {

// Votes land in 50 ms bins and a peak is read over three of them: onsets
// the analysis detects sit within a few hops of the truth, and encoder
// delay shifts them all alike.
constexpr double kBin_s = 0.05;
// Windows at two scales, each moved by half its length: 24 phrases (a
// minute or two of talk), where a quarter of the marks must agree, and 8
// phrases, where half must, so that a piece of a few phrases (after the last
// mid-roll) still proposes its offset. Chance coincidences in one 150 ms
// span stay well below either bar.
struct WindowScale {
  std::size_t phrases;
  double agreeing_share;
};
constexpr WindowScale kScales[] = {{24, 0.25}, {8, 0.5}};
// A second peak has to be this far from the first to be another offset.
constexpr double kPeakSeparation_s = 1.0;
// Offsets closer than this are one offset found twice.
constexpr double kSameOffset_s = 0.15;

struct Peak {
  double offset_s = 0.0;
  int score = 0;
};

// Votes per 50 ms bin of offset; a window's marks are few, so 16 bits hold
// any count.
using Votes = std::vector<std::uint16_t>;

int three_bins(const Votes& v, std::size_t b) { return v[b - 1] + v[b] + v[b + 1]; }

// The bin in [lo, hi) (1 <= lo, hi < size) with the largest three-bin sum,
// and that sum. Two plain passes (a max, then where it is) vectorise; one
// pass tracking the argmax would not, and this runs over every bin of every
// window.
std::pair<int, std::size_t> best_bin(const Votes& v, std::size_t lo, std::size_t hi) {
  int best = 0;
  for (std::size_t b = lo; b < hi; ++b) best = std::max(best, three_bins(v, b));
  if (best == 0) return {0, 0};
  std::size_t at = lo;
  while (three_bins(v, at) != best) ++at;
  return {best, at};
}

Peak peak_at(const Votes& v, std::size_t bin, int score, double origin_s) {
  // The centre of mass of the three bins.
  const double moment = static_cast<double>(v[bin + 1]) - static_cast<double>(v[bin - 1]);
  return {origin_s + (static_cast<double>(bin) + 0.5 + moment / score) * kBin_s, score};
}

}  // namespace

std::vector<double> candidate_offsets(const std::vector<double>& starts_s,
                                      const std::vector<double>& ends_s,
                                      const SpeechTimeline& timeline, double max_offset_s) {
  const std::size_t n = starts_s.size();
  const auto bins = static_cast<std::size_t>(std::ceil(2.0 * max_offset_s / kBin_s)) + 2;
  const double origin_s = -max_offset_s - kBin_s;
  const auto apart = static_cast<std::size_t>(kPeakSeparation_s / kBin_s);
  Votes votes(bins);
  // Each mark votes for every offset that puts it on a mark of the audio.
  // Returns how many votes it cast.
  const auto vote = [&](double mark_s, const std::vector<double>& audio_marks) {
    auto it = std::lower_bound(audio_marks.begin(), audio_marks.end(), mark_s - max_offset_s);
    std::size_t cast = 0;
    for (; it != audio_marks.end() && *it <= mark_s + max_offset_s; ++it) {
      const auto bin = static_cast<std::size_t>((*it - mark_s - origin_s) / kBin_s);
      if (bin < bins) {
        ++votes[bin];
        ++cast;
      }
    }
    return cast;
  };
  std::vector<Peak> found;
  // Phrases [w0, w1) vote; their best peak, and a second one far enough
  // from it, are kept when enough of their marks agree.
  const auto search = [&](std::size_t w0, std::size_t w1, double agreeing_share) {
    std::fill(votes.begin(), votes.end(), std::uint16_t{0});
    std::size_t cast = 0;
    for (std::size_t i = w0; i < w1; ++i) {
      cast += vote(starts_s[i], timeline.onsets_s());
      cast += vote(ends_s[i], timeline.ends_s());
    }
    const double needed = std::max(3.0, agreeing_share * 2.0 * static_cast<double>(w1 - w0));
    if (static_cast<double>(cast) < needed) return;  // no peak can be high enough
    const auto [score, bin] = best_bin(votes, 1, bins - 1);
    if (score < needed) return;
    found.push_back(peak_at(votes, bin, score, origin_s));
    auto second = best_bin(votes, 1, bin > apart + 1 ? bin - apart : 1);
    const auto right = best_bin(votes, std::min(bins - 1, bin + apart), bins - 1);
    if (right.first > second.first) second = right;
    if (second.first >= needed) {
      found.push_back(peak_at(votes, second.second, second.first, origin_s));
    }
  };
  if (!timeline.onsets_s().empty()) {
    for (const WindowScale scale : kScales) {
      for (std::size_t w0 = 0; w0 < n; w0 += scale.phrases / 2) {
        search(w0, std::min(n, w0 + scale.phrases), scale.agreeing_share);
        if (w0 + scale.phrases >= n) break;
      }
    }
  }

  // Merge the windows' peaks into distinct offsets, weighted by votes.
  std::sort(found.begin(), found.end(),
            [](const Peak& a, const Peak& b) { return a.offset_s < b.offset_s; });
  std::vector<Peak> merged;
  for (const Peak& p : found) {
    if (!merged.empty() && p.offset_s - merged.back().offset_s < kSameOffset_s) {
      Peak& m = merged.back();
      m.offset_s = (m.offset_s * m.score + p.offset_s * p.score) / (m.score + p.score);
      m.score += p.score;
    } else {
      merged.push_back(p);
    }
  }
  if (merged.size() > kMaxCandidateOffsets - 1) {
    std::partial_sort(merged.begin(), merged.begin() + kMaxCandidateOffsets - 1, merged.end(),
                      [](const Peak& a, const Peak& b) { return a.score > b.score; });
    merged.resize(kMaxCandidateOffsets - 1);
  }
  std::vector<double> offsets;
  bool has_zero = false;
  for (const Peak& p : merged) {
    offsets.push_back(p.offset_s);
    has_zero = has_zero || std::fabs(p.offset_s) < kSameOffset_s;
  }
  // No shift at all is the common case and always worth a try.
  if (!has_zero) offsets.push_back(0.0);
  std::sort(offsets.begin(), offsets.end());
  return offsets;
}

}  // namespace namix
