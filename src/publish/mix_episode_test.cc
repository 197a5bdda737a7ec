#include "publish/mix_episode.h"

#include <gtest/gtest.h>

namespace namix {
namespace {

using nlohmann::json;

const json kSegments = json::parse(R"([
  {"name": "Segment 1", "start_time": 3723.0, "end_time": 3750.5, "duration": 27.5,
   "mix_start": 0.0, "kind": "rant", "confidence": 0.62, "description": "one host, loud"},
  {"name": "Segment 2", "start_time": 5000.0, "end_time": 5130.0, "duration": 130.0,
   "mix_start": 27.0, "kind": "clip", "confidence": 0.91, "description": "telephone band",
   "text": "They said <it> & more"},
  {"name": "no times", "kind": "banter"}
])");

TEST(MixEpisode, ReadsSegmentsAndSkipsThoseWithoutTimes) {
  const auto segments = mix_segments_from_result(kSegments);
  ASSERT_EQ(segments.size(), 2u);
  EXPECT_EQ(segments[1].kind, "clip");
  EXPECT_DOUBLE_EQ(segments[1].mix_start_s, 27.0);
  EXPECT_EQ(segments[1].text, "They said <it> & more");
  EXPECT_EQ(mix_segments_from_result(mix_segments_json(segments)).size(), 2u);
  EXPECT_TRUE(mix_segments_from_result(json("not a list")).empty());
}

TEST(MixEpisode, DescriptionListsEverySegmentWithItsSourceTimes) {
  const auto segments = mix_segments_from_result(kSegments);
  const std::string html = segments_description("Best Of 1779 & more", segments);
  EXPECT_EQ(html.rfind("<p>Best Of 1779 &amp; more</p><ol>", 0), 0u) << html;
  EXPECT_NE(html.find("<li>0:00 in the mix: 1:02:03\u20131:02:31 of the episode, rant (0.62). "
                      "one host, loud</li>"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("0:27 in the mix: 1:23:20\u20131:25:30 of the episode, clip (0.91)"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("<q>They said &lt;it&gt; &amp; more</q>"), std::string::npos) << html;
  EXPECT_EQ(segments_description("lead", {}), "<p>lead</p>");
}

TEST(MixEpisode, SoundbiteIsTheStrongestSegmentCappedAndInsideTheMix) {
  const auto segments = mix_segments_from_result(kSegments);
  auto bite = strongest_soundbite(segments, 157.0);
  ASSERT_TRUE(bite.has_value());
  EXPECT_DOUBLE_EQ(bite->start_s, 27.0);
  EXPECT_DOUBLE_EQ(bite->duration_s, 120.0) << "capped at the namespace's 120 s";
  EXPECT_EQ(bite->title, "clip: telephone band");
  // The mix ends 30 s after the segment starts: the bite stops there.
  bite = strongest_soundbite(segments, 57.0);
  ASSERT_TRUE(bite.has_value());
  EXPECT_DOUBLE_EQ(bite->duration_s, 30.0);
  EXPECT_FALSE(strongest_soundbite({}, 90.0).has_value());
}

TEST(MixEpisode, ClockText) {
  EXPECT_EQ(clock_text(0), "0:00");
  EXPECT_EQ(clock_text(59.6), "1:00");
  EXPECT_EQ(clock_text(3723), "1:02:03");
}

}  // namespace
}  // namespace namix
