// ITU-R BS.1770-4 / EBU R 128 measurement over libebur128: integrated
// loudness, loudness range, sample and true peak.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "core/audio_buffer.h"

namespace namix::dsp {

// What a meter measures besides integrated loudness, which it always does.
// Each costs per sample in libebur128: the true peak (a 4x polyphase
// interpolator per channel) is by far the dearest, so a meter that only
// needs integrated loudness should ask for nothing else.
struct LoudnessMeasures {
  bool loudness_range = true;
  bool true_peak = true;  // implies the sample peak
  bool sample_peak = true;

  static LoudnessMeasures integrated_only() { return {false, false, false}; }
  static LoudnessMeasures with_true_peak() { return {false, true, true}; }
};

class LoudnessMeter {
 public:
  // Mono is measured as a single (left) channel, as ffmpeg's ebur128 filter
  // does; a mono file played on two speakers reads 3 dB louder elsewhere.
  LoudnessMeter(int num_channels, double sample_rate, LoudnessMeasures measures = {});
  ~LoudnessMeter();
  LoudnessMeter(LoudnessMeter&&) noexcept;
  LoudnessMeter& operator=(LoudnessMeter&&) noexcept;

  // Feeds audio; any block size, no allocation.
  void add(AudioView audio) noexcept;
  // add(), returning the highest true peak (linear, any channel) among the
  // interpolated values this call computed: those whose newest sample is in
  // `audio`. Needs the true peak measure.
  double add_true_peak(AudioView audio) noexcept;
  void reset();

  // -inf (as -HUGE_VAL) while everything is below the -70 LUFS gate.
  double integrated_lufs() const;
  // Each of these needs its measure enabled at construction.
  double loudness_range_lu() const;
  // Highest true peak (BS.1770-4 Annex 2, 4x oversampled below 96 kHz) of any channel.
  double true_peak_dbtp() const;
  double sample_peak_dbfs() const;

  // Integrated loudness of the audio several meters measured between them
  // (parts of one programme measured in parallel): the gating runs over all
  // their blocks together. Same channels and rate; -inf when all is gated.
  static double integrated_lufs_of(const std::vector<const LoudnessMeter*>& meters);

  int num_channels() const { return num_channels_; }
  double sample_rate() const { return sample_rate_; }

 private:
  double feed(AudioView audio, bool track_true_peak) noexcept;

  struct State;
  std::unique_ptr<State> state_;
  int num_channels_ = 0;
  double sample_rate_ = 0.0;
  LoudnessMeasures measures_;
};

struct LoudnessMeasurement {
  double integrated_lufs = 0.0;
  double loudness_range_lu = 0.0;
  double true_peak_dbtp = 0.0;
  double sample_peak_dbfs = 0.0;
};

// One-shot measurement of a whole buffer; fields not asked for are left 0.
LoudnessMeasurement measure(AudioView audio, double sample_rate, LoudnessMeasures measures = {});

}  // namespace namix::dsp
