// Synthetic talk-show fixtures for the analysis tests and benchmarks: voices
// (syllable-modulated harmonic complexes with formants, a pitch contour and
// fricative bursts), telephone-band clips, sustained chords, over pink noise
// with mains hum, with the exact bounds of every sound.
//
// Test support only; nothing in the pipeline includes it.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "dsp/decibels.h"

namespace namix::synthetic {

struct Voice {
  double pitch_hz = 110.0;
  double formant_scale = 1.0;  // 1.0 ~ adult male; voices differ by vocal-tract length
  double level_dbfs = -20.0;   // RMS of the voiced parts
  double syllables_per_s = 4.5;
  double pitch_movement_st = 3.0;  // intonation swing within a sentence
  bool telephone = false;          // 300..3400 Hz, no fricatives
};

struct Sound {
  double start_s = 0.0;
  double end_s = 0.0;
  std::string kind;  // host, clip, music
  int speaker = -1;  // 0/1 for hosts
};

class ShowBuilder {
 public:
  explicit ShowBuilder(int sample_rate_hz, std::uint32_t seed = 1)
      : fs_(sample_rate_hz), rng_(seed) {}

  double now() const { return static_cast<double>(audio_.size()) / fs_; }

  void gap(double seconds) { audio_.resize(audio_.size() + samples(seconds), 0.0f); }

  // One sentence of `seconds`; `pitch_offset_st` shifts the whole sentence.
  void say(const Voice& v, double seconds, int speaker, double pitch_offset_st = 0.0) {
    const std::size_t n = samples(seconds);
    std::vector<float> x(n, 0.0f);
    std::uniform_real_distribution<double> uni(0.0, 1.0);
    const double syllable_s = 1.0 / v.syllables_per_s;
    const double nyquist_use = v.telephone ? 3400.0 : std::min(0.45 * fs_, 5000.0);
    const double low_cut = v.telephone ? 300.0 : 0.0;
    double phase = 0.0;
    double f1 = 600.0, f2 = 1500.0, f1_from = f1, f2_from = f2, f1_to = f1, f2_to = f2;
    double jitter_st = 0.0;
    std::size_t next_syllable = 0;
    std::size_t syllable_start = 0, syllable_len = 1, closure_len = 0;
    double stress = 1.0, accent_st = 0.0;
    std::vector<double> amp(64, 0.0);
    double fricative_until = -1.0;
    for (std::size_t i = 0; i < n; ++i) {
      if (i == next_syllable) {
        syllable_start = i;
        syllable_len = samples(syllable_s * (0.7 + 0.6 * uni(rng_)));
        next_syllable = i + syllable_len;
        // A new vowel: first and second formant move.
        f1_from = f1;
        f2_from = f2;
        f1_to = v.formant_scale * (350.0 + 450.0 * uni(rng_));
        f2_to = v.formant_scale * (900.0 + 1400.0 * uni(rng_));
        // Every syllable opens with a consonant: a stop closure (quiet for
        // tens of ms) or, in wideband voices, a fricative (noise, unvoiced).
        const bool fricative = !v.telephone && uni(rng_) < 0.5;
        closure_len = (i > 0 && !fricative) ? samples(0.05 + 0.06 * uni(rng_)) : 0;
        if (fricative && i > 0)
          fricative_until = static_cast<double>(i) + (0.06 + 0.04 * uni(rng_)) * fs_;
        stress = 0.3 + 0.7 * uni(rng_);
        accent_st = 2.0 * (uni(rng_) - 0.5);
      }
      const double t = static_cast<double>(i) / static_cast<double>(n);
      // Declination plus a rise-fall per sentence.
      const double st = pitch_offset_st + accent_st +
                        v.pitch_movement_st * (std::sin(std::numbers::pi * t) - 0.5 - 0.3 * t);
      // Micro-prosody: a slow random walk of the pitch, as in real voices.
      if ((i & 63) == 0)
        jitter_st = std::clamp(0.95 * jitter_st + 0.25 * (uni(rng_) - 0.5), -1.0, 1.0);
      const double f0 = v.pitch_hz * std::pow(2.0, (st + jitter_st) / 12.0);
      phase += 2.0 * std::numbers::pi * f0 / fs_;
      if (phase > 2.0 * std::numbers::pi) phase -= 2.0 * std::numbers::pi;
      if ((i & 63) == 0 || i == syllable_start) {
        // Formants glide to the next vowel over the syllable's first half.
        const double g = std::min(
            1.0, 2.0 * static_cast<double>(i - syllable_start) / static_cast<double>(syllable_len));
        f1 = f1_from + (f1_to - f1_from) * g;
        f2 = f2_from + (f2_to - f2_from) * g;
        for (std::size_t h = 1; h < amp.size(); ++h) {
          const double f = static_cast<double>(h) * f0;
          if (f > nyquist_use || f < low_cut) {
            amp[h] = 0.0;
            continue;
          }
          const double tilt = 1.0 / (1.0 + std::pow(f / 300.0, 1.5));
          const auto peak = [&](double fc, double bw) {
            return std::exp(-0.5 * (f - fc) * (f - fc) / (bw * bw));
          };
          amp[h] = tilt * (1.0 + 8.0 * peak(f1, 90.0) + 6.0 * peak(f2, 150.0) +
                           3.0 * peak(2600.0 * v.formant_scale, 250.0));
        }
      }
      // Syllable envelope: raised cosine with a short dip between syllables.
      const std::size_t into = i - syllable_start;
      const double p = into < closure_len ? 0.0
                                          : static_cast<double>(into - closure_len) /
                                                static_cast<double>(syllable_len - closure_len);
      const bool in_fricative = static_cast<double>(i) < fricative_until;
      const double env =
          (into < closure_len || in_fricative)
              ? 0.0
              : stress * (0.02 + 0.98 * std::pow(std::sin(std::numbers::pi * p), 1.5));
      double s = 0.0, c1 = std::cos(phase), s1 = std::sin(phase), ch = 1.0, sh = 0.0;
      for (std::size_t h = 1; h < amp.size(); ++h) {
        const double nc = ch * c1 - sh * s1;
        sh = sh * c1 + ch * s1;
        ch = nc;
        if (amp[h] != 0.0) s += amp[h] * sh;
      }
      double sample = env * s;
      if (in_fricative) {
        // Fricative: differenced white noise puts its energy high.
        const double w = uni(rng_) - 0.5;
        sample = 2.5 * (w - last_noise_);
        last_noise_ = w;
      }
      x[i] = static_cast<float>(sample);
    }
    fade_edges(x, 0.01);
    set_rms(x, v.level_dbfs);
    place(x, v.telephone ? "clip" : "host", v.telephone ? -1 : speaker);
  }

