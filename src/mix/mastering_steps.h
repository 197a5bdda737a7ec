// What both mastering passes share (mastering_in_memory.cc,
// mastering_streaming.cc): the mix's processing spec and block size, the
// gain, the limiter's and the encoder's settings, the chains' preparation.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>

#include "codec/mp3_encoder.h"
#include "core/audio_buffer.h"
#include "core/byte_sink.h"
#include "core/error.h"
#include "dsp/processor.h"
#include "dsp/true_peak_limiter.h"
#include "mix/chain_builder.h"
#include "mix/mastering.h"
#include "mix/renderer.h"

namespace namix::mastering {

using Clock = std::chrono::steady_clock;
inline constexpr std::size_t kBlock = 16384;

double ms_since(Clock::time_point t0);

// Stereo at the mix rate, in blocks of up to kBlock frames.
ProcessSpec mix_spec();

// The start of either pass: prepares every chain and lane for mix_spec(),
// and returns `progress`, or one that does nothing when it is empty.
std::function<void(double)> start(ThemeChains& chains, const std::function<void(double)>& progress);

void apply_gain(AudioView v, float gain);

SegmentProcessing segment_processing(dsp::ProcessorChain& chain);

dsp::TruePeakLimiterParams limiter_params(double ceiling_dbtp);

// LAME at the spec's quality on every core, for a mix of `frames` frames.
Result<std::unique_ptr<Mp3Encoder>> make_encoder(const MasteringSpec& spec, const Mp3Tags& tags,
                                                 ByteSink& sink, std::size_t frames);

}  // namespace namix::mastering
