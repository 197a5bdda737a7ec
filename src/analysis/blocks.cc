#include "analysis/blocks.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <string>

#include "dsp/decibels.h"

namespace namix {
namespace {

// A rant holds the floor: no gap long enough for the other host to come in.
constexpr double kRantMaxGapS = 0.45;
constexpr double kRunMinSpanS = 20.0;
constexpr float kRantMinLoudnessDb = 2.0f;
// A read-out is one voice, paced by short regular breaths between lines.
constexpr double kDonationMaxGapS = 1.3;
constexpr std::size_t kDonationMinLines = 6;
constexpr float kDonationMaxPitchSpreadSt = 0.8f;
constexpr float kDonationMaxGapCv = 0.2f;
// Jingles are stings; the end-of-show music runs much longer.
constexpr double kJingleMaxS = 20.0;
// Clip utterances closer than this belong to one block (a clip montage).
constexpr double kClipJoinGapS = 2.0;
// A break in music longer than this ends the piece: a sting followed by the
// show's music is two blocks.
constexpr double kMusicJoinGapS = 0.45;
// Banter is handed to the themes in pieces no longer than this.
constexpr double kBanterSplitGapS = 1.5;
constexpr double kBanterMaxS = 90.0;

float median_of(std::vector<float> v) {
  if (v.empty()) return 0.0f;
  const auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  return *mid;
}

float clamp01(double v) { return static_cast<float>(std::clamp(v, 0.0, 1.0)); }

std::string format(const char* fmt, double a = 0, double b = 0, double c = 0, double d = 0) {
  char buf[256];
  std::snprintf(buf, sizeof buf, fmt, a, b, c, d);
  return buf;
}

struct HostVoice {
  float level_db = -120.0f;
  float pitch_st = 0.0f;
  float pitch_range_st = 0.0f;
  std::array<float, kTimbreBands> timbre{};
  bool present = false;
};

// What a stretch of utterances [first, last) looks like.
struct RunEvidence {
  double span_s = 0.0;
  float level_db = -120.0f;
  float pitch_st = 0.0f;
  float pitch_spread_st = 0.0f;  // spread of the utterances' median pitch
  float pitch_range_st = 0.0f;   // time-weighted pitch range within utterances
  float gap_mean_s = 0.0f;
  float gap_cv = 0.0f;
  float duration_cv = 0.0f;
  std::array<float, kTimbreBands> timbre{};
};

RunEvidence gather(const std::vector<Utterance>& u, const std::vector<UtteranceStats>& s,
                   std::size_t first, std::size_t last) {
  RunEvidence e;
  e.span_s = u[last - 1].end_s - u[first].start_s;
  double energy = 0.0, weight = 0.0, pitch_sum = 0.0, range_sum = 0.0, pitch_weight = 0.0;
  std::vector<float> pitches;
  std::vector<double> gaps, durs;
  for (std::size_t i = first; i < last; ++i) {
    const double d = u[i].duration_s();
    energy += d * dsp::db_to_power(static_cast<double>(s[i].level_db));
    weight += d;
    if (s[i].pitch_hz > 0.0f) {
      pitches.push_back(12.0f * std::log2(s[i].pitch_hz));
      pitch_sum += d * pitches.back();
      range_sum += d * s[i].pitch_range_st;
      pitch_weight += d;
    }
    for (int b = 0; b < kTimbreBands; ++b)
      e.timbre[static_cast<std::size_t>(b)] +=
          static_cast<float>(d) * s[i].timbre[static_cast<std::size_t>(b)];
    durs.push_back(d);
    if (i > first) gaps.push_back(u[i].start_s - u[i - 1].end_s);
  }
  e.level_db = static_cast<float>(10.0 * std::log10(energy / std::max(weight, 1e-9) + 1e-14));
  for (auto& t : e.timbre) t /= static_cast<float>(std::max(weight, 1e-9));
  if (!pitches.empty()) {
    // Time-weighted: a run may be a few long utterances and many short ones.
    e.pitch_st = static_cast<float>(pitch_sum / pitch_weight);
    e.pitch_range_st = static_cast<float>(range_sum / pitch_weight);
    const float mid = median_of(pitches);
    std::vector<float> dev;
    for (float p : pitches) dev.push_back(std::fabs(p - mid));
    e.pitch_spread_st = 1.4826f * median_of(dev);
  }
  const auto cv = [](const std::vector<double>& v, float* mean_out) {
    if (v.size() < 2) return 0.0f;
    double m = 0.0, q = 0.0;
    for (double x : v) m += x;
    m /= static_cast<double>(v.size());
    for (double x : v) q += (x - m) * (x - m);
    if (mean_out) *mean_out = static_cast<float>(m);
    return static_cast<float>(std::sqrt(q / static_cast<double>(v.size())) / std::max(m, 1e-9));
  };
  e.gap_cv = cv(gaps, &e.gap_mean_s);
  e.duration_cv = cv(durs, nullptr);
  return e;
}

// The host whose voice is closest to the run's: spectral shape over the
// voiced frames (stable over a run of 20 s or more) and mean pitch, never
// level (a rant is louder than its speaker's norm by definition).
int closest_host(const RunEvidence& e, const HostVoice hosts[2]) {
  if (!hosts[1].present) return 0;
  if (!hosts[0].present) return 1;
  std::array<float, 2> dist{};
  for (std::size_t h = 0; h < 2; ++h) {
    const float off = e.pitch_st - hosts[h].pitch_st;
    float d = off * off;
    for (std::size_t b = 0; b < kTimbreBands; ++b)
      d += (e.timbre[b] - hosts[h].timbre[b]) * (e.timbre[b] - hosts[h].timbre[b]);
    dist[h] = d;
  }
  return dist[1] < dist[0] ? 1 : 0;
}

// A read-out run found by speaker and gaps may take in a few lines of the
// same host's talk on either side. Read-outs breathe regularly, so keep the
// longest stretch whose pauses all sit near the run's typical pause.
void trim_read_out(const std::vector<Utterance>& u, std::size_t& first, std::size_t& last) {
  std::vector<float> gaps;
  for (std::size_t k = first + 1; k < last; ++k)
    gaps.push_back(static_cast<float>(u[k].start_s - u[k - 1].end_s));
  if (gaps.empty()) return;
  const float mid = median_of(gaps);
  const float tolerance = std::max(0.25f, 0.4f * mid);
  std::size_t best_first = first, best_len = 0, run_first = first;
  for (std::size_t g = 0; g <= gaps.size(); ++g) {
    const bool ok = g < gaps.size() && std::fabs(gaps[g] - mid) <= tolerance;
    if (!ok) {
      // Lines run_first .. first + g form a regular stretch.
      const std::size_t len = first + g + 1 - run_first;
      if (len > best_len) {
        best_len = len;
        best_first = run_first;
      }
      run_first = first + g + 1;
    }
  }
  first = best_first;
  last = best_first + best_len;
}

Block make_block(const std::vector<Utterance>& u, std::size_t first, std::size_t last,
                 BlockKind kind) {
  Block b;
  b.start_s = u[first].start_s;
  b.end_s = u[last - 1].end_s;
  b.kind = kind;
  b.first_utterance = first;
  b.utterance_count = last - first;
  return b;
}

}  // namespace

std::vector<Block> find_blocks(const std::vector<Utterance>& utterances,
                               const std::vector<UtteranceStats>& stats, HostProfile hosts[2]) {
  const std::size_t n = utterances.size();
  std::vector<Block> blocks;
  if (n == 0) return blocks;

  // Host voices from their speech utterances.
  HostVoice voice[2];
  for (int h = 0; h < 2; ++h) {
    std::vector<float> levels, pitches, ranges, rates;
    std::array<double, kTimbreBands> timbre{};
    double weight = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      if (utterances[i].speaker != h || utterances[i].sound != SoundClass::speech) continue;
      levels.push_back(stats[i].level_db);
      rates.push_back(stats[i].syllable_rate_hz);
      if (stats[i].pitch_hz > 0.0f) {
        pitches.push_back(12.0f * std::log2(stats[i].pitch_hz));
        ranges.push_back(stats[i].pitch_range_st);
      }
      const double d = utterances[i].duration_s();
      weight += d;
      for (std::size_t b = 0; b < kTimbreBands; ++b) timbre[b] += d * stats[i].timbre[b];
    }
    auto& v = voice[h];
    v.present = !levels.empty();
    if (!v.present) continue;
    v.level_db = median_of(levels);
    v.pitch_st = median_of(pitches);
    v.pitch_range_st = median_of(ranges);
    for (std::size_t b = 0; b < kTimbreBands; ++b)
      v.timbre[b] = static_cast<float>(timbre[b] / weight);
    hosts[h].level_db = v.level_db;
    hosts[h].pitch_hz = pitches.empty() ? 0.0f : std::exp2(v.pitch_st / 12.0f);
    hosts[h].words_per_s = median_of(rates);
  }

