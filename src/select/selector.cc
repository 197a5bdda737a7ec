#include "select/selector.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "select/candidates.h"
#include "select/duration_fit.h"
#include "select/segment_text.h"
#include "select/text_evidence.h"
#include "select/timeline.h"
#include "transcript/sentences.h"

namespace namix::selection {
namespace {

// The zones a spread theme picks one run in.
struct Zones {
  int count = 0;
  double width_s = 0.0;
};

// Where fallback material came in.
enum class Fill {
  none,
  shortfall,  // the episode lacks theme material: all of it, the rest from the fallback
  topped_up,  // theme material could not land on the target: under it, topped up
};

// With a transcript, units are whole sentences where the analysis' blocks
// allow: a sentence running on over a pause joins its units, and a cut
// between blocks that would still split one is marked as a last resort.
std::vector<Unit> with_sentences(std::vector<Unit> units, const Transcript* transcript) {
  if (transcript == nullptr) return units;
  const std::vector<Sentence> sentences = split_sentences(*transcript);
  units = join_units(units, gaps_inside_sentences(sentences, units));
  const std::vector<bool> inside = gaps_inside_sentences(sentences, units);
  for (std::size_t k = 0; k < units.size(); ++k) units[k].sentence_goes_on = inside[k];
  return units;
}

std::optional<TextEvidence> text_evidence(const SelectionText& text, const std::vector<Unit>& units,
                                          const ThemeWords& words) {
  if (text.transcript == nullptr) return std::nullopt;
  if (!text.about.empty()) {
    return std::optional<TextEvidence>(std::in_place, *text.transcript, units,
                                       parse_about(text.about));
  }
  return std::optional<TextEvidence>(std::in_place, *text.transcript, units, words);
}

class Selector {
 public:
  Selector(const EpisodeAnalysis& a, const Theme& theme, const SelectionRequest& request)
      : a_(a),
        theme_(theme),
        sel_(theme.selection),
        request_(request),
        units_(with_sentences(
            build_units(a, {.cut_inside_music = sel_.cut_inside_music,
                            .split_at_breaths = request.landing == Landing::at_breaths,
                            .whole_clips = request.whole_clips}),
            request.text.transcript)),
        block_units_(units_of_blocks(units_, a.blocks.size())),
        timeline_(units_, {.crossfade_s = theme.crossfade_s,
                           .max_kept_pause_s = kMaxKeptPauseS,
                           .cut_inside_music = sel_.cut_inside_music}),
        text_(text_evidence(request.text, units_, sel_.words)),
        candidates_(a, sel_, units_, timeline_, block_units_, text_ ? &*text_ : nullptr),
        goal_{request.target_s, std::max(1.5, 0.02 * request.target_s)},
        fit_(candidates_, timeline_, units_, sel_, goal_) {}

  Result<EditList> run() const {
    if (units_.empty()) {
      return make_error(Errc::invalid_argument,
                        "the episode holds no speech or music to select from (it is all silence)");
    }
    const double target = goal_.target_s;
    const double primary_s = theme_material_s();
    const bool shortfall = primary_s < target - 0.5 * goal_.tolerance_s;
    Picks picks;
    Zones zones;
    Fill fill = Fill::none;
    if (shortfall) {
      // Use every bit of theme material, then fill from the fallback kinds.
      picks.ranges = candidates_.theme_runs();
      picks.locked = picks.ranges;
      picks.with_fallback = true;
      fit_.fit(picks, sel_.target_segment_s, zones.width_s);
      fill = Fill::shortfall;
    } else {
      // zones: those of the last attempt, which a top-up's swaps and the
      // method line use.
      picks.ranges = best_attempt(zones);
      if (request_.landing == Landing::fill_from_fallback &&
          std::abs(fit_.total(picks.ranges) - target) > goal_.aim_s() &&
          top_up(picks, zones.width_s)) {
        fill = Fill::topped_up;
      }
    }
    return assemble(std::move(picks.ranges), zones, fill, primary_s);
  }

 private:
  // Greedy fitting can get stuck a second or two off with coarse
  // utterances; other preferred segment lengths give other starts.
  std::vector<Range> best_attempt(Zones& zones) const {
    std::vector<Range> best;
    double best_err = std::numeric_limits<double>::infinity();
    for (double factor : {1.0, 0.6, 1.5, 0.4, 0.8}) {
      const double segment_s =
          std::clamp(sel_.target_segment_s * factor, sel_.min_segment_s, sel_.max_segment_s);
      Picks attempt;
      if (sel_.spread_over_episode) {
        zones = pick_per_zone(attempt.ranges, segment_s);
      } else {
        pick_best_first(attempt.ranges, segment_s);
      }
      fit_.fit(attempt, segment_s, zones.width_s);
      double err = std::abs(fit_.total(attempt.ranges) - goal_.target_s);
      if (err < best_err) {
        best_err = err;
        best = attempt.ranges;
      }
      if (err <= goal_.aim_s()) break;
    }
    return best;
  }

