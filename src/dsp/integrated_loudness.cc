#include "dsp/integrated_loudness.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace namix::dsp {
namespace {

constexpr std::size_t kScratchFrames = 4096;
constexpr double kAbsoluteGateLufs = -70.0;
constexpr double kRelativeGateLu = -10.0;

double lufs(double mean_square) { return -0.691 + 10.0 * std::log10(mean_square); }

}  // namespace

IntegratedLoudness::IntegratedLoudness(int num_channels, double sample_rate)
    : num_channels_(num_channels),
      // BS.1770-4 §2.1: 400 ms blocks overlapping by 75 %, built from 100 ms quarters.
      sub_block_frames_(static_cast<std::size_t>(std::llround(sample_rate / 10.0))),
      k_weighting_(design_k_weighting(sample_rate)),
      scratch_l_(kScratchFrames),
      scratch_r_(kScratchFrames) {
  assert(num_channels >= 1 && num_channels <= kMaxChannels);
}

void IntegratedLoudness::add(AudioView audio) {
  assert(audio.num_channels == num_channels_);
  for (std::size_t first = 0; first < audio.num_frames;) {
    const std::size_t n =
        std::min({kScratchFrames, audio.num_frames - first, sub_block_frames_ - filled_});
    AudioView k;
    k.num_channels = num_channels_;
    k.num_frames = n;
    k.channel[0] = scratch_l_.data();
    k.channel[1] = scratch_r_.data();
    for (int c = 0; c < num_channels_; ++c) std::copy_n(audio[c] + first, n, k[c]);
    run_biquad_sections(k_weighting_.data(), state_, 2, k);
    // Four partial sums per channel keep the adds independent.
    double acc[4] = {};
    for (int c = 0; c < num_channels_; ++c) {
      const float* x = k[c];
      std::size_t i = 0;
      for (; i + 4 <= n; i += 4) {
        for (std::size_t j = 0; j < 4; ++j) {
          acc[j] += static_cast<double>(x[i + j]) * static_cast<double>(x[i + j]);
        }
      }
      for (; i < n; ++i) acc[0] += static_cast<double>(x[i]) * static_cast<double>(x[i]);
    }
    energy_ += (acc[0] + acc[1]) + (acc[2] + acc[3]);
    filled_ += n;
    first += n;
    if (filled_ == sub_block_frames_) {
      sub_blocks_.push_back(energy_ / static_cast<double>(sub_block_frames_));
      energy_ = 0.0;
      filled_ = 0;
    }
  }
}

void IntegratedLoudness::append(const IntegratedLoudness& later, std::size_t skip_sub_blocks) {
  // A part that measured nothing (a window too short to be given to a core)
  // joins anything.
  if (later.sub_blocks_.empty() && later.filled_ == 0) return;
  assert(filled_ == 0 && later.num_channels_ == num_channels_ &&
         later.sub_block_frames_ == sub_block_frames_);
  const std::size_t skip = std::min(skip_sub_blocks, later.sub_blocks_.size());
  sub_blocks_.insert(sub_blocks_.end(),
                     later.sub_blocks_.begin() + static_cast<std::ptrdiff_t>(skip),
                     later.sub_blocks_.end());
  energy_ = later.energy_;
  filled_ = later.filled_;
  state_[0] = later.state_[0];
  state_[1] = later.state_[1];
}

double IntegratedLoudness::integrated_lufs() const {
  if (sub_blocks_.size() < 4) return -HUGE_VAL;
  std::vector<double> blocks;
  blocks.reserve(sub_blocks_.size() - 3);
  for (std::size_t j = 0; j + 4 <= sub_blocks_.size(); ++j) {
    const double z =
        0.25 * ((sub_blocks_[j] + sub_blocks_[j + 1]) + (sub_blocks_[j + 2] + sub_blocks_[j + 3]));
    if (z > 0.0 && lufs(z) >= kAbsoluteGateLufs) blocks.push_back(z);
  }
  if (blocks.empty()) return -HUGE_VAL;
  double sum = 0.0;
  for (double z : blocks) sum += z;
  const double relative_gate = lufs(sum / static_cast<double>(blocks.size())) + kRelativeGateLu;
  double gated = 0.0;
  std::size_t count = 0;
  for (double z : blocks) {
    if (lufs(z) >= relative_gate) {
      gated += z;
      ++count;
    }
  }
  return count > 0 ? lufs(gated / static_cast<double>(count)) : -HUGE_VAL;
}

}  // namespace namix::dsp
