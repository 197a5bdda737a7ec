#include "core/ascii_text.h"

#include <gtest/gtest.h>

namespace namix {
namespace {

TEST(AsciiLower, FoldsOnlyAsciiCapitals) {
  EXPECT_EQ(ascii_lower("Content-Type"), "content-type");
  EXPECT_EQ(ascii_lower("MULTIPART/Form-Data; Boundary=X"), "multipart/form-data; boundary=x");
  EXPECT_EQ(ascii_lower("az09_-@[`{"), "az09_-@[`{");  // the bytes beside A-Z stay
  EXPECT_EQ(ascii_lower(""), "");
}

TEST(AsciiLower, LeavesNonAsciiBytesAlone) {
  // "Ärger" in UTF-8: the two bytes of Ä are above 0x7f and must not change.
  EXPECT_EQ(ascii_lower("\xC3\x84RGER"), "\xC3\x84rger");
  const std::string all_high = "\x80\xC0\xDF\xFF";
  EXPECT_EQ(ascii_lower(all_high), all_high);
}

TEST(TrimWhitespace, DropsSpacesTabsAndLineEndsAtBothEnds) {
  EXPECT_EQ(trim_whitespace(" \t audio/mpeg\r\n"), "audio/mpeg");
  EXPECT_EQ(trim_whitespace("a b"), "a b");
  EXPECT_EQ(trim_whitespace(" \r\n\t "), "");
}

}  // namespace
}  // namespace namix
