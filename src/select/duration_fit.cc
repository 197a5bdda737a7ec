#include "select/duration_fit.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace namix::selection {

double FitGoal::aim_s() const { return std::min(0.5, 0.5 * tolerance_s); }

DurationFit::DurationFit(const Candidates& candidates, const Timeline& timeline,
                         const std::vector<Unit>& units, const ThemeSelection& sel, FitGoal goal)
    : candidates_(candidates), timeline_(timeline), units_(units), sel_(sel), goal_(goal) {}

double DurationFit::total(const std::vector<Range>& rs) const {
  if (rs.empty()) return 0.0;
  double t = 0.0;
  for (const Range& r : rs) t += timeline_.body(r);
  return t;
}

bool DurationFit::overlaps(const Range& r, const std::vector<Range>& rs) {
  for (const Range& x : rs) {
    if (r.first <= x.last && x.first <= r.last) return true;
  }
  return false;
}

void DurationFit::sort_ranges(std::vector<Range>& rs) {
  std::sort(rs.begin(), rs.end(), [](const Range& x, const Range& y) { return x.first < y.first; });
}

bool DurationFit::same_block(int i, int j) const {
  return units_[static_cast<std::size_t>(i)].block == units_[static_cast<std::size_t>(j)].block;
}

void DurationFit::normalize(std::vector<Range>& rs) const {
  sort_ranges(rs);
  std::vector<Range> out;
  for (const Range& r : rs) {
    if (!out.empty() && r.first == out.back().last + 1 && same_block(r.first, out.back().last)) {
      out.back().last = r.last;
    } else {
      out.push_back(r);
    }
  }
  rs = std::move(out);
}

namespace {

bool locked(const Picks& picks, int unit) {
  for (const Range& r : picks.locked) {
    if (unit >= r.first && unit <= r.last) return true;
  }
  return false;
}

bool any_locked(const Picks& picks, const Range& r) {
  bool any = false;
  for (int u = r.first; u <= r.last; ++u) any = any || locked(picks, u);
  return any;
}

}  // namespace

void DurationFit::fit(Picks& picks, double target_segment_s, double zone_width_s) const {
  const double target = goal_.target_s;
  const double aim = goal_.aim_s();
  auto ws = candidates_.windows(target_segment_s, picks.with_fallback);
  sort_best_first(ws);
  // The nearest move to the target that still improves on error e.
  auto nearest = [&](const std::vector<Move>& moves, double e) {
    const Move* best = nullptr;
    for (const Move& m : moves) {
      if (std::abs(m.total - target) >= std::abs(e)) continue;
      if (best == nullptr || std::abs(m.total - target) < std::abs(best->total - target)) {
        best = &m;
      }
    }
    return best;
  };
  for (int iter = 0; iter < 2000; ++iter) {
    double e = total(picks.ranges) - target;
    if (e >= -aim) break;
    auto moves = grow_moves(picks, ws);
    const Move* best = nullptr;
    for (const Move& m : moves) {
      if (m.total - target > aim) continue;
      if (best == nullptr || m.quality > best->quality) best = &m;
    }
    if (best == nullptr) best = nearest(moves, e);
    if (best == nullptr) {
      // Out of material within max_segment_s: let segments grow longer
      // rather than leave the mix short.
      if (picks.uncapped || !moves.empty()) break;
      picks.uncapped = true;
      continue;
    }
    picks.ranges = best->ranges;
  }
  for (int iter = 0; iter < 2000; ++iter) {
    double e = total(picks.ranges) - target;
    if (e <= aim) break;
    auto moves = shrink_moves(picks);
    const Move* best = nullptr;
    for (const Move& m : moves) {
      if (m.total - target < -aim) continue;
      if (best == nullptr || m.quality < best->quality) best = &m;
    }
    if (best == nullptr) best = nearest(moves, e);
    if (best == nullptr) break;
    picks.ranges = best->ranges;
  }
  // Polish: one grow plus one shrink (a swap of units) when no single step
  // lands inside the aim.
  for (int iter = 0; iter < 20; ++iter) {
    double e = total(picks.ranges) - target;
    if (std::abs(e) <= aim) break;
    std::vector<Range> best_ranges;
    double best_err = std::abs(e);
    auto consider = [&](const std::vector<Range>& rs) {
      double err = std::abs(total(rs) - target);
      if (err < best_err - 1e-9) {
        best_err = err;
        best_ranges = rs;
      }
    };
    const auto saved = picks.ranges;
    auto first_moves = e < 0 ? grow_moves(picks, ws) : shrink_moves(picks);
    for (const Move& m : first_moves) {
      consider(m.ranges);
      picks.ranges = m.ranges;
      auto second = e < 0 ? shrink_moves(picks) : grow_moves(picks, ws);
      for (const Move& m2 : second) consider(m2.ranges);
      picks.ranges = saved;
    }
    if (best_ranges.empty()) break;
    picks.ranges = best_ranges;
  }
  if (std::abs(total(picks.ranges) - target) > aim) swap_for_fit(picks, ws, zone_width_s);
}

