// What analysis knows about an episode: 10 ms features on a reduced mono
// stream, utterances and pauses, their sound class and speaker, and the
// blocks (runs of utterances) that themes select from.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/progress.h"

namespace namix {

class AudioDecoder;
struct DecodeOptions;

// One 10 ms analysis frame.
struct FeatureFrame {
  // K-weighted mean square over a ~30 ms Hann window, dB (LUFS-like). The
  // mono stream counts as both channels (dual mono, +3 dB), so a 1 kHz sine
  // at -23 dBFS peak reads -23, as a centred source does in stereo LUFS.
  float level_db = -120.0f;
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
  // 0 = host A (the louder voice by median level), 1 = host B, -1 = not a
  // host (clip, music).
  int speaker = -1;
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
  double min_pause_s = 0.30;
  // Recorded clips are edited speech with breaks of their own; only a
  // clearer gap than this splits two clip utterances.
  double min_clip_pause_s = 0.36;
  double min_utterance_s = 0.10;  // shorter bursts are clicks/noise
  // Each utterance's end is moved this much later than where its sound
  // meets the noise floor. 0.01 s fits crisp voices (ends within ±10 ms on
  // the corpus); breathy voices trail up to 0.14 s of breath below the floor,
  // and 0.15 keeps whole pauses clear of that at the cost of shorter pauses.
  double tail_guard_s = 0.01;
};

// Opens the reduced stream analysis runs on: mono, and 1/4 or 1/2 rate as
// long as that stays at 11 kHz or more (so the telephone band edge at
// 3.4 kHz and the fricatives above it stay visible).
Result<std::unique_ptr<AudioDecoder>> open_analysis_decoder(const std::string& path);

// The same rule for any way of opening the stream (a file, a download still
// arriving): `open` is called with each reduction to try, most reduced
// first, and its first error is returned.
using DecoderOpener =
    std::function<Result<std::unique_ptr<AudioDecoder>>(const DecodeOptions& options)>;
Result<std::unique_ptr<AudioDecoder>> open_at_analysis_rate(const DecoderOpener& open);

// Pulls the whole stream from `decoder` (already reduced: mono, 1/2 or 1/4 rate)
// and analyses it. Holds only features, never the audio.
Result<EpisodeAnalysis> analyze_episode(AudioDecoder& decoder, const AnalysisOptions& options,
                                        const ProgressFn& progress);

}  // namespace namix
