#include "analysis/features.h"

#include <fftw3.h>

#include <algorithm>
#include <bit>
#include <cassert>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <numbers>
#include <string>

#include "analysis/fft_wisdom.h"
#include "dsp/k_weighting.h"

namespace namix {
namespace {

// FFTW's planner is not thread-safe; analyses may run concurrently in the
// server, so plan creation and destruction share one lock.
std::mutex& fftw_planner_mutex() {
  static std::mutex m;
  return m;
}

// Spectral shape features stop at 5.5 kHz so that a 1:2 and a 1:4 reduced
// stream give the same centroid, flatness and band limit.
constexpr double kSpectralMaxHz = 5512.5;
// Voices sit in 60..400 Hz; the band 70..1500 Hz keeps mains hum's
// fundamental and the noisy top out of the autocorrelation.
constexpr double kPitchMinHz = 60.0, kPitchMaxHz = 400.0;
constexpr double kPitchBandLoHz = 70.0, kPitchBandHiHz = 1500.0;
constexpr double kTimbreLoHz = 150.0, kTimbreHiHz = 5000.0;
// A voiced frame needs a clear periodicity; pink noise and hum stay below.
constexpr float kVoicedThreshold = 0.5f;

// log2 to ~1e-4 with a bit trick and a quartic on the mantissa: the flatness
// needs a log of every bin of every frame, and std::log does not vectorise.
inline float fast_log2(float x) {
  const auto bits = std::bit_cast<std::uint32_t>(x);
  const float exponent = static_cast<float>(static_cast<int>((bits >> 23) & 255u) - 127);
  const float m = std::bit_cast<float>((bits & 0x7fffffu) | 0x3f800000u);
  const float p =
      -1.7417939f + (2.8212026f + (-1.4699568f + (0.44717955f - 0.056570851f * m) * m) * m) * m;
  return exponent + p;
}

double hz_to_mel(double hz) { return 2595.0 * std::log10(1.0 + hz / 700.0); }

constexpr std::size_t kMaxHopSamples = 192000 / 100;
// A span keeps its first second of input so that reconcile_envelope() can
// replay the high-pass from the previous span's state.
constexpr std::int64_t kLeadHops = 100;

// The streaming pass and the seam replay must round identically, so the
// hop sum has exactly one compiled body (noinline) that both call; the
// high-pass has its own file for the same reason.
[[gnu::noinline]] float hop_envelope_db(const float* energy, std::size_t n) {
  // Summed from an aligned copy: a vectorised sum groups its terms by the
  // data's alignment, which differs with the hop's place in the buffer.
  assert(n > 0 && n <= kMaxHopSamples);
  alignas(64) float copy[kMaxHopSamples];
  std::memcpy(copy, energy, n * sizeof(float));
  double sum = 0.0;
  for (std::size_t i = 0; i < n; ++i) sum += copy[i];
  return static_cast<float>(10.0 * std::log10(sum / static_cast<double>(n) + 1e-14));
}

// The transforms of one FFT length: r2c of the windowed frame, c2r of the
// band-limited power spectrum. The wisdom generator plans exactly these
// problems (sizes, out-of-place, fftwf_alloc alignment), so its wisdom
// matches the extractor's; only the planning rigor differs.
struct FeatureFfts {
  float* time = nullptr;              // N real
  fftwf_complex* spectrum = nullptr;  // N/2+1
  float* acf = nullptr;               // N real
  fftwf_plan forward = nullptr;
  fftwf_plan inverse = nullptr;

