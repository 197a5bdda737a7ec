// 10 ms analysis features on a reduced mono stream.
//
// One FFT per hop (Hann window of ~30 ms centred on the hop, zero-padded so
// that the longest pitch lag does not wrap) gives the K-weighted level, the
// spectral shape and, via the inverse FFT of the power spectrum, the
// autocorrelation for voicing and pitch. A separate per-hop envelope (no window, 200 Hz high-pass)
// gives the sharp time resolution that pause boundaries need.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "analysis/envelope_high_pass.h"
#include "analysis/episode_analysis.h"

namespace namix {

// Coarse log spectrum of one frame: mel-spaced bands 150 Hz..5 kHz, quantised
// to 0.5 dB steps, kept per frame for speaker clustering (13 bytes a frame).
inline constexpr int kTimbreBands = 12;
using TimbreBands = std::array<std::uint8_t, kTimbreBands>;
inline float timbre_band_db(std::uint8_t q) { return static_cast<float>(q) * 0.5f - 128.0f; }

// The FFTW wisdom of every transform a FeatureExtractor plans, measured now
// with FFTW_PATIENT (forgetting the process's float wisdom first): what
// fft_wisdom_gen prints as the source of fft_wisdom.cc.
std::string measure_feature_fft_wisdom();
// Whether FeatureExtractors at `sample_rate_hz` run the plans compiled into
// fft_wisdom.cc; false when this FFTW build or CPU cannot use them, and the
// extractors plan with FFTW_ESTIMATE instead (just as deterministic).
bool feature_fft_plans_from_wisdom(int sample_rate_hz);

// The stretch of hops one FeatureExtractor computes, so that several can
// analyse one stream in parallel with the frames a single pass would give.
struct FeatureSpan {
  std::int64_t first_hop = 0;                                       // first hop emitted
  std::int64_t end_hop = std::numeric_limits<std::int64_t>::max();  // one past the last
  // Input fed before the first hop's window to settle the envelope's
  // high-pass; reconcile_envelope() makes the seam exact whatever this is,
  // a longer settle only makes that cheaper. Negative: 0.1 s.
  std::int64_t highpass_settle_samples = -1;
};

class FeatureExtractor {
 public:
  // Allocates buffers and makes the FFTW plans; nothing allocates afterwards
  // unless the output vectors grow. With a span, input starts at global
  // sample input_start() and only hops [first_hop, end_hop) are emitted.
  explicit FeatureExtractor(int sample_rate_hz, const FeatureSpan& span = {});
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
  // Global index of the next input sample (the stream's length after finish()).
  std::int64_t samples_seen() const { return samples_seen_; }
  std::size_t window_length() const { return window_length_; }

  // The input a span needs: from input_start() (0 for the first span) up to
  // input_end() (exclusive), after which its last hop is complete.
  std::int64_t input_start() const { return input_start_; }
  std::int64_t input_end() const;
  // Next hop to be computed; == span end_hop once the span is complete.
  std::int64_t next_hop() const { return next_hop_; }
  bool span_complete() const { return next_hop_ >= span_.end_hop; }

  // The high-pass state on entering hop end_hop, as the next span needs it;
  // false until the input got there.
  bool highpass_at_end(HighPassState& state) const;
  // This span's first frames (`frames`, from first_hop on) rewritten as if
  // the high-pass had entered first_hop in `exact` (the previous span's
  // highpass_at_end()) rather than in the settled state. Stops as soon as
  // the two states agree bit for bit, after which nothing differs. Returns
  // false when they still disagree after the lead this span kept (1 s).
  bool reconcile_envelope(const HighPassState& exact, std::span<FeatureFrame> frames) const;

 private:
  void compute_frame(FeatureFrame& frame, TimbreBands& bands);
  std::int64_t hop_start(std::int64_t hop) const { return hop * sample_rate_ / 100; }
  // First sample of hop `hop`'s analysis window.
  std::int64_t window_start(std::int64_t hop) const {
    return (hop_start(hop) + hop_start(hop + 1)) / 2 -
           static_cast<std::int64_t>(window_length_ / 2);
  }
  // High-passes input[0, m) (global samples from samples_seen_) into
  // energy[], recording the state at every capture point on the way.
  void high_pass(const float* input, std::size_t m, float* energy);
  bool captured_state(std::int64_t sample, HighPassState& state) const;

  struct Fft;
  int sample_rate_;
  std::size_t window_length_;  // W, ~30 ms
  std::size_t fft_length_;     // N >= W + longest pitch lag, power of two
  std::size_t spectral_bins_;  // bins used for the spectral shape (<= 5.5 kHz)
  std::unique_ptr<Fft> fft_;

  std::vector<float> window_;          // Hann, W
  std::vector<float> level_weight_;    // per bin: K-weighting and Parseval scale
  std::vector<float> bin_hz_;          // per bin
  std::vector<float> pitch_mask_;      // per bin: 1 inside 70..1500 Hz
  std::vector<float> window_acf_;      // normalised autocorrelation of the window
  std::vector<float> inv_window_acf_;  // its reciprocal, 0 past the window
  std::vector<float> normalised_acf_;  // scratch: the frame's corrected autocorrelation
  std::vector<float> prev_magnitude_;  // for the flux
  std::vector<float> magnitude_;
  std::vector<std::uint16_t> band_of_bin_;      // timbre band per bin, kTimbreBands = none
  std::vector<std::size_t> band_lo_, band_hi_;  // timbre band b covers bins [lo, hi)
  std::size_t min_lag_ = 0, max_lag_ = 0;
  std::size_t flat_lo_ = 1;  // first bin of the flatness band (100 Hz)

  // Sample buffer: buffer_[0] is global sample index buffer_start_.
  std::vector<float> buffer_;
  std::size_t buffer_fill_ = 0;
  std::int64_t buffer_start_ = 0;
  std::int64_t samples_seen_ = 0;
  std::int64_t next_hop_ = 0;

  FeatureSpan span_;
  std::int64_t input_start_ = 0;

  // 200 Hz high-pass (2nd-order Butterworth) for the envelope; state carried
  // across add() calls.
  HighPassCoeffs hp_;
  HighPassState hp_state_;
  std::vector<float> envelope_energy_;  // per sample of buffer_: filtered x^2

  // Seams between spans: the high-pass state at these samples (sorted), and
  // the raw input of the span's first second [lead_begin_, lead_end_).
  std::vector<std::int64_t> capture_at_;
  std::vector<HighPassState> captured_;
  std::int64_t lead_begin_ = 0, lead_end_ = 0;
  std::vector<float> lead_;
};

}  // namespace namix
