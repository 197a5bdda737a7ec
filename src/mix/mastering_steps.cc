#include "mix/mastering_steps.h"

namespace namix::mastering {

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

ProcessSpec mix_spec() {
  ProcessSpec spec;
  spec.sample_rate = kMixSampleRate;
  spec.max_block_frames = kBlock;
  spec.num_channels = kMixChannels;
  return spec;
}

std::function<void(double)> start(ThemeChains& chains,
                                  const std::function<void(double)>& progress) {
  chains.segment->prepare(mix_spec());
  for (auto& lane : chains.segment_lanes) lane->prepare(mix_spec());
  chains.master->prepare(mix_spec());
  for (auto& lane : chains.master_lanes) lane->prepare(mix_spec());
  if (progress) return progress;
  return [](double) {};
}

void apply_gain(AudioView v, float gain) {
  for (int c = 0; c < v.num_channels; ++c) {
    float* x = v[c];
    for (std::size_t i = 0; i < v.num_frames; ++i) x[i] *= gain;
  }
}

SegmentProcessing segment_processing(dsp::ProcessorChain& chain) {
  return {[&chain] { chain.reset(); }, [&chain](AudioView v) { chain.process(v); }};
}

dsp::TruePeakLimiterParams limiter_params(double ceiling_dbtp) {
  dsp::TruePeakLimiterParams p;
  p.ceiling_dbtp = ceiling_dbtp;
  return p;
}

Result<std::unique_ptr<Mp3Encoder>> make_encoder(const MasteringSpec& spec, const Mp3Tags& tags,
                                                 ByteSink& sink, std::size_t frames) {
  EncoderSettings settings;
  settings.sample_rate = kMixSampleRate;
  settings.channels = kMixChannels;
  settings.quality = spec.mp3_quality;
  // LAME is single-threaded and is most of a mix's time: one instance per
  // hardware thread, on chunks joined inaudibly (codec/parallel_mp3_encoder.h).
  // Short mixes are checked after decoding anyway; long ones are what gains.
  settings.threads = 0;
  settings.expected_frames = static_cast<std::int64_t>(frames);
  return Mp3Encoder::create(settings, tags, sink);
}

}  // namespace namix::mastering