bool DurationFit::shrink_under_target(Picks& picks) const {
  const double target = goal_.target_s;
  for (int iter = 0; iter < 2000 && total(picks.ranges) > target; ++iter) {
    auto moves = shrink_moves(picks);
    const Move* best = nullptr;
    for (const Move& m : moves) {
      bool under = m.total <= target;
      bool best_under = best != nullptr && best->total <= target;
      if (best == nullptr || (under && !best_under) ||
          (under && best_under && m.total > best->total) ||
          (!under && !best_under && m.total < best->total)) {
        best = &m;
      }
    }
    if (best == nullptr) return false;
    picks.ranges = best->ranges;
  }
  return true;
}

std::vector<DurationFit::Move> DurationFit::grow_moves(const Picks& picks,
                                                       const std::vector<Window>& ws) const {
  std::vector<Move> out;
  std::vector<Range> rs = picks.ranges;
  sort_ranges(rs);
  const bool with_fallback = picks.with_fallback;
  const bool cap = !picks.with_fallback && !picks.uncapped;
  auto push = [&](std::vector<Range> next, double quality) {
    std::size_t before = next.size();
    normalize(next);
    // A merge of two touching runs must respect the cap as well.
    if (cap && next.size() < before) {
      for (const Range& r : next) {
        if (timeline_.body(r) > sel_.max_segment_s) return;
      }
    }
    Move m{std::move(next), 0.0, quality};
    m.total = total(m.ranges);
    out.push_back(std::move(m));
  };
  for (std::size_t k = 0; k < rs.size(); ++k) {
    const Range r = rs[k];
    int left = r.first - 1;
    if (left >= 0 && same_block(left, r.first) && candidates_.eligible(left, with_fallback) &&
        (k == 0 || left > rs[k - 1].last)) {
      Range nr{left, r.last};
      if (!cap || timeline_.body(nr) <= sel_.max_segment_s) {
        auto next = rs;
        next[k] = nr;
        push(std::move(next),
             candidates_.unit_score(left, with_fallback) * timeline_.in_quality(left));
      }
    }
    int right = r.last + 1;
    if (right < static_cast<int>(units_.size()) && same_block(right, r.last) &&
        candidates_.eligible(right, with_fallback) &&
        (k + 1 == rs.size() || right < rs[k + 1].first)) {
      Range nr{r.first, right};
      if (!cap || timeline_.body(nr) <= sel_.max_segment_s) {
        auto next = rs;
        next[k] = nr;
        push(std::move(next),
             candidates_.unit_score(right, with_fallback) * timeline_.out_quality(right));
      }
    }
  }
  // The best windows overall, and the best ones that still fit in what is
  // missing (ws is sorted best first).
  double missing = goal_.target_s - total(rs) + 2.0 * goal_.tolerance_s;
  int added = 0;
  int fitting = 0;
  for (const Window& w : ws) {
    if (added >= 24 && fitting >= 24) break;
    bool fits = timeline_.body(w.r) <= missing;
    if (added >= 24 && !fits) continue;
    if (overlaps(w.r, rs)) continue;
    auto next = rs;
    next.push_back(w.r);
    push(std::move(next), w.value);
    ++added;
    if (fits) ++fitting;
  }
  return out;
}

