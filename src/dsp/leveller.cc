#include "dsp/leveller.h"

#include <algorithm>
#include <cmath>

#include "dsp/decibels.h"
#include "dsp/denormals.h"

namespace namix::dsp {

Leveller::Leveller(const LevellerParams& params) : params_(params) {}

double Leveller::gain_db() const { return gain_to_db(gain_); }

void Leveller::prepare(const ProcessSpec& spec) {
  const double fs = spec.sample_rate;
  window_coeff_ = std::exp(-1000.0 / (params_.window_ms * fs));
  adapt_coeff_ = std::exp(-1000.0 * kControlFrames / (params_.adapt_ms * fs));
  gain_coeff_ = std::exp(-1000.0 / (params_.gain_smoothing_ms * fs));
  window_power_[0] = gain_power_[0] = 1.0;
  for (std::size_t k = 1; k <= kControlFrames; ++k) {
    window_power_[k] = window_power_[k - 1] * window_coeff_;
    gain_power_[k] = gain_power_[k - 1] * gain_coeff_;
  }
  gate_mean_sq_ = db_to_power(params_.gate_dbfs);
  // Two window lengths: the one-pole window is then at 1 - e^-2 = 86 % of
  // the level (-0.6 dB), close enough to seed the estimate.
  warmup_periods_needed_ = static_cast<std::uint32_t>(
      std::ceil(2.0 * params_.window_ms * fs / 1000.0 / static_cast<double>(kControlFrames)));
  reset();
}

void Leveller::reset() {
  short_mean_sq_ = 0.0;
  speech_mean_sq_ = -1.0;
  warmup_periods_ = 0;
  target_gain_ = 1.0;
  gain_ = 1.0;
  control_phase_ = 0;
}

void Leveller::update_control() noexcept {
  const bool above_absolute = short_mean_sq_ > gate_mean_sq_;
  const bool above_relative =
      speech_mean_sq_ < 0.0 ||
      short_mean_sq_ > speech_mean_sq_ * db_to_power(params_.gate_relative_db);
  if (!(above_absolute && above_relative)) return;  // a pause: hold
  // The first speech sets the estimate outright so the opening is levelled
  // too, but only once the short-term window has filled: at an onset it
  // still reads low, and an estimate seeded there lifted the first words of
  // every piece by up to the maximum gain. After that it moves with the adapt
  // time constant.
  if (speech_mean_sq_ < 0.0) {
    if (++warmup_periods_ < warmup_periods_needed_) return;
    speech_mean_sq_ = short_mean_sq_;
  } else {
    speech_mean_sq_ = short_mean_sq_ + adapt_coeff_ * (speech_mean_sq_ - short_mean_sq_);
  }
  const double want_db = params_.target_rms_dbfs - 10.0 * std::log10(speech_mean_sq_);
  target_gain_ = db_to_gain(std::clamp(want_db, -params_.max_cut_db, params_.max_gain_db));
}

// Works a control period (or what of it the block holds) at a time, with
// the two one-pole recursions unrolled into closed forms, so the per-frame
// loops carry no recursion and vectorise: after k frames
//   short_mean_sq = c^k short_mean_sq + sum_j (1 - c) c^(k-1-j) p_j
//   gain     = target + c^k (gain - target).
// Same values as running the recursions frame by frame, up to double
// rounding (1e-16).
void Leveller::process(AudioView audio) noexcept {
  const ScopedFlushDenormals no_denormals;
  const int nch = audio.num_channels;
  const double one_minus_window = 1.0 - window_coeff_;
  for (std::size_t first = 0; first < audio.num_frames;) {
    const std::size_t n =
        std::min<std::size_t>(kControlFrames - control_phase_, audio.num_frames - first);
    float* l = audio[0] + first;
    float* r = nch == 2 ? audio[1] + first : l;
    // Mean square over channels; a mono channel counts as both.
    double acc[4] = {};
    for (std::size_t j = 0; j < n; ++j) {
      const double p = 0.5 * (static_cast<double>(l[j]) * l[j] + static_cast<double>(r[j]) * r[j]);
      acc[j % 4] += window_power_[n - 1 - j] * p;
    }
    short_mean_sq_ = window_power_[n] * short_mean_sq_ +
                     one_minus_window * ((acc[0] + acc[1]) + (acc[2] + acc[3]));
    control_phase_ += static_cast<std::uint32_t>(n);
    // The frame that completes a period already moves towards the new target.
    const bool control = control_phase_ == kControlFrames;
    const std::size_t smooth = control ? n - 1 : n;
    const double g0 = gain_, target = target_gain_;
    for (std::size_t j = 0; j < smooth; ++j) {
      const auto g = static_cast<float>(target + gain_power_[j + 1] * (g0 - target));
      l[j] *= g;
      if (nch == 2) r[j] *= g;
    }
    gain_ = target + gain_power_[smooth] * (g0 - target);
    if (control) {
      control_phase_ = 0;
      update_control();
      gain_ = target_gain_ + gain_coeff_ * (gain_ - target_gain_);
      const auto g = static_cast<float>(gain_);
      l[n - 1] *= g;
      if (nch == 2) r[n - 1] *= g;
    }
    first += n;
  }
}

}  // namespace namix::dsp
