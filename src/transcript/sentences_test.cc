#include "transcript/sentences.h"

#include <gtest/gtest.h>

#include "transcript/transcript_test_support.h"

namespace namix {
namespace {

std::vector<std::string> texts(const std::vector<Sentence>& sentences) {
  std::vector<std::string> out;
  for (const auto& s : sentences) out.push_back(s.text);
  return out;
}

TEST(Sentences, SplitOnFinalPunctuationAcrossCues) {
  const auto t = parse_ok(
      "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Alex>Gas stoves are\n\n"
      "00:00:03.000 --> 00:00:06.000\n<v Alex>the story of the week. Are they? Yes!\n\n"
      "00:00:06.200 --> 00:00:08.000\n<v Alex>\"Really.\" Said Dr. J. Smith of the U.S. office…\n");
  const auto s = split_sentences(t);
  EXPECT_EQ(texts(s),
            (std::vector<std::string>{"Gas stoves are the story of the week.", "Are they?", "Yes!",
                                      "\"Really.\"", "Said Dr. J. Smith of the U.S. office…"}));
  EXPECT_DOUBLE_EQ(s[0].start_s, 1.0);
  EXPECT_EQ(s[0].first, (WordPosition{0, 0}));
  EXPECT_EQ(s[0].last, (WordPosition{1, 4}));
  EXPECT_EQ(s[0].word_count, 8u);
  EXPECT_DOUBLE_EQ(s[0].end_s, t.cues[1].words[4].end_s);
  EXPECT_DOUBLE_EQ(s[2].end_s, 6.0);
  EXPECT_EQ(s[4].speaker, "Alex");
}

TEST(Sentences, SpeakerChangeEndsASentence) {
  const auto t = parse_ok(
      "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Alex>So what do you\n\n"
      "00:00:02.000 --> 00:00:03.000\n<v Blake>think about it\n");
  const auto s = split_sentences(t);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].speaker, "Alex");
  EXPECT_EQ(s[1].speaker, "Blake");
  EXPECT_EQ(s[1].first, (WordPosition{1, 0}));
}

TEST(Sentences, UnpunctuatedTextSplitsAtLongSilencesAndLength) {
  std::string vtt = "WEBVTT\n\n";
  // Cues 2 s long every 2 s for 60 s, a 2 s silence, then one more cue.
  for (int i = 0; i < 30; ++i) {
    char line[80];
    std::snprintf(line, sizeof line, "00:%02d.000 --> 00:%02d.000\nwords without end\n\n", 2 * i,
                  2 * i + 2);
    vtt += line;
  }
  vtt += "01:02.000 --> 01:03.000\nafter the pause\n";
  const auto s = split_sentences(parse_ok(vtt));
  ASSERT_EQ(s.size(), 3u);
  EXPECT_DOUBLE_EQ(s[0].end_s - s[0].start_s, 30.0);  // ends at the first cue boundary past 30 s
  EXPECT_DOUBLE_EQ(s[1].start_s, 30.0);
  EXPECT_EQ(s[2].text, "after the pause");
}

}  // namespace
}  // namespace namix