std::vector<DurationFit::Move> DurationFit::shrink_moves(const Picks& picks) const {
  std::vector<Move> out;
  std::vector<Range> rs = picks.ranges;
  sort_ranges(rs);
  const bool with_fallback = picks.with_fallback;
  const double min_s = candidates_.min_segment_s(with_fallback);
  auto push = [&](std::vector<Range> next, double quality) {
    Move m{std::move(next), 0.0, quality};
    m.total = total(m.ranges);
    out.push_back(std::move(m));
  };
  for (std::size_t k = 0; k < rs.size(); ++k) {
    const Range r = rs[k];
    if (r.first < r.last) {
      if (!locked(picks, r.first)) {
        Range nr{r.first + 1, r.last};
        if (timeline_.body(nr) >= min_s) {
          auto next = rs;
          next[k] = nr;
          push(std::move(next), candidates_.unit_score(r.first, with_fallback) /
                                    std::max(0.1, timeline_.in_quality(r.first + 1)));
        }
      }
      if (!locked(picks, r.last)) {
        Range nr{r.first, r.last - 1};
        if (timeline_.body(nr) >= min_s) {
          auto next = rs;
          next[k] = nr;
          // Between equals, shorten the end: a segment keeps its opening.
          push(std::move(next), candidates_.unit_score(r.last, with_fallback) /
                                        std::max(0.1, timeline_.out_quality(r.last - 1)) -
                                    1e-6);
        }
      }
    }
    // The first and last picks are what make Best Of reach both ends of the show.
    bool anchors_spread = sel_.spread_over_episode && (k == 0 || k + 1 == rs.size());
    if (rs.size() > 1 && !any_locked(picks, r) && !anchors_spread) {
      auto next = rs;
      double q = 0.0;
      for (int u = r.first; u <= r.last; ++u) {
        q = std::max(q, candidates_.unit_score(u, with_fallback));
      }
      next.erase(next.begin() + static_cast<std::ptrdiff_t>(k));
      push(std::move(next), q);
    }
  }
  return out;
}

// Long utterances leave coarse steps: replace one segment by another run
// (the best-valued one that lands inside the aim, else the nearest). A
// spread theme only swaps within about a zone, so the spread holds.
void DurationFit::swap_for_fit(Picks& picks, const std::vector<Window>& ws,
                               double zone_width_s) const {
  const double target = goal_.target_s;
  const double aim = goal_.aim_s();
  std::vector<Range> rs = picks.ranges;
  sort_ranges(rs);
  std::vector<Range> best_ranges;
  double best_err = std::abs(total(rs) - target);
  bool landed = false;
  for (std::size_t k = 0; k < rs.size(); ++k) {
    if (any_locked(picks, rs[k])) continue;
    std::vector<Range> others = rs;
    others.erase(others.begin() + static_cast<std::ptrdiff_t>(k));
    double at = timeline_.in_point(rs[k].first);
    for (const Window& w : ws) {
      if (sel_.spread_over_episode &&
          std::abs(timeline_.in_point(w.r.first) - at) > 0.5 * zone_width_s) {
        continue;
      }
      if (overlaps(w.r, others)) continue;
      auto next = others;
      next.push_back(w.r);
      normalize(next);
      double err = std::abs(total(next) - target);
      if (err <= aim) {
        // ws is sorted best first: the first that lands is the one to take.
        if (!landed) {
          landed = true;
          best_ranges = next;
          best_err = err;
        }
        break;
      }
      if (!landed && err < best_err - 1e-9) {
        best_err = err;
        best_ranges = next;
      }
    }
  }
  if (!best_ranges.empty()) picks.ranges = best_ranges;
}

}  // namespace namix::selection
