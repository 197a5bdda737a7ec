#include "mix/render_plan.h"

#include <gtest/gtest.h>

namespace namix {
namespace {

// Utterances every 3 s: [0.5, 2.5], [3.5, 5.5], ... with 1 s pauses between,
// and one long 3 s pause after the fourth utterance.
EpisodeAnalysis make_analysis() {
  EpisodeAnalysis a;
  a.duration_s = 40.0;
  double t = 0.5;
  for (int i = 0; i < 10; ++i) {
    Utterance u;
    u.start_s = t;
    u.end_s = t + 2.0;
    u.speaker = i % 2;
    a.utterances.push_back(u);
    t += (i == 3) ? 5.0 : 3.0;
  }
  double prev = 0.0;
  for (const Utterance& u : a.utterances) {
    a.pauses.push_back({prev, u.start_s});
    prev = u.end_s;
  }
  a.pauses.push_back({prev, a.duration_s});
  a.hosts[0].level_db = -20.0f;
  a.hosts[1].level_db = -27.0f;
  return a;
}

EditSegment segment(double start, double end) {
  EditSegment s;
  s.start_s = start;
  s.end_s = end;
  s.kind = "banter";
  return s;
}

TEST(RenderPlan, MixStartsAreSumsOfPieceDurations) {
  const EpisodeAnalysis a = make_analysis();
  EditList edits;
  edits.segments = {segment(0.2, 3.0), segment(6.0, 9.0)};
  const RenderPlan plan = make_render_plan(edits, a, RenderOptions{});
  ASSERT_EQ(plan.pieces.size(), 2u);
  EXPECT_DOUBLE_EQ(plan.segment_mix_start_s[0], 0.0);
  EXPECT_DOUBLE_EQ(plan.segment_mix_start_s[1], 2.8);
  EXPECT_DOUBLE_EQ(plan.duration_s, 5.8);
}

TEST(RenderPlan, CrossfadeNeverReachesIntoAWord) {
  const EpisodeAnalysis a = make_analysis();
  EditList edits;
  // Cut-out at 2.6 is 0.1 s after an utterance ends: the fade must fit in 0.1 s.
  edits.segments = {segment(0.2, 2.6), segment(6.0, 9.0)};
  RenderOptions options;
  options.crossfade_s = 0.6;
  const RenderPlan plan = make_render_plan(edits, a, options);
  const double h = plan.pieces[0].fade_out_s;
  EXPECT_DOUBLE_EQ(h, plan.pieces[1].fade_in_s);
  EXPECT_LE(h, 0.1 - options.guard_s + 1e-9);
  EXPECT_GT(h, 0.0);
}

TEST(RenderPlan, DroppedPartsOfLongPausesBecomeJoins) {
  const EpisodeAnalysis a = make_analysis();
  EditList edits;
  // The segment spans the 3 s pause [11.5, 14.5]; the selection drops [11.8, 14.2].
  edits.segments = {segment(9.2, 17.0)};
  edits.segments[0].dropped = {Pause{11.8, 14.2}};
  const RenderPlan plan = make_render_plan(edits, a, RenderOptions{});
  ASSERT_EQ(plan.pieces.size(), 2u);
  EXPECT_DOUBLE_EQ(plan.pieces[0].src_end_s, 11.8);
  EXPECT_DOUBLE_EQ(plan.pieces[1].src_start_s, 14.2);
  EXPECT_NEAR(plan.duration_s, (17.0 - 9.2) - 2.4, 1e-9);
  // The join's fade stays inside the 0.3 s of pause kept on each side.
  EXPECT_LE(plan.pieces[0].fade_out_s, 0.3);
  EXPECT_EQ(plan.segment_mix_start_s.size(), 1u);
}

TEST(RenderPlan, QuieterHostIsRaisedToTheLouderOne) {
  const EpisodeAnalysis a = make_analysis();
  EditList edits;
  edits.segments = {segment(0.2, 6.0)};
  const RenderPlan plan = make_render_plan(edits, a, RenderOptions{});
  ASSERT_EQ(plan.pieces.size(), 1u);
  const auto& gains = plan.pieces[0].gains;
  ASSERT_EQ(gains.size(), 2u);
  EXPECT_FLOAT_EQ(gains[0].gain_db, 0.0f);  // host A
  EXPECT_FLOAT_EQ(gains[1].gain_db, 7.0f);  // host B, 7 dB quieter
  EXPECT_DOUBLE_EQ(gains[1].src_time_s, 3.5);
}

// A clip at 10-14 s whose first phrase (10.0-11.5 s) sits 3 dB under the
// clips' level and whose second (11.8-14.0 s) 3 dB over it, then host A.
TEST(RenderPlan, EachClipPhraseIsBroughtToTheClipsLevel) {
  EpisodeAnalysis a;
  a.duration_s = 20.0;
  a.hop_s = 0.01;
  a.frames.resize(2000);
  for (auto& f : a.frames) f.level_db = -80.0f;
  for (std::size_t i = 1000; i < 1150; ++i) a.frames[i].level_db = -20.0f;
  for (std::size_t i = 1180; i < 1400; ++i) a.frames[i].level_db = -14.0f;
  Utterance clip;
  clip.start_s = 10.0;
  clip.end_s = 14.0;
  clip.sound = SoundClass::clip;
  clip.level_db = -17.0f;  // the only clip: the clips' level
  Utterance host;
  host.start_s = 15.0;
  host.end_s = 17.0;
  host.speaker = 0;
  a.utterances = {clip, host};
  a.hosts[0].level_db = -20.0f;
  a.hosts[1].level_db = -20.0f;
  EditList edits;
  edits.segments = {segment(9.5, 17.5)};
  const RenderPlan plan = make_render_plan(edits, a, RenderOptions{});
  ASSERT_EQ(plan.pieces.size(), 1u);
  const auto& gains = plan.pieces[0].gains;
  ASSERT_EQ(gains.size(), 3u);
  EXPECT_DOUBLE_EQ(gains[0].src_time_s, 10.0);
  EXPECT_NEAR(gains[0].gain_db, 3.0f, 0.01f);
  // The gain moves in the 0.3 s gap, where the second phrase starts.
  EXPECT_NEAR(gains[1].src_time_s, 11.8, 1e-9);
  EXPECT_NEAR(gains[1].gain_db, -3.0f, 0.01f);
  EXPECT_DOUBLE_EQ(gains[2].src_time_s, 15.0);
  EXPECT_FLOAT_EQ(gains[2].gain_db, 0.0f);

  // Cut in inside the second phrase: its gain applies from the cut.
  edits.segments = {segment(12.5, 17.5)};
  const RenderPlan late = make_render_plan(edits, a, RenderOptions{});
  ASSERT_GE(late.pieces[0].gains.size(), 1u);
  EXPECT_DOUBLE_EQ(late.pieces[0].gains[0].src_time_s, 12.5);
  EXPECT_NEAR(late.pieces[0].gains[0].gain_db, -3.0f, 0.01f);
}

TEST(RenderPlan, PauseRoomIsZeroInsideAnUtterance) {
  const EpisodeAnalysis a = make_analysis();
  const PauseRoom inside = pause_room_at(a, 1.0);
  EXPECT_EQ(inside.before_s, 0.0);
  EXPECT_EQ(inside.after_s, 0.0);
  const PauseRoom between = pause_room_at(a, 3.0);
  EXPECT_DOUBLE_EQ(between.before_s, 0.5);
  EXPECT_DOUBLE_EQ(between.after_s, 0.5);
}

}  // namespace
}  // namespace namix
