// What analysis knows about an episode: 10 ms features on a reduced mono
// stream, utterances and pauses, their sound class and speaker, and the
// blocks (runs of utterances) that themes select from.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/progress.h"

namespace namix {

class AudioDecoder;

// One 10 ms analysis frame.
struct FeatureFrame {
  float level_db = -120.0f;    // K-weighted mean square, dB (LUFS-like, momentary-free)
  float centroid_hz = 0.0f;    // spectral centroid
  float flatness = 0.0f;       // spectral flatness 0 (tonal) .. 1 (noise)
  float flux = 0.0f;           // positive spectral flux, normalised
  float zcr = 0.0f;            // zero crossings per sample
  float band_limit_hz = 0.0f;  // frequency below which 99 % of the energy lies
  float voicing = 0.0f;        // normalised autocorrelation peak in 60..400 Hz, 0..1
  float pitch_hz = 0.0f;       // 0 when unvoiced
  // Mean square of this hop's own samples after a 200 Hz high-pass, dBFS: no
  // window smearing, so pause boundaries are sharp to one hop.
  float envelope_db = -140.0f;
};

enum class SoundClass : std::uint8_t { silence, speech, music, clip };
const char* sound_class_name(SoundClass c);

// One stretch of uninterrupted sound between pauses.
struct Utterance {
  double start_s = 0.0;
  double end_s = 0.0;
  SoundClass sound = SoundClass::speech;
  int speaker = -1;             // 0 = host A, 1 = host B, -1 = not a host (clip, music)
  float level_db = -120.0f;     // mean K-weighted level over voiced frames
  float pitch_hz = 0.0f;        // median pitch
  float pitch_range_st = 0.0f;  // spread of pitch, semitones (10th..90th percentile)
  float band_limit_hz = 0.0f;   // median band limit
  double duration_s() const { return end_s - start_s; }
};

struct Pause {
  double start_s = 0.0;
  double end_s = 0.0;
  double duration_s() const { return end_s - start_s; }
};

// What a run of utterances is, as far as the themes care.
enum class BlockKind : std::uint8_t { banter, rant, clip, donation, jingle, music, silence };
const char* block_kind_name(BlockKind k);

struct Block {
  double start_s = 0.0;  // start of the first utterance
  double end_s = 0.0;    // end of the last utterance
  BlockKind kind = BlockKind::banter;
  int speaker = -1;                 // the host holding the floor for rant/donation, else -1
  double confidence = 0.0;          // 0..1
  double engagement = 0.0;          // 0..1, for Best Of
  std::size_t first_utterance = 0;  // index into utterances
  std::size_t utterance_count = 0;
  std::string why;  // a short description of the evidence
};

struct HostProfile {
  float level_db = -120.0f;  // median utterance level
  float pitch_hz = 0.0f;     // median pitch
  float words_per_s = 0.0f;  // speaking-rate proxy (syllable nuclei per second)
};

struct EpisodeAnalysis {
  double duration_s = 0.0;
  int analysis_rate_hz = 0;  // rate of the reduced stream the features came from
  double hop_s = 0.01;
  std::vector<FeatureFrame> frames;   // one per hop
  std::vector<Utterance> utterances;  // in time order, non-overlapping
  std::vector<Pause> pauses;          // the gaps between utterances (and at both ends)
  std::vector<Block> blocks;          // in time order, covering the utterances
  HostProfile hosts[2];
};

struct AnalysisOptions {
  double hop_s = 0.01;
  // Shorter gaps do not split utterances. Mid-sentence breaks (commas) run
  // up to ~0.25 s, so a shorter limit would offer cuts inside sentences.
  double min_pause_s = 0.28;
  double min_utterance_s = 0.10;  // shorter bursts are clicks/noise
};

// Pulls the whole stream from `decoder` (already reduced: mono, 1/2 or 1/4 rate)
// and analyses it. Holds only features, never the audio.
Result<EpisodeAnalysis> analyze_episode(AudioDecoder& decoder, const AnalysisOptions& options,
                                        const ProgressFn& progress);

}  // namespace namix