  // Brings theme material under the target (dropping its weakest units or
  // runs), keeps it, and fills the rest from the fallback kinds. False when
  // nothing is left to drop before the theme material is under the target.
  bool top_up(Picks& picks, double zone_width_s) const {
    if (!fit_.shrink_under_target(picks)) return false;
    picks.locked = picks.ranges;
    picks.with_fallback = true;
    picks.uncapped = false;
    fit_.fit(picks, sel_.target_segment_s, zone_width_s);
    return true;
  }

  void pick_best_first(std::vector<Range>& ranges, double segment_s) const {
    auto ws = candidates_.windows(segment_s, false);
    sort_best_first(ws);
    for (const Window& w : ws) {
      if (fit_.total(ranges) >= goal_.target_s) break;
      if (!DurationFit::overlaps(w.r, ranges)) {
        ranges.push_back(w.r);
        fit_.normalize(ranges);
      }
    }
  }

  Zones pick_per_zone(std::vector<Range>& ranges, double segment_s) const {
    double d = std::max(a_.duration_s, units_.back().end);
    int zones = std::max(3, static_cast<int>(std::lround(goal_.target_s / segment_s)));
    // Narrow first and last zones make the picks reach both ends of the show:
    // the span drawn on is then at least 1 - 2/12 of it.
    double edge = std::min(d / zones, d / 12.0);
    std::vector<double> bounds{0.0, edge};
    for (int z = 1; z < zones - 1; ++z) {
      bounds.push_back(edge + (d - 2 * edge) * z / (zones - 2));
    }
    bounds.back() = d - edge;
    bounds.push_back(d);
    auto ws = candidates_.windows(segment_s, false);
    const std::size_t last_zone = bounds.size() - 2;
    for (std::size_t z = 0; z <= last_zone; ++z) {
      const Window* best = nullptr;
      for (const Window& w : ws) {
        if (DurationFit::overlaps(w.r, ranges)) continue;
        double in = timeline_.in_point(w.r.first);
        double out = timeline_.out_point(w.r.last);
        bool here = z == 0           ? in < bounds[1]
                    : z == last_zone ? out >= bounds[last_zone]
                                     : in >= bounds[z] && in < bounds[z + 1];
        if (!here) continue;
        if (best == nullptr || w.value > best->value) best = &w;
      }
      // Nothing to the theme's taste at an end of the show: the run nearest to it.
      if (best == nullptr && (z == 0 || z == last_zone)) {
        for (const Window& w : ws) {
          if (DurationFit::overlaps(w.r, ranges)) continue;
          if (best == nullptr || (z == 0 ? w.r.first < best->r.first : w.r.last > best->r.last)) {
            best = &w;
          }
        }
      }
      if (best != nullptr) {
        ranges.push_back(best->r);
        fit_.normalize(ranges);
      }
    }
    Zones out;
    out.count = static_cast<int>(bounds.size()) - 1;
    out.width_s = d / out.count;
    return out;
  }

  // Theme material in the episode, as mix seconds if all of it were used.
  double theme_material_s() const {
    double total = 0.0;
    for (const Range& r : candidates_.theme_runs()) total += timeline_.body(r);
    return total;
  }

  EditList assemble(std::vector<Range> ranges, const Zones& zones, Fill fill,
                    double primary_s) const {
    const double target = goal_.target_s;
    EditList list;
    list.crossfade_s = theme_.crossfade_s;
    list.selection_method = method(zones, fill);
    DurationFit::sort_ranges(ranges);
    double mix_t = 0.0;
    for (const Range& r : ranges) {
      EditSegment seg = describe(r);
      seg.mix_start_s = mix_t;
      mix_t += seg.mix_duration_s();
      list.segments.push_back(std::move(seg));
    }
    list.duration_s = mix_t;
    double fallback_s = 0.0;
    for (const auto& seg : list.segments) {
      auto kind = parse_block_kind(seg.kind);
      if (kind && candidates_.weight(*kind, false) <= 0.0) fallback_s += seg.mix_duration_s();
    }
    const std::string fallback_kinds = kinds_text(sel_.fallback_weights);
    if (fill == Fill::topped_up) {
      list.warnings.push_back(theme_.name + " material comes in utterances too long to land on " +
                              number_text("%.1f", target) + " s; filled " +
                              number_text("%.1f", fallback_s) + " s from the fallback (" +
                              fallback_kinds + ")");
    }
    if (fill == Fill::shortfall) {
      list.warnings.push_back(
          "the episode holds only " + number_text("%.1f", primary_s) + " s of " + theme_.name +
          " material (" + kinds_text(sel_.kind_weights) + ") for a " + number_text("%.1f", target) +
          " s mix; used all of it and filled " + number_text("%.1f", fallback_s) +
          " s from the fallback (" + fallback_kinds + ")");
    }
    if (list.duration_s < target - goal_.tolerance_s) {
      list.warnings.push_back("the mix is " + number_text("%.1f", list.duration_s) + " s, " +
                              number_text("%.1f", target - list.duration_s) + " s short of the " +
                              number_text("%.1f", target) +
                              " s target: the episode has no more usable material for this theme");
    } else if (list.duration_s > target + goal_.tolerance_s) {
      list.warnings.push_back("the mix is " + number_text("%.1f", list.duration_s) + " s, " +
                              number_text("%.1f", list.duration_s - target) + " s over the " +
                              number_text("%.1f", target) +
                              " s target: no utterance boundary fits closer");
    }
    return list;
  }

