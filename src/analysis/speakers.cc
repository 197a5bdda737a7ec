#include "analysis/speakers.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace namix {
namespace {

// Telephone band ends at 3.4 kHz; wideband speech puts its fricatives well
// above 4.5 kHz, so the 90th percentile of the band limit splits the two.
constexpr float kClipBandLimitHz = 4000.0f;
// Music holds a steadier spectrum than speech: its frame-to-frame flux stays
// low, and it runs for seconds without a phrase break.
constexpr double kMusicMinDurationS = 2.0;
constexpr float kMusicMinScore = 1.6f;

float ramp(float x, float zero_at, float one_at) {
  return std::clamp((x - zero_at) / (one_at - zero_at), 0.0f, 1.0f);
}

// Three cues, each 0..1: a steady spectrum (low flux), no syllabic dips, and
// long held tones. Speech scores near 0 on all three; music scores 2 or more.
float music_score(const UtteranceStats& s) {
  return ramp(s.flux, 0.2f, 0.15f) + ramp(s.syllabic_dip_fraction, 0.4f, 0.15f) +
         ramp(s.long_voiced_fraction, 0.3f, 0.7f);
}

float median_of(std::vector<float> v) {
  if (v.empty()) return 0.0f;
  const auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  return *mid;
}

float robust_spread(std::vector<float> v) {
  if (v.size() < 4) return 1.0f;
  std::sort(v.begin(), v.end());
  const float iqr = v[3 * v.size() / 4] - v[v.size() / 4];
  return std::max(iqr, 1e-3f);
}

}  // namespace

void classify_sounds(std::vector<Utterance>& utterances, const std::vector<UtteranceStats>& stats,
                     int analysis_rate_hz) {
  // Below 10 kHz the stream itself stops under 5 kHz and every voice would
  // look band-limited, so clips are not told apart there.
  const bool can_see_band_limit = analysis_rate_hz >= 10000;
  for (std::size_t i = 0; i < utterances.size(); ++i) {
    auto& u = utterances[i];
    const auto& s = stats[i];
    if (s.active_frames == 0) {
      u.sound = SoundClass::silence;
      continue;
    }
    if (u.duration_s() >= kMusicMinDurationS && music_score(s) >= kMusicMinScore) {
      u.sound = SoundClass::music;
    } else if (can_see_band_limit && s.band_limit_p90_hz < kClipBandLimitHz) {
      u.sound = SoundClass::clip;
    } else {
      u.sound = SoundClass::speech;
    }
  }
}

void assign_speakers(std::vector<Utterance>& utterances, const std::vector<UtteranceStats>& stats) {
  // Features: level, pitch (semitones) and the spectral envelope's shape,
  // each scaled by its inter-quartile range. Level and pitch weigh most; the
  // shape decides when two voices sit at one level.
  constexpr int kDims = 2 + kTimbreBands;
  constexpr float kLevelWeight = 3.0f, kPitchWeight = 3.0f, kTimbreWeight = 1.0f;
  std::vector<std::size_t> idx;
  for (std::size_t i = 0; i < utterances.size(); ++i) {
    utterances[i].speaker = -1;
    if (utterances[i].sound == SoundClass::speech && stats[i].pitch_hz > 0.0f) idx.push_back(i);
  }
  if (idx.size() < 2) {
    for (auto i : idx) utterances[i].speaker = 0;
    return;
  }
  std::vector<std::array<float, kDims>> x(idx.size());
  for (std::size_t j = 0; j < idx.size(); ++j) {
    const auto& s = stats[idx[j]];
    x[j][0] = s.level_db;
    x[j][1] = 12.0f * std::log2(s.pitch_hz);
    for (int b = 0; b < kTimbreBands; ++b)
      x[j][static_cast<std::size_t>(2 + b)] = s.timbre[static_cast<std::size_t>(b)];
  }
  for (int d = 0; d < kDims; ++d) {
    const auto dd = static_cast<std::size_t>(d);
    std::vector<float> col(x.size());
    for (std::size_t j = 0; j < x.size(); ++j) col[j] = x[j][dd];
    const float med = median_of(col), spread = robust_spread(col);
    const float w = d == 0 ? kLevelWeight : d == 1 ? kPitchWeight : kTimbreWeight;
    for (auto& row : x) row[dd] = (row[dd] - med) / spread * w;
  }
  // Two-means, started from the louder and the quieter half.
  std::array<std::array<float, kDims>, 2> centre{};
  std::vector<int> label(x.size());
  for (std::size_t j = 0; j < x.size(); ++j) label[j] = x[j][0] >= 0.0f ? 0 : 1;
  for (int iter = 0; iter < 30; ++iter) {
    std::array<double, 2> count{};
    std::array<std::array<double, kDims>, 2> sum{};
    for (std::size_t j = 0; j < x.size(); ++j) {
      const auto l = static_cast<std::size_t>(label[j]);
      count[l] += 1.0;
      for (std::size_t d = 0; d < kDims; ++d) sum[l][d] += x[j][d];
    }
    if (count[0] == 0.0 || count[1] == 0.0) break;
    for (std::size_t l = 0; l < 2; ++l)
      for (std::size_t d = 0; d < kDims; ++d)
        centre[l][d] = static_cast<float>(sum[l][d] / count[l]);
    bool changed = false;
    for (std::size_t j = 0; j < x.size(); ++j) {
      float d0 = 0.0f, d1 = 0.0f;
      for (std::size_t d = 0; d < kDims; ++d) {
        d0 += (x[j][d] - centre[0][d]) * (x[j][d] - centre[0][d]);
        d1 += (x[j][d] - centre[1][d]) * (x[j][d] - centre[1][d]);
      }
      const int l = d1 < d0 ? 1 : 0;
      changed |= l != label[j];
      label[j] = l;
    }
    if (!changed) break;
  }
  // Host A is the louder voice (median level): what a show's main host
  // usually is, and steadier than speech time, which rants and read-outs skew.
  std::array<std::vector<float>, 2> levels;
  for (std::size_t j = 0; j < x.size(); ++j)
    levels[static_cast<std::size_t>(label[j])].push_back(stats[idx[j]].level_db);
  const bool swap =
      !levels[1].empty() && (levels[0].empty() || median_of(levels[1]) > median_of(levels[0]));
  for (std::size_t j = 0; j < x.size(); ++j)
    utterances[idx[j]].speaker = swap ? 1 - label[j] : label[j];
  // Speech without a pitch (whispers, noise bursts) follows its neighbour.
  int last = 0;
  for (auto& u : utterances) {
    if (u.sound != SoundClass::speech) continue;
    if (u.speaker < 0) u.speaker = last;
    last = u.speaker;
  }
}

}  // namespace namix
