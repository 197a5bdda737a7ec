#include "dsp/reverb.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace namix::dsp {
namespace {

// Freeverb's tuning (tuning.h), in samples at 44.1 kHz; mutually prime-ish
// lengths so the combs' echoes do not line up.
constexpr std::array<int, Reverb::kCombs> kCombTuning = {1116, 1188, 1277, 1356,
                                                         1422, 1491, 1557, 1617};
constexpr std::array<int, Reverb::kAllpasses> kAllpassTuning = {556, 441, 341, 225};
constexpr int kStereoSpread = 23;
constexpr double kTuningRate = 44100.0;
constexpr float kFixedGain = 0.015f;
constexpr double kScaleWet = 3.0, kScaleDry = 2.0;
constexpr double kScaleDamp = 0.4, kScaleRoom = 0.28, kOffsetRoom = 0.7;
constexpr float kAllpassFeedback = 0.5f;
// Tails decaying into float denormals would slow the loop to a crawl.
constexpr float kDenormalFloor = 1e-20f;

std::size_t scaled(int samples, double fs) {
  return static_cast<std::size_t>(std::max(1L, std::lround(samples * fs / kTuningRate)));
}

}  // namespace

Reverb::Reverb(const ReverbParams& params) : params_(params) {
  assert(params.room_size >= 0.0 && params.room_size <= 1.0);
  assert(params.damping >= 0.0 && params.damping <= 1.0);
}

void Reverb::prepare(const ProcessSpec& spec) {
  const double fs = spec.sample_rate;
  for (int c = 0; c < kMaxChannels; ++c) {
    auto& ch = channels_[static_cast<std::size_t>(c)];
    const int spread = c * kStereoSpread;
    for (int i = 0; i < kCombs; ++i) {
      ch.combs[static_cast<std::size_t>(i)].buffer.assign(
          scaled(kCombTuning[static_cast<std::size_t>(i)] + spread, fs), 0.0f);
    }
    for (int i = 0; i < kAllpasses; ++i) {
      ch.allpasses[static_cast<std::size_t>(i)].buffer.assign(
          scaled(kAllpassTuning[static_cast<std::size_t>(i)] + spread, fs), 0.0f);
    }
    tank_[static_cast<std::size_t>(c)].assign(spec.max_block_frames, 0.0f);
  }
  input_.assign(spec.max_block_frames, 0.0f);

  feedback_ = static_cast<float>(params_.room_size * kScaleRoom + kOffsetRoom);
  damp1_ = static_cast<float>(params_.damping * kScaleDamp);
  damp2_ = 1.0f - damp1_;
  const double wet = params_.wet * kScaleWet;
  wet1_ = static_cast<float>(wet * (params_.width / 2.0 + 0.5));
  wet2_ = static_cast<float>(wet * ((1.0 - params_.width) / 2.0));
  dry_ = static_cast<float>(params_.dry * kScaleDry);
  reset();
}

void Reverb::reset() {
  for (auto& ch : channels_) {
    for (auto& comb : ch.combs) {
      std::fill(comb.buffer.begin(), comb.buffer.end(), 0.0f);
      comb.pos = 0;
      comb.store = 0.0f;
    }
    for (auto& ap : ch.allpasses) {
      std::fill(ap.buffer.begin(), ap.buffer.end(), 0.0f);
      ap.pos = 0;
    }
  }
}

void Reverb::process(AudioView audio) noexcept {
  const int nch = audio.num_channels;
  const std::size_t max_block = input_.size();
  if (wet1_ == 0.0f && wet2_ == 0.0f) {
    // No tail wanted: the tank's output would be multiplied by zero anyway.
    for (int c = 0; c < nch; ++c) {
      float* o = audio[c];
      for (std::size_t i = 0; i < audio.num_frames; ++i) o[i] *= dry_;
    }
    return;
  }
  for (std::size_t first = 0; first < audio.num_frames; first += max_block) {
    const std::size_t n = std::min(max_block, audio.num_frames - first);
    // One mono feed for both tanks, as in Freeverb; a mono input counts twice
    // so it drives the tank as hard as the same signal in two channels.
    float* in = input_.data();
    const float* l = audio[0] + first;
    const float* r = nch == 2 ? audio[1] + first : l;
    for (std::size_t i = 0; i < n; ++i) in[i] = (l[i] + r[i]) * kFixedGain;

    for (int c = 0; c < nch; ++c) {
      auto& ch = channels_[static_cast<std::size_t>(c)];
      float* out = tank_[static_cast<std::size_t>(c)].data();
      std::fill(out, out + n, 0.0f);
      for (auto& comb : ch.combs) {
        float* buf = comb.buffer.data();
        const std::size_t len = comb.buffer.size();
        std::size_t pos = comb.pos;
        float store = comb.store;
        for (std::size_t i = 0; i < n; ++i) {
          const float y = buf[pos];
          store = y * damp2_ + store * damp1_;
          if (std::fabs(store) < kDenormalFloor) store = 0.0f;
          buf[pos] = in[i] + store * feedback_;
          if (++pos == len) pos = 0;
          out[i] += y;
        }
        comb.pos = pos;
        comb.store = store;
      }
      for (auto& ap : ch.allpasses) {
        float* buf = ap.buffer.data();
        const std::size_t len = ap.buffer.size();
        std::size_t pos = ap.pos;
        for (std::size_t i = 0; i < n; ++i) {
          const float b = buf[pos];
          const float x = out[i];
          out[i] = b - x;
          float next = x + b * kAllpassFeedback;
          if (std::fabs(next) < kDenormalFloor) next = 0.0f;
          buf[pos] = next;
          if (++pos == len) pos = 0;
        }
        ap.pos = pos;
      }
    }

    if (nch == 2) {
      const float* tl = tank_[0].data();
      const float* tr = tank_[1].data();
      float* ol = audio[0] + first;
      float* orr = audio[1] + first;
      for (std::size_t i = 0; i < n; ++i) {
        const float dl = ol[i], dr = orr[i];
        ol[i] = tl[i] * wet1_ + tr[i] * wet2_ + dl * dry_;
        orr[i] = tr[i] * wet1_ + tl[i] * wet2_ + dr * dry_;
      }
    } else {
      const float* t = tank_[0].data();
      float* o = audio[0] + first;
      for (std::size_t i = 0; i < n; ++i) o[i] = t[i] * (wet1_ + wet2_) + o[i] * dry_;
    }
  }
}

}  // namespace namix::dsp
