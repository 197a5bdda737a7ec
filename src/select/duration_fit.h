// Duration fitting: brings a set of picked runs to the target length by
// adding, dropping and swapping whole units, best material kept first.
#pragma once

#include <vector>

#include "select/candidates.h"
#include "select/theme.h"
#include "select/timeline.h"

namespace namix::selection {

// The runs one selection attempt holds, and what fitting may do with them.
struct Picks {
  std::vector<Range> ranges;
  std::vector<Range> locked;   // fitting never shortens these
  bool with_fallback = false;  // the fallback kinds are eligible
  bool uncapped = false;       // runs may grow past max_segment_s
};

struct FitGoal {
  double target_s = 0.0;
  double tolerance_s = 0.0;  // what the mix is held to
  // Fitting aims well inside the tolerance: the encoded MP3 adds its own few
  // milliseconds, and a 90 s mix is held to 1.5 s.
  double aim_s() const;
};

class DurationFit {
 public:
  // All references must outlive this object.
  DurationFit(const Candidates& candidates, const Timeline& timeline,
              const std::vector<Unit>& units, const ThemeSelection& sel, FitGoal goal);

  // Grows with the best material until the target is reached, shrinks by
  // the weakest material when over, closes the last gap by whatever single
  // or paired change lands nearest the target, and last swaps one run for
  // another. target_segment_s: the run length the theme prefers in this
  // attempt; zone_width_s: how far a spread theme may move a run.
  void fit(Picks& picks, double target_segment_s, double zone_width_s) const;
  // Drops the weakest units or runs until the picks are at or under the
  // target; false when it runs out of things to drop before that.
  bool shrink_under_target(Picks& picks) const;

  // Mix length of the runs.
  double total(const std::vector<Range>& rs) const;
  // Sorted, and runs that touch inside one block become one segment (two
  // segments there would crossfade a pause with itself).
  void normalize(std::vector<Range>& rs) const;
  static bool overlaps(const Range& r, const std::vector<Range>& rs);
  static void sort_ranges(std::vector<Range>& rs);

 private:
  struct Move {
    std::vector<Range> ranges;
    double total = 0.0;
    double quality = 0.0;  // score of what was added (grow) or removed (shrink)
  };

  std::vector<Move> grow_moves(const Picks& picks, const std::vector<Window>& ws) const;
  std::vector<Move> shrink_moves(const Picks& picks) const;
  void swap_for_fit(Picks& picks, const std::vector<Window>& ws, double zone_width_s) const;
  bool same_block(int i, int j) const;

  const Candidates& candidates_;
  const Timeline& timeline_;
  const std::vector<Unit>& units_;
  const ThemeSelection& sel_;
  FitGoal goal_;
};

}  // namespace namix::selection
