#include "analysis/features.h"

#include <fftw3.h>

#include <algorithm>
#include <bit>
#include <cassert>
#include <cmath>
#include <complex>
#include <cstring>
#include <mutex>
#include <numbers>

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

}  // namespace

double k_weighting_power_gain(double frequency_hz) {
  // ITU-R BS.1770-4, Table 1 (pre-filter) and Table 2 (RLB), fs = 48 kHz.
  constexpr double b1[3] = {1.53512485958697, -2.69169618940638, 1.19839281085285};
  constexpr double a1[3] = {1.0, -1.69065929318241, 0.73248077421585};
  constexpr double b2[3] = {1.0, -2.0, 1.0};
  constexpr double a2[3] = {1.0, -1.99004745483398, 0.99007225036621};
  const double w = 2.0 * std::numbers::pi * frequency_hz / 48000.0;
  const std::complex<double> z1 = std::polar(1.0, -w), z2 = std::polar(1.0, -2.0 * w);
  const auto h = [&](const double* b, const double* a) {
    return (b[0] + b[1] * z1 + b[2] * z2) / (a[0] + a[1] * z1 + a[2] * z2);
  };
  return std::norm(h(b1, a1) * h(b2, a2));
}

struct FeatureExtractor::Fft {
  float* time = nullptr;              // N real
  fftwf_complex* spectrum = nullptr;  // N/2+1
  float* acf = nullptr;               // N real
  fftwf_plan forward = nullptr;
  fftwf_plan inverse = nullptr;
};