  // Call with the planner lock held.
  FeatureFfts(std::size_t n, unsigned rigor) {
    time = fftwf_alloc_real(n);
    spectrum = fftwf_alloc_complex(n / 2 + 1);
    acf = fftwf_alloc_real(n);
    const int ni = static_cast<int>(n);
    forward = fftwf_plan_dft_r2c_1d(ni, time, spectrum, rigor);
    inverse = fftwf_plan_dft_c2r_1d(ni, spectrum, acf, rigor);
  }
  // Call with the planner lock held.
  void destroy() {
    if (forward) fftwf_destroy_plan(forward);
    if (inverse) fftwf_destroy_plan(inverse);
    fftwf_free(time);
    fftwf_free(spectrum);
    fftwf_free(acf);
    forward = inverse = nullptr;
    time = acf = nullptr;
    spectrum = nullptr;
  }
};

// The FFT length at an analysis rate (the constructor says why 45 ms).
std::size_t fft_length_for(int sample_rate_hz) {
  return std::bit_ceil(static_cast<std::size_t>(std::ceil(0.045 * sample_rate_hz)));
}

// Every FFT length an analysis rate can ask for: the decoders' reduced MP3
// rates (8 to 24 kHz give 512 and 1024) and WAV/FLAC up to 192 kHz / 4.
constexpr std::size_t kWisdomFftLengths[] = {512, 1024, 2048, 4096};

// The compiled-in wisdom is imported once per process, before the first
// plan. FFTW accepts it only from the FFTW build that wrote it (version and
// solver set are checked on import) and drops all of it when one of its
// algorithms does not run on this CPU (e.g. AVX codelets on a CPU without
// AVX); either way planning falls back to FFTW_ESTIMATE, which is as
// deterministic as the wisdom, only slower. Call with the planner lock held.
bool import_compiled_wisdom_locked() {
  static const bool imported = fftwf_import_wisdom_from_string(kFeatureFftWisdom) != 0;
  return imported;
}

}  // namespace

std::string measure_feature_fft_wisdom() {
  std::lock_guard lock(fftw_planner_mutex());
  fftwf_forget_wisdom();
  for (std::size_t n : kWisdomFftLengths) {
    FeatureFfts ffts(n, FFTW_PATIENT);
    ffts.destroy();
  }
  char* text = fftwf_export_wisdom_to_string();
  std::string wisdom = text ? text : "";
  std::free(text);
  return wisdom;
}

bool feature_fft_plans_from_wisdom(int sample_rate_hz) {
  std::lock_guard lock(fftw_planner_mutex());
  if (!import_compiled_wisdom_locked()) return false;
  FeatureFfts ffts(fft_length_for(sample_rate_hz), FFTW_ESTIMATE | FFTW_WISDOM_ONLY);
  const bool from_wisdom = ffts.forward != nullptr && ffts.inverse != nullptr;
  ffts.destroy();
  return from_wisdom;
}

struct FeatureExtractor::Fft : FeatureFfts {
  using FeatureFfts::FeatureFfts;
};

FeatureExtractor::FeatureExtractor(int sample_rate_hz, const FeatureSpan& span)
    : sample_rate_(sample_rate_hz), span_(span) {
  assert(sample_rate_hz >= 8000 && sample_rate_hz <= 192000);
  assert(span.first_hop >= 0 && span.end_hop > span.first_hop);
  const double fs = sample_rate_hz;
  // The autocorrelation comes from the same FFT as the spectrum, so the
  // window plus the longest lag must fit in it without wrapping round: the
  // smallest power of two over 45 ms, and a window of what is left (about
  // 30 ms at 11025/22050/44100 Hz, at most 40 ms).
  const auto longest_lag = static_cast<std::size_t>(std::ceil(fs / kPitchMinHz));
  fft_length_ = fft_length_for(sample_rate_hz);
  window_length_ =
      std::min(fft_length_ - longest_lag, static_cast<std::size_t>(std::lround(0.04 * fs)));
  const std::size_t n = fft_length_, w = window_length_, bins = n / 2 + 1;
  const double bin_hz = fs / static_cast<double>(n);
  spectral_bins_ = std::min(n / 2, static_cast<std::size_t>(kSpectralMaxHz / bin_hz));
  flat_lo_ = std::max<std::size_t>(1, static_cast<std::size_t>(std::lround(100.0 / bin_hz)));

  {
    // FFTW_ESTIMATE after importing measured wisdom: the plan is the one the
    // wisdom recorded, the same in every run. Measuring here instead would
    // let timings pick the algorithm, and the analysis of a file would
    // change from run to run with its rounding.
    std::lock_guard lock(fftw_planner_mutex());
    import_compiled_wisdom_locked();
    fft_ = std::make_unique<Fft>(n, FFTW_ESTIMATE);
  }
  std::fill(fft_->time, fft_->time + n, 0.0f);

  window_.resize(w);
  double window_power = 0.0;
  for (std::size_t i = 0; i < w; ++i) {
    const double s =
        std::sin(std::numbers::pi * (static_cast<double>(i) + 0.5) / static_cast<double>(w));
    window_[i] = static_cast<float>(s * s);
    window_power += s * s * s * s;
  }
  // Parseval for a one-sided spectrum, divided by the window's power so the
  // sum is the signal's mean square; x2 is the dual-mono convention (the mono
  // stream counts as both channels, so a centred source reads its stereo LUFS).
  level_weight_.resize(bins);
  bin_hz_.resize(bins);
  pitch_mask_.resize(bins);
  band_of_bin_.resize(bins);
  const double mel_lo = hz_to_mel(kTimbreLoHz), mel_hi = hz_to_mel(kTimbreHiHz);
  for (std::size_t k = 0; k < bins; ++k) {
    const double f = static_cast<double>(k) * bin_hz;
    const double one_sided = (k == 0 || k == n / 2) ? 1.0 : 2.0;
    level_weight_[k] = static_cast<float>(2.0 * one_sided * dsp::k_weighting_power_gain(f) /
                                          (static_cast<double>(n) * window_power));
    bin_hz_[k] = static_cast<float>(f);
    pitch_mask_[k] = (f >= kPitchBandLoHz && f <= kPitchBandHiHz) ? 1.0f : 0.0f;
    std::uint16_t band = kTimbreBands;
    if (f >= kTimbreLoHz && f < kTimbreHiHz && f < fs / 2) {
      band = static_cast<std::uint16_t>((hz_to_mel(f) - mel_lo) / (mel_hi - mel_lo) * kTimbreBands);
      band = std::min<std::uint16_t>(band, kTimbreBands - 1);
    }
    band_of_bin_[k] = band;
  }

  // Boersma (1993): dividing the frame's autocorrelation by the window's
  // removes the window's taper from the voicing measure.
  window_acf_.assign(n, 0.0f);
  for (std::size_t lag = 0; lag < w; ++lag) {
    double acc = 0.0;
    for (std::size_t i = 0; i + lag < w; ++i) acc += double(window_[i]) * window_[i + lag];
    window_acf_[lag] = static_cast<float>(acc);
  }
  const float acf0 = window_acf_[0];
  for (auto& v : window_acf_) v /= acf0;
  inv_window_acf_.assign(n, 0.0f);
  for (std::size_t lag = 0; lag < w; ++lag)
    inv_window_acf_[lag] = window_acf_[lag] > 0.0f ? 1.0f / window_acf_[lag] : 0.0f;
  min_lag_ = static_cast<std::size_t>(std::floor(fs / kPitchMaxHz));
  max_lag_ = std::min(longest_lag, w - 2);

  normalised_acf_.assign(n, 0.0f);
  // Mel bands are contiguous bin ranges, so each band sums a plain slice;
  // a band above the Nyquist frequency stays empty.
  band_lo_.assign(kTimbreBands, 0);
  band_hi_.assign(kTimbreBands, 0);
  for (std::size_t k = bins; k-- > 0;) {
    const std::size_t b = band_of_bin_[k];
    if (b >= kTimbreBands) continue;
    if (band_hi_[b] == 0) band_hi_[b] = k + 1;
    band_lo_[b] = k;
  }
  prev_magnitude_.assign(bins, 0.0f);
  magnitude_.assign(bins, 0.0f);

  hp_ = envelope_high_pass_coeffs(sample_rate_hz);

  // A later span starts with the window of the hop before its first (whose
  // magnitudes the flux compares against), less the high-pass settle.
  next_hop_ = std::max<std::int64_t>(0, span_.first_hop - 1);
  if (span_.first_hop > 0) {
    const std::int64_t settle = span_.highpass_settle_samples >= 0
                                    ? span_.highpass_settle_samples
                                    : static_cast<std::int64_t>(sample_rate_hz / 10);
    input_start_ = std::max<std::int64_t>(0, window_start(next_hop_) - settle);
    lead_begin_ = hop_start(span_.first_hop);
    lead_end_ = hop_start(span_.first_hop + kLeadHops);
    lead_.reserve(static_cast<std::size_t>(lead_end_ - lead_begin_));
    for (std::int64_t h = span_.first_hop; h <= span_.first_hop + kLeadHops; ++h)
      capture_at_.push_back(hop_start(h));
  }
  if (span_.end_hop != std::numeric_limits<std::int64_t>::max()) {
    const std::int64_t seam = hop_start(span_.end_hop);
    if (capture_at_.empty() || capture_at_.back() < seam) capture_at_.push_back(seam);
  }
  captured_.reserve(capture_at_.size());
  samples_seen_ = input_start_;

  // The buffer holds at least one window plus room for input; it starts with
  // a window of silence so the first frames see zeros before the stream.
  buffer_.assign(4 * w + 16384, 0.0f);
  envelope_energy_.assign(buffer_.size(), 0.0f);
  buffer_start_ = input_start_ - static_cast<std::int64_t>(w);
  buffer_fill_ = w;
}

std::int64_t FeatureExtractor::input_end() const {
  if (span_.end_hop == std::numeric_limits<std::int64_t>::max()) return span_.end_hop;
  return window_start(span_.end_hop - 1) + static_cast<std::int64_t>(window_length_);
}

bool FeatureExtractor::captured_state(std::int64_t sample, HighPassState& state) const {
  const auto it = std::lower_bound(capture_at_.begin(), capture_at_.end(), sample);
  if (it == capture_at_.end() || *it != sample) return false;
  const auto i = static_cast<std::size_t>(it - capture_at_.begin());
  if (i >= captured_.size()) return false;
  state = captured_[i];
  return true;
}

bool FeatureExtractor::highpass_at_end(HighPassState& state) const {
  return span_.end_hop != std::numeric_limits<std::int64_t>::max() &&
         captured_state(hop_start(span_.end_hop), state);
}

void FeatureExtractor::high_pass(const float* input, std::size_t m, float* energy) {
  std::size_t done = 0;
  for (;;) {
    const std::int64_t at = samples_seen_ + static_cast<std::int64_t>(done);
    while (captured_.size() < capture_at_.size() && capture_at_[captured_.size()] == at)
      captured_.push_back(hp_state_);
    if (done == m) break;
    std::size_t piece = m - done;
    if (captured_.size() < capture_at_.size())
      piece = std::min(piece, static_cast<std::size_t>(capture_at_[captured_.size()] - at));
    high_pass_energy_split(hp_, hp_state_, input + done, piece, energy + done);
    done += piece;
  }
}

bool FeatureExtractor::reconcile_envelope(const HighPassState& exact,
                                          std::span<FeatureFrame> frames) const {
  HighPassState state = exact;
  float energy[kMaxHopSamples];
  for (std::size_t j = 0; j <= static_cast<std::size_t>(kLeadHops); ++j) {
    const std::int64_t hop = span_.first_hop + static_cast<std::int64_t>(j);
    HighPassState settled;
    if (!captured_state(hop_start(hop), settled)) return j >= frames.size();
    if (same_bits(state, settled) || j >= frames.size()) return true;
    if (j == static_cast<std::size_t>(kLeadHops)) break;
    const auto a = static_cast<std::size_t>(hop_start(hop) - lead_begin_);
    const auto b = static_cast<std::size_t>(hop_start(hop + 1) - lead_begin_);
    if (b > lead_.size()) return false;
    high_pass_energy(hp_, state, lead_.data() + a, b - a, energy);
    frames[j].envelope_db = hop_envelope_db(energy, b - a);
  }
  return false;
}

FeatureExtractor::~FeatureExtractor() {
  if (!fft_) return;
  std::lock_guard lock(fftw_planner_mutex());
  fft_->destroy();
}

void FeatureExtractor::add(const float* mono, std::size_t n, std::vector<FeatureFrame>& frames,
                           std::vector<TimbreBands>& timbre) {
  const auto w = static_cast<std::int64_t>(window_length_);
  while (n > 0) {
    if (span_complete()) {
      samples_seen_ += static_cast<std::int64_t>(n);
      return;
    }
    if (buffer_fill_ == buffer_.size()) {
      // Keep only what the next frame's window still needs.
      const auto drop = static_cast<std::size_t>(window_start(next_hop_) - buffer_start_);
      assert(drop > 0 && drop <= buffer_fill_);
      std::memmove(buffer_.data(), buffer_.data() + drop, (buffer_fill_ - drop) * sizeof(float));
      std::memmove(envelope_energy_.data(), envelope_energy_.data() + drop,
                   (buffer_fill_ - drop) * sizeof(float));
      buffer_fill_ -= drop;
      buffer_start_ += static_cast<std::int64_t>(drop);
    }
    const std::size_t m = std::min(n, buffer_.size() - buffer_fill_);
    std::memcpy(buffer_.data() + buffer_fill_, mono, m * sizeof(float));
    if (samples_seen_ < lead_end_ && samples_seen_ + static_cast<std::int64_t>(m) > lead_begin_) {
      const std::int64_t from = std::max(samples_seen_, lead_begin_);
      const std::int64_t to = std::min(samples_seen_ + static_cast<std::int64_t>(m), lead_end_);
      lead_.insert(lead_.end(), mono + (from - samples_seen_), mono + (to - samples_seen_));
    }
    high_pass(mono, m, envelope_energy_.data() + buffer_fill_);
    buffer_fill_ += m;
    samples_seen_ += static_cast<std::int64_t>(m);
    mono += m;
    n -= m;

    const std::int64_t buffer_end = buffer_start_ + static_cast<std::int64_t>(buffer_fill_);
    while (!span_complete() && window_start(next_hop_) + w <= buffer_end) {
      if (next_hop_ < span_.first_hop) {
        // Only for the flux's previous magnitudes.
        FeatureFrame frame;
        TimbreBands bands;
        compute_frame(frame, bands);
      } else {
        frames.emplace_back();
        timbre.emplace_back();
        compute_frame(frames.back(), timbre.back());
      }
      ++next_hop_;
    }
  }
}

void FeatureExtractor::finish(std::vector<FeatureFrame>& frames, std::vector<TimbreBands>& timbre) {
  // Hops that started before the end of the stream still get a frame.
  const std::int64_t seen = samples_seen_;
  const std::int64_t last_hop =
      std::min(span_.end_hop, (seen * 100 + sample_rate_ - 1) / sample_rate_);
  std::vector<float> zeros(1024, 0.0f);
  while (next_hop_ < last_hop) {
    add(zeros.data(), zeros.size(), frames, timbre);
  }
  samples_seen_ = seen;
  // add() may have emitted frames beyond the end; drop them.
  for (std::int64_t h = next_hop_; h > std::max(last_hop, span_.first_hop); --h) {
    frames.pop_back();
    timbre.pop_back();
  }
  next_hop_ = last_hop;
}

void FeatureExtractor::compute_frame(FeatureFrame& frame, TimbreBands& bands) {
  const std::size_t w = window_length_, n = fft_length_, bins = n / 2 + 1;
  const std::int64_t h0 = hop_start(next_hop_), h1 = hop_start(next_hop_ + 1);
  const float* x = buffer_.data() + (window_start(next_hop_) - buffer_start_);

  // Envelope and zero crossings over the hop's own samples.
  {
    const auto a = static_cast<std::size_t>(h0 - buffer_start_);
    const auto b = static_cast<std::size_t>(h1 - buffer_start_);
    std::size_t crossings = 0;
    for (std::size_t i = a; i < b; ++i)
      crossings += static_cast<std::size_t>((buffer_[i] >= 0.0f) != (buffer_[i - 1] >= 0.0f));
    frame.envelope_db = hop_envelope_db(envelope_energy_.data() + a, b - a);
    frame.zcr = static_cast<float>(static_cast<double>(crossings) / static_cast<double>(b - a));
  }

  float* t = fft_->time;
  for (std::size_t i = 0; i < w; ++i) t[i] = x[i] * window_[i];
  fftwf_execute(fft_->forward);

  // Local pointers: the loops below write float arrays, and through members
  // the compiler would have to assume they alias `this` and reload.
  fftwf_complex* spec = fft_->spectrum;
  float* power = magnitude_.data();
  float* prev = prev_magnitude_.data();
  const float* level_weight = level_weight_.data();
  const float* mask = pitch_mask_.data();
  const float* hz = bin_hz_.data();
  float level = 0.0f;
  for (std::size_t k = 0; k < bins; ++k) {
    const float p = spec[k][0] * spec[k][0] + spec[k][1] * spec[k][1];
    power[k] = p;
    level += p * level_weight[k];
  }
  // The power spectrum, band-limited for pitch, goes back in place for the
  // inverse FFT that gives the autocorrelation.
  for (std::size_t k = 0; k < bins; ++k) {
    spec[k][0] = power[k] * mask[k];
    spec[k][1] = 0.0f;
  }
  float total = 0.0f, centroid = 0.0f, flux = 0.0f, mag_sum = 0.0f;
  for (std::size_t k = 1; k <= spectral_bins_; ++k) {
    const float p = power[k];
    total += p;
    centroid += p * hz[k];
    const float mag = std::sqrt(p);
    flux += std::max(0.0f, mag - prev[k]);
    mag_sum += mag;
    prev[k] = mag;
  }
  constexpr float kTiny = 1e-10f;
  float log_sum = 0.0f, flat_sum = 0.0f;
  for (std::size_t k = flat_lo_; k <= spectral_bins_; ++k) {
    log_sum += fast_log2(power[k] + kTiny);
    flat_sum += power[k] + kTiny;
  }
  frame.level_db = static_cast<float>(-0.691 + 10.0 * std::log10(double(level) + 1e-14));
  frame.centroid_hz = total > 0.0f ? centroid / total : 0.0f;
  const float flat_n = static_cast<float>(spectral_bins_ + 1 - flat_lo_);
  frame.flatness = std::clamp(std::exp2(log_sum / flat_n) / (flat_sum / flat_n), 0.0f, 1.0f);
  frame.flux = mag_sum > 0.0f ? flux / mag_sum : 0.0f;
  {
    // Sums of eight bins (vectorised) find the block the 99 % point lies in,
    // then single bins; one running sum over every bin is a long chain of
    // dependent additions.
    const float target = 0.99f * total;
    float acc = 0.0f;
    std::size_t k = 1;
    constexpr std::size_t kBlock = 8;
    for (; k + kBlock <= spectral_bins_; k += kBlock) {
      float block = 0.0f;
      for (std::size_t j = 0; j < kBlock; ++j) block += power[k + j];
      if (acc + block >= target) break;
      acc += block;
    }
    for (; k < spectral_bins_ && acc + power[k] < target; ++k) acc += power[k];
    frame.band_limit_hz = hz[k];
  }
  const float band_scale = 2.0f / (static_cast<float>(n) * static_cast<float>(w) * 0.375f);
  for (std::size_t b = 0; b < kTimbreBands; ++b) {
    float band_power = 0.0f;
    for (std::size_t k = band_lo_[b]; k < band_hi_[b]; ++k) band_power += power[k];
    const float db = 10.0f * std::log10(band_power * band_scale + 1e-13f);
    bands[b] = static_cast<std::uint8_t>(std::clamp(std::lround((db + 128.0f) * 2.0f), 0l, 255l));
  }

  // Autocorrelation = inverse FFT of the (band-limited) power spectrum.
  fftwf_execute(fft_->inverse);
  const float* r = fft_->acf;
  frame.voicing = 0.0f;
  frame.pitch_hz = 0.0f;
  if (r[0] > 0.0f) {
    const float inv_r0 = 1.0f / r[0];
    const float* inv_window = inv_window_acf_.data();
    float* v = normalised_acf_.data();
    for (std::size_t lag = min_lag_; lag <= max_lag_; ++lag)
      v[lag] = r[lag] * inv_r0 * inv_window[lag];
    // The maximum in eight lanes vectorises (one running maximum does not),
    // and a maximum does not depend on the order the values come in.
    constexpr std::size_t kLanes = 8;
    float lane_best[kLanes] = {};
    std::size_t at = min_lag_;
    for (; at + kLanes <= max_lag_ + 1; at += kLanes)
      for (std::size_t j = 0; j < kLanes; ++j) lane_best[j] = std::max(lane_best[j], v[at + j]);
    for (; at <= max_lag_; ++at) lane_best[0] = std::max(lane_best[0], v[at]);
    float best = 0.0f;
    for (float b : lane_best) best = std::max(best, b);
    if (best >= kVoicedThreshold) {
      // The shortest lag whose peak comes close to the best avoids picking a
      // multiple of the period (an octave too low).
      // Most lags are well under the bar: blocks of eight with none over it
      // are skipped by one vectorised test instead of a branch per lag.
      const float bar = 0.9f * best;
      constexpr std::size_t kBlock = 8;
      for (std::size_t from = min_lag_ + 1; from < max_lag_; from += kBlock) {
        const std::size_t to = std::min(from + kBlock, max_lag_);
        if (to - from == kBlock) {
          int over = 0;
          for (std::size_t j = 0; j < kBlock; ++j) over |= v[from + j] >= bar ? 1 : 0;
          if (over == 0) continue;
        }
        std::size_t lag = from;
        for (; lag < to; ++lag) {
          const float vl = v[lag - 1], vc = v[lag], vr = v[lag + 1];
          if (vc >= vl && vc >= vr && vc >= bar) break;
        }
        if (lag < to) {
          const float vl = v[lag - 1], vc = v[lag], vr = v[lag + 1];
          const float denom = vl - 2.0f * vc + vr;
          const float shift = denom < 0.0f ? 0.5f * (vl - vr) / denom : 0.0f;
          frame.pitch_hz = static_cast<float>(sample_rate_) / (static_cast<float>(lag) + shift);
          break;
        }
      }
    }
    frame.voicing = std::clamp(best, 0.0f, 1.0f);
  }
}

}  // namespace namix
