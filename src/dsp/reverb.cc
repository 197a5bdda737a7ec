#include "dsp/reverb.h"

#include <algorithm>
#include <cassert>
#include <cmath>

#include "dsp/denormals.h"

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

// The eight combs run side by side, sample by sample: each comb's damping
// filter is a recursion whose latency would otherwise bound the loop, and
// eight independent ones overlap. The loop runs in stretches where no delay
// line wraps, so it carries no per-comb wrap test; a stretch is at most one
// delay long, so every read sees a value written a full delay earlier. The
// sum over combs keeps Freeverb's order (comb 0 first).
void Reverb::run_combs(Channel& ch, const float* in, float* out, std::size_t n) const noexcept {
  float* line[kCombs];
  float store[kCombs];
  for (std::size_t k = 0; k < kCombs; ++k) store[k] = ch.combs[k].store;
  const float damp1 = damp1_, damp2 = damp2_, feedback = feedback_;
  for (std::size_t done = 0; done < n;) {
    std::size_t stretch = n - done;
    for (std::size_t k = 0; k < kCombs; ++k) {
      const Comb& comb = ch.combs[k];
      stretch = std::min(stretch, comb.buffer.size() - comb.pos);
    }
    for (std::size_t k = 0; k < kCombs; ++k) {
      line[k] = ch.combs[k].buffer.data() + ch.combs[k].pos;
    }
    for (std::size_t i = 0; i < stretch; ++i) {
      const float x = in[done + i];
      float sum = 0.0f;
#pragma GCC unroll 8
      for (std::size_t k = 0; k < kCombs; ++k) {
        const float y = line[k][i];
        store[k] = y * damp2 + store[k] * damp1;
        line[k][i] = x + store[k] * feedback;
        sum += y;
      }
      out[done + i] = sum;
    }
    for (std::size_t k = 0; k < kCombs; ++k) {
      Comb& comb = ch.combs[k];
      comb.pos += stretch;
      if (comb.pos == comb.buffer.size()) comb.pos = 0;
    }
    done += stretch;
  }
  for (std::size_t k = 0; k < kCombs; ++k) ch.combs[k].store = store[k];
}

// No recursion inside a stretch shorter than the delay: each output needs
// only a value written a full delay earlier, so the loop vectorises.
void Reverb::run_allpass(Allpass& ap, float* out, std::size_t n) noexcept {
  for (std::size_t done = 0; done < n;) {
    const std::size_t stretch = std::min(n - done, ap.buffer.size() - ap.pos);
    float* __restrict buf = ap.buffer.data() + ap.pos;
    float* __restrict o = out + done;
    for (std::size_t i = 0; i < stretch; ++i) {
      const float b = buf[i];
      const float x = o[i];
      o[i] = b - x;
      buf[i] = x + b * kAllpassFeedback;
    }
    ap.pos += stretch;
    if (ap.pos == ap.buffer.size()) ap.pos = 0;
    done += stretch;
  }
}

void Reverb::process(AudioView audio) noexcept {
  const ScopedFlushDenormals no_denormals;
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
      run_combs(ch, in, out, n);
      for (auto& ap : ch.allpasses) run_allpass(ap, out, n);
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
