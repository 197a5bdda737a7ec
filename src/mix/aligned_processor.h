// Runs a processor with latency (a look-ahead limiter) over consecutive
// blocks and hands on output aligned with its input: the first
// latency_frames() outputs are dropped and flush() pushes silence through for
// the tail, so nothing in the mix shifts in time.
#pragma once

#include <algorithm>
#include <cstddef>

#include "core/audio_buffer.h"
#include "core/error.h"
#include "dsp/processor.h"
#include "mix/renderer.h"

namespace namix {

class AlignedProcessor {
 public:
  // `p` is prepared for blocks of up to `max_block` frames of kMixChannels.
  AlignedProcessor(dsp::Processor& p, std::size_t max_block)
      : p_(p), max_block_(max_block), skip_(p.latency_frames()) {
    scratch_.resize(kMixChannels, max_block);
  }

  Result<void> push(AudioView in, const MixBlockConsumer& emit) {
    for (std::size_t done = 0; done < in.num_frames;) {
      const std::size_t n = std::min(max_block_, in.num_frames - done);
      AudioView v = in.slice(done, n);
      p_.process(v);
      NAMIX_TRY(forward(v, emit));
      done += n;
    }
    return {};
  }

  Result<void> flush(const MixBlockConsumer& emit) {
    std::size_t left = p_.latency_frames();
    while (left > 0) {
      const std::size_t n = std::min(max_block_, left);
      AudioView v = scratch_.view().slice(0, n);
      for (int c = 0; c < kMixChannels; ++c) std::fill_n(v[c], n, 0.0f);
      p_.process(v);
      NAMIX_TRY(forward(v, emit));
      left -= n;
    }
    return {};
  }

 private:
  Result<void> forward(AudioView v, const MixBlockConsumer& emit) {
    if (skip_ >= v.num_frames) {
      skip_ -= v.num_frames;
      return {};
    }
    AudioView out = v.slice(skip_, v.num_frames - skip_);
    skip_ = 0;
    return emit(out);
  }

  dsp::Processor& p_;
  std::size_t max_block_;
  std::size_t skip_;
  AudioBuffer scratch_;
};

}  // namespace namix
