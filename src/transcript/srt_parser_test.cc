#include <gtest/gtest.h>

#include <string>

#include "transcript/transcript_test_support.h"

namespace namix {
namespace {

TEST(SrtParser, NumberedCuesWithCommaMillis) {
  const auto t = parse_ok(
      "1\n00:00:01,000 --> 00:00:04,250\nHello there,\n  general   Kenobi.\n\n"
      "2\n00:00:05,500 --> 00:00:07,000\nSecond cue\n");
  EXPECT_EQ(t.format, TranscriptFormat::srt);
  ASSERT_EQ(t.cues.size(), 2u);
  EXPECT_DOUBLE_EQ(t.cues[0].start_s, 1.0);
  EXPECT_DOUBLE_EQ(t.cues[0].end_s, 4.25);
  EXPECT_EQ(t.cues[0].text, "Hello there, general Kenobi.");
  EXPECT_EQ(t.cues[0].speaker, "");
  EXPECT_EQ(t.cues[1].text, "Second cue");
  EXPECT_DOUBLE_EQ(t.cues[1].start_s, 5.5);
  EXPECT_TRUE(t.warnings.empty());
}

TEST(SrtParser, UnnumberedPeriodMillisCrlfAndBom) {
  const auto t = parse_ok(
      "\xEF\xBB\xBF"
      "00:00:01.5 --> 00:00:02.75\r\nfirst\r\n\r\n00:01:00.000 --> 00:01:02.000\r\nsecond\r\n");
  ASSERT_EQ(t.cues.size(), 2u);
  EXPECT_DOUBLE_EQ(t.cues[0].start_s, 1.5);
  EXPECT_DOUBLE_EQ(t.cues[0].end_s, 2.75);
  EXPECT_EQ(t.cues[0].text, "first");
  EXPECT_DOUBLE_EQ(t.cues[1].start_s, 60.0);
}

TEST(SrtParser, StylingTagsAndEntitiesAreStripped) {
  const auto t = parse_ok(
      "1\n00:00:01,000 --> 00:00:03,000\n{\\an8}<i>Rock</i> &amp; <b>roll</b> "
      "<font color=\"#ff0000\">forever</font> &lt;3 &#233;t&#xE9;\n");
  ASSERT_EQ(t.cues.size(), 1u);
  EXPECT_EQ(t.cues[0].text, "Rock & roll forever <3 \u00E9t\u00E9");
}

TEST(SrtParser, LiteralAngleBracketsStayText) {
  const auto t = parse_ok("1\n00:00:01,000 --> 00:00:03,000\nI <3 you and a < b\n");
  ASSERT_EQ(t.cues.size(), 1u);
  EXPECT_EQ(t.cues[0].text, "I <3 you and a < b");
}

TEST(SrtParser, HoursPastNinetyNine) {
  const auto t = parse_ok("1\n123:00:01,000 --> 123:00:02,500\nlate\n");
  ASSERT_EQ(t.cues.size(), 1u);
  EXPECT_DOUBLE_EQ(t.cues[0].start_s, 123 * 3600.0 + 1.0);
}

TEST(SrtParser, MissingBlankLineBetweenCues) {
  const auto t = parse_ok(
      "1\n00:00:01,000 --> 00:00:02,000\nfirst line\n2\n00:00:03,000 --> 00:00:04,000\nsecond\n");
  ASSERT_EQ(t.cues.size(), 2u);
  EXPECT_EQ(t.cues[0].text, "first line");
  EXPECT_EQ(t.cues[1].text, "second");
}

TEST(SrtParser, RecurringNamePrefixIsTheSpeaker) {
  const auto t = parse_ok(
      "1\n00:00:01,000 --> 00:00:02,000\nAlex: Good morning.\n\n"
      "2\n00:00:02,500 --> 00:00:04,000\nDr. Blake Smith: Morning, Alex.\n\n"
      "3\n00:00:04,500 --> 00:00:06,000\nAlex: Ready?\n\n"
      "4\n00:00:06,500 --> 00:00:08,000\nDr. Blake Smith: Yes.\n\n"
      "5\n00:00:08,500 --> 00:00:10,000\nNote: this one names nobody\n\n"
      "6\n00:00:10,500 --> 00:00:12,000\nhere's the thing: lower case\n");
  ASSERT_EQ(t.cues.size(), 6u);
  EXPECT_EQ(t.cues[0].speaker, "Alex");
  EXPECT_EQ(t.cues[0].text, "Good morning.");
  EXPECT_EQ(t.cues[1].speaker, "");  // "Dr." carries a period: not a name prefix
  EXPECT_EQ(t.cues[2].speaker, "Alex");
  EXPECT_EQ(t.cues[4].speaker, "");
  EXPECT_EQ(t.cues[4].text, "Note: this one names nobody");
  EXPECT_EQ(t.cues[5].speaker, "");
}

TEST(SrtParser, TwoWordNamesAreSpeakers) {
  const auto t = parse_ok(
      "00:00:01,000 --> 00:00:02,000\nBlake Smith: one\n\n"
      "00:00:03,000 --> 00:00:04,000\nBlake Smith: two\n");
  ASSERT_EQ(t.cues.size(), 2u);
  EXPECT_EQ(t.cues[1].speaker, "Blake Smith");
  EXPECT_EQ(t.cues[1].text, "two");
}

TEST(SrtParser, DisorderedAndBrokenCuesAreRepairedAndCounted) {
  const auto t = parse_ok(
      "1\n00:00:10,000 --> 00:00:12,000\nthird\n\n"
      "2\n00:00:01,000 --> 00:00:05,000\nfirst runs long\n\n"
      "3\n00:00:03,000 --> 00:00:04,000\nsecond\n\n"
      "4\n00:00:20,000 --> 00:00:20,000\nzero length\n\n"
      "5\n00:00:30,000 --> 00:00:25,000\nbackwards\n\n"
      "6\n00:00:40,000 --> 00:00:41,000\n\n"
      "7\n5000:00:00,000 --> 5000:00:01,000\nabsurd\n");
  ASSERT_EQ(t.cues.size(), 3u);
  EXPECT_EQ(t.cues[0].text, "first runs long");
  EXPECT_DOUBLE_EQ(t.cues[0].end_s, 3.0);  // clipped at the next start
  EXPECT_EQ(t.cues[1].text, "second");
  EXPECT_EQ(t.cues[2].text, "third");
  EXPECT_TRUE(has_warning(t.warnings, "2 cues of zero or negative length dropped"));
  EXPECT_TRUE(has_warning(t.warnings, "1 cue without text dropped"));
  EXPECT_TRUE(has_warning(t.warnings, "1 cue with impossible times dropped"));
  EXPECT_TRUE(has_warning(t.warnings, "out of order; sorted"));
  EXPECT_TRUE(has_warning(t.warnings, "1 cue overlapping the next one; clipped"));
}

TEST(SrtParser, WordsAreSpreadOverTheCueInProportionToLength) {
  const auto t = parse_ok("1\n00:00:10,000 --> 00:00:13,000\nab abcd a\n");
  ASSERT_EQ(t.cues.size(), 1u);
  const auto& w = t.cues[0].words;
  ASSERT_EQ(w.size(), 3u);
  // Weights are characters plus one: 3, 5, 2 of 10 -> 0.9 s, 1.5 s, 0.6 s.
  EXPECT_DOUBLE_EQ(w[0].start_s, 10.0);
  EXPECT_NEAR(w[1].start_s, 10.9, 1e-9);
  EXPECT_NEAR(w[2].start_s, 12.4, 1e-9);
  EXPECT_NEAR(w[0].end_s, w[1].start_s, 1e-12);
  EXPECT_DOUBLE_EQ(w[2].end_s, 13.0);
  EXPECT_EQ(w[1].text, "abcd");
}

TEST(SrtParser, TimingLinesNeedTwoValidTimes) {
  // One good cue among broken timing lines: the broken ones are not cues.
  const auto t = parse_ok(
      "1\n00:00:01,000 --> soon\nlost\n\n"
      "2\n00:00:02,000 --> 00:00:03,000 X1:10 X2:20 Y1:5 Y2:9\nkept\n");
  ASSERT_EQ(t.cues.size(), 1u);
  EXPECT_EQ(t.cues[0].text, "kept");
  EXPECT_TRUE(has_warning(t.warnings, "lines outside any cue"));
}

}  // namespace
}  // namespace namix