FeatureExtractor::FeatureExtractor(int sample_rate_hz) : sample_rate_(sample_rate_hz) {
  assert(sample_rate_hz >= 8000 && sample_rate_hz <= 192000);
  const double fs = sample_rate_hz;
  window_length_ = std::bit_ceil(static_cast<std::size_t>(std::ceil(0.04 * fs)));
  fft_length_ = 2 * window_length_;
  const std::size_t n = fft_length_, w = window_length_, bins = n / 2 + 1;
  const double bin_hz = fs / static_cast<double>(n);
  spectral_bins_ = std::min(n / 2, static_cast<std::size_t>(kSpectralMaxHz / bin_hz));
  flat_lo_ = std::max<std::size_t>(1, static_cast<std::size_t>(std::lround(100.0 / bin_hz)));

  fft_ = std::make_unique<Fft>();
  fft_->time = fftwf_alloc_real(n);
  fft_->spectrum = fftwf_alloc_complex(bins);
  fft_->acf = fftwf_alloc_real(n);
  {
    std::lock_guard lock(fftw_planner_mutex());
    const int ni = static_cast<int>(n);
    fft_->forward = fftwf_plan_dft_r2c_1d(ni, fft_->time, fft_->spectrum, FFTW_MEASURE);
    fft_->inverse = fftwf_plan_dft_c2r_1d(ni, fft_->spectrum, fft_->acf, FFTW_MEASURE);
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
    level_weight_[k] = static_cast<float>(2.0 * one_sided * k_weighting_power_gain(f) /
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
  min_lag_ = static_cast<std::size_t>(std::floor(fs / kPitchMaxHz));
  max_lag_ = std::min(w / 2, static_cast<std::size_t>(std::ceil(fs / kPitchMinHz)));

  prev_magnitude_.assign(bins, 0.0f);
  magnitude_.assign(bins, 0.0f);

  // The buffer holds at least one window plus room for input; it starts with
  // a window of silence so the first frames see zeros before the stream.
  buffer_.assign(4 * w + 16384, 0.0f);
  envelope_energy_.assign(buffer_.size(), 0.0f);
  buffer_start_ = -static_cast<std::int64_t>(w);
  buffer_fill_ = w;

  // RBJ cookbook high-pass, 200 Hz, Q = 1/sqrt(2).
  const double w0 = 2.0 * std::numbers::pi * 200.0 / fs;
  const double q = 1.0 / std::numbers::sqrt2;
  const double alpha = std::sin(w0) / (2.0 * q);
  const double cw = std::cos(w0), a0 = 1.0 + alpha;
  hp_b0_ = static_cast<float>((1.0 + cw) / 2.0 / a0);
  hp_b1_ = static_cast<float>(-(1.0 + cw) / a0);
  hp_b2_ = hp_b0_;
  hp_a1_ = static_cast<float>(-2.0 * cw / a0);
  hp_a2_ = static_cast<float>((1.0 - alpha) / a0);
}

FeatureExtractor::~FeatureExtractor() {
  if (!fft_) return;
  std::lock_guard lock(fftw_planner_mutex());
  fftwf_destroy_plan(fft_->forward);
  fftwf_destroy_plan(fft_->inverse);
  fftwf_free(fft_->time);
  fftwf_free(fft_->spectrum);
  fftwf_free(fft_->acf);
}

void FeatureExtractor::add(const float* mono, std::size_t n, std::vector<FeatureFrame>& frames,
                           std::vector<TimbreBands>& timbre) {
  const auto half = static_cast<std::int64_t>(window_length_ / 2);
  while (n > 0) {
    if (buffer_fill_ == buffer_.size()) {
      // Keep only what the next frame's window still needs.
      const std::int64_t centre = (hop_start(next_hop_) + hop_start(next_hop_ + 1)) / 2;
      const auto drop = static_cast<std::size_t>(centre - half - buffer_start_);
      assert(drop > 0 && drop <= buffer_fill_);
      std::memmove(buffer_.data(), buffer_.data() + drop, (buffer_fill_ - drop) * sizeof(float));
      std::memmove(envelope_energy_.data(), envelope_energy_.data() + drop,
                   (buffer_fill_ - drop) * sizeof(float));
      buffer_fill_ -= drop;
      buffer_start_ += static_cast<std::int64_t>(drop);
    }
    const std::size_t m = std::min(n, buffer_.size() - buffer_fill_);
    float* dst = buffer_.data() + buffer_fill_;
    float* energy = envelope_energy_.data() + buffer_fill_;
    float z1 = hp_z1_, z2 = hp_z2_;
    for (std::size_t i = 0; i < m; ++i) {
      const float x = mono[i];
      dst[i] = x;
      const float y = hp_b0_ * x + z1;
      z1 = hp_b1_ * x - hp_a1_ * y + z2;
      z2 = hp_b2_ * x - hp_a2_ * y;
      energy[i] = y * y;
    }
    hp_z1_ = z1;
    hp_z2_ = z2;
    buffer_fill_ += m;
    samples_seen_ += static_cast<std::int64_t>(m);
    mono += m;
    n -= m;

    const std::int64_t buffer_end = buffer_start_ + static_cast<std::int64_t>(buffer_fill_);
    for (;;) {
      const std::int64_t centre = (hop_start(next_hop_) + hop_start(next_hop_ + 1)) / 2;
      if (centre + half > buffer_end) break;
      frames.emplace_back();
      timbre.emplace_back();
      compute_frame(frames.back(), timbre.back());
      ++next_hop_;
    }
  }
}

void FeatureExtractor::finish(std::vector<FeatureFrame>& frames, std::vector<TimbreBands>& timbre) {
  // Hops that started before the end of the stream still get a frame.
  const std::int64_t seen = samples_seen_;
  const std::int64_t last_hop = (seen * 100 + sample_rate_ - 1) / sample_rate_;
  std::vector<float> zeros(1024, 0.0f);
  while (next_hop_ < last_hop) {
    add(zeros.data(), zeros.size(), frames, timbre);
  }
  samples_seen_ = seen;
  // add() may have emitted frames beyond the end; drop them.
  while (frames.size() > static_cast<std::size_t>(last_hop)) {
    frames.pop_back();
    timbre.pop_back();
  }
  next_hop_ = last_hop;
}

void FeatureExtractor::compute_frame(FeatureFrame& frame, TimbreBands& bands) {
  const std::size_t w = window_length_, n = fft_length_, bins = n / 2 + 1;
  const std::int64_t h0 = hop_start(next_hop_), h1 = hop_start(next_hop_ + 1);
  const std::int64_t centre = (h0 + h1) / 2;
  const float* x = buffer_.data() + (centre - static_cast<std::int64_t>(w / 2) - buffer_start_);

  // Envelope and zero crossings over the hop's own samples.
  {
    const auto a = static_cast<std::size_t>(h0 - buffer_start_);
    const auto b = static_cast<std::size_t>(h1 - buffer_start_);
    double energy = 0.0;
    std::size_t crossings = 0;
    for (std::size_t i = a; i < b; ++i) {
      energy += envelope_energy_[i];
      crossings += static_cast<std::size_t>((buffer_[i] >= 0.0f) != (buffer_[i - 1] >= 0.0f));
    }
    const double len = static_cast<double>(b - a);
    frame.envelope_db = static_cast<float>(10.0 * std::log10(energy / len + 1e-14));
    frame.zcr = static_cast<float>(static_cast<double>(crossings) / len);
  }

  float* t = fft_->time;
  for (std::size_t i = 0; i < w; ++i) t[i] = x[i] * window_[i];
  fftwf_execute(fft_->forward);

  const fftwf_complex* s = fft_->spectrum;
  float level = 0.0f, total = 0.0f, centroid = 0.0f, flux = 0.0f, mag_sum = 0.0f;
  float log_sum = 0.0f, flat_sum = 0.0f;
  std::array<float, kTimbreBands + 1> band_power{};
  constexpr float kTiny = 1e-10f;
  fftwf_complex* acf_in = fft_->spectrum;  // reused in place after reading
  for (std::size_t k = 0; k < bins; ++k) {
    const float p = s[k][0] * s[k][0] + s[k][1] * s[k][1];
    level += p * level_weight_[k];
    band_power[band_of_bin_[k]] += p;
    magnitude_[k] = p;
    acf_in[k][0] = p * pitch_mask_[k];
    acf_in[k][1] = 0.0f;
  }
  for (std::size_t k = 1; k <= spectral_bins_; ++k) {
    const float p = magnitude_[k];
    total += p;
    centroid += p * bin_hz_[k];
  }
  for (std::size_t k = flat_lo_; k <= spectral_bins_; ++k) {
    log_sum += fast_log2(magnitude_[k] + kTiny);
    flat_sum += magnitude_[k] + kTiny;
  }
  for (std::size_t k = 1; k <= spectral_bins_; ++k) {
    const float mag = std::sqrt(magnitude_[k]);
    flux += std::max(0.0f, mag - prev_magnitude_[k]);
    mag_sum += mag;
    prev_magnitude_[k] = mag;
  }
  frame.level_db = static_cast<float>(-0.691 + 10.0 * std::log10(double(level) + 1e-14));
  frame.centroid_hz = total > 0.0f ? centroid / total : 0.0f;
  const float flat_n = static_cast<float>(spectral_bins_ + 1 - flat_lo_);
  frame.flatness = std::clamp(std::exp2(log_sum / flat_n) / (flat_sum / flat_n), 0.0f, 1.0f);
  frame.flux = mag_sum > 0.0f ? flux / mag_sum : 0.0f;
  {
    const float target = 0.99f * total;
    float acc = 0.0f;
    std::size_t k = 1;
    for (; k < spectral_bins_ && acc + magnitude_[k] < target; ++k) acc += magnitude_[k];
    frame.band_limit_hz = bin_hz_[k];
  }
  const float band_scale = 2.0f / (static_cast<float>(n) * static_cast<float>(w) * 0.375f);
  for (int b = 0; b < kTimbreBands; ++b) {
    const float db =
        10.0f * std::log10(band_power[static_cast<std::size_t>(b)] * band_scale + 1e-13f);
    bands[static_cast<std::size_t>(b)] =
        static_cast<std::uint8_t>(std::clamp(std::lround((db + 128.0f) * 2.0f), 0l, 255l));
  }

  // Autocorrelation = inverse FFT of the (band-limited) power spectrum.
  fftwf_execute(fft_->inverse);
  const float* r = fft_->acf;
  frame.voicing = 0.0f;
  frame.pitch_hz = 0.0f;
  if (r[0] > 0.0f) {
    const float inv_r0 = 1.0f / r[0];
    float best = 0.0f;
    for (std::size_t lag = min_lag_; lag <= max_lag_; ++lag) {
      best = std::max(best, r[lag] * inv_r0 / window_acf_[lag]);
    }
    if (best >= kVoicedThreshold) {
      // The shortest lag whose peak comes close to the best avoids picking a
      // multiple of the period (an octave too low).
      for (std::size_t lag = min_lag_ + 1; lag < max_lag_; ++lag) {
        const float v = r[lag] * inv_r0 / window_acf_[lag];
        const float vl = r[lag - 1] * inv_r0 / window_acf_[lag - 1];
        const float vr = r[lag + 1] * inv_r0 / window_acf_[lag + 1];
        if (v >= vl && v >= vr && v >= 0.9f * best) {
          const float denom = vl - 2.0f * v + vr;
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
