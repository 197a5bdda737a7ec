// Which selection lands: whole utterances of theme material first, then the
// fallback kinds or cuts at breaths, whichever keeps the mix nearest the
// target and most to the theme. The mix holds no dead air over 1 s and every
// cut lies in a pause (see timeline.h); the selector (selector.h) and the
// whole-episode plan (whole_episode.h) build the lists.
#include "select/edit_list.h"

#include <cmath>

#include "select/about_ranking.h"
#include "select/segment_text.h"
#include "select/selector.h"
#include "select/whole_episode.h"

namespace namix {

using selection::Landing;
using selection::number_text;
using selection::select_for_theme;

Result<EditList> select_segments(const EpisodeAnalysis& analysis, const Theme& theme,
                                 std::optional<double> target_s, const SelectionText& text) {
  if (!text.about.empty() && text.transcript == nullptr) {
    return make_error(Errc::invalid_argument,
                      "--about needs a transcript: add --transcript FILE|URL (or a feed that "
                      "publishes one)");
  }
  if (!text.about.empty() && selection::parse_about(text.about).empty()) {
    return make_error(Errc::invalid_argument,
                      "--about holds no words to look for; describe the subject, e.g. --about "
                      "\"gas stoves, electric car mandate\"");
  }
  if (!target_s) {
    auto whole = selection::whole_episode(analysis, theme);
    if (text.transcript != nullptr) {
      for (auto& seg : whole.segments) {
        seg.text = text_between(*text.transcript, seg.start_s, seg.end_s);
      }
    }
    return whole;
  }
  double t = *target_s;
  if (!std::isfinite(t) || t <= 0.0) {
    return make_error(Errc::invalid_argument,
                      "duration must be a positive number of seconds (got " + number_text("%g", t) +
                          "); use e.g. --duration 90, or --duration full for the whole episode");
  }
  if (t > analysis.duration_s) {
    return make_error(Errc::invalid_argument,
                      "duration " + number_text("%.1f", t) + " s is longer than the episode (" +
                          number_text("%.1f", analysis.duration_s) +
                          " s); choose a shorter duration, or --duration full for the whole "
                          "episode");
  }
  // A landing is good within the 1.5 s a 90 s mix is held to, with 0.3 s to
  // spare, whatever the target.
  constexpr double kGoodLandingS = 1.5 - 0.3;
  auto err = [t](const EditList& l) { return std::abs(l.duration_s - t); };
  auto theme_share = [&](const EditList& l) {
    double theme_s = 0.0;
    for (const auto& seg : l.segments) {
      // --about: the passages that talk about it are the theme.
      if (!text.about.empty()) {
        if (seg.score.value_or(0.0) > 0.0) theme_s += seg.mix_duration_s();
        continue;
      }
      auto kind = parse_block_kind(seg.kind);
      auto w = kind ? theme.selection.kind_weights.find(*kind) : theme.selection.kind_weights.end();
      if (w != theme.selection.kind_weights.end() && w->second > 0.0) {
        theme_s += seg.mix_duration_s();
      }
    }
    return l.duration_s > 0.0 ? theme_s / l.duration_s : 0.0;
  };
  auto select = [&](Landing landing, bool whole_clips) {
    return select_for_theme(
        analysis, theme,
        {.target_s = t, .landing = landing, .whole_clips = whole_clips, .text = text});
  };
  // Clips are taken whole where that lands on the target, topped up from the
  // fallback if need be; cutting inside a clip comes after everything else.
  auto clip = theme.selection.kind_weights.find(BlockKind::clip);
  if (clip != theme.selection.kind_weights.end() && clip->second > 0.0) {
    auto whole = select(Landing::whole_utterances, true);
    if (whole && err(*whole) <= kGoodLandingS) return whole;
    auto topped = select(Landing::fill_from_fallback, true);
    if (topped && err(*topped) <= kGoodLandingS && theme_share(*topped) >= 0.85) return topped;
  }
  auto plain = select(Landing::whole_utterances, false);
  if (!plain) return plain;
  // When whole utterances of theme material cannot land near the target:
  // top up from the fallback (every cut stays in a real pause) if the theme
  // still holds 90 % of the mix, else cut at breaths inside long utterances
  // (about one such cut in ten lands on a pause inside a sentence), else top
  // up as long as the theme keeps 80 %.
  if (err(*plain) <= kGoodLandingS) return plain;
  auto filled = select(Landing::fill_from_fallback, false);
  bool filled_lands = filled && err(*filled) <= kGoodLandingS;
  if (filled_lands && theme_share(*filled) >= 0.9) return filled;
  auto breathing = select(Landing::at_breaths, false);
  if (breathing && err(*breathing) <= kGoodLandingS) return breathing;
  if (filled_lands && theme_share(*filled) >= 0.8) return filled;
  Result<EditList>* best = &plain;
  for (auto* candidate : {&filled, &breathing}) {
    if (candidate->ok() && err(**candidate) < err(**best)) best = candidate;
  }
  return std::move(*best);
}

}  // namespace namix
