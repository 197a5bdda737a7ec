// Selection by words on real audio: a two-host show synthesised sample by
// sample (analysis/synthetic_show.h) whose donation read-out and rant are
// spoken in the same voices, pace and level as the banter, analysed by
// namix, with the transcript a captioner would publish aligned to it.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "analysis/episode_analyzer.h"
#include "analysis/synthetic_show.h"
#include "select/edit_list.h"
#include "transcript/alignment.h"

namespace namix {
namespace {

using synthetic::ShowBuilder;
using synthetic::Voice;

struct Line {
  double start_s, end_s;
  BlockKind truth;
};

struct SpokenShow {
  std::vector<float> audio;
  Transcript transcript;
  std::vector<Line> lines;
};

const std::vector<std::string> kBanter = {
    "The council voted on the new parking rules yesterday.",
    "I read the whole report on the train this morning.",
    "Well, I am not sure that is how it works.",
    "The weather people got it wrong again this week.",
    "Remember the story about the bridge repairs?",
    "Nobody in the newsroom checked the numbers.",
};
const std::vector<std::string> kRant = {
    "This is a disgrace!",
    "Wake up, everybody!",
    "They are lying to you every single day!",
    "Open your eyes and look at the numbers!",
    "The whole thing is a cover up and they know it!",
};
const std::vector<std::string> kDonation = {
    "Many thanks to Sir Walter Grey of Leeds, executive producer.",
    "A big thank you to Dame Ada King, who sent in five hundred dollars.",
    "Baroness Mia Stone made a donation of two hundred dollars.",
    "Thank you to our associate executive producer, Duke Leo Hart.",
};

SpokenShow make_show(int fs, std::uint32_t seed) {
  ShowBuilder show(fs, seed);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const Voice voices[] = {Voice{.pitch_hz = 115, .level_dbfs = -20},
                          Voice{.pitch_hz = 95, .formant_scale = 0.9, .level_dbfs = -27}};
  const char* names[] = {"Alex", "Blake"};
  SpokenShow out;
  const auto say = [&](int who, const std::string& text, BlockKind truth) {
    const double words = static_cast<double>(std::count(text.begin(), text.end(), ' ') + 1);
    show.say(voices[who], 0.33 * words, who, 2.0 * (u(rng) - 0.5));
    const auto& sound = show.sounds().back();
    Cue cue{sound.start_s, sound.end_s, names[who], text, {}};
    // Words spread over the cue by their length, as for cue-level captions.
    double t = sound.start_s;
    const double per_char = (sound.end_s - sound.start_s) / static_cast<double>(text.size());
    for (std::size_t p = 0; p < text.size();) {
      std::size_t q = std::min(text.find(' ', p), text.size());
      cue.words.push_back({t, t + per_char * static_cast<double>(q - p), text.substr(p, q - p)});
      t += per_char * static_cast<double>(q - p + 1);
      p = q + 1;
    }
    out.transcript.cues.push_back(std::move(cue));
    out.lines.push_back({sound.start_s, sound.end_s, truth});
    show.gap(0.18 + 0.37 * u(rng));
  };
  // Banter's turns are 1-4 sentences; the read-out and the rant hold one
  // host for a minute at the same pace and level.
  const auto banter = [&](double seconds) {
    int who = 0;
    const double until = show.now() + seconds;
    while (show.now() < until) {
      const int n = 1 + static_cast<int>(u(rng) * 4);
      for (int k = 0; k < n; ++k) say(who, kBanter[rng() % kBanter.size()], BlockKind::banter);
      show.gap(0.2 + 0.5 * u(rng));
      who = 1 - who;
    }
  };
  const auto monologue = [&](int who, const std::vector<std::string>& bank, BlockKind truth,
                             double seconds) {
    const double until = show.now() + seconds;
    while (show.now() < until) say(who, bank[rng() % bank.size()], truth);
    show.gap(0.5);
  };
  show.gap(1.0);
  banter(50);
  monologue(1, kDonation, BlockKind::donation, 45);
  banter(50);
  monologue(0, kRant, BlockKind::rant, 45);
  banter(40);
  out.audio = show.render();
  return out;
}

double share_of(const SpokenShow& show, const EditList& list, BlockKind kind) {
  double all = 0.0;
  double theirs = 0.0;
  for (const auto& seg : list.segments) {
    for (const auto& l : show.lines) {
      const double overlap = std::min(seg.end_s, l.end_s) - std::max(seg.start_s, l.start_s);
      if (overlap <= 0.0) continue;
      all += overlap;
      if (l.truth == kind) theirs += overlap;
    }
  }
  return all > 0.0 ? theirs / all : 0.0;
}

TEST(SelectByWordsOnAudio, ReadOutAndRantThatSoundLikeBanterReachTheirThemes) {
  const int fs = 11025;
  const SpokenShow show = make_show(fs, 5);
  EpisodeAnalyzer analyzer(fs);
  analyzer.add(show.audio.data(), show.audio.size());
  const EpisodeAnalysis analysis = analyzer.finish();
  const TranscriptAlignment aligned = align_transcript(show.transcript, analysis);
  auto catalog = ThemeCatalog::load_dir(NAMIX_SHIPPED_THEMES_DIR);
  ASSERT_TRUE(catalog.ok());
  for (auto [name, kind] : {std::pair{"Donation Nation", BlockKind::donation},
                            std::pair{"Conspiracy Corner", BlockKind::rant}}) {
    SCOPED_TRACE(name);
    auto theme = catalog->find(name);
    ASSERT_TRUE(theme.ok());
    auto by_sound = select_segments(analysis, **theme, 30.0);
    ASSERT_TRUE(by_sound.ok());
    auto by_words =
        select_segments(analysis, **theme, 30.0, {.transcript = &aligned.transcript, .about = {}});
    ASSERT_TRUE(by_words.ok());
    const double without = share_of(show, *by_sound, kind);
    const double with = share_of(show, *by_words, kind);
    std::printf("%s: theme share %.2f by sound, %.2f with the transcript\n", name, without, with);
    EXPECT_LT(without, 0.9);
    EXPECT_GE(with, 0.9);
    EXPECT_NEAR(by_words->duration_s, 30.0, 1.5);
  }
}

}  // namespace
}  // namespace namix
