#include "select/segment_text.h"

#include <cmath>
#include <cstdio>

#include "select/theme.h"

namespace namix::selection {

std::string number_text(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string clock_text(double s) {
  int t = static_cast<int>(std::lround(s));
  char buf[32];
  if (t >= 3600) {
    std::snprintf(buf, sizeof buf, "%d:%02d:%02d", t / 3600, (t / 60) % 60, t % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%d:%02d", t / 60, t % 60);
  }
  return buf;
}

std::string kinds_text(const std::map<BlockKind, double>& weights) {
  std::string out;
  for (const auto& [k, w] : weights) {
    if (w > 0.0) out += (out.empty() ? "" : ", ") + std::string(kind_name(k));
  }
  return out.empty() ? "none" : out;
}

}  // namespace namix::selection
