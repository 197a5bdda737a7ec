#include "analysis/episode_analyzer.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <random>

#include "analysis/synthetic_show.h"

namespace namix {
namespace {

using synthetic::ShowBuilder;
using synthetic::Voice;

// Truth regions of the fixture show.
struct Region {
  double start_s, end_s;
  BlockKind kind;
  int speaker;
};

struct Fixture {
  std::vector<float> audio;
  std::vector<synthetic::Sound> sounds;
  std::vector<Region> regions;
};

// A 3.5-minute show: jingle, banter, a telephone clip, banter, a rant by host
// B (+5 dB, faster, wide pitch, short pauses), banter, a donation read-out by
// B (flat, evenly paced), banter, end music. Host A sits 7 dB above host B.
Fixture make_show(int fs, const Voice& a, const Voice& b, std::uint32_t seed) {
  ShowBuilder show(fs, seed);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  Fixture fx;
  const auto region = [&](BlockKind kind, int speaker, auto&& body) {
    const double start = show.now();
    body();
    fx.regions.push_back({start, show.now(), kind, speaker});
  };
  const auto banter = [&](int turns) {
    int who = 0;
    for (int t = 0; t < turns; ++t) {
      const int lines = 1 + static_cast<int>(u(rng) * 2.5);
      for (int l = 0; l < lines; ++l) {
        show.say(who ? b : a, 1.5 + 2.0 * u(rng), who, 2.0 * (u(rng) - 0.5));
        show.gap(l + 1 < lines ? 0.3 + 0.2 * u(rng) : 0.6 + 0.5 * u(rng));
      }
      who = 1 - who;
    }
  };
  show.gap(0.5);
  region(BlockKind::jingle, -1, [&] { show.music(6.0, -15.0); });
  show.gap(0.6);
  banter(10);
  Voice clip{.pitch_hz = 200, .formant_scale = 0.82, .level_dbfs = -18, .telephone = true};
  region(BlockKind::clip, -1, [&] {
    for (int i = 0; i < 6; ++i) {
      show.say(clip, 1.5 + 1.5 * u(rng), -1, 3.0 * (u(rng) - 0.5));
      if (i < 5) show.gap(0.35 + 0.1 * u(rng));
    }
  });
  show.gap(0.6);
  banter(5);
  Voice rant = b;
  rant.level_dbfs += 5.0;
  rant.syllables_per_s *= 1.25;
  rant.pitch_movement_st = 6.0;
  region(BlockKind::rant, 1, [&] {
    for (int i = 0; i < 10; ++i) {
      show.say(rant, 2.0 + 1.5 * u(rng), 1, 4.0 * (u(rng) - 0.5));
      if (i < 9) show.gap(0.15 + 0.15 * u(rng));
    }
  });
  show.gap(0.8);
  banter(5);
  Voice reader = b;
  reader.pitch_movement_st = 1.0;
  region(BlockKind::donation, 1, [&] {
    for (int i = 0; i < 9; ++i) {
      show.say(reader, 2.6 + 0.2 * u(rng), 1);
      if (i < 8) show.gap(0.6 + 0.1 * u(rng));
    }
  });
  show.gap(0.8);
  banter(4);
  region(BlockKind::music, -1, [&] { show.music(25.0, -15.0); });
  show.gap(0.7);
  fx.audio = show.render();
  fx.sounds = show.sounds();
  return fx;
}

const Block* block_at(const EpisodeAnalysis& r, double t) {
  for (const auto& b : r.blocks)
    if (b.start_s <= t && t <= b.end_s) return &b;
  return nullptr;
}

double speaker_accuracy(const EpisodeAnalysis& r, const std::vector<synthetic::Sound>& sounds) {
  int right = 0, total = 0;
  for (const auto& s : sounds) {
    if (s.kind != "host") continue;
    const Utterance* best = nullptr;
    double overlap = 0.0;
    for (const auto& u : r.utterances) {
      const double o = std::min(u.end_s, s.end_s) - std::max(u.start_s, s.start_s);
      if (o > overlap) {
        overlap = o;
        best = &u;
      }
    }
    ++total;
    right += best != nullptr && best->speaker == s.speaker;
  }
  return total ? static_cast<double>(right) / total : 0.0;
}

// On failure, the evidence per utterance says what went wrong.
void dump(const EpisodeAnalysis& r, const std::vector<UtteranceStats>& stats) {
  for (std::size_t i = 0; i < r.utterances.size(); ++i) {
    const auto& u = r.utterances[i];
    const auto& s = stats[i];
    std::printf(
        "%7.2f %7.2f %-7s spk %2d lvl %6.1f f0 %5.1f rng %4.1f flux %.3f dip %.3f bl90 %4.0f syl "
        "%4.1f sdip %.3f lv %.3f\n",
        u.start_s, u.end_s, sound_class_name(u.sound), u.speaker, s.level_db, s.pitch_hz,
        s.pitch_range_st, s.flux, s.dip_fraction, s.band_limit_p90_hz, s.syllable_rate_hz,
        s.syllabic_dip_fraction, s.long_voiced_fraction);
  }
  for (const auto& b : r.blocks)
    std::printf("block %7.2f %7.2f %-8s spk %2d conf %.2f eng %.2f %s\n", b.start_s, b.end_s,
                block_kind_name(b.kind), b.speaker, b.confidence, b.engagement, b.why.c_str());
}

void check_show(const Fixture& fx, const EpisodeAnalysis& r) {
  EXPECT_GE(speaker_accuracy(r, fx.sounds), 0.9);
  for (const auto& region : fx.regions) {
    const double mid = 0.5 * (region.start_s + region.end_s);
    const Block* b = block_at(r, mid);
    ASSERT_NE(b, nullptr) << block_kind_name(region.kind) << " at " << mid;
    EXPECT_EQ(b->kind, region.kind) << "at " << mid << ": " << b->why;
    if (region.speaker >= 0) {
      EXPECT_EQ(b->speaker, region.speaker) << b->why;
    }
    EXPECT_FALSE(b->why.empty());
    EXPECT_GT(b->confidence, 0.0);
    EXPECT_LE(b->confidence, 1.0);
  }
  // Clips and music belong to no host.
  for (const auto& u : r.utterances) {
    if (u.sound == SoundClass::clip || u.sound == SoundClass::music) {
      EXPECT_EQ(u.speaker, -1);
    }
  }
  // The level gap between the hosts is the 7 dB of the fixture.
  EXPECT_NEAR(r.hosts[0].level_db - r.hosts[1].level_db, 7.0, 1.5);
  // Rants rank above banter for Best Of.
  double rant_engagement = 0.0, banter_engagement = 0.0;
  for (const auto& b : r.blocks) {
    if (b.kind == BlockKind::rant) rant_engagement = std::max(rant_engagement, b.engagement);
    if (b.kind == BlockKind::banter) banter_engagement = std::max(banter_engagement, b.engagement);
  }
  EXPECT_GT(rant_engagement, banter_engagement);
}

TEST(EpisodeAnalyzer, FindsHostsClipsMusicRantsAndReadOuts) {
  const int fs = 11025;
  Voice a{.pitch_hz = 112, .formant_scale = 1.0, .level_dbfs = -20};
  Voice b{.pitch_hz = 95, .formant_scale = 0.9, .level_dbfs = -27};
  const Fixture fx = make_show(fs, a, b, 11);
  EpisodeAnalyzer analyzer(fs);
  // MP3 frames are 1152 samples; feed in those to mirror the decoder.
  for (std::size_t i = 0; i < fx.audio.size(); i += 1152)
    analyzer.add(fx.audio.data() + i, std::min<std::size_t>(1152, fx.audio.size() - i));
  const EpisodeAnalysis r = analyzer.finish();
  EXPECT_NEAR(r.duration_s, static_cast<double>(fx.audio.size()) / fs, 1e-9);
  EXPECT_EQ(r.frames.size(), static_cast<std::size_t>(std::ceil(r.duration_s * 100.0 - 1e-9)));
  check_show(fx, r);
  if (HasFailure()) dump(r, analyzer.utterance_stats());
}

TEST(EpisodeAnalyzer, GeneralisesToOtherVoicesAndRate) {
  // Higher voices, host B the higher one, analysed at the 1:2 rate.
  const int fs = 22050;
  Voice a{.pitch_hz = 130, .formant_scale = 0.95, .level_dbfs = -18};
  Voice b{.pitch_hz = 165, .formant_scale = 0.85, .level_dbfs = -25};
  const Fixture fx = make_show(fs, a, b, 23);
  EpisodeAnalyzer analyzer(fs);
  analyzer.add(fx.audio.data(), fx.audio.size());
  const EpisodeAnalysis r = analyzer.finish();
  check_show(fx, r);
  if (HasFailure()) dump(r, analyzer.utterance_stats());
}

TEST(EpisodeAnalyzer, SilenceGivesNoUtterances) {
  const std::vector<float> zeros(11025 * 5, 0.0f);
  EpisodeAnalyzer analyzer(11025);
  analyzer.add(zeros.data(), zeros.size());
  const auto r = analyzer.finish();
  EXPECT_TRUE(r.utterances.empty());
  EXPECT_TRUE(r.blocks.empty());
  ASSERT_EQ(r.pauses.size(), 1u);
  EXPECT_NEAR(r.pauses[0].duration_s(), 5.0, 1e-9);
}

}  // namespace
}  // namespace namix
