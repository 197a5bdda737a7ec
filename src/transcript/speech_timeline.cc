#include "transcript/speech_timeline.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace namix {

SpeechTimeline::SpeechTimeline(const EpisodeAnalysis& analysis) : duration_s_(analysis.duration_s) {
  std::vector<std::pair<double, double>> spans;
  spans.reserve(analysis.utterances.size());
  for (const auto& u : analysis.utterances) {
    if (u.sound == SoundClass::silence || !(u.end_s > u.start_s)) continue;
    spans.emplace_back(u.start_s, u.end_s);
  }
  // The analysis gives them in order and apart; the index relies on it, so
  // it does not take that on trust.
  std::sort(spans.begin(), spans.end());
  double covered = 0.0;
  for (const auto& [a, b] : spans) {
    const double start = ends_.empty() ? a : std::max(a, ends_.back());
    if (b <= start) continue;
    starts_.push_back(start);
    ends_.push_back(b);
    covered_before_.push_back(covered);
    covered += b - start;
  }
}

namespace {

double nearest_residual(const std::vector<double>& sorted, double t_s) {
  const auto it = std::lower_bound(sorted.begin(), sorted.end(), t_s);
  double best = std::numeric_limits<double>::max();
  if (it != sorted.end()) best = *it - t_s;
  if (it != sorted.begin() && t_s - *(it - 1) < std::fabs(best)) best = *(it - 1) - t_s;
  return best;
}

}  // namespace

double SpeechTimeline::onset_residual_s(double t_s) const { return nearest_residual(starts_, t_s); }

double SpeechTimeline::end_residual_s(double t_s) const { return nearest_residual(ends_, t_s); }

bool SpeechTimeline::ends_between(double from_s, double to_s) const {
  const auto it = std::lower_bound(ends_.begin(), ends_.end(), from_s);
  return it != ends_.end() && *it <= to_s;
}

double SpeechTimeline::covered_until(double t_s) const {
  // The utterances starting before t: all of those before the last one,
  // and the part of the last one before t.
  const auto it = std::upper_bound(starts_.begin(), starts_.end(), t_s);
  if (it == starts_.begin()) return 0.0;
  const auto k = static_cast<std::size_t>(it - starts_.begin()) - 1;
  return covered_before_[k] + std::min(t_s, ends_[k]) - starts_[k];
}

double SpeechTimeline::covered_s(double a_s, double b_s) const {
  if (b_s <= a_s) return 0.0;
  return covered_until(b_s) - covered_until(a_s);
}

}  // namespace namix
