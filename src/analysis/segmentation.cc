#include "analysis/segmentation.h"

#include <algorithm>
#include <cmath>

namespace namix {

std::vector<float> estimate_noise_floor(const std::vector<FeatureFrame>& frames,
                                        float* global_floor_db) {
  const std::size_t n = frames.size();
  std::vector<float> floor(n, -140.0f);
  if (n == 0) {
    if (global_floor_db) *global_floor_db = -140.0f;
    return floor;
  }
  constexpr std::size_t kBlock = 100;
  const std::size_t blocks = (n + kBlock - 1) / kBlock;
  std::vector<float> block_low(blocks);
  std::vector<float> scratch;
  scratch.reserve(kBlock);
  std::vector<float> all;
  all.reserve(n);
  for (std::size_t b = 0; b < blocks; ++b) {
    scratch.clear();
    for (std::size_t i = b * kBlock; i < std::min(n, (b + 1) * kBlock); ++i) {
      scratch.push_back(frames[i].envelope_db);
      all.push_back(frames[i].envelope_db);
    }
    const auto k = scratch.size() / 10;
    std::nth_element(scratch.begin(), scratch.begin() + static_cast<std::ptrdiff_t>(k),
                     scratch.end());
    block_low[b] = scratch[k];
  }
  const auto k = all.size() / 20;
  std::nth_element(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(k), all.end());
  const float global = all[k];
  if (global_floor_db) *global_floor_db = global;
  constexpr std::size_t kReach = 15;
  for (std::size_t b = 0; b < blocks; ++b) {
    const std::size_t lo = b >= kReach ? b - kReach : 0;
    const std::size_t hi = std::min(blocks, b + kReach + 1);
    float f = *std::min_element(block_low.begin() + static_cast<std::ptrdiff_t>(lo),
                                block_low.begin() + static_cast<std::ptrdiff_t>(hi));
    f = std::min(f, global + 6.0f);
    for (std::size_t i = b * kBlock; i < std::min(n, (b + 1) * kBlock); ++i) floor[i] = f;
  }
  return floor;
}

std::vector<FrameRun> find_sound_runs(const std::vector<FeatureFrame>& frames,
                                      const std::vector<float>& floor_db,
                                      const SegmentationOptions& options, double min_gap_s) {
  const std::size_t n = frames.size();
  std::vector<FrameRun> runs;
  bool in_sound = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const float e = frames[i].envelope_db - floor_db[i];
    if (!in_sound && e >= options.start_above_floor_db) {
      in_sound = true;
      start = i;
    } else if (in_sound && e < options.stop_above_floor_db) {
      in_sound = false;
      runs.push_back({start, i});
    }
  }
  if (in_sound) runs.push_back({start, n});

  // Grow the edges over soft onsets and decaying tails.
  for (std::size_t r = 0; r < runs.size(); ++r) {
    const std::size_t lo = r > 0 ? runs[r - 1].last : 0;
    const std::size_t hi = r + 1 < runs.size() ? runs[r + 1].first : n;
    auto& run = runs[r];
    while (run.first > lo && frames[run.first - 1].envelope_db - floor_db[run.first - 1] >=
                                 options.edge_above_floor_db)
      --run.first;
    while (run.last < hi &&
           frames[run.last].envelope_db - floor_db[run.last] >= options.edge_above_floor_db)
      ++run.last;
  }

  // Gaps shorter than a pause join their neighbours.
  const auto min_gap = static_cast<std::size_t>(std::lround(min_gap_s / options.hop_s));
  std::vector<FrameRun> merged;
  for (const auto& run : runs) {
    if (!merged.empty() && run.first < merged.back().last + min_gap) {
      merged.back().last = std::max(merged.back().last, run.last);
    } else {
      merged.push_back(run);
    }
  }
  // Isolated bursts shorter than an utterance are clicks in a pause.
  const auto min_len =
      static_cast<std::size_t>(std::lround(options.min_utterance_s / options.hop_s));
  std::erase_if(merged, [&](const FrameRun& r) { return r.last - r.first < min_len; });
  return merged;
}

Segmentation segment(const std::vector<FeatureFrame>& frames, const SegmentationOptions& options) {
  Segmentation seg;
  seg.floor_db = estimate_noise_floor(frames, &seg.global_floor_db);
  seg.sounds = find_sound_runs(frames, seg.floor_db, options, options.min_pause_s);
  const double hop = options.hop_s;
  const double total = static_cast<double>(frames.size()) * hop;
  for (const auto& run : seg.sounds) {
    Utterance u;
    u.start_s = std::max(0.0, static_cast<double>(run.first) * hop - options.edge_guard_s);
    u.end_s = std::min(total, static_cast<double>(run.last) * hop + options.edge_guard_s);
    seg.utterances.push_back(u);
  }
  double t = 0.0;
  for (const auto& u : seg.utterances) {
    if (u.start_s > t) seg.pauses.push_back({t, u.start_s});
    t = std::max(t, u.end_s);
  }
  if (total > t) seg.pauses.push_back({t, total});
  return seg;
}

}  // namespace namix
