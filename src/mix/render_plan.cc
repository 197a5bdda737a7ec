#include "mix/render_plan.h"

#include <algorithm>
#include <cmath>

#include "dsp/decibels.h"

namespace namix {
namespace {

// The level every host is brought to: the louder host's, so levelling only
// ever raises the quieter host (raising noise is cheaper than squashing).
float reference_host_level(const EpisodeAnalysis& analysis) {
  float ref = -120.0f;
  for (const HostProfile& host : analysis.hosts) ref = std::max(ref, host.level_db);
  return ref;
}

// Recorded clips are edited speech at their own levels, phrase by phrase,
// with dead air of their own between; a speech leveller following them
// leaves their short-term loudness spread over a mix of clips (Media
// Meltdown's loudness range stayed at Best Of's). Each phrase of a clip is
// brought to the clips' common level instead, the gain moving in the gap
// before the phrase. A phrase is a run of frames within kPhraseRangeDb of the
// clip's level, broken by quiet gaps of kPhraseGapS or more.
constexpr float kPhraseRangeDb = 20.0f;
constexpr double kPhraseGapS = 0.06;
constexpr double kMinPhraseS = 0.15;
constexpr float kMaxPhraseGainDb = 6.0f;

// The clips' common level: energy mean of every clip utterance, by duration.
float reference_clip_level(const EpisodeAnalysis& analysis) {
  double energy = 0.0, weight = 0.0;
  for (const Utterance& u : analysis.utterances) {
    if (u.sound != SoundClass::clip || u.level_db <= -100.0f) continue;
    energy += u.duration_s() * dsp::db_to_power(static_cast<double>(u.level_db));
    weight += u.duration_s();
  }
  return weight > 0.0 ? static_cast<float>(10.0 * std::log10(energy / weight)) : -120.0f;
}

struct Phrase {
  double start_s = 0.0;
  float level_db = -120.0f;
};

std::vector<Phrase> clip_phrases(const EpisodeAnalysis& analysis, const Utterance& u) {
  std::vector<Phrase> out;
  if (analysis.frames.empty() || analysis.hop_s <= 0.0 || u.level_db <= -100.0f) return out;
  const auto frame_at = [&](double t) {
    return static_cast<std::size_t>(
        std::clamp(t / analysis.hop_s, 0.0, static_cast<double>(analysis.frames.size())));
  };
  const std::size_t first = frame_at(u.start_s), last = frame_at(u.end_s);
  const float active_above = u.level_db - kPhraseRangeDb;
  const auto gap_frames = static_cast<std::size_t>(std::lround(kPhraseGapS / analysis.hop_s));
  std::size_t i = first;
  while (i < last) {
    if (analysis.frames[i].level_db < active_above) {
      ++i;
      continue;
    }
    double energy = 0.0;
    int active = 0;
    std::size_t k = i, quiet = 0, end = i;
    for (; k < last && quiet < gap_frames; ++k) {
      const float l = analysis.frames[k].level_db;
      if (l < active_above) {
        ++quiet;
        continue;
      }
      quiet = 0;
      end = k + 1;
      energy += dsp::db_to_power(static_cast<double>(l));
      ++active;
    }
    if (static_cast<double>(end - i) * analysis.hop_s >= kMinPhraseS) {
      out.push_back({static_cast<double>(i) * analysis.hop_s,
                     static_cast<float>(10.0 * std::log10(energy / active))});
    }
    i = end;
  }
  return out;
}

std::vector<GainChange> host_gains(const EpisodeAnalysis& analysis, double from_s, double to_s,
                                   const RenderOptions& options) {
  std::vector<GainChange> gains;
  const float ref = reference_host_level(analysis);
  const float clip_ref = reference_clip_level(analysis);
  const auto first =
      std::lower_bound(analysis.utterances.begin(), analysis.utterances.end(), from_s,
                       [](const Utterance& u, double t) { return u.end_s <= t; });
  float current = 0.0f;
  bool have = false;
  for (auto it = first; it != analysis.utterances.end() && it->start_s < to_s; ++it) {
    if (it->sound == SoundClass::clip && clip_ref > -100.0f) {
      bool any = false;
      for (const Phrase& ph : clip_phrases(analysis, *it)) {
        if (ph.start_s >= to_s) break;
        const float gain = std::clamp(clip_ref - ph.level_db, -kMaxPhraseGainDb, kMaxPhraseGainDb);
        // A phrase already under way at the cut-in takes its gain from there.
        const double at = std::max(ph.start_s, from_s);
        if (!have || std::fabs(gain - current) > 0.05f) {
          if (!gains.empty() && gains.back().src_time_s >= at)
            gains.back().gain_db = gain;
          else
            gains.push_back({at, gain});
          current = gain;
          have = true;
        }
        any = true;
      }
      if (any) continue;
    }
    float gain = 0.0f;
    if (it->speaker == 0 || it->speaker == 1) {
      const float host_level = analysis.hosts[it->speaker].level_db;
      if (host_level > -100.0f && ref > -100.0f) gain = ref - host_level;
    }
    gain = std::clamp(gain, 0.0f, static_cast<float>(options.max_host_gain_db));
    if (!have || std::fabs(gain - current) > 0.05f) {
      gains.push_back({std::max(it->start_s, from_s), gain});
      current = gain;
      have = true;
    }
  }
  if (gains.empty()) gains.push_back({from_s, 0.0f});
  return gains;
}

}  // namespace

PauseRoom pause_room_at(const EpisodeAnalysis& analysis, double t) {
  PauseRoom room;
  // First utterance ending after t.
  const auto next = std::lower_bound(analysis.utterances.begin(), analysis.utterances.end(), t,
                                     [](const Utterance& u, double x) { return u.end_s <= x; });
  if (next != analysis.utterances.end() && next->start_s <= t) return room;  // inside a word
  const double right = next == analysis.utterances.end() ? analysis.duration_s : next->start_s;
  const double left = next == analysis.utterances.begin() ? 0.0 : std::prev(next)->end_s;
  room.before_s = std::max(0.0, t - left);
  room.after_s = std::max(0.0, right - t);
  return room;
}

RenderPlan make_render_plan(const EditList& edit_list, const EpisodeAnalysis& analysis,
                            const RenderOptions& options) {
  RenderPlan plan;
  // 1. Split each segment where the selection drops part of a long pause.
  for (std::size_t s = 0; s < edit_list.segments.size(); ++s) {
    const EditSegment& seg = edit_list.segments[s];
    double piece_start = seg.start_s;
    for (const Pause& dropped : seg.dropped) {
      RenderPiece piece;
      piece.src_start_s = piece_start;
      piece.src_end_s = dropped.start_s;
      piece.segment = s;
      plan.pieces.push_back(piece);
      piece_start = dropped.end_s;
    }
    RenderPiece last;
    last.src_start_s = piece_start;
    last.src_end_s = seg.end_s;
    last.segment = s;
    plan.pieces.push_back(last);
  }
  // 2. Crossfade half-lengths at each join, limited by the pause room on both sides.
  const double wanted_h = options.crossfade_s / 2.0;
  for (std::size_t i = 0; i + 1 < plan.pieces.size(); ++i) {
    RenderPiece& out = plan.pieces[i];
    RenderPiece& in = plan.pieces[i + 1];
    const PauseRoom out_room = pause_room_at(analysis, out.src_end_s);
    const PauseRoom in_room = pause_room_at(analysis, in.src_start_s);
    double h = wanted_h;
    h = std::min(h, out_room.before_s - options.guard_s);
    h = std::min(h, out_room.after_s - options.guard_s);
    h = std::min(h, in_room.before_s - options.guard_s);
    h = std::min(h, in_room.after_s - options.guard_s);
    // A fade never takes more than a quarter of either piece.
    h = std::min({h, out.duration_s() / 4.0, in.duration_s() / 4.0});
    h = std::max(h, 0.005);  // at least a de-click fade
    out.fade_out_s = h;
    in.fade_in_s = h;
  }
  if (!plan.pieces.empty()) {
    plan.pieces.front().fade_in_s = options.edge_fade_s;
    plan.pieces.back().fade_out_s = options.edge_fade_s;
  }
  // 3. Mix positions and host gains.
  double t = 0.0;
  plan.segment_mix_start_s.assign(edit_list.segments.size(), 0.0);
  std::size_t last_segment = static_cast<std::size_t>(-1);
  for (RenderPiece& piece : plan.pieces) {
    piece.mix_start_s = t;
    if (piece.segment != last_segment) {
      plan.segment_mix_start_s[piece.segment] = t;
      last_segment = piece.segment;
    }
    piece.gains = host_gains(analysis, piece.src_start_s, piece.src_end_s, options);
    t += piece.duration_s();
  }
  plan.duration_s = t;
  return plan;
}

}  // namespace namix
