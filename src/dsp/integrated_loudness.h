// Integrated loudness alone (ITU-R BS.1770-4 K-weighting and gating), a
// quarter of what libebur128 costs for the same figure: its K-weighting
// filter runs each channel separately through a 4th-order direct form whose
// recursion bounds the loop; here both channels share one SSE2 register and
// the two sections overlap (dsp/biquad.h). LoudnessMeter (libebur128) stays
// the judge for everything else and for checking encoded output.
#pragma once

#include <cstddef>
#include <vector>

#include "core/audio_buffer.h"
#include "dsp/biquad.h"
#include "dsp/k_weighting.h"

namespace namix::dsp {

class IntegratedLoudness {
 public:
  // Mono is one channel of weight 1, as in LoudnessMeter.
  IntegratedLoudness(int num_channels, double sample_rate);

  // Any block size. Allocates only to keep one energy per 100 ms (8 bytes;
  // 86 kB for three hours).
  void add(AudioView audio);
  // -inf (as -HUGE_VAL) while everything is below the -70 LUFS gate.
  double integrated_lufs() const;

  // For a programme measured in parts on several cores: `later` measured
  // the audio that follows this meter's, starting `skip_sub_blocks` 100 ms
  // sub-blocks early so its K-weighting had settled (its warm-up); those
  // are dropped, the rest are taken as this meter's own. This meter must
  // have stopped on a sub-block boundary and `later` must have started on
  // one, so the 400 ms blocks fall where one meter would put them. Without a
  // warm-up (0) the first milliseconds of `later` are K-weighted from
  // silence, which moves a minutes-long figure by far less than 0.01 LU. A
  // `later` that measured nothing changes nothing.
  void append(const IntegratedLoudness& later, std::size_t skip_sub_blocks);
  std::size_t sub_block_frames() const { return sub_block_frames_; }

 private:
  int num_channels_;
  std::size_t sub_block_frames_;  // 100 ms
  KWeightingCoeffs k_weighting_;
  BiquadSectionState state_[2]{};
  std::vector<float> scratch_l_, scratch_r_;
  double energy_ = 0.0;  // sum over channels of squared K-weighted samples
  std::size_t filled_ = 0;
  std::vector<double> sub_blocks_;  // mean square per 100 ms, summed over channels
};

}  // namespace namix::dsp
