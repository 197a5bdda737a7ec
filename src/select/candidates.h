// What a theme makes of the units: each unit's score from the evidence about
// it, and the candidate runs (windows) a selection is built from.
#pragma once

#include <optional>
#include <vector>

#include "analysis/episode_analysis.h"
#include "select/text_evidence.h"
#include "select/theme.h"
#include "select/timeline.h"

namespace namix::selection {

// A unit's worth to the theme: the product of independent evidence terms,
// each 1 where it has nothing to say, so another source of evidence joins as
// one more factor.
struct UnitEvidence {
  double kind_weight = 0.0;  // the theme's weight for the block's kind; 0: not wanted
  double confidence = 1.0;   // how sure analysis is of the kind
  double engagement = 1.0;   // how lively the block is, as much as the theme cares
  double words = 1.0;        // how far the transcript's words speak for the theme
  // The words alone make the unit theme material, whatever its sound.
  bool by_words = false;
  // The words overrule the sound: no theme material, whatever it sounds like.
  bool denied_by_words = false;
  double score() const { return kind_weight * confidence * engagement * words; }
};

// A candidate run's worth, likewise a product.
struct WindowScore {
  double content = 0.0;     // the units' scores, weighted by their durations
  double length_fit = 0.0;  // 1 at the theme's preferred segment length
  double edges = 0.0;       // how clean its two cuts are
  double value() const { return content * length_fit * edges; }
};

struct Window {
  Range r;
  double value = 0.0;
};

// Highest value first; equal values keep their order.
void sort_best_first(std::vector<Window>& ws);

class Candidates {
 public:
  // All references must outlive this object. `text`: what the transcript
  // says of each unit; null without one.
  Candidates(const EpisodeAnalysis& a, const ThemeSelection& sel, const std::vector<Unit>& units,
             const Timeline& timeline, const std::vector<Range>& block_units,
             const TextEvidence* text = nullptr);

  // The theme's weight for a kind; with_fallback: the fallback kinds count
  // too, always below theme material.
  double weight(BlockKind kind, bool with_fallback) const;
  UnitEvidence evidence(int unit, bool with_fallback) const;
  double unit_score(int unit, bool with_fallback) const {
    return evidence(unit, with_fallback).score();
  }
  bool eligible(int unit, bool with_fallback) const {
    return unit_score(unit, with_fallback) > 0.0;
  }
  // The kind a unit counts as for the theme: the theme's own first kind
  // where the words alone make it theme material, banter where they deny
  // it, else its block's; nullopt for a unit outside every block.
  std::optional<BlockKind> kind_of(int unit) const;
  // The runs of theme material, each inside one block: without words, the
  // blocks of the theme's kinds; with them, the runs of units they or the
  // sound make theme material.
  std::vector<Range> theme_runs() const;
  const TextEvidence* text() const { return text_; }
  // The shortest segment worth taking. Filling a shortfall may take a short
  // run to land on the target.
  double min_segment_s(bool with_fallback) const;

  // Every run of eligible units inside one block whose length suits the
  // theme, in unit order; target_segment_s is the length it prefers.
  std::vector<Window> windows(double target_segment_s, bool with_fallback) const;

 private:
  UnitEvidence about_evidence(int unit, bool with_fallback, UnitEvidence e) const;
  WindowScore score_window(const Range& r, double content, double length_s,
                           double target_segment_s) const;

  const EpisodeAnalysis& a_;
  const ThemeSelection& sel_;
  const std::vector<Unit>& units_;
  const Timeline& timeline_;
  const std::vector<Range>& block_units_;
  const TextEvidence* text_;
  BlockKind words_kind_ = BlockKind::banter;  // what the words make a unit
};

}  // namespace namix::selection