  EditSegment describe(const Range& r) const {
    EditSegment seg;
    seg.start_s = std::max(0.0, timeline_.in_point(r.first));
    seg.end_s = timeline_.out_point(r.last);
    seg.dropped = timeline_.dropped(r);
    const Unit& u0 = units_[static_cast<std::size_t>(r.first)];
    if (u0.block < 0) {
      seg.kind = u0.sound == SoundClass::music ? "music" : "banter";
      seg.description = "unclassified material";
      return seg;
    }
    const Block& b = a_.blocks[static_cast<std::size_t>(u0.block)];
    const BlockKind kind = segment_kind(r);
    const bool by_words = kind != b.kind;
    seg.kind = kind_name(kind);
    seg.confidence = b.confidence;
    if (text_) {
      seg.text = text_between(*request_.text.transcript, seg.start_s, seg.end_s);
      seg.matched = text_->matched(r);
      if (text_->about()) seg.score = text_->relevance(r);
    }
    std::string who;
    if (b.speaker == 0) who = " by host A";
    if (b.speaker == 1) who = " by host B";
    bool fallback = candidates_.weight(kind, false) <= 0.0;
    seg.description =
        std::string(fallback ? "fallback " : "") + seg.kind +
        (by_words ? " by its words (sounds like " + std::string(kind_name(b.kind)) + ")" : "") +
        who + " at " + clock_text(seg.start_s) + " (" + number_text("%.0f", seg.mix_duration_s()) +
        " s";
    if (sel_.engagement_weight > 0.0) {
      seg.description += ", engagement " + number_text("%.2f", b.engagement);
    }
    seg.description += ", confidence " + number_text("%.2f", b.confidence) + ")";
    if (!b.why.empty()) seg.description += ": " + b.why;
    return seg;
  }

  // The kind most of the run's time counts as.
  BlockKind segment_kind(const Range& r) const {
    std::map<BlockKind, double> time;
    for (int u = r.first; u <= r.last; ++u) {
      if (auto k = candidates_.kind_of(u)) {
        const Unit& unit = units_[static_cast<std::size_t>(u)];
        time[*k] += unit.end - unit.start;
      }
    }
    BlockKind best =
        a_.blocks[static_cast<std::size_t>(units_[static_cast<std::size_t>(r.first)].block)].kind;
    double best_s = -1.0;
    for (const auto& [k, s] : time) {
      if (s > best_s) {
        best = k;
        best_s = s;
      }
    }
    return best;
  }

  std::string method(const Zones& zones, Fill fill) const {
    std::string m = theme_.name + ": " + kinds_text(sel_.kind_weights);
    if (text_ && text_->about()) {
      m = theme_.name + "'s sound, about \"" + quoted_input(request_.text.about) +
          "\": transcript sentences ranked by BM25 (stemmed, phrases above words)";
    }
    if (fill == Fill::shortfall) {
      m += ", all of it, filled from " + kinds_text(sel_.fallback_weights);
    } else if (sel_.spread_over_episode) {
      m += ", best run in each of " + std::to_string(zones.count) + " zones across the episode";
    } else {
      m += ", highest-scoring runs first";
    }
    if (sel_.engagement_weight > 0.0) m += ", engagement-weighted";
    if (candidates_.text() != nullptr && !text_->about()) {
      m += ", by sound and the transcript's words";
    }
    if (request_.landing == Landing::at_breaths) m += ", cut at breaths inside long utterances";
    if (fill == Fill::topped_up) m += ", topped up from " + kinds_text(sel_.fallback_weights);
    return m + "; fitted to " + number_text("%.1f", goal_.target_s) + " s at utterance boundaries";
  }

  const EpisodeAnalysis& a_;
  const Theme& theme_;
  const ThemeSelection& sel_;
  SelectionRequest request_;
  std::vector<Unit> units_;
  std::vector<Range> block_units_;
  Timeline timeline_;
  std::optional<TextEvidence> text_;
  Candidates candidates_;
  FitGoal goal_;
  DurationFit fit_;
};

}  // namespace

Result<EditList> select_for_theme(const EpisodeAnalysis& a, const Theme& theme,
                                  const SelectionRequest& request) {
  return Selector(a, theme, request).run();
}

}  // namespace namix::selection
