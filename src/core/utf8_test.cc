#include "core/utf8.h"

#include <gtest/gtest.h>

namespace namix {
namespace {

TEST(Utf8, AcceptsEveryLengthOfSequence) {
  EXPECT_TRUE(valid_utf8(""));
  EXPECT_TRUE(valid_utf8("plain ascii"));
  EXPECT_TRUE(valid_utf8("\xC3\xA9"));          // U+00E9
  EXPECT_TRUE(valid_utf8("\xE2\x82\xAC"));      // U+20AC
  EXPECT_TRUE(valid_utf8("\xF0\x9F\x8E\x99"));  // U+1F399
  EXPECT_TRUE(valid_utf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF, the last code point
}

TEST(Utf8, FindsTheFirstBrokenSequence) {
  // RFC 3629 section 3 and the examples of Markus Kuhn's UTF-8 stress test.
  EXPECT_EQ(first_invalid_utf8("ab\xC3"), 2u);            // truncated
  EXPECT_EQ(first_invalid_utf8("a\xC0\x80"), 1u);         // overlong NUL
  EXPECT_EQ(first_invalid_utf8("\xE0\x80\xAF"), 0u);      // overlong '/'
  EXPECT_EQ(first_invalid_utf8("ok\xED\xA0\x80"), 2u);    // surrogate U+D800
  EXPECT_EQ(first_invalid_utf8("\xF4\x90\x80\x80"), 0u);  // U+110000
  EXPECT_EQ(first_invalid_utf8("\xC3\xA9\x80"), 2u);      // stray continuation byte
  EXPECT_EQ(first_invalid_utf8("\xE2\x82"
                               "A"),
            0u);                                         // broken continuation
  EXPECT_EQ(first_invalid_utf8("caf\xE9 latin-1"), 3u);  // ISO-8859-1 e-acute
  EXPECT_EQ(first_invalid_utf8("\xFF"), 0u);
}

}  // namespace
}  // namespace namix