  // 1. Split into stretches of one family: music, clip, speech.
  const auto family = [&](std::size_t i) {
    const SoundClass c = utterances[i].sound;
    return c == SoundClass::silence ? SoundClass::speech : c;
  };
  std::size_t i = 0;
  while (i < n) {
    const SoundClass fam = family(i);
    std::size_t j = i + 1;
    const double join_gap = fam == SoundClass::music ? kMusicJoinGapS : kClipJoinGapS;
    while (
        j < n && family(j) == fam &&
        (fam == SoundClass::speech || utterances[j].start_s - utterances[j - 1].end_s < join_gap))
      ++j;
    if (fam == SoundClass::music) {
      const double span = utterances[j - 1].end_s - utterances[i].start_s;
      Block b =
          make_block(utterances, i, j, span < kJingleMaxS ? BlockKind::jingle : BlockKind::music);
      b.confidence = 0.8;
      b.engagement = 0.1;
      b.why = format("%.1f s of steady tonal sound without speech pauses", span);
      blocks.push_back(b);
    } else if (fam == SoundClass::clip) {
      Block b = make_block(utterances, i, j, BlockKind::clip);
      const double span = b.end_s - b.start_s;
      std::vector<float> bl;
      for (std::size_t k = i; k < j; ++k) bl.push_back(stats[k].band_limit_p90_hz);
      const float band = median_of(bl);
      b.confidence = clamp01(0.5 + 0.1 * static_cast<double>(j - i) + (4000.0 - band) / 2000.0);
      b.engagement = clamp01(0.45 + 0.3 * std::min(1.0, span / 20.0));
      b.why = format("recorded voice unlike the hosts, %.1f s in %.0f piece", span,
                     static_cast<double>(j - i)) +
              (j - i > 1 ? "s" : "") + format(", band-limited to %.1f kHz", band / 1000.0);
      blocks.push_back(b);
    } else {
      // 2. Inside speech: rants and read-outs, the rest banter.
      std::vector<BlockKind> kind(j - i, BlockKind::banter);
      std::vector<Block> special;
      // Rants: floor-holding runs (no gap a turn could fit in).
      std::size_t a = i;
      while (a < j) {
        std::size_t b = a + 1;
        while (b < j && utterances[b].start_s - utterances[b - 1].end_s < kRantMaxGapS) ++b;
        const double span = utterances[b - 1].end_s - utterances[a].start_s;
        if (span >= kRunMinSpanS) {
          const RunEvidence e = gather(utterances, stats, a, b);
          const int h = closest_host(e, voice);
          const float louder = e.level_db - voice[h].level_db;
          if (louder >= kRantMinLoudnessDb) {
            Block blk = make_block(utterances, a, b, BlockKind::rant);
            blk.speaker = h;
            blk.confidence =
                clamp01(0.5 + (louder - kRantMinLoudnessDb) / 6.0 + (span - 20.0) / 120.0);
            const float wider = e.pitch_range_st - voice[h].pitch_range_st;
            blk.engagement = clamp01(0.6 + louder / 25.0 + std::max(0.0f, wider) / 25.0);
            blk.why = std::string("host ") + (h == 0 ? "A" : "B") +
                      format(
                          " held the floor %.0f s, %+.1f dB over their norm, pitch range %.1f st "
                          "(norm %.1f)",
                          span, louder, e.pitch_range_st, voice[h].pitch_range_st);
            special.push_back(blk);
            for (std::size_t k = a; k < b; ++k) kind[k - i] = BlockKind::rant;
          }
        }
        a = b;
      }
      // Read-outs: one voice, many lines, regular breaths, flat pitch.
      a = i;
      while (a < j) {
        if (kind[a - i] != BlockKind::banter) {
          ++a;
          continue;
        }
        std::size_t b = a + 1;
        while (b < j && kind[b - i] == BlockKind::banter &&
               utterances[b].speaker == utterances[a].speaker &&
               utterances[b].start_s - utterances[b - 1].end_s < kDonationMaxGapS)
          ++b;
        const std::size_t run_end = b;
        if (b - a >= kDonationMinLines) trim_read_out(utterances, a, b);
        const double span = utterances[b - 1].end_s - utterances[a].start_s;
        if (b - a >= kDonationMinLines && span >= kRunMinSpanS) {
          const RunEvidence e = gather(utterances, stats, a, b);
          const int h = std::max(0, utterances[a].speaker);
          const float louder = e.level_db - voice[h].level_db;
          if (e.pitch_spread_st <= kDonationMaxPitchSpreadSt && e.gap_cv <= kDonationMaxGapCv &&
              louder < kRantMinLoudnessDb) {
            Block blk = make_block(utterances, a, b, BlockKind::donation);
            blk.speaker = h;
            blk.confidence =
                clamp01(0.4 + 0.3 * (kDonationMaxPitchSpreadSt - e.pitch_spread_st) +
                        0.5 * (kDonationMaxGapCv - e.gap_cv) + 0.02 * static_cast<double>(b - a));
            blk.engagement = 0.2;
            blk.why =
                format("%.0f evenly paced lines by one host over %.0f s, pauses %.2f s (cv %.2f)",
                       static_cast<double>(b - a), span, e.gap_mean_s, e.gap_cv);
            blk.why += format(", flat pitch (%.1f st)", e.pitch_spread_st);
            special.push_back(blk);
            for (std::size_t k = a; k < b; ++k) kind[k - i] = BlockKind::donation;
          }
        }
        a = run_end;
      }
      std::sort(special.begin(), special.end(), [](const Block& x, const Block& y) {
        return x.first_utterance < y.first_utterance;
      });
      // Banter between the special runs, split at long gaps and kept short.
      std::size_t next_special = 0;
      a = i;
      while (a < j) {
        if (kind[a - i] != BlockKind::banter) {
          blocks.push_back(special[next_special]);
          a = special[next_special].first_utterance + special[next_special].utterance_count;
          ++next_special;
          continue;
        }
        std::size_t b = a + 1;
        while (b < j && kind[b - i] == BlockKind::banter &&
               utterances[b].start_s - utterances[b - 1].end_s < kBanterSplitGapS &&
               utterances[b].end_s - utterances[a].start_s <= kBanterMaxS)
          ++b;
        Block blk = make_block(utterances, a, b, BlockKind::banter);
        const double span = blk.end_s - blk.start_s;
        int turns = 0;
        double level_rel = 0.0, weight = 0.0;
        for (std::size_t k = a; k < b; ++k) {
          const int h = utterances[k].speaker;
          if (k > a && h != utterances[k - 1].speaker) ++turns;
          if (h >= 0 && voice[h].present) {
            level_rel += utterances[k].duration_s() * (stats[k].level_db - voice[h].level_db);
            weight += utterances[k].duration_s();
          }
        }
        level_rel = weight > 0.0 ? level_rel / weight : 0.0;
        const double turns_per_min = span > 0.0 ? turns * 60.0 / span : 0.0;
        blk.confidence = 0.6;
        blk.engagement = clamp01(0.25 + 0.35 * std::min(1.0, turns_per_min / 8.0) +
                                 0.25 * std::clamp((level_rel + 1.0) / 4.0, 0.0, 1.0));
        blk.why = format("%.0f turns in %.0f s (%.1f a minute), %+.1f dB against the hosts' norm",
                         turns, span, turns_per_min, level_rel);
        blocks.push_back(blk);
        a = b;
      }
    }
    i = j;
  }
  return blocks;
}

}  // namespace namix
