// Planar float audio: the currency between decoders, DSP stages and encoders.
//
// namix works in mono (analysis) or stereo (render), so a view carries at
// most two channel pointers by value; slicing a view is free and needs no
// allocation, which keeps DSP process() calls allocation-free.
#pragma once

#include <array>
#include <cassert>
#include <cstddef>
#include <vector>

namespace namix {

inline constexpr int kMaxChannels = 2;

struct AudioView {
  std::array<float*, kMaxChannels> channel{};
  int num_channels = 0;
  std::size_t num_frames = 0;

  float* operator[](int c) const { return channel[static_cast<std::size_t>(c)]; }

  // Frames [first, first + count) of every channel.
  AudioView slice(std::size_t first, std::size_t count) const {
    assert(first + count <= num_frames);
    AudioView v = *this;
    for (int c = 0; c < num_channels; ++c) v.channel[static_cast<std::size_t>(c)] += first;
    v.num_frames = count;
    return v;
  }
};

// What a DSP stage is prepared for; prepare() is the only place that allocates.
struct ProcessSpec {
  double sample_rate = 44100.0;
  std::size_t max_block_frames = 4096;
  int num_channels = 2;
};

// Owning planar buffer.
class AudioBuffer {
 public:
  AudioBuffer() = default;
  AudioBuffer(int num_channels, std::size_t num_frames) { resize(num_channels, num_frames); }

  void resize(int num_channels, std::size_t num_frames) {
    assert(num_channels >= 1 && num_channels <= kMaxChannels);
    num_channels_ = num_channels;
    num_frames_ = num_frames;
    for (int c = 0; c < kMaxChannels; ++c) {
      planes_[static_cast<std::size_t>(c)].assign(c < num_channels ? num_frames : 0, 0.0f);
    }
  }

  int num_channels() const { return num_channels_; }
  std::size_t num_frames() const { return num_frames_; }
  float* channel(int c) { return planes_[static_cast<std::size_t>(c)].data(); }
  const float* channel(int c) const { return planes_[static_cast<std::size_t>(c)].data(); }

  AudioView view() {
    AudioView v;
    v.num_channels = num_channels_;
    v.num_frames = num_frames_;
    for (int c = 0; c < num_channels_; ++c) v.channel[static_cast<std::size_t>(c)] = channel(c);
    return v;
  }

 private:
  std::array<std::vector<float>, kMaxChannels> planes_;
  int num_channels_ = 0;
  std::size_t num_frames_ = 0;
};

}  // namespace namix
