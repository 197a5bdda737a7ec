// Every stage must give the same output whatever the block size: MP3 frames
// are 1152 samples, the renderer's blocks are whatever is left of a segment.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dsp/biquad.h"
#include "dsp/compressor.h"
#include "dsp/dehum.h"
#include "dsp/drive.h"
#include "dsp/leveller.h"
#include "dsp/processor.h"
#include "dsp/reverb.h"
#include "dsp/test_signals.h"
#include "dsp/true_peak_limiter.h"

namespace namix::dsp {
namespace {

constexpr double kFs = 44100.0;

struct Stage {
  std::string name;
  std::function<std::unique_ptr<Processor>()> make;
};

std::vector<Stage> stages() {
  return {
      {"biquad hpf x2",
       [] {
         return std::make_unique<Biquad>(
             BiquadParams{FilterType::highpass, 80.0, kButterworthQ, 0.0, 1.0, 2});
       }},
      {"biquad peaking",
       [] {
         return std::make_unique<Biquad>(BiquadParams{FilterType::peaking, 3000.0, 1.2, 1.5});
       }},
      {"compressor",
       [] {
         return std::make_unique<Compressor>(CompressorParams{-24.0, 3.0, 6.0, 5.0, 120.0, 2.0});
       }},
      {"dehum 60 Hz", [] { return std::make_unique<Dehum>(DehumParams{60.0}); }},
      {"reverb",
       [] {
         return std::make_unique<Reverb>(ReverbParams{0.4, 0.5, 0.15, 0.5, 1.0});
       }},
      {"drive +6 dB", [] { return std::make_unique<Drive>(DriveParams{6.0}); }},
      {"leveller", [] { return std::make_unique<Leveller>(); }},
      {"true-peak limiter",
       [] {
         return std::make_unique<TruePeakLimiter>(TruePeakLimiterParams{-6.0, 5.0, 60.0});
       }},
      {"chain",
       [] {
         auto c = std::make_unique<ProcessorChain>();
         c->add(std::make_unique<Biquad>(BiquadParams{FilterType::highpass, 80.0}));
         c->add(std::make_unique<Compressor>());
         c->add(std::make_unique<Leveller>());
         c->add(std::make_unique<TruePeakLimiter>());
         return c;
       }},
  };
}

// Loud enough that the dynamics stages work hard, with pauses for the
// leveller's gate and noise up to Nyquist for the limiter's interpolator.
AudioBuffer material() {
  const std::size_t frames = 3 * 44100;
  auto l = testing::speech_like(31, kFs, -12.0, frames);
  auto r = testing::speech_like(32, kFs, -16.0, frames, 180.0);
  auto n = testing::white_noise(33, -40.0, frames);
  for (std::size_t i = 0; i < frames; ++i) {
    l[i] += n[i];
    r[i] -= n[i];
  }
  return testing::make_buffer(l, &r);
}

AudioBuffer run(const Stage& stage, const std::vector<std::size_t>& pattern) {
  AudioBuffer buf = material();
  auto p = stage.make();
  p->prepare({kFs, buf.num_frames(), 2});
  std::size_t pos = 0;
  for (std::size_t k = 0; pos < buf.num_frames(); ++k) {
    const std::size_t n = std::min(pattern[k % pattern.size()], buf.num_frames() - pos);
    p->process(buf.view().slice(pos, n));
    pos += n;
  }
  return buf;
}

TEST(BlockSize, EveryStageGivesTheSameOutputForAnySplit) {
  const std::vector<std::vector<std::size_t>> patterns = {
      {1}, {1152}, {7}, {4096}, {13, 101, 1021, 3, 2}, {44100 * 3}};
  for (const auto& stage : stages()) {
    const AudioBuffer whole = run(stage, {material().num_frames()});
    const AudioBuffer input = material();
    double changed = 0.0;
    for (std::size_t i = 0; i < whole.num_frames(); ++i) {
      changed = std::max(changed,
                         static_cast<double>(std::fabs(whole.channel(0)[i] - input.channel(0)[i])));
    }
    EXPECT_GT(changed, 1e-3) << stage.name << " did nothing to the material";
    for (const auto& pattern : patterns) {
      const AudioBuffer split = run(stage, pattern);
      double worst = 0.0;
      for (int c = 0; c < 2; ++c) {
        for (std::size_t i = 0; i < whole.num_frames(); ++i) {
          worst = std::max(
              worst, static_cast<double>(std::fabs(split.channel(c)[i] - whole.channel(c)[i])));
        }
      }
      EXPECT_LE(worst, 1e-6) << stage.name << " with blocks of " << pattern.front();
    }
  }
}

}  // namespace
}  // namespace namix::dsp
