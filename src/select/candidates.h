// What a theme makes of the units: each unit's score from the evidence about
// it, and the candidate runs (windows) a selection is built from.
#pragma once

#include <vector>

#include "analysis/episode_analysis.h"
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
  double score() const { return kind_weight * confidence * engagement; }
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
  // All references must outlive this object.
  Candidates(const EpisodeAnalysis& a, const ThemeSelection& sel, const std::vector<Unit>& units,
             const Timeline& timeline, const std::vector<Range>& block_units);

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
  // The shortest segment worth taking. Filling a shortfall may take a short
  // run to land on the target.
  double min_segment_s(bool with_fallback) const;

  // Every run of eligible units inside one block whose length suits the
  // theme, in unit order; target_segment_s is the length it prefers.
  std::vector<Window> windows(double target_segment_s, bool with_fallback) const;

 private:
  WindowScore score_window(const Range& r, double content, double length_s,
                           double target_segment_s) const;

  const EpisodeAnalysis& a_;
  const ThemeSelection& sel_;
  const std::vector<Unit>& units_;
  const Timeline& timeline_;
  const std::vector<Range>& block_units_;
};

}  // namespace namix::selection
