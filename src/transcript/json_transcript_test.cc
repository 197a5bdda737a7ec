#include <gtest/gtest.h>

#include <string>

#include "transcript/transcript_test_support.h"

namespace namix {
namespace {

TEST(JsonTranscript, SegmentLevel) {
  const auto t = parse_ok(R"({"version": "1.0.0", "segments": [
    {"speaker": "Alex", "startTime": 0.5, "endTime": 2.25, "body": "Good  morning, everybody."},
    {"speaker": "Blake", "startTime": "2.5", "endTime": 3.0, "body": "Yes."},
    {"speaker": "Blake", "startTime": 3.5, "endTime": 5.0, "body": "Morning to you too."}]})");
  EXPECT_EQ(t.format, TranscriptFormat::json);
  ASSERT_EQ(t.cues.size(), 3u);
  EXPECT_EQ(t.cues[0].speaker, "Alex");
  EXPECT_EQ(t.cues[0].text, "Good morning, everybody.");
  EXPECT_DOUBLE_EQ(t.cues[0].start_s, 0.5);
  EXPECT_DOUBLE_EQ(t.cues[1].start_s, 2.5);
  EXPECT_EQ(t.cues[0].words.size(), 3u);
}

TEST(JsonTranscript, WordLevelIsGroupedIntoCues) {
  // One word per segment; a speaker change, a 0.6 s pause and a sentence end
  // each start a cue.
  const auto t = parse_ok(R"({"version": "1.0.0", "segments": [
    {"speaker": "Alex", "startTime": 1.0, "endTime": 1.3, "body": "Hello"},
    {"speaker": "Alex", "startTime": 1.35, "endTime": 1.8, "body": "there."},
    {"speaker": "Alex", "startTime": 1.9, "endTime": 2.2, "body": "How"},
    {"speaker": "Alex", "startTime": 2.2, "endTime": 2.5, "body": "are"},
    {"speaker": "Alex", "startTime": 3.1, "endTime": 3.4, "body": "you"},
    {"speaker": "Blake", "startTime": 3.5, "endTime": 3.9, "body": "Fine."}]})");
  ASSERT_EQ(t.cues.size(), 4u);
  EXPECT_EQ(t.cues[0].text, "Hello there.");
  EXPECT_DOUBLE_EQ(t.cues[0].start_s, 1.0);
  EXPECT_DOUBLE_EQ(t.cues[0].end_s, 1.8);
  EXPECT_EQ(t.cues[1].text, "How are");
  EXPECT_EQ(t.cues[2].text, "you");
  EXPECT_EQ(t.cues[3].speaker, "Blake");
  // Word times are the file's own.
  ASSERT_EQ(t.cues[0].words.size(), 2u);
  EXPECT_DOUBLE_EQ(t.cues[0].words[0].end_s, 1.3);
  EXPECT_DOUBLE_EQ(t.cues[0].words[1].start_s, 1.35);
}

TEST(JsonTranscript, WordLevelLongRunsAreSplit) {
  std::string json = R"({"segments": [)";
  for (int i = 0; i < 60; ++i) {
    if (i > 0) json += ",";
    json += R"({"startTime": )" + std::to_string(i * 0.3) + R"(, "endTime": )" +
            std::to_string(i * 0.3 + 0.25) + R"(, "body": "word"})";
  }
  json += "]}";
  const auto t = parse_ok(json);
  ASSERT_GT(t.cues.size(), 1u);
  std::size_t words = 0;
  for (const auto& c : t.cues) {
    EXPECT_LE(c.text.size(), 90u);
    words += c.words.size();
  }
  EXPECT_EQ(words, 60u);
}

TEST(JsonTranscript, LenientWhereFilesStray) {
  // A bare list, a clock-string time, a missing end, a segment without a
  // start, extra fields, no version.
  const auto t = parse_ok(R"([
    {"startTime": "00:00:01.000", "endTime": 2, "body": "one two", "extra": {"x": [1]}},
    {"startTime": 3, "body": "no end here"},
    {"endTime": 9, "body": "no start"},
    {"startTime": 5, "endTime": 6, "body": "last one"}])");
  ASSERT_EQ(t.cues.size(), 3u);
  EXPECT_DOUBLE_EQ(t.cues[0].start_s, 1.0);
  EXPECT_DOUBLE_EQ(t.cues[1].end_s, 5.0);  // the next segment's start
  ASSERT_FALSE(t.warnings.empty());
  EXPECT_NE(t.warnings[0].find("1 segments without a usable startTime"), std::string::npos);
}

TEST(JsonTranscript, ChaptersGivenAsATranscriptSaySo) {
  auto t = parse_transcript(R"({"version": "1.2.0", "chapters": [{"startTime": 0}]})", "c.json");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, Errc::undecodable);
  EXPECT_EQ(t.error().message,
            "c.json holds JSON chapters, not a transcript; give it as the chapters instead");
}

TEST(JsonTranscript, OtherJsonIsRefused) {
  for (const char* text : {R"({"items": []})", "[1, 2, 3]", R"({"segments": "none"})", "{", "[]"}) {
    auto t = parse_transcript(text, "x.json");
    ASSERT_FALSE(t.ok()) << text;
    EXPECT_EQ(t.error().code, Errc::undecodable) << text;
    EXPECT_EQ(t.error().message.find('\n'), std::string::npos);
  }
}

TEST(JsonTranscript, DeepNestingIsRefusedNotRecursedInto) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  auto t = parse_transcript(deep, "deep.json");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message.find("nests JSON deeper"), std::string::npos);
}

TEST(JsonTranscript, WrongTypesAreSkippedNotThrown) {
  const auto t = parse_ok(R"({"segments": [
    {"startTime": true, "endTime": 1, "body": "bool time"},
    {"startTime": 1, "endTime": 2, "body": 42, "speaker": ["x"]},
    7, "text", null,
    {"startTime": "1e400", "endTime": 2, "body": "huge"},
    {"startTime": 3, "endTime": 4, "body": "fine", "speaker": 5}]})");
  ASSERT_EQ(t.cues.size(), 1u);
  EXPECT_EQ(t.cues[0].text, "fine");
  EXPECT_EQ(t.cues[0].speaker, "");
}

}  // namespace
}  // namespace namix
