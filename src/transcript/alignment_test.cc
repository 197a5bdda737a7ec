// Property tests of the alignment on synthetic utterance lists: a show's
// utterances and the cues a captioner would publish for them, and the
// analysis of a served file with ads stitched in, onsets jittered, some
// utterances missed, merged or invented.
#include "transcript/alignment.h"
#include "transcript/synthetic_transcript.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

namespace namix {
namespace {

using synthetic::make_scenario;
using synthetic::Scenario;
using synthetic::ScenarioOptions;

struct Errors {
  double max_s = 0.0;
  std::size_t placed = 0;
  std::size_t unplaced = 0;
};

Errors measure(const Scenario& sc, const TranscriptAlignment& al) {
  Errors e;
  for (std::size_t k = 0; k < al.transcript.cues.size(); ++k) {
    const Cue& source = sc.transcript.cues[al.source_cues[k]];
    const double err = std::fabs(al.transcript.cues[k].start_s - sc.truth(source.start_s));
    e.max_s = std::max(e.max_s, err);
  }
  e.placed = al.transcript.cues.size();
  e.unplaced = al.unplaced_cues.size();
  return e;
}

TEST(Alignment, HoldsAfterPreRollAndMidRollOverManyShows) {
  for (std::uint32_t seed = 1; seed <= 40; ++seed) {
    const Scenario sc = make_scenario(seed, {});
    const auto al = align_transcript(sc.transcript, sc.analysis);
    const Errors e = measure(sc, al);
    EXPECT_LE(e.max_s, 0.2) << "seed " << seed;
    EXPECT_LE(e.unplaced, sc.transcript.cues.size() * 3 / 100) << "seed " << seed;
    EXPECT_EQ(e.placed + e.unplaced, sc.transcript.cues.size());
    ASSERT_EQ(al.pieces.size(), 2u) << "seed " << seed;
    EXPECT_NEAR(al.pieces[0].offset_s, 12.0 + sc.delay_s, 0.03);
    EXPECT_NEAR(al.pieces[1].offset_s, 32.0 + sc.delay_s, 0.03);
    EXPECT_GT(al.pieces[0].matched_onsets, al.pieces[0].cue_count / 3);
  }
}

TEST(Alignment, SeveralMidRollsOfAnyLengthAndSloppyDetection) {
  ScenarioOptions o;
  o.minutes = 30.0;
  o.pre_roll_s = 45.0;
  o.mid_rolls_s = {8.0, 120.0, 30.0};
  o.miss_share = 0.12;
  o.spurious_share = 0.08;
  o.jitter_s = 0.04;
  for (std::uint32_t seed = 100; seed < 110; ++seed) {
    const Scenario sc = make_scenario(seed, o);
    const auto al = align_transcript(sc.transcript, sc.analysis);
    const Errors e = measure(sc, al);
    EXPECT_LE(e.max_s, 0.2) << "seed " << seed;
    EXPECT_LE(e.unplaced, sc.transcript.cues.size() * 3 / 100) << "seed " << seed;
    EXPECT_EQ(al.pieces.size(), 4u) << "seed " << seed;
  }
}

TEST(Alignment, NoAdsIsOnePieceAtTheEncoderDelay) {
  ScenarioOptions o;
  o.pre_roll_s = 0.0;
  o.mid_rolls_s = {};
  const Scenario sc = make_scenario(7, o);
  const auto al = align_transcript(sc.transcript, sc.analysis);
  ASSERT_EQ(al.pieces.size(), 1u);
  EXPECT_NEAR(al.pieces[0].offset_s, sc.delay_s, 0.02);
  EXPECT_TRUE(al.unplaced_cues.empty());
}

TEST(Alignment, CuesMissingFromTheAudioAreUnplaced) {
  // The served file lacks two minutes the transcript has (cut after it was
  // captioned): those cues have nowhere to go, and only those.
  ScenarioOptions o;
  o.mid_rolls_s = {};
  Scenario sc = make_scenario(11, o);
  const double cut_from = 200.0, cut_to = 320.0;
  std::vector<Utterance> kept;
  const double a = sc.truth(cut_from), b = sc.truth(cut_to);
  for (auto u : sc.analysis.utterances) {
    if (u.end_s <= a) {
      kept.push_back(u);
    } else if (u.start_s >= b) {
      u.start_s -= b - a;
      u.end_s -= b - a;
      kept.push_back(u);
    }
  }
  sc.analysis.utterances = kept;
  sc.analysis.duration_s -= b - a;
  const auto al = align_transcript(sc.transcript, sc.analysis);
  std::size_t inside = 0;
  for (const auto& c : sc.transcript.cues)
    inside += c.start_s >= cut_from + 1 && c.end_s <= cut_to - 1;
  std::size_t unplaced_inside = 0;
  for (std::size_t i : al.unplaced_cues) {
    const Cue& c = sc.transcript.cues[i];
    EXPECT_TRUE(c.end_s > cut_from - 8.0 && c.start_s < cut_to + 8.0) << c.start_s;
    unplaced_inside += c.start_s >= cut_from + 1 && c.end_s <= cut_to - 1;
  }
  EXPECT_GE(unplaced_inside, inside * 9 / 10);
  for (std::size_t k = 0; k < al.transcript.cues.size(); ++k) {
    const Cue& source = sc.transcript.cues[al.source_cues[k]];
    if (source.start_s < cut_from - 8.0) {
      EXPECT_NEAR(al.transcript.cues[k].start_s, sc.truth(source.start_s), 0.2);
    } else if (source.start_s > cut_to + 8.0) {
      EXPECT_NEAR(al.transcript.cues[k].start_s, sc.truth(source.start_s) - (b - a), 0.2);
    }
  }
}

TEST(Alignment, CuesPastTheAudioAreUnplacedWithoutBeingSearched) {
  Scenario sc = make_scenario(9, {});
  const std::size_t real = sc.transcript.cues.size();
  // A hundred thousand cues claiming to be hours after the audio ends.
  for (int i = 0; i < 100000; ++i) {
    const double t = sc.analysis.duration_s + 3600.0 + 0.5 * i;
    sc.transcript.cues.push_back({t, t + 0.4, "Alex", "late", {{t, t + 0.4, "late"}}});
  }
  const auto al = align_transcript(sc.transcript, sc.analysis);
  EXPECT_LE(measure(sc, al).max_s, 0.2);
  ASSERT_GE(al.unplaced_cues.size(), 100000u);
  EXPECT_LE(al.unplaced_cues.size(), 100000u + real * 3 / 100);
  EXPECT_EQ(al.unplaced_cues.back(), sc.transcript.cues.size() - 1);
}

TEST(Alignment, SilentAudioPlacesNothing) {
  const Scenario sc = make_scenario(3, {});
  EpisodeAnalysis silent;
  silent.duration_s = sc.analysis.duration_s;
  const auto al = align_transcript(sc.transcript, silent);
  EXPECT_TRUE(al.transcript.cues.empty());
  EXPECT_EQ(al.unplaced_cues.size(), sc.transcript.cues.size());
  EXPECT_TRUE(align_transcript(Transcript{}, sc.analysis).pieces.empty());
}

TEST(Alignment, PlacedCuesAreInOrderInsideTheAudio) {
  const Scenario sc = make_scenario(5, {});
  const auto al = align_transcript(sc.transcript, sc.analysis);
  double last = 0.0;
  for (const auto& c : al.transcript.cues) {
    EXPECT_GE(c.start_s, last);
    EXPECT_GT(c.end_s, c.start_s);
    EXPECT_LE(c.end_s, sc.analysis.duration_s);
    ASSERT_FALSE(c.words.empty());
    EXPECT_GE(c.words.front().start_s, c.start_s);
    EXPECT_LE(c.words.back().end_s, c.end_s);
    last = c.end_s;
  }
}

TEST(Alignment, TimesAndChaptersFollowThePieces) {
  std::vector<AlignmentPiece> pieces = {{0.0, 100.0, 12.0, 10, 5, 0.01},
                                        {110.0, 500.0, 32.0, 40, 20, 0.01}};
  EXPECT_DOUBLE_EQ(audio_time(pieces, 50.0), 62.0);
  EXPECT_DOUBLE_EQ(audio_time(pieces, 105.0), 137.0);  // between pieces: after the ad
  EXPECT_DOUBLE_EQ(audio_time(pieces, 600.0), 632.0);
  EXPECT_DOUBLE_EQ(audio_time({}, 600.0), 600.0);
  std::vector<ChapterMark> chapters(3);
  chapters[0].end_s = 105.0;
  chapters[1].start_s = 105.0;
  chapters[2].start_s = 700.0;
  const auto moved = align_chapters(chapters, pieces, 600.0);
  ASSERT_EQ(moved.size(), 2u);
  EXPECT_DOUBLE_EQ(moved[0].start_s, 12.0);
  EXPECT_DOUBLE_EQ(*moved[0].end_s, 137.0);
  EXPECT_DOUBLE_EQ(moved[1].start_s, 137.0);
}

}  // namespace
}  // namespace namix
