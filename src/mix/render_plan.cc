#include "mix/render_plan.h"

#include <algorithm>
#include <cmath>

namespace namix {
namespace {

// The level every host is brought to: the louder host's, so levelling only
// ever raises the quieter host (raising noise is cheaper than squashing).
float reference_host_level(const EpisodeAnalysis& analysis) {
  float ref = -120.0f;
  for (const HostProfile& host : analysis.hosts) ref = std::max(ref, host.level_db);
  return ref;
}

std::vector<GainChange> host_gains(const EpisodeAnalysis& analysis, double from_s, double to_s,
                                   const RenderOptions& options) {
  std::vector<GainChange> gains;
  const float ref = reference_host_level(analysis);
  const auto first =
      std::lower_bound(analysis.utterances.begin(), analysis.utterances.end(), from_s,
                       [](const Utterance& u, double t) { return u.end_s <= t; });
  float current = 0.0f;
  bool have = false;
  for (auto it = first; it != analysis.utterances.end() && it->start_s < to_s; ++it) {
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
