#include "dsp/dehum.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <numbers>
#include <vector>

namespace namix::dsp {
namespace {

// 0.5 s Hann frames: 2 Hz bins, main lobe +-4 Hz, so a 50 Hz line and a
// 60 Hz line (10 Hz apart) never share a bin, and frames short enough that
// some fall in the pauses between words.
constexpr double kFrameSeconds = 0.5;
constexpr double kHopSeconds = 0.125;
// Neighbours at +-6 Hz sit past the main lobe (sidelobes <= -31 dB).
constexpr double kNeighbourHz = 6.0;
// The 10th percentile over frames of each frequency's power: the hum is in
// every frame, speech only in some, so the quiet frames show the hum.
constexpr double kQuietPercentile = 0.10;
// A harmonic counts when it stands 6 dB over its neighbours; hum needs two
// such and a family mean of 3 dB. On noise or hum-free speech the quiet
// levels of neighbouring bins agree within about +-3 dB.
constexpr double kLineProminenceDb = 6.0;
constexpr int kMinHarmonics = 2;
constexpr double kMinMeanProminenceDb = 3.0;
constexpr int kHarmonicsChecked = 8;
// Hum lives below 500 Hz: the search runs on a copy low-passed at 1.2 kHz and
// decimated to about 5 kHz, eight times cheaper at 44.1 kHz.
constexpr double kAnalysisRate = 5000.0;
constexpr double kAnalysisLowpassHz = 1200.0;

double goertzel_power(const float* x, const float* window, std::size_t n, double w) {
  const double coeff = 2.0 * std::cos(w);
  double s1 = 0.0, s2 = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double s0 = static_cast<double>(window[i]) * x[i] + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return std::max(0.0, s1 * s1 + s2 * s2 - coeff * s1 * s2);
}

double quiet_level(std::vector<double>& powers) {
  const auto k =
      static_cast<std::size_t>(kQuietPercentile * static_cast<double>(powers.size() - 1));
  std::nth_element(powers.begin(), powers.begin() + static_cast<std::ptrdiff_t>(k), powers.end());
  return powers[k] + 1e-30;
}

struct FamilyScore {
  int found = 0;
  double mean_prominence_db = 0.0;
};

FamilyScore score_family(const std::vector<float>& mono, double fs, double f0,
                         const std::vector<float>& window, std::size_t frame, std::size_t hop) {
  FamilyScore score;
  int counted = 0;
  std::vector<double> line, below, above;
  for (int h = 1; h <= kHarmonicsChecked; ++h) {
    const double f = f0 * h;
    if (f + kNeighbourHz >= 0.4 * fs) break;
    // 300 Hz is both 6 x 50 and 5 x 60: it cannot tell the families apart.
    if (std::fmod(f, 300.0) == 0.0) continue;
    line.clear();
    below.clear();
    above.clear();
    for (std::size_t start = 0; start + frame <= mono.size(); start += hop) {
      const float* x = mono.data() + start;
      const double k = 2.0 * std::numbers::pi / fs;
      line.push_back(goertzel_power(x, window.data(), frame, k * f));
      below.push_back(goertzel_power(x, window.data(), frame, k * (f - kNeighbourHz)));
      above.push_back(goertzel_power(x, window.data(), frame, k * (f + kNeighbourHz)));
    }
    const double neighbourhood = 0.5 * (quiet_level(below) + quiet_level(above));
    const double prominence = 10.0 * std::log10(quiet_level(line) / neighbourhood);
    score.mean_prominence_db += prominence;
    ++counted;
    if (prominence >= kLineProminenceDb) ++score.found;
  }
  if (counted > 0) score.mean_prominence_db /= counted;
  return score;
}

}  // namespace

HumDetection detect_hum(AudioView audio, double sample_rate) {
  HumDetection result;
  if (audio.num_channels < 1) return result;
  const auto factor =
      static_cast<std::size_t>(std::max(1.0, std::floor(sample_rate / kAnalysisRate)));
  const double fs = sample_rate / static_cast<double>(factor);
  const auto frame = static_cast<std::size_t>(kFrameSeconds * fs);
  const auto hop = static_cast<std::size_t>(kHopSeconds * fs);
  if (audio.num_frames / factor < frame * 4) return result;

  std::vector<float> full(audio.num_frames);
  const float scale = 1.0f / static_cast<float>(audio.num_channels);
  for (std::size_t i = 0; i < audio.num_frames; ++i) {
    float s = 0.0f;
    for (int c = 0; c < audio.num_channels; ++c) s += audio[c][i];
    full[i] = s * scale;
  }
  if (factor > 1) {
    Biquad lowpass({FilterType::lowpass, kAnalysisLowpassHz, kButterworthQ, 0.0, 1.0, 4});
    lowpass.prepare({sample_rate, full.size(), 1});
    AudioView v;
    v.channel[0] = full.data();
    v.num_channels = 1;
    v.num_frames = full.size();
    lowpass.process(v);
  }
  std::vector<float> mono(full.size() / factor);
  for (std::size_t i = 0; i < mono.size(); ++i) mono[i] = full[i * factor];
  std::vector<float> window(frame);
  for (std::size_t i = 0; i < frame; ++i) {
    window[i] =
        static_cast<float>(0.5 - 0.5 * std::cos(2.0 * std::numbers::pi * static_cast<double>(i) /
                                                static_cast<double>(frame)));
  }

  const FamilyScore at50 = score_family(mono, fs, 50.0, window, frame, hop);
  const FamilyScore at60 = score_family(mono, fs, 60.0, window, frame, hop);
  const bool prefer60 = at60.mean_prominence_db > at50.mean_prominence_db;
  const FamilyScore& best = prefer60 ? at60 : at50;
  if (best.found >= kMinHarmonics && best.mean_prominence_db >= kMinMeanProminenceDb) {
    result.fundamental_hz = prefer60 ? 60.0 : 50.0;
    result.harmonics_found = best.found;
    result.prominence_db = best.mean_prominence_db;
  }
  return result;
}

Dehum::Dehum(const DehumParams& params) : params_(params) {
  assert(params.harmonics >= 0 && params.harmonics <= kMaxHarmonics && params.q > 0.0);
}

void Dehum::prepare(const ProcessSpec& spec) {
  num_notches_ = 0;
  if (params_.fundamental_hz > 0.0) {
    for (int h = 1; h <= params_.harmonics; ++h) {
      const double f = params_.fundamental_hz * h;
      if (f >= 0.45 * spec.sample_rate) break;
      notches_[static_cast<std::size_t>(num_notches_++)] =
          design_notch(spec.sample_rate, f, params_.q);
    }
  }
  reset();
}

void Dehum::reset() { state_ = {}; }

void Dehum::process(AudioView audio) noexcept {
  for (int first = 0; first < num_notches_; first += kMaxFusedSections) {
    const auto k = static_cast<std::size_t>(first);
    run_biquad_sections(notches_.data() + k, state_.data() + k,
                        std::min(kMaxFusedSections, num_notches_ - first), audio);
  }
}

}  // namespace namix::dsp