  // Sustained chords that change every 2 s, no gaps.
  void music(double seconds, double level_dbfs) {
    const std::size_t n = samples(seconds);
    std::vector<float> x(n, 0.0f);
    const double roots[4] = {220.0, 174.6, 196.0, 261.6};
    for (std::size_t i = 0; i < n; ++i) {
      const double t = static_cast<double>(i) / fs_;
      const auto chord = static_cast<std::size_t>(t / 2.0) % 4;
      const double r = roots[chord];
      double s = 0.0;
      for (double ratio : {1.0, 1.26, 1.5, 2.0}) {
        for (int h = 1; h <= 4; ++h)
          s += std::sin(2.0 * std::numbers::pi * r * ratio * h * t) / (h * h);
      }
      s += 0.5 * std::sin(2.0 * std::numbers::pi * r / 2.0 * t);  // bass
      x[i] = static_cast<float>(s);
    }
    fade_edges(x, 0.05);
    set_rms(x, level_dbfs);
    place(x, "music", -1);
  }

  // Pink noise (Paul Kellet's filter) and hum at 60 Hz + 180 Hz under everything.
  std::vector<float> render(double noise_dbfs = -62.0, double hum_dbfs = -52.0) {
    std::vector<float> out = audio_;
    std::normal_distribution<double> gauss(0.0, 1.0);
    double b0 = 0, b1 = 0, b2 = 0;
    std::vector<double> pink(out.size());
    double power = 0.0;
    for (std::size_t i = 0; i < out.size(); ++i) {
      const double w = gauss(rng_);
      b0 = 0.99765 * b0 + w * 0.0990460;
      b1 = 0.96300 * b1 + w * 0.2965164;
      b2 = 0.57000 * b2 + w * 1.0526913;
      pink[i] = b0 + b1 + b2 + w * 0.1848;
      power += pink[i] * pink[i];
    }
    const double pink_gain =
        dsp::db_to_gain(noise_dbfs) /
        std::sqrt(power / std::max<double>(1, static_cast<double>(out.size())));
    const double hum = dsp::db_to_gain(hum_dbfs);
    for (std::size_t i = 0; i < out.size(); ++i) {
      const double t = static_cast<double>(i) / fs_;
      out[i] += static_cast<float>(pink[i] * pink_gain +
                                   hum *
                                       (std::sin(2.0 * std::numbers::pi * 60.0 * t) +
                                        0.35 * std::sin(2.0 * std::numbers::pi * 180.0 * t)) /
                                       1.06);
    }
    return out;
  }

  const std::vector<Sound>& sounds() const { return sounds_; }
  int sample_rate_hz() const { return fs_; }

 private:
  std::size_t samples(double seconds) const {
    return static_cast<std::size_t>(std::llround(seconds * fs_));
  }
  void fade_edges(std::vector<float>& x, double seconds) const {
    const std::size_t n = std::min(samples(seconds), x.size() / 2);
    for (std::size_t i = 0; i < n; ++i) {
      const auto g = static_cast<float>(static_cast<double>(i) / static_cast<double>(n));
      x[i] *= g;
      x[x.size() - 1 - i] *= g;
    }
  }
  static void set_rms(std::vector<float>& x, double dbfs) {
    double e = 0.0;
    for (float v : x) e += double(v) * v;
    const double rms = std::sqrt(e / std::max<double>(1, static_cast<double>(x.size())));
    const double g = rms > 0 ? dsp::db_to_gain(dbfs) / rms : 0.0;
    for (float& v : x) v = static_cast<float>(v * g);
  }
  // Trimmed to where the sound is above -60 dB re its peak, as the corpus
  // does, so the truth bounds are where the sound is.
  void place(const std::vector<float>& x, const std::string& kind, int speaker) {
    float peak = 0.0f;
    for (float v : x) peak = std::max(peak, std::fabs(v));
    std::size_t a = 0, b = x.size();
    while (a < b && std::fabs(x[a]) <= 1e-3f * peak) ++a;
    while (b > a && std::fabs(x[b - 1]) <= 1e-3f * peak) --b;
    const double start = now();
    audio_.insert(audio_.end(), x.begin() + static_cast<std::ptrdiff_t>(a),
                  x.begin() + static_cast<std::ptrdiff_t>(b));
    sounds_.push_back({start, now(), kind, speaker});
  }

  int fs_;
  std::mt19937 rng_;
  std::vector<float> audio_;
  std::vector<Sound> sounds_;
  double last_noise_ = 0.0;
};

}  // namespace namix::synthetic
