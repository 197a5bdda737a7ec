// The mix transcript against the truth of an edit list worked by hand: two
// segments in mix order, the first leaving out part of a long pause.
#include "mix/mix_transcript.h"

#include <gtest/gtest.h>

namespace namix {
namespace {

Cue cue_of(const std::string& speaker, std::vector<TranscriptWord> words) {
  Cue c;
  c.speaker = speaker;
  c.start_s = words.front().start_s;
  c.end_s = words.back().end_s;
  for (const auto& w : words) c.text += (c.text.empty() ? "" : " ") + w.text;
  c.words = std::move(words);
  return c;
}

// Source: words at 10-20 s, a long pause 14.0-16.0 of which 14.3-15.7 is
// dropped, then a second segment 40-50 s. The crossfades are centred on the
// cuts, so the mix times follow from the segment starts alone.
struct Fixture {
  Transcript aligned;
  EditList edits;
  Fixture() {
    aligned.cues.push_back(
        cue_of("Alex", {{9.0, 9.5, "before"}, {10.2, 10.6, "Good"}, {10.7, 11.2, "morning"}}));
    aligned.cues.push_back(cue_of(
        "Alex",
        {{12.0, 12.5, "one"}, {13.5, 13.9, "two"}, {16.1, 16.5, "three"}, {17.0, 17.4, "four"}}));
    aligned.cues.push_back(cue_of("Blake", {{19.0, 19.6, "cut"}, {20.4, 21.0, "gone"}}));
    aligned.cues.push_back(cue_of("Blake", {{30.0, 31.0, "skipped"}}));
    aligned.cues.push_back(cue_of("Blake", {{40.5, 41.0, "second"}, {41.2, 41.8, "segment"}}));
    EditSegment a;
    a.start_s = 10.0;
    a.end_s = 20.0;
    a.kind = "banter";
    a.dropped.push_back({14.3, 15.7});
    a.mix_start_s = 0.0;
    EditSegment b;
    b.start_s = 40.0;
    b.end_s = 50.0;
    b.kind = "rant";
    b.mix_start_s = a.mix_duration_s();  // 8.6
    edits.segments = {a, b};
    edits.duration_s = b.mix_start_s + b.mix_duration_s();
  }
};

TEST(MixTranscript, WordsAndTimesMatchTheTruthThroughDroppedPausesAndJoins) {
  Fixture f;
  const Transcript mix = mix_transcript(f.aligned, f.edits);
  // Truth: source t in [10, 14.3) -> t - 10; in [15.7, 20) -> t - 10 - 1.4;
  // in [40, 50) -> t - 40 + 8.6.
  struct Expected {
    std::string text;
    double start_s, end_s;
  };
  const std::vector<Expected> words = {
      {"Good", 0.2, 0.6}, {"morning", 0.7, 1.2}, {"one", 2.0, 2.5},
      {"two", 3.5, 3.9},  {"three", 4.7, 5.1},   {"four", 5.6, 6.0},
      {"cut", 7.6, 8.2},  {"second", 9.1, 9.6},  {"segment", 9.8, 10.4},
  };
  std::vector<TranscriptWord> got;
  for (const Cue& c : mix.cues) got.insert(got.end(), c.words.begin(), c.words.end());
  ASSERT_EQ(got.size(), words.size());
  for (std::size_t i = 0; i < words.size(); ++i) {
    EXPECT_EQ(got[i].text, words[i].text);
    EXPECT_NEAR(got[i].start_s, words[i].start_s, 1e-9) << words[i].text;
    EXPECT_NEAR(got[i].end_s, words[i].end_s, 1e-9) << words[i].text;
  }
}

TEST(MixTranscript, CuesKeepSpeakersAndStayWholeAcrossADroppedPause) {
  Fixture f;
  const Transcript mix = mix_transcript(f.aligned, f.edits);
  ASSERT_EQ(mix.cues.size(), 4u);
  EXPECT_EQ(mix.cues[0].text, "Good morning");  // "before" is not in the mix
  EXPECT_NEAR(mix.cues[0].start_s, 0.0, 1e-9);  // clipped to the cut
  EXPECT_EQ(mix.cues[1].text, "one two three four");
  EXPECT_EQ(mix.cues[1].speaker, "Alex");
  EXPECT_EQ(mix.cues[2].text, "cut");  // "gone" lies past the segment's end
  EXPECT_NEAR(mix.cues[2].end_s, 8.6, 1e-9);
  EXPECT_EQ(mix.cues[3].text, "second segment");
  EXPECT_EQ(mix.cues[3].speaker, "Blake");
  for (std::size_t i = 1; i < mix.cues.size(); ++i) {
    EXPECT_LE(mix.cues[i - 1].end_s, mix.cues[i].start_s + 1e-9);
  }
  EXPECT_LE(mix.cues.back().end_s, f.edits.duration_s);
}

TEST(MixTranscript, SegmentsInAnotherOrderThanTheSourceTimeTheirOwnWords) {
  Fixture f;
  std::swap(f.edits.segments[0], f.edits.segments[1]);
  f.edits.segments[0].mix_start_s = 0.0;
  f.edits.segments[1].mix_start_s = 10.0;
  const Transcript mix = mix_transcript(f.aligned, f.edits);
  ASSERT_FALSE(mix.cues.empty());
  EXPECT_EQ(mix.cues.front().text, "second segment");
  EXPECT_NEAR(mix.cues.front().words.front().start_s, 0.5, 1e-9);
  EXPECT_EQ(mix.cues[1].text, "Good morning");
  EXPECT_NEAR(mix.cues[1].words.front().start_s, 10.2, 1e-9);
}

TEST(MixTime, LeavesOutWhatTheMixDoesNotPlay) {
  Fixture f;
  const auto spans = mix_spans(f.edits);
  ASSERT_EQ(spans.size(), 3u);
  EXPECT_FALSE(mix_time(spans, 15.0));  // in the dropped part of the pause
  EXPECT_FALSE(mix_time(spans, 30.0));  // between segments
  EXPECT_NEAR(*mix_time(spans, 15.7), 4.3, 1e-9);
  EXPECT_NEAR(*mix_time(spans, 45.0), 13.6, 1e-9);
}

}  // namespace
}  // namespace namix
