// The evidence gathered over each utterance's frames, from which its sound
// class, its speaker and the blocks are decided.
#pragma once

#include <array>
#include <vector>

#include "analysis/episode_analysis.h"
#include "analysis/features.h"
#include "analysis/segmentation.h"

namespace namix {

struct UtteranceStats {
  float level_db = -120.0f;        // energy mean of the K-weighted level over active frames
  float pitch_hz = 0.0f;           // median over voiced frames
  float pitch_range_st = 0.0f;     // 10th..90th percentile of voiced pitch, semitones
  float voiced_fraction = 0.0f;    // of active frames
  float band_limit_hz = 0.0f;      // median over active frames
  float band_limit_p90_hz = 0.0f;  // 90th percentile: fricatives reach high unless band-limited
  float centroid_hz = 0.0f;        // median over active frames
  float flatness = 0.0f;           // median over active frames
  float flux = 0.0f;               // mean over active frames
  float syllable_rate_hz = 0.0f;   // envelope peaks per second of the utterance
  float dip_fraction = 0.0f;       // share of frames less than 6 dB above the floor
  float envelope_std_db = 0.0f;    // spread of the envelope over active frames
  // Share of frames 12 dB or more below the loudest frame within ±150 ms:
  // speech dips between syllables, sustained music rarely does.
  float syllabic_dip_fraction = 0.0f;
  // Share of voiced frames in voiced runs of 0.5 s or more: held notes.
  float long_voiced_fraction = 0.0f;
  float above_floor_db = 0.0f;  // median envelope over the floor
  int phrase_count = 1;         // runs split by gaps >= 0.1 s
  double phrase_gap_s = 0.0;    // total length of those short gaps
  // Mean band level (dB) over active frames minus their mean: the spectral
  // envelope's shape, independent of level (what tells two voices apart).
  std::array<float, kTimbreBands> timbre{};
  int active_frames = 0;
};

std::vector<UtteranceStats> measure_utterances(const std::vector<FeatureFrame>& frames,
                                               const std::vector<TimbreBands>& timbre,
                                               const Segmentation& segmentation,
                                               const SegmentationOptions& options);

}  // namespace namix
