// Freeverb (Jezar at Dreampoint, 2000): 8 parallel damped combs and 4 series
// allpasses per channel, the right channel's delays 23 samples longer. The
// parameters mean what they mean in Freeverb and in JUCE's / pedalboard's
// Reverb, which the original plan's values ("room 0.2 wet 0.1") came from.
#pragma once

#include <array>
#include <vector>

#include "dsp/processor.h"

namespace namix::dsp {

struct ReverbParams {
  double room_size = 0.5;  // 0..1: comb feedback 0.7..0.98
  double damping = 0.5;    // 0..1: high-frequency loss in the tail
  double wet = 0.33;       // Freeverb wet level; the wet gain is 3 x this
  double dry = 0.5;        // Freeverb dry level; the dry gain is 2 x this, so 0.5 is unity
  double width = 1.0;      // 0 mono tail .. 1 full stereo tail
};

class Reverb final : public Processor {
 public:
  static constexpr int kCombs = 8;
  static constexpr int kAllpasses = 4;

  explicit Reverb(const ReverbParams& params = {});

  const ReverbParams& params() const { return params_; }

  void prepare(const ProcessSpec& spec) override;
  void process(AudioView audio) noexcept override;
  void reset() override;

 private:
  struct Comb {
    std::vector<float> buffer;
    std::size_t pos = 0;
    float store = 0.0f;  // one-pole lowpass in the feedback path
  };
  struct Allpass {
    std::vector<float> buffer;
    std::size_t pos = 0;
  };
  struct Channel {
    std::array<Comb, kCombs> combs;
    std::array<Allpass, kAllpasses> allpasses;
  };

  void run_combs(Channel& ch, const float* in, float* out, std::size_t n) const noexcept;
  static void run_allpass(Allpass& ap, float* out, std::size_t n) noexcept;

  ReverbParams params_;
  float feedback_ = 0.0f, damp1_ = 0.0f, damp2_ = 0.0f;
  float wet1_ = 0.0f, wet2_ = 0.0f, dry_ = 1.0f;
  std::array<Channel, kMaxChannels> channels_;
  // Per block: the mono feed into the tank and each channel's tank output.
  std::vector<float> input_;
  std::array<std::vector<float>, kMaxChannels> tank_;
};

}  // namespace namix::dsp
