#include "analysis/utterance_stats.h"

#include <algorithm>
#include <cmath>

#include "dsp/decibels.h"

namespace namix {
namespace {

float percentile(std::vector<float>& v, double q) {
  if (v.empty()) return 0.0f;
  const auto k = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1) + 0.5);
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

}  // namespace

std::vector<UtteranceStats> measure_utterances(const std::vector<FeatureFrame>& frames,
                                               const std::vector<TimbreBands>& timbre,
                                               const Segmentation& segmentation,
                                               const SegmentationOptions& options) {
  std::vector<UtteranceStats> out;
  out.reserve(segmentation.sounds.size());
  // Phrases: the same hysteresis with a 0.1 s gap, to count the short
  // breaks inside each utterance (pacing: rants have few, reading has many).
  const auto phrases = find_sound_runs(frames, segmentation.floor_db, options, 0.1);
  std::size_t p = 0;
  std::vector<float> pitches, bands, centroids, flats, envs;
  for (const auto& run : segmentation.sounds) {
    UtteranceStats s;
    pitches.clear();
    bands.clear();
    centroids.clear();
    flats.clear();
    envs.clear();
    double energy = 0.0, flux = 0.0;
    std::array<double, kTimbreBands> timbre_sum{};
    int active = 0, dips = 0, voiced = 0;
    for (std::size_t i = run.first; i < run.last; ++i) {
      const auto& f = frames[i];
      const float above = f.envelope_db - segmentation.floor_db[i];
      if (above < 6.0f) {
        ++dips;
        continue;
      }
      ++active;
      energy += dsp::db_to_power(static_cast<double>(f.level_db));
      bands.push_back(f.band_limit_hz);
      centroids.push_back(f.centroid_hz);
      flats.push_back(f.flatness);
      envs.push_back(above);
      flux += f.flux;
      if (f.pitch_hz > 0.0f) {
        ++voiced;
        pitches.push_back(f.pitch_hz);
        // Vowels carry the vocal tract's resonances; consonants and breaths
        // would blur the spectral shape that tells voices apart.
        for (int b = 0; b < kTimbreBands; ++b)
          timbre_sum[static_cast<std::size_t>(b)] +=
              timbre_band_db(timbre[i][static_cast<std::size_t>(b)]);
      }
    }
    const int len = static_cast<int>(run.last - run.first);
    s.active_frames = active;
    s.dip_fraction = len > 0 ? static_cast<float>(dips) / static_cast<float>(len) : 0.0f;
    if (active > 0) {
      const auto a = static_cast<double>(active);
      s.level_db = static_cast<float>(10.0 * std::log10(energy / a + 1e-14));
      s.voiced_fraction = static_cast<float>(voiced) / static_cast<float>(active);
      s.flux = static_cast<float>(flux / a);
      s.band_limit_p90_hz = percentile(bands, 0.9);
      s.band_limit_hz = percentile(bands, 0.5);
      s.centroid_hz = percentile(centroids, 0.5);
      s.flatness = percentile(flats, 0.5);
      double mean = 0.0;
      const double nv = std::max(1, voiced);
      for (int b = 0; b < kTimbreBands; ++b) {
        const auto bi = static_cast<std::size_t>(b);
        s.timbre[bi] = static_cast<float>(timbre_sum[bi] / nv);
        mean += s.timbre[bi];
      }
      mean /= kTimbreBands;
      for (auto& t : s.timbre) t -= static_cast<float>(mean);
      double em = 0.0, ev = 0.0;
      for (float e : envs) em += e;
      em /= a;
      for (float e : envs) ev += (e - em) * (e - em);
      s.envelope_std_db = static_cast<float>(std::sqrt(ev / a));
      s.above_floor_db = percentile(envs, 0.5);
    }
    if (!pitches.empty()) {
      s.pitch_hz = percentile(pitches, 0.5);
      const float lo = percentile(pitches, 0.1), hi = percentile(pitches, 0.9);
      s.pitch_range_st = 12.0f * std::log2(hi / lo);
    }
    // Syllable nuclei: envelope peaks 12 dB above the floor that stand 4 dB
    // above the valleys on either side.
    {
      int peaks = 0;
      bool seeking_peak = true;
      float hi = -1e9f, lo = 1e9f;
      for (std::size_t i = run.first; i < run.last; ++i) {
        const float e = frames[i].envelope_db - segmentation.floor_db[i];
        if (seeking_peak) {
          hi = std::max(hi, e);
          if (hi - e >= 4.0f && hi >= 12.0f) {
            ++peaks;
            seeking_peak = false;
            lo = e;
          }
        } else {
          lo = std::min(lo, e);
          if (e - lo >= 4.0f) {
            seeking_peak = true;
            hi = e;
          }
        }
      }
      const double dur = static_cast<double>(len) * options.hop_s;
      s.syllable_rate_hz = dur > 0.0 ? static_cast<float>(peaks / dur) : 0.0f;
    }
    {
      constexpr std::size_t kReach = 15;
      int deep = 0;
      for (std::size_t i = run.first; i < run.last; ++i) {
        const std::size_t lo = i >= run.first + kReach ? i - kReach : run.first;
        const std::size_t hi = std::min(run.last, i + kReach + 1);
        float peak = -1e9f;
        for (std::size_t k = lo; k < hi; ++k) peak = std::max(peak, frames[k].envelope_db);
        deep += frames[i].envelope_db <= peak - 12.0f;
      }
      s.syllabic_dip_fraction = len > 0 ? static_cast<float>(deep) / static_cast<float>(len) : 0.0f;
      int long_voiced = 0, voiced_total = 0;
      std::size_t i = run.first;
      while (i < run.last) {
        if (frames[i].pitch_hz <= 0.0f) {
          ++i;
          continue;
        }
        std::size_t k = i;
        while (k < run.last && frames[k].pitch_hz > 0.0f) ++k;
        voiced_total += static_cast<int>(k - i);
        if (k - i >= 50) long_voiced += static_cast<int>(k - i);
        i = k;
      }
      s.long_voiced_fraction =
          voiced_total > 0 ? static_cast<float>(long_voiced) / static_cast<float>(voiced_total)
                           : 0.0f;
    }
    // Phrases inside this utterance.
    while (p < phrases.size() && phrases[p].last <= run.first) ++p;
    int count = 0;
    double gap = 0.0;
    std::size_t prev_end = 0;
    for (std::size_t q = p; q < phrases.size() && phrases[q].first < run.last; ++q) {
      if (count > 0 && phrases[q].first > prev_end)
        gap += static_cast<double>(phrases[q].first - prev_end) * options.hop_s;
      prev_end = phrases[q].last;
      ++count;
    }
    s.phrase_count = std::max(1, count);
    s.phrase_gap_s = gap;
    out.push_back(s);
  }
  return out;
}

}  // namespace namix
