#include "dsp/sparse_true_peak.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <numbers>

namespace namix::dsp {
namespace {

// Screening granularity: small enough that a loud syllable does not drag in
// its quiet surroundings, large enough that the per-stretch context costs
// little. On a limited speech mix about 6 % of 64-frame blocks come within
// G of the peak.
constexpr std::size_t kBlockFrames = 64;
// libebur128 (ebur128.c, ebur128_init_resampler) interpolates 4x below
// 96 kHz and 2x below 192 kHz with a 49-tap filter, whose delay line holds
// ceil(49 / factor) samples: 13 or 25. The context covers the longer.
constexpr unsigned kTaps = 49;
constexpr std::size_t kContextFrames = 32;

unsigned oversampling_factor(double sample_rate) {
  if (sample_rate < 96000.0) return 4;
  if (sample_rate < 192000.0) return 2;
  return 1;  // libebur128 reports the sample peak
}

// max over phases of sum |c| of libebur128's interpolator (ebur128.c,
// interp_create: a Hann-windowed sinc, coefficients below 1e-6 dropped).
// At 4x it is 1.8642 (phase 2 of 4, halfway between samples).
double interpolator_gain(unsigned factor) {
  if (factor == 1) return 1.0;
  std::vector<double> sum(factor, 0.0);
  for (unsigned j = 0; j < kTaps; ++j) {
    const double m = static_cast<double>(j) - static_cast<double>(kTaps - 1) / 2.0;
    double c = 1.0;
    if (std::fabs(m) > 1e-6) {
      const double x = m * std::numbers::pi / static_cast<double>(factor);
      c = std::sin(x) / x;
    }
    c *= 0.5 * (1.0 - std::cos(2.0 * std::numbers::pi * j / (kTaps - 1)));
    if (std::fabs(c) > 1e-6) sum[j % factor] += std::fabs(c);
  }
  return *std::max_element(sum.begin(), sum.end());
}

}  // namespace

SparseTruePeakMeter::SparseTruePeakMeter(int num_channels, double sample_rate)
    : num_channels_(num_channels),
      // libebur128 sums in double and stores the result as float: the
      // rounding adds at most 2^-24 relative; 1e-4 is far more.
      gain_bound_(interpolator_gain(oversampling_factor(sample_rate)) * 1.0001),
      meter_(num_channels, sample_rate, LoudnessMeasures::with_true_peak()),
      block_(num_channels, kBlockFrames),
      context_(num_channels, kContextFrames) {
  static_assert(kContextFrames >= (kTaps + 1) / 2, "context shorter than the 2x delay line");
  static_assert(kBlockFrames >= kContextFrames, "a window must span at most two blocks");
}

void SparseTruePeakMeter::add_lead_in(AudioView audio) {
  assert(frames_added_ == 0 && filled_ == 0);
  keep_context(audio);
  lead_in_peak_ = 0.0f;
  for (int c = 0; c < num_channels_; ++c) {
    const float* x = context_.channel(c) + (kContextFrames - context_frames_);
    for (std::size_t i = 0; i < context_frames_; ++i)
      lead_in_peak_ = std::max(lead_in_peak_, std::fabs(x[i]));
  }
}

void SparseTruePeakMeter::add(AudioView audio) {
  assert(audio.num_channels == num_channels_);
  frames_added_ += audio.num_frames;
  for (std::size_t done = 0; done < audio.num_frames;) {
    const std::size_t n = std::min(kBlockFrames - filled_, audio.num_frames - done);
    for (int c = 0; c < num_channels_; ++c) {
      std::copy_n(audio[c] + done, n, block_.channel(c) + filled_);
    }
    filled_ += n;
    done += n;
    if (filled_ == kBlockFrames) {
      screen_block(kBlockFrames);
      filled_ = 0;
    }
  }
}

double SparseTruePeakMeter::finish_true_peak_dbtp() {
  if (filled_ > 0) screen_block(filled_);
  filled_ = 0;
  const double sample_peak_db =
      running_peak_ > 0.0f ? 20.0 * std::log10(static_cast<double>(running_peak_)) : -HUGE_VAL;
  const double true_peak_db =
      true_peak_linear_ > 0.0 ? 20.0 * std::log10(true_peak_linear_) : -HUGE_VAL;
  return std::max(true_peak_db, sample_peak_db);
}

double SparseTruePeakMeter::measured_fraction() const {
  return frames_added_ ? static_cast<double>(frames_measured_) / static_cast<double>(frames_added_)
                       : 0.0;
}

// Why the figure is the whole-stream one. Each interpolated value is a
// window of at most kContextFrames consecutive samples ending at a sample n.
// Counted here: every value whose n lies in a selected block or in the
// first kContextFrames of the block after a stretch of them, computed with
// at least kContextFrames real samples of history (the context fed first,
// whose own values are not counted), hence bit-identical to the whole
// stream's; so is every value whose window touches a selected sample. Any
// other window lies within one or two unselected blocks (or, at the start of
// a part, within the lead-in and block 0, which are screened together; the
// values ending in the lead-in are the previous part's), so its value is
// below G x their peak < the running peak <= the stream's sample peak <=
// its true peak: never the maximum.
void SparseTruePeakMeter::screen_block(std::size_t frames) {
  AudioView block = block_.view().slice(0, frames);
  float peak = lead_in_peak_;
  lead_in_peak_ = 0.0f;
  for (int c = 0; c < num_channels_; ++c) {
    const float* x = block[c];
    for (std::size_t i = 0; i < frames; ++i) peak = std::max(peak, std::fabs(x[i]));
  }
  running_peak_ = std::max(running_peak_, peak);
  const bool selected =
      peak > 0.0f && static_cast<double>(peak) * gain_bound_ >= static_cast<double>(running_peak_);
  if (selected) {
    if (!in_region_) {
      if (context_frames_ > 0) {
        meter_.add(context_.view().slice(kContextFrames - context_frames_, context_frames_));
        frames_measured_ += context_frames_;
      }
      in_region_ = true;
    }
    true_peak_linear_ = std::max(true_peak_linear_, meter_.add_true_peak(block));
    frames_measured_ += frames;
  } else if (in_region_) {
    const std::size_t trailing = std::min(frames, kContextFrames);
    true_peak_linear_ = std::max(true_peak_linear_, meter_.add_true_peak(block.slice(0, trailing)));
    frames_measured_ += trailing;
    in_region_ = false;
  }
  keep_context(block);
}

// context_ holds the last context_frames_ frames seen, right-aligned.
void SparseTruePeakMeter::keep_context(AudioView audio) {
  const std::size_t n = audio.num_frames;
  for (int c = 0; c < num_channels_; ++c) {
    float* ctx = context_.channel(c);
    if (n >= kContextFrames) {
      std::copy_n(audio[c] + (n - kContextFrames), kContextFrames, ctx);
    } else {
      std::copy(ctx + n, ctx + kContextFrames, ctx);
      std::copy_n(audio[c], n, ctx + (kContextFrames - n));
    }
  }
  context_frames_ = std::min(kContextFrames, context_frames_ + n);
}

}  // namespace namix::dsp
