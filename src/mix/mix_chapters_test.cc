#include "mix/mix_chapters.h"

#include <gtest/gtest.h>

#include <cmath>

namespace namix {
namespace {

EditList two_segments() {
  EditList edits;
  EditSegment a;
  a.start_s = 3725.0;  // 1:02:05
  a.end_s = 3745.0;
  a.kind = "donation";
  a.dropped.push_back({3730.3, 3731.7});
  EditSegment b;
  b.start_s = 100.0;
  b.end_s = 130.0;
  b.kind = "rant";
  b.mix_start_s = a.mix_duration_s();  // 18.6
  edits.segments = {a, b};
  edits.duration_s = b.mix_start_s + b.mix_duration_s();
  return edits;
}

TEST(MixChapters, OnePerSegmentTitledBySourceTimeAndKind) {
  const EditList edits = two_segments();
  const auto chapters = mix_chapters(edits, {});
  ASSERT_EQ(chapters.size(), 2u);
  EXPECT_EQ(chapters[0].title, "01:02:05 donation");
  EXPECT_EQ(chapters[1].title, "00:01:40 rant");
  EXPECT_NEAR(chapters[1].start_s, 18.6, 1e-9);
  EXPECT_NEAR(*chapters[0].end_s, 18.6, 1e-9);
  EXPECT_DOUBLE_EQ(*chapters[1].end_s, edits.duration_s);
}

TEST(MixChapters, PublishedChaptersInsideSegmentsAreMappedAndSorted) {
  const EditList edits = two_segments();
  const auto mark = [](double start_s, std::optional<double> end_s, const char* title) {
    ChapterMark m;
    m.start_s = start_s;
    m.end_s = end_s;
    m.title = title;
    return m;
  };
  std::vector<ChapterMark> published = {
      mark(50.0, std::nullopt, "Not in the mix"),
      mark(110.0, 200.0, "Stoves"),
      mark(3735.0, 3740.0, "Knights"),  // after the dropped pause: -1.4 s
      mark(3731.0, std::nullopt, "In the dropped pause"),
  };
  published[1].url = "https://example.com/s";
  const auto chapters = mix_chapters(edits, published);
  ASSERT_EQ(chapters.size(), 4u);
  EXPECT_EQ(chapters[1].title, "Knights");
  EXPECT_NEAR(chapters[1].start_s, 3735.0 - 3725.0 - 1.4, 1e-9);
  EXPECT_NEAR(*chapters[1].end_s, 3740.0 - 3725.0 - 1.4, 1e-9);
  EXPECT_EQ(chapters[3].title, "Stoves");
  EXPECT_NEAR(chapters[3].start_s, 18.6 + 10.0, 1e-9);
  EXPECT_NEAR(*chapters[3].end_s, edits.duration_s, 1e-9);  // ends with its segment
  EXPECT_EQ(chapters[3].url, "https://example.com/s");
  for (std::size_t i = 1; i < chapters.size(); ++i) {
    EXPECT_LE(chapters[i - 1].start_s, chapters[i].start_s);
  }
}

TEST(MixChapters, Id3FramesCarryTheSameTitlesAndTimes) {
  const EditList edits = two_segments();
  const auto chapters = mix_chapters(edits, {});
  const auto frames = id3_chapters(chapters, edits.duration_s);
  ASSERT_EQ(frames.size(), chapters.size());
  for (std::size_t i = 0; i < frames.size(); ++i) EXPECT_EQ(frames[i].title, chapters[i].title);
  EXPECT_EQ(frames[1].start_ms, 18600u);
  EXPECT_EQ(frames[1].end_ms, static_cast<std::uint32_t>(std::lround(edits.duration_s * 1000)));
}

}  // namespace
}  // namespace namix
