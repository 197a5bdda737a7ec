// A one-line progress bar on stderr, drawn only when stderr is a terminal.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace namix {

class ProgressBar {
 public:
  explicit ProgressBar(bool enabled) : enabled_(enabled) {}
  void update(std::string_view stage, double fraction) {
    if (!enabled_) return;
    const int percent = static_cast<int>(fraction * 100.0 + 0.5);
    if (percent == last_percent_ && stage == last_stage_) return;
    last_percent_ = percent;
    last_stage_ = std::string(stage);
    constexpr int kWidth = 30;
    const int filled = percent * kWidth / 100;
    std::fprintf(stderr, "\r[%.*s%.*s] %3d%% %-10s", filled, "##############################",
                 kWidth - filled, "..............................", percent, last_stage_.c_str());
    std::fflush(stderr);
    drawn_ = true;
  }
  void finish() {
    if (drawn_) std::fprintf(stderr, "\r%60s\r", "");
    drawn_ = false;
  }

 private:
  bool enabled_;
  bool drawn_ = false;
  int last_percent_ = -1;
  std::string last_stage_;
};

}  // namespace namix
