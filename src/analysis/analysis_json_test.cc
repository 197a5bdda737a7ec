#include "analysis/analysis_json.h"

#include <gtest/gtest.h>

namespace namix {
namespace {

TEST(AnalysisJson, CarriesEveryListAndDecimatesFrames) {
  EpisodeAnalysis a;
  a.duration_s = 12.3456;
  a.analysis_rate_hz = 11025;
  a.frames.resize(1000);
  a.utterances.push_back({.start_s = 1.0, .end_s = 2.5, .sound = SoundClass::clip, .speaker = -1});
  a.utterances.push_back({.start_s = 3.0, .end_s = 4.0, .sound = SoundClass::speech, .speaker = 1});
  a.pauses.push_back({2.5, 3.0});
  Block b;
  b.start_s = 1.0;
  b.end_s = 2.5;
  b.kind = BlockKind::clip;
  b.why = "telephone band";
  a.blocks.push_back(b);
  const auto plain = analysis_to_json(a);
  EXPECT_DOUBLE_EQ(plain["duration_s"].get<double>(), 12.346);
  EXPECT_EQ(plain["utterances"].size(), 2u);
  EXPECT_EQ(plain["utterances"][0]["sound"], "clip");
  EXPECT_EQ(plain["utterances"][1]["speaker"], 1);
  EXPECT_EQ(plain["pauses"][0]["end"], 3.0);
  EXPECT_EQ(plain["blocks"][0]["kind"], "clip");
  EXPECT_EQ(plain["blocks"][0]["why"], "telephone band");
  EXPECT_EQ(plain["hosts"].size(), 2u);
  EXPECT_FALSE(plain.contains("frames"));
  const auto with_frames = analysis_to_json(a, {.frame_decimation = 10});
  EXPECT_EQ(with_frames["frames"].size(), 100u);
}

}  // namespace
}  // namespace namix
