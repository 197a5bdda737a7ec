#include "dsp/leveller.h"

#include <algorithm>
#include <cmath>

namespace namix::dsp {
namespace {

// The gate and the estimate move every kControlFrames frames (1.5 ms at
// 44.1 kHz): far faster than the 100 ms time constants involved, and it
// keeps logs and divisions out of the per-sample loop.
constexpr std::uint32_t kControlFrames = 64;

double db_to_power(double db) { return std::pow(10.0, db / 10.0); }

}  // namespace

Leveller::Leveller(const LevellerParams& params) : params_(params) {}

double Leveller::gain_db() const { return 20.0 * std::log10(gain_); }

void Leveller::prepare(const ProcessSpec& spec) {
  const double fs = spec.sample_rate;
  window_coeff_ = std::exp(-1000.0 / (params_.window_ms * fs));
  adapt_coeff_ = std::exp(-1000.0 * kControlFrames / (params_.adapt_ms * fs));
  gain_coeff_ = std::exp(-1000.0 / (params_.gain_smoothing_ms * fs));
  gate_ms_ = db_to_power(params_.gate_dbfs);
  reset();
}

void Leveller::reset() {
  short_ms_ = 0.0;
  speech_ms_ = -1.0;
  target_gain_ = 1.0;
  gain_ = 1.0;
  control_phase_ = 0;
}

void Leveller::update_control() noexcept {
  const bool above_absolute = short_ms_ > gate_ms_;
  const bool above_relative =
      speech_ms_ < 0.0 || short_ms_ > speech_ms_ * db_to_power(params_.gate_relative_db);
  if (!(above_absolute && above_relative)) return;  // a pause: hold
  // The first speech sets the estimate outright so the opening is levelled
  // too; after that it moves with the adapt time constant.
  speech_ms_ = speech_ms_ < 0.0 ? short_ms_ : short_ms_ + adapt_coeff_ * (speech_ms_ - short_ms_);
  const double want_db = params_.target_rms_dbfs - 10.0 * std::log10(speech_ms_);
  target_gain_ =
      std::pow(10.0, std::clamp(want_db, -params_.max_cut_db, params_.max_gain_db) / 20.0);
}

void Leveller::process(AudioView audio) noexcept {
  const int nch = audio.num_channels;
  const double inv_ch = 1.0 / nch;
  for (std::size_t n = 0; n < audio.num_frames; ++n) {
    double p = 0.0;
    for (int c = 0; c < nch; ++c) p += static_cast<double>(audio[c][n]) * audio[c][n];
    p *= inv_ch;
    short_ms_ = p + window_coeff_ * (short_ms_ - p);
    if (++control_phase_ == kControlFrames) {
      control_phase_ = 0;
      update_control();
    }
    gain_ = target_gain_ + gain_coeff_ * (gain_ - target_gain_);
    const auto g = static_cast<float>(gain_);
    for (int c = 0; c < nch; ++c) audio[c][n] *= g;
  }
}

}  // namespace namix::dsp
