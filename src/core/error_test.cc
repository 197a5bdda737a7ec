#include "core/error.h"

#include <gtest/gtest.h>

#include <string>

namespace namix {
namespace {

TEST(QuotedInput, ShortTextIsQuotedAsItIs) {
  EXPECT_EQ(quoted_input("Polka Party"), "Polka Party");
  EXPECT_EQ(quoted_input("Café"), "Café");
  EXPECT_EQ(quoted_input(""), "");
}

TEST(QuotedInput, LongTextIsCutAndMarked) {
  const std::string name(60 * 1024, 'x');
  const std::string quoted = quoted_input(name);
  EXPECT_EQ(quoted, std::string(kMaxQuotedInputBytes, 'x') + "…");
}

TEST(QuotedInput, CutsAtACharacterBoundary) {
  // One byte short of the cap, then a 2-byte 'é': it does not fit, so it goes whole.
  const std::string text = std::string(kMaxQuotedInputBytes - 1, 'a') + "éé";
  EXPECT_EQ(quoted_input(text), std::string(kMaxQuotedInputBytes - 1, 'a') + "…");
}

TEST(QuotedInput, ControlCharactersAndNonUtf8BecomeQuestionMarks) {
  EXPECT_EQ(quoted_input("a\nb\r\tc\x7f"), "a?b??c?");
  EXPECT_EQ(quoted_input("\xff\xfe ok"), "?? ok");
  EXPECT_EQ(quoted_input("\xc3"), "?");              // a lead byte with nothing after it
  EXPECT_EQ(quoted_input("\xed\xa0\x80"), "???");    // a UTF-16 surrogate, not UTF-8
  EXPECT_EQ(quoted_input("\xc0\xaf"), "??");         // an overlong '/'
  EXPECT_EQ(quoted_input("\xf0\x9f\x8e\xa7"), "🎧");  // four bytes, well formed
}

}  // namespace
}  // namespace namix
