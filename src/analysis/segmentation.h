// Utterances and pauses from the 10 ms envelope: hysteresis on the level
// above an adaptive noise floor, then minimum durations.
#pragma once

#include <vector>

#include "analysis/episode_analysis.h"

namespace namix {

struct SegmentationOptions {
  double min_pause_s = 0.28;      // shorter gaps do not split utterances
  double min_utterance_s = 0.10;  // shorter isolated bursts are clicks
  double hop_s = 0.01;
  float start_above_floor_db = 10.0f;  // a sound starts when the envelope rises this far
  float stop_above_floor_db = 6.0f;    // and ends when it falls back below this
  float edge_above_floor_db = 3.0f;    // edges then grow out to this (soft onsets, tails)
  // Utterances are widened by this much on both sides: word tails fade below
  // the noise floor, so the audible end is a little before the true one.
  double edge_guard_s = 0.02;
};

// A run of frames [first, last) that is sound.
struct FrameRun {
  std::size_t first = 0;
  std::size_t last = 0;
};

struct Segmentation {
  std::vector<FrameRun> sounds;       // one per utterance, before the edge guard
  std::vector<Utterance> utterances;  // times only; classes are filled in later
  std::vector<Pause> pauses;
  std::vector<float> floor_db;  // noise floor per frame (envelope scale)
  float global_floor_db = -140.0f;
};

// Noise floor per frame: the 10th percentile of each second, then the lowest
// of those within ±15 s (so a long sound never lifts its own floor), never
// more than 6 dB above the whole episode's 5th percentile.
std::vector<float> estimate_noise_floor(const std::vector<FeatureFrame>& frames,
                                        float* global_floor_db);

// Runs of sound separated by gaps of at least min_gap_s (hysteresis as in
// options). Used for utterances and, with a shorter gap, for phrases.
std::vector<FrameRun> find_sound_runs(const std::vector<FeatureFrame>& frames,
                                      const std::vector<float>& floor_db,
                                      const SegmentationOptions& options, double min_gap_s);

Segmentation segment(const std::vector<FeatureFrame>& frames, const SegmentationOptions& options);

}  // namespace namix
