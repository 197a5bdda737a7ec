// 10 ms analysis features on a reduced mono stream.
//
// One FFT per hop (Hann window of ~46 ms centred on the hop, zero-padded to
// twice its length) gives the K-weighted level, the spectral shape and, via
// the inverse FFT of the power spectrum, the autocorrelation for voicing and
// pitch. A separate per-hop envelope (no window, 200 Hz high-pass) gives the
// sharp time resolution that pause boundaries need.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "analysis/episode_analysis.h"

namespace namix {

// Power gain of the ITU-R BS.1770-4 K-weighting (pre-filter shelf + RLB
// high-pass) at `frequency_hz`, from the standard's 48 kHz biquads evaluated
// on the unit circle. Valid for 0..24 kHz, which covers every analysis rate.
double k_weighting_power_gain(double frequency_hz);

// Coarse log spectrum of one frame: mel-spaced bands 150 Hz..5 kHz, quantised
// to 0.5 dB steps, kept per frame for speaker clustering (13 bytes a frame).
inline constexpr int kTimbreBands = 12;
using TimbreBands = std::array<std::uint8_t, kTimbreBands>;
inline float timbre_band_db(std::uint8_t q) { return static_cast<float>(q) * 0.5f - 128.0f; }

class FeatureExtractor {
 public:
  // Allocates buffers and makes the FFTW plans; nothing allocates afterwards
  // unless the output vectors grow.
  explicit FeatureExtractor(int sample_rate_hz);
  ~FeatureExtractor();
  FeatureExtractor(const FeatureExtractor&) = delete;
  FeatureExtractor& operator=(const FeatureExtractor&) = delete;

  // Appends one FeatureFrame (and its TimbreBands) per completed 10 ms hop.
  // Hop i covers samples [floor(i*fs/100), floor((i+1)*fs/100)), so frame
  // times are exactly i * 10 ms at any rate.
  void add(const float* mono, std::size_t n, std::vector<FeatureFrame>& frames,
           std::vector<TimbreBands>& timbre);
  // Emits the frames of the last (partial) hop, padding with silence.
  void finish(std::vector<FeatureFrame>& frames, std::vector<TimbreBands>& timbre);

  int sample_rate_hz() const { return sample_rate_; }
  std::int64_t samples_seen() const { return samples_seen_; }
  std::size_t window_length() const { return window_length_; }

 private:
  void compute_frame(FeatureFrame& frame, TimbreBands& bands);
  std::int64_t hop_start(std::int64_t hop) const { return hop * sample_rate_ / 100; }

  struct Fft;
  int sample_rate_;
  std::size_t window_length_;  // W, power of two, ~40 ms or more
  std::size_t fft_length_;     // 2W
  std::size_t spectral_bins_;  // bins used for the spectral shape (<= 5.5 kHz)
  std::unique_ptr<Fft> fft_;

  std::vector<float> window_;          // Hann, W
  std::vector<float> level_weight_;    // per bin: K-weighting and Parseval scale
  std::vector<float> bin_hz_;          // per bin
  std::vector<float> pitch_mask_;      // per bin: 1 inside 70..1500 Hz
  std::vector<float> window_acf_;      // normalised autocorrelation of the window
  std::vector<float> prev_magnitude_;  // for the flux
  std::vector<float> magnitude_;
  std::vector<std::uint16_t> band_of_bin_;  // timbre band per bin, kTimbreBands = none
  std::size_t min_lag_ = 0, max_lag_ = 0;
  std::size_t flat_lo_ = 1;  // first bin of the flatness band (100 Hz)

  // Sample buffer: buffer_[0] is global sample index buffer_start_.
  std::vector<float> buffer_;
  std::size_t buffer_fill_ = 0;
  std::int64_t buffer_start_ = 0;
  std::int64_t samples_seen_ = 0;
  std::int64_t next_hop_ = 0;

  // 200 Hz high-pass (2nd-order Butterworth, direct form II transposed) for
  // the envelope; state carried across add() calls.
  float hp_b0_ = 1, hp_b1_ = 0, hp_b2_ = 0, hp_a1_ = 0, hp_a2_ = 0;
  float hp_z1_ = 0, hp_z2_ = 0;
  std::vector<float> envelope_energy_;  // per sample of buffer_: filtered x^2
};

}  // namespace namix
