#include "select/edit_list.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

namespace namix {
namespace {

// A hand-built episode shaped like corpus/make_episode.py's: banter, clips,
// rants and jingles, a donation read-out past the middle, music at the end;
// sentences of 1-5 s with 0.18-0.55 s gaps, turn gaps of 0.35-1.0 s, and now
// and then a long pause the mix must shorten.
struct EpisodeShape {
  double minutes = 30;
  unsigned seed = 1;
  double clip_share = 0.22;
  double rant_share = 0.13;
  double jingle_share = 0.10;
  bool donation = true;
  double music_end_s = 70;
  double sentence_min_s = 1.0;  // analysis may merge sentences into long utterances
  double sentence_max_s = 5.0;
};

EpisodeAnalysis make_episode(const EpisodeShape& shape) {
  std::mt19937 rng(shape.seed);
  auto uni = [&](double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  };
  EpisodeAnalysis a;
  const double total = shape.minutes * 60.0;
  double t = 1.2;
  bool donation_done = !shape.donation;
  auto add_block = [&](BlockKind kind, double length_s, int speaker) {
    Block b;
    b.kind = kind;
    b.speaker = speaker;
    b.confidence = uni(0.6, 0.95);
    b.engagement = uni(0.0, 1.0);
    b.first_utterance = a.utterances.size();
    b.why = std::string(kind_name(kind)) + " evidence";
    double end = t + length_s;
    bool first = true;
    while (first || t < end) {
      if (!first) {
        double gap = uni(0.0, 1.0) < 0.06 ? uni(1.2, 2.6) : uni(0.18, 0.55);
        a.pauses.push_back({t, t + gap});
        t += gap;
      }
      first = false;
      Utterance u;
      u.start_s = t;
      bool tonal = kind == BlockKind::music || kind == BlockKind::jingle;
      double len = tonal ? length_s : uni(shape.sentence_min_s, shape.sentence_max_s);
      u.end_s = t + len;
      u.sound = tonal ? SoundClass::music
                      : (kind == BlockKind::clip ? SoundClass::clip : SoundClass::speech);
      u.speaker = kind == BlockKind::banter ? static_cast<int>(a.utterances.size() % 2) : speaker;
      a.utterances.push_back(u);
      t = u.end_s;
      if (tonal) break;
    }
    b.utterance_count = a.utterances.size() - b.first_utterance;
    b.start_s = a.utterances[b.first_utterance].start_s;
    b.end_s = t;
    a.blocks.push_back(b);
    double turn = uni(0.35, 1.0);
    a.pauses.push_back({t, t + turn});
    t += turn;
  };
  a.pauses.push_back({0.0, t});
  add_block(BlockKind::banter, 40, -1);  // the opener
  while (t < total - shape.music_end_s - 90) {
    if (!donation_done && t > 0.6 * total) {
      add_block(BlockKind::donation, 0.07 * total, 1);
      donation_done = true;
      continue;
    }
    double r = uni(0.0, 1.0);
    if (r < shape.clip_share) {
      add_block(BlockKind::clip, uni(15, 40), -1);
    } else if (r < shape.clip_share + shape.rant_share) {
      add_block(BlockKind::rant, uni(45, 100), static_cast<int>(rng() % 2));
    } else if (r < shape.clip_share + shape.rant_share + shape.jingle_share) {
      add_block(BlockKind::jingle, uni(3, 6), -1);
    } else {
      add_block(BlockKind::banter, uni(40, 120), -1);
    }
  }
  if (shape.music_end_s > 0) add_block(BlockKind::music, shape.music_end_s, -1);
  add_block(BlockKind::banter, 20, -1);  // the outro
  a.duration_s = t + 1.0;
  a.pauses.back().end_s = a.duration_s;
  return a;
}

const ThemeCatalog& catalog() {
  static ThemeCatalog c = [] {
    auto loaded = ThemeCatalog::load_dir(NAMIX_SHIPPED_THEMES_DIR);
    EXPECT_TRUE(loaded.ok());
    return std::move(loaded).value();
  }();
  return c;
}

const Theme& theme(const char* name) { return **catalog().find(name); }

double tolerance(double target) { return std::max(1.5, 0.02 * target); }

// The utterance strictly containing t, if any.
const Utterance* utterance_at(const EpisodeAnalysis& a, double t) {
  for (const auto& u : a.utterances) {
    if (t > u.start_s && t < u.end_s) return &u;
  }
  return nullptr;
}

// Distance from t to the nearest utterance edge.
double edge_distance(const EpisodeAnalysis& a, double t) {
  double d = 1e9;
  for (const auto& u : a.utterances)
    d = std::min({d, std::abs(t - u.start_s), std::abs(t - u.end_s)});
  return d;
}

void expect_cuts_in_pauses(const EpisodeAnalysis& a, const EditList& list, bool music_exempt) {
  for (const auto& seg : list.segments) {
    for (double t : {seg.start_s, seg.end_s}) {
      const Utterance* u = utterance_at(a, t);
      if (u != nullptr && music_exempt && u->sound == SoundClass::music) continue;
      EXPECT_EQ(u, nullptr) << "cut at " << t << " s inside an utterance";
      // 40 ms inside the pause, except at the episode's own ends.
      if (t > 0.0 && t < a.duration_s) {
        EXPECT_GE(edge_distance(a, t), 0.04 - 1e-9) << t;
      }
    }
    for (const auto& p : seg.dropped) {
      EXPECT_GT(p.start_s, seg.start_s);
      EXPECT_LT(p.end_s, seg.end_s);
      EXPECT_EQ(utterance_at(a, p.start_s), nullptr);
      EXPECT_EQ(utterance_at(a, p.end_s), nullptr);
      EXPECT_GE(edge_distance(a, p.start_s), 0.3);
      EXPECT_GE(edge_distance(a, p.end_s), 0.3);
    }
  }
}

// The edit list must be internally true: order, no overlap, mix_start chain.
void expect_consistent(const EditList& list) {
  double mix_t = 0.0;
  for (std::size_t i = 0; i < list.segments.size(); ++i) {
    const auto& seg = list.segments[i];
    EXPECT_LT(seg.start_s, seg.end_s);
    if (i > 0) {
      EXPECT_LE(list.segments[i - 1].end_s, seg.start_s + 1e-9) << "overlap or out of order";
    }
    EXPECT_NEAR(seg.mix_start_s, mix_t, 1e-9);
    mix_t += seg.mix_duration_s();
    EXPECT_FALSE(seg.kind.empty());
    EXPECT_FALSE(seg.description.empty());
  }
  EXPECT_NEAR(list.duration_s, mix_t, 1e-9);
}

// Longest silence the mix will hold, inside segments (after dropping) and
// across joins (trailing pause + leading pause; crossfades are centred on the cuts).
double longest_silence(const EpisodeAnalysis& a, const EditList& list) {
  double longest = 0.0;
  auto silence_in = [&](double from, double to, const std::vector<Pause>& dropped) {
    double removed = 0.0;
    for (const auto& p : dropped) {
      if (p.start_s >= from && p.end_s <= to) removed += p.duration_s();
    }
    return to - from - removed;
  };
  for (std::size_t i = 0; i < list.segments.size(); ++i) {
    const auto& seg = list.segments[i];
    // Pauses inside.
    for (const auto& p : a.pauses) {
      double from = std::max(p.start_s, seg.start_s), to = std::min(p.end_s, seg.end_s);
      if (to > from && from > seg.start_s && to < seg.end_s) {
        longest = std::max(longest, silence_in(from, to, seg.dropped));
      }
    }
    if (i + 1 < list.segments.size()) {
      const auto& next = list.segments[i + 1];
      double tail = 0.0, head = 0.0;
      for (const auto& p : a.pauses) {
        if (seg.end_s > p.start_s && seg.end_s <= p.end_s) tail = seg.end_s - p.start_s;
        if (next.start_s >= p.start_s && next.start_s < p.end_s) head = p.end_s - next.start_s;
      }
      longest = std::max(longest, tail + head);
    }
  }
  return longest;
}

bool has_shortfall_warning(const EditList& list) {
  return std::any_of(list.warnings.begin(), list.warnings.end(), [](const std::string& w) {
    return w.find("holds only") != std::string::npos;
  });
}

TEST(SelectSegments, BestOfCutsInPausesFitsDurationAndSpreads) {
  for (double minutes : {30.0, 60.0}) {
    for (unsigned seed : {2u, 5u}) {
      EpisodeAnalysis a = make_episode({.minutes = minutes, .seed = seed});
      for (double target : {30.0, 90.0, 300.0}) {
        SCOPED_TRACE(::testing::Message()
                     << minutes << " min, seed " << seed << ", " << target << " s");
        auto list = select_segments(a, theme("Best Of"), target);
        ASSERT_TRUE(list.ok()) << list.error().message;
        EXPECT_TRUE(list->warnings.empty()) << list->warnings.front();
        EXPECT_NEAR(list->duration_s, target, tolerance(target));
        expect_consistent(*list);
        expect_cuts_in_pauses(a, *list, false);
        EXPECT_LE(longest_silence(a, *list), 1.0);
        // Best Of draws on at least three quarters of the episode.
        double span = list->segments.back().end_s - list->segments.front().start_s;
        EXPECT_GE(span / a.duration_s, 0.75);
        for (const auto& seg : list->segments) {
          EXPECT_TRUE(seg.kind == "banter" || seg.kind == "rant" || seg.kind == "clip") << seg.kind;
          EXPECT_LE(seg.mix_duration_s(), 30.0 + 1e-9);
          EXPECT_GT(seg.confidence, 0.0);
        }
      }
    }
  }
}

TEST(SelectSegments, BestOfPrefersEngagingBlocks) {
  EpisodeAnalysis a = make_episode({.minutes = 30, .seed = 3});
  auto list = select_segments(a, theme("Best Of"), 90.0);
  ASSERT_TRUE(list.ok());
  // Duration-weighted engagement of what was chosen vs what was on offer.
  auto block_of = [&](double t) -> const Block* {
    for (const auto& b : a.blocks) {
      if (t >= b.start_s && t <= b.end_s) return &b;
    }
    return nullptr;
  };
  double chosen = 0.0, chosen_s = 0.0, offered = 0.0, offered_s = 0.0;
  for (const auto& b : a.blocks) {
    if (b.kind == BlockKind::banter || b.kind == BlockKind::rant || b.kind == BlockKind::clip) {
      offered += b.engagement * (b.end_s - b.start_s);
      offered_s += b.end_s - b.start_s;
    }
  }
  for (const auto& seg : list->segments) {
    const Block* b = block_of(0.5 * (seg.start_s + seg.end_s));
    ASSERT_NE(b, nullptr);
    chosen += b->engagement * seg.duration_s();
    chosen_s += seg.duration_s();
  }
  EXPECT_GT(chosen / chosen_s, offered / offered_s + 0.1);
}

TEST(SelectSegments, EachThemeTakesItsKindsWithinTolerance) {
  struct Want {
    const char* theme;
    std::vector<std::string> kinds;
  };
  const std::vector<Want> wants = {
      {"Media Meltdown", {"clip"}},
      {"Conspiracy Corner", {"rant"}},
      {"Donation Nation", {"donation"}},
      {"Musical Mayhem", {"music", "jingle"}},
  };
  EpisodeAnalysis a = make_episode({.minutes = 60, .seed = 4, .music_end_s = 120});
  for (const auto& w : wants) {
    for (double target : {30.0, 90.0}) {
      SCOPED_TRACE(::testing::Message() << w.theme << " " << target << " s");
      auto list = select_segments(a, theme(w.theme), target);
      ASSERT_TRUE(list.ok()) << list.error().message;
      EXPECT_TRUE(list->warnings.empty()) << list->warnings.front();
      EXPECT_NEAR(list->duration_s, target, tolerance(target));
      expect_consistent(*list);
      bool music = std::string(w.theme) == "Musical Mayhem";
      expect_cuts_in_pauses(a, *list, music);
      if (!music) {
        EXPECT_LE(longest_silence(a, *list), 1.0);
      }
      for (const auto& seg : list->segments) {
        EXPECT_NE(std::find(w.kinds.begin(), w.kinds.end(), seg.kind), w.kinds.end()) << seg.kind;
      }
    }
  }
}

TEST(SelectSegments, LongUtterancesStillFitTheDuration) {
  // Utterances of 6-14 s (sentences run together): fitting must combine
  // segments rather than cut inside one.
  for (unsigned seed : {11u, 12u, 13u}) {
    EpisodeAnalysis a =
        make_episode({.minutes = 45, .seed = seed, .sentence_min_s = 6.0, .sentence_max_s = 14.0});
    for (const char* name : {"Best Of", "Media Meltdown", "Conspiracy Corner"}) {
      for (double target : {30.0, 90.0, 300.0}) {
        SCOPED_TRACE(::testing::Message() << name << " seed " << seed << " " << target << " s");
        auto list = select_segments(a, theme(name), target);
        ASSERT_TRUE(list.ok());
        if (has_shortfall_warning(*list)) continue;
        EXPECT_NEAR(list->duration_s, target, tolerance(target));
        expect_cuts_in_pauses(a, *list, false);
        expect_consistent(*list);
      }
    }
  }
}

TEST(SelectSegments, FitsTheDurationAcrossManyEpisodes) {
  // 30 episodes of 20-60 min, every theme, 30 s to 5 min; odd seeds have
  // 4-12 s utterances. Every mix must land within tolerance, except for at
  // most 1 % of coarse ones where no utterance boundary fits (they then carry a
  // warning saying so). Best Of always draws on >= 3/4 of the episode.
  int runs = 0, misses = 0, unexplained = 0;
  for (unsigned seed = 100; seed < 130; ++seed) {
    bool coarse = seed % 2 == 1;
    EpisodeAnalysis a = make_episode({.minutes = 20.0 + seed % 5 * 10,
                                      .seed = seed,
                                      .sentence_min_s = coarse ? 4.0 : 1.0,
                                      .sentence_max_s = coarse ? 12.0 : 5.0});
    for (const char* name :
         {"Best Of", "Media Meltdown", "Conspiracy Corner", "Donation Nation", "Musical Mayhem"}) {
      for (double target : {30.0, 90.0, 180.0, 300.0}) {
        SCOPED_TRACE(::testing::Message() << name << " seed " << seed << " " << target << " s");
        auto list = select_segments(a, theme(name), target);
        ASSERT_TRUE(list.ok());
        ++runs;
        if (std::abs(list->duration_s - target) > tolerance(target)) {
          ++misses;
          EXPECT_TRUE(coarse);
          if (list->warnings.empty()) ++unexplained;
        }
        if (std::string(name) == "Best Of") {
          double span = list->segments.back().end_s - list->segments.front().start_s;
          EXPECT_GE(span / a.duration_s, 0.75);
        }
      }
    }
  }
  EXPECT_LE(misses, runs / 100);
  EXPECT_EQ(unexplained, 0);
}

// Rants as single long utterances, the way a segmentation with a 0.15 s
// minimum pause hears a fast talker: inside each, 0.26 s breaths between
// sentences every 3-5 s and 0.12 s comma pauses between them, both quiet in
// the 10 ms frames. Banter blocks of ten 3 s sentences between the rants.
struct LongRantEpisode {
  EpisodeAnalysis analysis;
  std::vector<Pause> breaths;
  std::vector<Pause> commas;
};

LongRantEpisode make_long_rant_episode(unsigned seed, bool with_frames,
                                       std::vector<double> rant_lengths_s) {
  std::mt19937 rng(seed);
  auto uni = [&](double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  };
  LongRantEpisode ep;
  EpisodeAnalysis& a = ep.analysis;
  double t = 1.0;
  auto open_block = [&](BlockKind kind, int speaker) {
    Block b;
    b.kind = kind;
    b.speaker = speaker;
    b.confidence = 0.9;
    b.engagement = 0.5;
    b.first_utterance = a.utterances.size();
    return b;
  };
  auto close_block = [&](Block b) {
    b.utterance_count = a.utterances.size() - b.first_utterance;
    b.start_s = a.utterances[b.first_utterance].start_s;
    b.end_s = a.utterances.back().end_s;
    a.blocks.push_back(b);
  };
  for (double rant_s : rant_lengths_s) {
    Block banter = open_block(BlockKind::banter, -1);
    for (int i = 0; i < 10; ++i) {
      Utterance u;
      u.start_s = t;
      u.end_s = t + 3.0;
      u.speaker = i % 2;
      u.level_db = -20.0f;
      a.utterances.push_back(u);
      t = u.end_s + 0.5;
    }
    close_block(banter);
    t += 0.3;
    Block rant = open_block(BlockKind::rant, 0);
    Utterance u;
    u.start_s = t;
    u.end_s = t + rant_s;
    u.speaker = 0;
    u.level_db = -20.0f;
    a.utterances.push_back(u);
    for (double s = t + uni(3.0, 5.0); s < u.end_s - 1.0; s += uni(3.0, 5.0)) {
      ep.breaths.push_back({s, s + 0.26});
      double c = s - uni(1.0, 1.5);
      if (c > t + 1.0) ep.commas.push_back({c, c + 0.12});
    }
    close_block(rant);
    t = u.end_s + 0.8;
  }
  a.duration_s = t + 1.0;
  if (with_frames) {
    a.hop_s = 0.01;
    a.frames.assign(static_cast<std::size_t>(a.duration_s / a.hop_s) + 1, FeatureFrame{});
    for (std::size_t f = 0; f < a.frames.size(); ++f) {
      double ft = static_cast<double>(f) * a.hop_s;
      auto in = [ft](const auto& xs) {
        return std::any_of(xs.begin(), xs.end(),
                           [ft](const auto& x) { return ft >= x.start_s && ft < x.end_s; });
      };
      bool sound = in(a.utterances) && !in(ep.breaths) && !in(ep.commas);
      a.frames[f].level_db = sound ? -20.0f : -60.0f;
    }
  }
  double prev = 0.0;
  for (const auto& u : a.utterances) {
    a.pauses.push_back({prev, u.start_s});
    prev = u.end_s;
  }
  a.pauses.push_back({prev, a.duration_s});
  return ep;
}

bool inside_any(double t, const std::vector<Pause>& ranges) {
  return std::any_of(ranges.begin(), ranges.end(),
                     [t](const Pause& p) { return t > p.start_s && t < p.end_s; });
}

TEST(SelectSegments, CutsAtBreathsWhenRantsAreOneLongUtterance) {
  for (unsigned seed : {21u, 22u, 23u}) {
    SCOPED_TRACE(::testing::Message() << "seed " << seed);
    LongRantEpisode ep = make_long_rant_episode(seed, true, {61.3, 74.9, 57.7});
    auto list = select_segments(ep.analysis, theme("Conspiracy Corner"), 90.0);
    ASSERT_TRUE(list.ok());
    EXPECT_NEAR(list->duration_s, 90.0, 1.5);
    EXPECT_NE(list->selection_method.find("cut at breaths"), std::string::npos)
        << list->selection_method;
    for (const auto& seg : list->segments) {
      EXPECT_EQ(seg.kind, "rant");
      for (double c : {seg.start_s, seg.end_s}) {
        // In a real pause or a breath, never in a comma or in speech.
        bool in_speech = utterance_at(ep.analysis, c) != nullptr;
        EXPECT_TRUE(!in_speech || inside_any(c, ep.breaths)) << c;
        EXPECT_FALSE(inside_any(c, ep.commas)) << c;
      }
    }
  }
}

TEST(SelectSegments, TopsUpFromTheFallbackWhenUtterancesAreTooLong) {
  // Two 80 s rants and no frames to find breaths in: whole utterances give
  // 80 s or 160 s, so 80 s of rant is topped up with banter.
  LongRantEpisode ep = make_long_rant_episode(31, false, {80.0, 80.0});
  auto list = select_segments(ep.analysis, theme("Conspiracy Corner"), 90.0);
  ASSERT_TRUE(list.ok());
  EXPECT_NEAR(list->duration_s, 90.0, 1.5);
  ASSERT_EQ(list->warnings.size(), 1u);
  EXPECT_NE(list->warnings[0].find("utterances too long to land on 90.0 s"), std::string::npos)
      << list->warnings[0];
  double rant_s = 0.0;
  for (const auto& seg : list->segments) {
    if (seg.kind == "rant") rant_s += seg.mix_duration_s();
  }
  EXPECT_GE(rant_s / list->duration_s, 0.8);
  expect_cuts_in_pauses(ep.analysis, *list, false);
  expect_consistent(*list);
}

TEST(SelectSegments, ShortfallUsesAllThemeMaterialAndFillsFromFallback) {
  EpisodeAnalysis a = make_episode({.minutes = 30, .seed = 6, .clip_share = 0.0});
  // The only clip: the 20 s outro, relabelled.
  ASSERT_EQ(a.blocks.back().kind, BlockKind::banter);
  a.blocks.back().kind = BlockKind::clip;
  double clip_s = a.blocks.back().end_s - a.blocks.back().start_s;
  ASSERT_LT(clip_s, 90.0 - 10.0);
  auto list = select_segments(a, theme("Media Meltdown"), 90.0);
  ASSERT_TRUE(list.ok());
  ASSERT_TRUE(has_shortfall_warning(*list));
  EXPECT_NE(list->warnings.front().find("Media Meltdown material (clip)"), std::string::npos)
      << list->warnings.front();
  EXPECT_NE(list->warnings.front().find("fallback (banter, rant)"), std::string::npos)
      << list->warnings.front();
  EXPECT_NEAR(list->duration_s, 90.0, tolerance(90.0));
  expect_consistent(*list);
  expect_cuts_in_pauses(a, *list, false);
  double clip_in_mix = 0.0;
  for (const auto& seg : list->segments) {
    if (seg.kind == "clip") {
      clip_in_mix += seg.duration_s();
    } else {
      EXPECT_TRUE(seg.kind == "banter" || seg.kind == "rant") << seg.kind;
    }
  }
  // All of the clip, from its leading to its trailing pause.
  EXPECT_GE(clip_in_mix, clip_s);
}

TEST(SelectSegments, NoThemeMaterialAtAllStillFillsAndWarns) {
  EpisodeAnalysis a = make_episode({.minutes = 20, .seed = 7, .donation = false});
  auto list = select_segments(a, theme("Donation Nation"), 60.0);
  ASSERT_TRUE(list.ok());
  ASSERT_TRUE(has_shortfall_warning(*list));
  EXPECT_NE(list->warnings.front().find("holds only 0.0 s of Donation Nation material"),
            std::string::npos)
      << list->warnings.front();
  EXPECT_NEAR(list->duration_s, 60.0, tolerance(60.0));
  expect_cuts_in_pauses(a, *list, false);
}

TEST(SelectSegments, WholeEpisodeKeepsEverythingInOrderWithChaptersAtBlocks) {
  EpisodeAnalysis a = make_episode({.minutes = 30, .seed = 8});
  auto list = select_segments(a, theme("Best Of"), std::nullopt);
  ASSERT_TRUE(list.ok());
  expect_consistent(*list);
  ASSERT_EQ(list->segments.size(), a.blocks.size());
  for (std::size_t i = 0; i < a.blocks.size(); ++i) {
    EXPECT_EQ(list->segments[i].kind, kind_name(a.blocks[i].kind));
    EXPECT_LE(list->segments[i].start_s, a.blocks[i].start_s);
    EXPECT_GE(list->segments[i].end_s, a.blocks[i].end_s);
  }
  // The episode's own leading/trailing silence is kept up to 1 s, else cut to 0.35 s.
  const Pause& lead = a.pauses.front();
  const Pause& trail = a.pauses.back();
  EXPECT_DOUBLE_EQ(list->segments.front().start_s,
                   lead.duration_s() > 1.0 ? lead.end_s - 0.35 : 0.0);
  EXPECT_DOUBLE_EQ(list->segments.back().end_s,
                   trail.duration_s() > 1.0 ? trail.start_s + 0.35 : a.duration_s);
  // Every utterance is inside exactly one segment and no dropped range touches one.
  for (const auto& u : a.utterances) {
    int holders = 0;
    for (const auto& seg : list->segments) {
      if (u.start_s >= seg.start_s && u.end_s <= seg.end_s) {
        ++holders;
        for (const auto& p : seg.dropped) EXPECT_TRUE(p.end_s <= u.start_s || p.start_s >= u.end_s);
      }
    }
    EXPECT_EQ(holders, 1);
  }
  expect_cuts_in_pauses(a, *list, false);
  EXPECT_LE(longest_silence(a, *list), 1.0 + 1e-9);
  // Only long pauses were shortened: the mix is the episode minus (pause - 0.7 s)
  // for each pause over 1 s (joins take no time).
  double removed = 0.0;
  for (std::size_t i = 0; i < a.pauses.size(); ++i) {
    bool edge = i == 0 || i + 1 == a.pauses.size();
    double d = a.pauses[i].duration_s();
    if (d > 1.0) removed += d - (edge ? 0.35 : 0.7);
  }
  const double expected = a.duration_s - removed;
  EXPECT_NEAR(list->duration_s, expected, 1e-6);
}

TEST(SelectSegments, RefusesBadDurations) {
  EpisodeAnalysis a = make_episode({.minutes = 10, .seed = 9});
  for (double bad : {0.0, -5.0, std::nan("")}) {
    auto list = select_segments(a, theme("Best Of"), bad);
    ASSERT_FALSE(list.ok());
    EXPECT_EQ(list.error().code, Errc::invalid_argument);
    EXPECT_NE(list.error().message.find("duration must be a positive number"), std::string::npos);
  }
  auto too_long = select_segments(a, theme("Best Of"), a.duration_s + 1.0);
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.error().code, Errc::invalid_argument);
  EXPECT_NE(too_long.error().message.find("is longer than the episode"), std::string::npos);
}

TEST(SelectSegments, AllSilenceIsAnError) {
  EpisodeAnalysis a;
  a.duration_s = 120.0;
  a.pauses.push_back({0.0, 120.0});
  auto list = select_segments(a, theme("Best Of"), 60.0);
  ASSERT_FALSE(list.ok());
  EXPECT_EQ(list.error().code, Errc::invalid_argument);
}

}  // namespace
}  // namespace namix
