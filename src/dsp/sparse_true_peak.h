// libebur128's true peak of a stream, computed only where it can matter.
//
// libebur128's true peak (BS.1770-4 Annex 2) runs a 49-tap 4x polyphase
// interpolator over every sample, scalar and in double: 0.77 s of CPU on a
// decoded 5-minute mix, more than decoding it. But every interpolated value is a weighted sum
// of 13 neighbouring samples, so it is at most G times their largest
// magnitude (G = the largest sum of |coefficients| of one phase), and the
// true peak of the stream is at least its sample peak (phase 0 is the
// samples themselves). A stretch whose sample peak times G stays below the
// stream's sample peak so far cannot hold the true peak, and is skipped.
// The rest goes to libebur128 (LoudnessMeter) with its real neighbours
// around it, so the interpolator sees exactly the samples it would see on
// the whole stream: the figure is libebur128's own, to the last bit (the
// proof is at SparseTruePeakMeter::screen_block).
#pragma once

#include <cstddef>
#include <vector>

#include "core/audio_buffer.h"
#include "dsp/loudness.h"

namespace namix::dsp {

class SparseTruePeakMeter {
 public:
  SparseTruePeakMeter(int num_channels, double sample_rate);

  // Audio just before the stretch to measure, when a stream is measured in
  // parts: the interpolator's history for the first samples. The values
  // ending inside it are not counted (the part before measures them). Any
  // block size; call before add().
  void add_lead_in(AudioView audio);
  // Any block size.
  void add(AudioView audio);
  // Highest true peak of any channel in dBTP, what LoudnessMeter with
  // LoudnessMeasures::with_true_peak() reports for the same audio. Ends the
  // stream: nothing may be added after it.
  double finish_true_peak_dbtp();

  // Bound on |interpolated| / max|samples around it| for libebur128's
  // interpolator at this rate, with a margin for float rounding.
  double gain_bound() const { return gain_bound_; }
  // Share of the added frames that libebur128 saw, context included.
  double measured_fraction() const;

 private:
  void screen_block(std::size_t frames);
  void keep_context(AudioView audio);

  int num_channels_;
  double gain_bound_;
  LoudnessMeter meter_;
  AudioBuffer block_;  // the block being filled
  std::size_t filled_ = 0;
  AudioBuffer context_;  // the last kContextFrames frames before block_
  std::size_t context_frames_ = 0;
  float lead_in_peak_ = 0.0f;  // of the lead-in's last kContextFrames, screened with block 0
  bool in_region_ = false;
  float running_peak_ = 0.0f;      // sample peak of everything screened so far
  double true_peak_linear_ = 0.0;  // of the interpolated values counted
  std::size_t frames_added_ = 0;
  std::size_t frames_measured_ = 0;
};

}  // namespace namix::dsp
