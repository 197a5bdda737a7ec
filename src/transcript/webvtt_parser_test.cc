#include <gtest/gtest.h>

#include <string>

#include "transcript/transcript_test_support.h"

namespace namix {
namespace {

TEST(WebVttParser, HeaderVoicesIdentifiersAndSettings) {
  const auto t = parse_ok(
      "WEBVTT - This file has cues\nKind: captions\nLanguage: en\n\n"
      "intro-1\n00:00:01.000 --> 00:00:03.500 align:start position:10% line:0\n"
      "<v Alex>Good morning, everybody.</v>\n\n"
      "00:03.600 --> 00:05.000\n<v.loud Blake Smith>Morning!\n");
  EXPECT_EQ(t.format, TranscriptFormat::vtt);
  ASSERT_EQ(t.cues.size(), 2u);
  EXPECT_EQ(t.cues[0].speaker, "Alex");
  EXPECT_EQ(t.cues[0].text, "Good morning, everybody.");
  EXPECT_DOUBLE_EQ(t.cues[0].end_s, 3.5);
  EXPECT_EQ(t.cues[1].speaker, "Blake Smith");
  EXPECT_EQ(t.cues[1].text, "Morning!");
  EXPECT_DOUBLE_EQ(t.cues[1].start_s, 3.6);
}

TEST(WebVttParser, NoteStyleAndRegionBlocksCarryNoText) {
  const auto t = parse_ok(
      "WEBVTT\n\nNOTE this is a comment\n00:00:00.000 --> 00:00:09.000 is not a cue here\n\n"
      "STYLE\n::cue { color: red }\n\n"
      "REGION\nid:fred width:40%\n\n"
      "NOTE\nmulti-line\ncomment\n\n"
      "00:00:01.000 --> 00:00:02.000\nonly cue\n");
  ASSERT_EQ(t.cues.size(), 1u);
  EXPECT_EQ(t.cues[0].text, "only cue");
}

TEST(WebVttParser, BomCrlfAndInlineTags) {
  const auto t = parse_ok(
      "\xEF\xBB\xBFWEBVTT\r\n\r\n00:00:01.000 --> 00:00:04.000\r\n"
      "<c.yellow>Salt</c> &amp; <i>pepper</i>, <lang fr>merci</lang> "
      "<ruby>kanji<rt>reading</rt></ruby>&nbsp;done\r\n");
  ASSERT_EQ(t.cues.size(), 1u);
  EXPECT_EQ(t.cues[0].text, "Salt & pepper, merci kanji done");  // ruby text is an annotation
}

TEST(WebVttParser, TimestampTagsTimeTheWords) {
  const auto t = parse_ok(
      "WEBVTT\n\n00:00:10.000 --> 00:00:14.000\n"
      "<v Alex>one <00:00:11.000>two <00:00:13.000>three four\n");
  ASSERT_EQ(t.cues.size(), 1u);
  const auto& w = t.cues[0].words;
  ASSERT_EQ(w.size(), 4u);
  EXPECT_DOUBLE_EQ(w[0].start_s, 10.0);
  EXPECT_DOUBLE_EQ(w[1].start_s, 11.0);
  EXPECT_DOUBLE_EQ(w[2].start_s, 13.0);
  EXPECT_GT(w[3].start_s, 13.0);
  EXPECT_LT(w[3].start_s, 14.0);
  EXPECT_DOUBLE_EQ(w[0].end_s, 11.0);
  EXPECT_EQ(t.cues[0].speaker, "Alex");
}

TEST(WebVttParser, SeveralVoicesInOneCueBecomeOneCueEach) {
  const auto t = parse_ok(
      "WEBVTT\n\n00:00:00.000 --> 00:00:04.000\n<v Alex>Are you sure?</v>\n<v Blake>Yes.</v>\n");
  ASSERT_EQ(t.cues.size(), 2u);
  EXPECT_EQ(t.cues[0].speaker, "Alex");
  EXPECT_EQ(t.cues[0].text, "Are you sure?");
  EXPECT_EQ(t.cues[1].speaker, "Blake");
  EXPECT_EQ(t.cues[1].text, "Yes.");
  EXPECT_DOUBLE_EQ(t.cues[0].start_s, 0.0);
  EXPECT_DOUBLE_EQ(t.cues[1].end_s, 4.0);
  // Split in proportion to characters plus a space: 4 + 4 + 6 of 19 to Alex.
  EXPECT_NEAR(t.cues[0].end_s, 4.0 * 14.0 / 19.0, 1e-9);
  EXPECT_DOUBLE_EQ(t.cues[1].start_s, t.cues[0].end_s);
}

TEST(WebVttParser, ACueWithoutBlankLineBeforeTheNextTiming) {
  const auto t =
      parse_ok("WEBVTT\n\n00:01.000 --> 00:02.000\nfirst\n00:02.000 --> 00:03.000\nsecond\n");
  ASSERT_EQ(t.cues.size(), 2u);
  EXPECT_EQ(t.cues[1].text, "second");
}

TEST(WebVttParser, BrokenTimingBlocksAreSkippedAndCounted) {
  const auto t =
      parse_ok("WEBVTT\n\nid\n00:01.000 --> later\nlost\n\n00:02.000 --> 00:03.000\nkept\n");
  ASSERT_EQ(t.cues.size(), 1u);
  EXPECT_EQ(t.cues[0].text, "kept");
  ASSERT_EQ(t.warnings.size(), 1u);
  EXPECT_NE(t.warnings[0].find("1 blocks without a valid timing line"), std::string::npos);
}

TEST(WebVttParser, SignatureMustStandAlone) {
  // "WEBVTTX" is no signature; without SubRip timing lines it is no transcript.
  auto t = parse_transcript("WEBVTTX\n\nhello\n", "x.vtt");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, Errc::undecodable);
}

TEST(WebVttParser, HeaderOnlyIsAnError) {
  auto t = parse_transcript("WEBVTT\n\nNOTE nothing here\n", "empty.vtt");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().message,
            "empty.vtt is WebVTT without a single cue with times and text; check it");
}

}  // namespace
}  // namespace namix
