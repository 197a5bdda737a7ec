// What the transcript tests share: text that must parse, and warnings.
//
// Test support only.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "transcript/transcript.h"

namespace namix {

inline Transcript parse_ok(const std::string& text, const char* display_name = "test") {
  auto t = parse_transcript(text, display_name);
  EXPECT_TRUE(t.ok()) << (t.ok() ? "" : t.error().message);
  return t.ok() ? std::move(t.value()) : Transcript{};
}

inline bool has_warning(const std::vector<std::string>& warnings, const std::string& part) {
  for (const auto& w : warnings) {
    if (w.find(part) != std::string::npos) return true;
  }
  return false;
}

}  // namespace namix
