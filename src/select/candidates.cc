#include "select/candidates.h"

#include <algorithm>

namespace namix::selection {
namespace {

// --about: a unit this close (match()) to relevant sentences belongs to
// their passage; speech far from any weighs this much as filler.
constexpr double kAboutAround = 0.25;
constexpr double kAboutFill = 0.05;
// A theme whose words weigh more than this against the sound lets them
// overrule it: its kind with a match() under kWordsDeny and no phrase of
// its own is plain talk.
constexpr double kWordsOutweigh = 0.5;
constexpr double kWordsDeny = 0.1;

}  // namespace

void sort_best_first(std::vector<Window>& ws) {
  std::stable_sort(ws.begin(), ws.end(),
                   [](const Window& x, const Window& y) { return x.value > y.value; });
}

Candidates::Candidates(const EpisodeAnalysis& a, const ThemeSelection& sel,
                       const std::vector<Unit>& units, const Timeline& timeline,
                       const std::vector<Range>& block_units, const TextEvidence* text)
    : a_(a),
      sel_(sel),
      units_(units),
      timeline_(timeline),
      block_units_(block_units),
      text_(text != nullptr && (text->about() || sel.words.weight > 0.0) ? text : nullptr) {
  double top = 0.0;
  for (const auto& [kind, w] : sel.kind_weights) {
    if (w > top) {
      top = w;
      words_kind_ = kind;
    }
  }
}

double Candidates::weight(BlockKind kind, bool with_fallback) const {
  auto it = sel_.kind_weights.find(kind);
  if (it != sel_.kind_weights.end() && it->second > 0.0) return it->second;
  if (with_fallback) {
    auto f = sel_.fallback_weights.find(kind);
    if (f != sel_.fallback_weights.end() && f->second > 0.0) return 0.5 * f->second;
  }
  return 0.0;
}

UnitEvidence Candidates::evidence(int unit, bool with_fallback) const {
  const Unit& u = units_[static_cast<std::size_t>(unit)];
  if (u.block < 0) return {};
  const Block& b = a_.blocks[static_cast<std::size_t>(u.block)];
  const double ew = sel_.engagement_weight;
  UnitEvidence e;
  e.kind_weight = weight(b.kind, with_fallback);
  e.confidence = 0.5 + 0.5 * b.confidence;
  e.engagement = 1.0 - ew + ew * b.engagement;
  if (text_ == nullptr) return e;
  if (text_->about()) return about_evidence(unit, with_fallback, e);
  // Sound and words: theme material by its sound weighs less where its
  // words say nothing for the theme; other speech becomes theme material
  // where it says a theme phrase itself and the words around it say enough,
  // as sure as they are (a plain line beside a read-out stays what it is).
  const double m = text_->match(unit);
  const double wt = sel_.words.weight;
  if (weight(b.kind, false) > 0.0 && wt > kWordsOutweigh && m < kWordsDeny && !text_->heard(unit)) {
    // Words that outweigh the sound and say nothing for the theme anywhere
    // near: what sounded like theme material is talk about something else.
    e.kind_weight = with_fallback ? 0.5 * weight(b.kind, false) * (1.0 - wt) : 0.0;
    e.denied_by_words = true;
  } else if (weight(b.kind, false) > 0.0) {
    e.words = 1.0 - wt + wt * m;
  } else if (m >= kWordsDecide && text_->heard(unit) && u.sound != SoundClass::music) {
    e.kind_weight = weight(words_kind_, false);
    e.confidence = 1.0;
    e.words = m;
    e.by_words = true;
  }
  return e;
}

// --about: what the passage talks about decides, not its kind; the theme
// only shapes its sound. Speech that says nothing of it fills a shortfall.
UnitEvidence Candidates::about_evidence(int unit, bool with_fallback, UnitEvidence e) const {
  const Unit& u = units_[static_cast<std::size_t>(unit)];
  const double m = text_->match(unit);
  e.confidence = 1.0;
  if (u.sound == SoundClass::music) {
    e.kind_weight = 0.0;
  } else if (text_->heard(unit) || m >= kAboutAround) {
    e.kind_weight = 1.0;
    e.words = m;
    e.by_words = true;
  } else {
    e.kind_weight = with_fallback ? kAboutFill : 0.0;
  }
  return e;
}

std::optional<BlockKind> Candidates::kind_of(int unit) const {
  const Unit& u = units_[static_cast<std::size_t>(unit)];
  if (u.block < 0) return std::nullopt;
  if (text_ != nullptr && !text_->about()) {
    const UnitEvidence e = evidence(unit, false);
    if (e.by_words) return words_kind_;
    if (e.denied_by_words) return BlockKind::banter;
  }
  return a_.blocks[static_cast<std::size_t>(u.block)].kind;
}

std::vector<Range> Candidates::theme_runs() const {
  std::vector<Range> out;
  if (text_ == nullptr) {
    for (std::size_t b = 0; b < a_.blocks.size(); ++b) {
      if (block_units_[b].first >= 0 && weight(a_.blocks[b].kind, false) > 0.0) {
        out.push_back(block_units_[b]);
      }
    }
    return out;
  }
  for (int i = 0; i < static_cast<int>(units_.size()); ++i) {
    if (!eligible(i, false)) continue;
    const int block = units_[static_cast<std::size_t>(i)].block;
    if (!out.empty() && out.back().last == i - 1 &&
        units_[static_cast<std::size_t>(i - 1)].block == block) {
      out.back().last = i;
    } else {
      out.push_back({i, i});
    }
  }
  return out;
}

double Candidates::min_segment_s(bool with_fallback) const {
  return with_fallback ? std::min(sel_.min_segment_s, 2.0) : sel_.min_segment_s;
}

std::vector<Window> Candidates::windows(double target_segment_s, bool with_fallback) const {
  std::vector<Window> out;
  for (int i = 0; i < static_cast<int>(units_.size()); ++i) {
    if (!eligible(i, with_fallback)) continue;
    const Range& block =
        block_units_[static_cast<std::size_t>(units_[static_cast<std::size_t>(i)].block)];
    double score_time = 0.0;
    double time = 0.0;
    for (int j = i; j <= block.last; ++j) {
      // Without words every unit of a block scores alike; with them a run
      // stops where its theme material does.
      if (j > i && !eligible(j, with_fallback)) break;
      const Unit& uj = units_[static_cast<std::size_t>(j)];
      score_time += unit_score(j, with_fallback) * (uj.end - uj.start);
      time += uj.end - uj.start;
      double len = timeline_.body({i, j});
      if (len > sel_.max_segment_s) break;
      bool whole_block = i == block.first && j == block.last;
      if (len < min_segment_s(with_fallback) && !whole_block) continue;
      Range r{i, j};
      out.push_back({r, score_window(r, score_time / time, len, target_segment_s).value()});
    }
  }
  return out;
}

WindowScore Candidates::score_window(const Range& r, double content, double length_s,
                                     double target_segment_s) const {
  const Range& block =
      block_units_[static_cast<std::size_t>(units_[static_cast<std::size_t>(r.first)].block)];
  WindowScore s;
  s.content = content;
  // Short runs are weak everywhere; long ones only matter when the theme
  // must spread (Best Of), a whole clip or rant is the point elsewhere.
  const double t = target_segment_s;
  const double over = sel_.spread_over_episode ? 1.0 : 0.25;
  s.length_fit =
      length_s <= t ? 1.0 / (1.0 + (t - length_s) / t) : 1.0 / (1.0 + over * (length_s - t) / t);
  s.edges = timeline_.in_quality(r.first) * timeline_.out_quality(r.last);
  // Starting where the block starts (the clip, the rant) sounds intended.
  if (r.first == block.first) s.edges *= 1.15;
  if (r.last == block.last) s.edges *= 1.15;
  return s;
}

}  // namespace namix::selection
