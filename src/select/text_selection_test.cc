// Selection with the words: hand-built episodes whose rants and donation
// read-outs sound like banter (the analysis calls them banter), with the
// transcript a captioner would publish. Only the words tell them apart.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "select/about_ranking.h"
#include "select/edit_list.h"
#include "select/word_tokens.h"
#include "transcript/sentences.h"

namespace namix {
namespace {

struct Said {
  double start_s = 0.0;
  double end_s = 0.0;
  BlockKind truth = BlockKind::banter;
};

struct Show {
  EpisodeAnalysis analysis;
  Transcript transcript;
  std::vector<Said> said;  // every utterance with its true kind
};

// Word banks in a phrasing of their own: a selection must not depend on one
// show's script.
const char* kBanter[] = {
    "The council voted on the new parking rules yesterday.",
    "I read the whole report on the train this morning.",
    "That budget was a billion dollars over, by the way.",
    "Well, I am not sure that is how it works.",
    "My neighbour says the lord mayor will not run again.",
    "Thanks for that, it was a good point.",
    "The weather people got it wrong again this week.",
    "Remember the story about the bridge repairs?",
    "Nobody in the newsroom checked the numbers.",
    "Let me find the article, it is here somewhere.",
};
const char* kRant[] = {
    "This is a disgrace!",
    "Wake up, everybody!",
    "They are lying to you every single day!",
    "Open your eyes and look at the numbers!",
    "The whole thing is a cover up and they know it!",
    "Nobody voted for any of this!",
    "I cannot believe they get away with it!",
    "It is propaganda, plain and simple!",
};
const char* kDonation[] = {
    "Many thanks to Sir Walter Grey of Leeds, executive producer of this show.",
    "A big thank you to Dame Ada King in Oslo, who sent in five hundred dollars.",
    "Baroness Mia Stone made a donation of two hundred dollars, thank you.",
    "Thank you to our associate executive producer, Duke Leo Hart of Perth.",
    "Viscount Sam Reed sent in one hundred dollars, thanks Sam.",
};

class ShowBuilder {
 public:
  explicit ShowBuilder(unsigned seed) : rng_(seed) {}

  // One block of `seconds` of lines from `bank`, spoken by one host (or
  // both, for banter), that the analysis hears as `heard`.
  void block(BlockKind truth, BlockKind heard, const char* const* bank, std::size_t bank_size,
             double seconds, int speaker = -1, bool in_order = false) {
    Block b;
    b.kind = heard;
    b.speaker = speaker;
    b.confidence = 0.7;
    b.engagement = 0.5;
    b.first_utterance = show_.analysis.utterances.size();
    const double end = t_ + seconds;
    int who = speaker < 0 ? 0 : speaker;
    std::size_t said = 0;
    while (t_ < end) {
      say(bank[in_order ? said++ % bank_size : pick(bank_size)], truth, who);
      gap(0.18, 0.55);
      if (speaker < 0 && uni(0, 1) < 0.5) who = 1 - who;
    }
    close_block(b);
  }

  // A clip the hosts play, announced in a line of banter.
  void clip(double seconds) {
    block(BlockKind::banter, BlockKind::banter, &kIntro, 1, 0.1, 0);
    Block b;
    b.kind = BlockKind::clip;
    b.confidence = 0.8;
    b.first_utterance = show_.analysis.utterances.size();
    const double end = t_ + seconds;
    while (t_ < end) {
      say("Officials said the measure will take effect next spring.", BlockKind::clip, 2);
      gap(0.25, 0.45);
    }
    close_block(b);
  }

  Show build() {
    show_.analysis.duration_s = t_ + 2.0;
    show_.analysis.pauses.push_back({t_, show_.analysis.duration_s});
    return std::move(show_);
  }

 private:
  static constexpr const char* kIntro = "Roll the tape on this one.";

  double uni(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng_); }
  std::size_t pick(std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_);
  }

  void gap(double lo, double hi) {
    const double g = uni(lo, hi);
    show_.analysis.pauses.push_back({t_, t_ + g});
    t_ += g;
  }

  void say(const std::string& text, BlockKind truth, int speaker) {
    static const char* names[] = {"Alex", "Blake", "Clip"};
    const auto words = selection::word_tokens(text);
    const double length = 0.32 * static_cast<double>(words.size());
    Utterance u;
    u.start_s = t_;
    u.end_s = t_ + length;
    u.sound = speaker == 2 ? SoundClass::clip : SoundClass::speech;
    u.speaker = speaker == 2 ? -1 : speaker;
    show_.analysis.utterances.push_back(u);
    show_.said.push_back({u.start_s, u.end_s, truth});
    Cue cue;
    cue.start_s = u.start_s;
    cue.end_s = u.end_s;
    cue.speaker = names[speaker];
    cue.text = text;
    // Words spread over the cue in proportion to their length, as the
    // parsers do for cue-level input.
    std::vector<std::string> tokens;
    std::size_t letters = 0;
    for (std::size_t p = 0, q; p < text.size(); p = q + 1) {
      q = text.find(' ', p);
      if (q == std::string::npos) q = text.size();
      tokens.push_back(text.substr(p, q - p));
      letters += q - p;
    }
    double w0 = u.start_s;
    for (const auto& tok : tokens) {
      const double w1 =
          w0 + length * static_cast<double>(tok.size()) / static_cast<double>(letters);
      cue.words.push_back({w0, w1, tok});
      w0 = w1;
    }
    show_.transcript.cues.push_back(std::move(cue));
    t_ = u.end_s;
  }

  void close_block(Block& b) {
    b.utterance_count = show_.analysis.utterances.size() - b.first_utterance;
    b.start_s = show_.analysis.utterances[b.first_utterance].start_s;
    b.end_s = show_.analysis.utterances.back().end_s;
    show_.analysis.blocks.push_back(b);
    gap(0.35, 1.0);
  }

  std::mt19937 rng_;
  Show show_;
  double t_ = 1.0;
};

constexpr std::size_t kBanterN = sizeof kBanter / sizeof kBanter[0];
constexpr std::size_t kRantN = sizeof kRant / sizeof kRant[0];
constexpr std::size_t kDonationN = sizeof kDonation / sizeof kDonation[0];

// Ten minutes: banter, two rants and a donation read-out that all sound
// like banter, two clips the analysis does hear.
Show banter_like_show(unsigned seed) {
  ShowBuilder s(seed);
  s.block(BlockKind::banter, BlockKind::banter, kBanter, kBanterN, 70);
  s.block(BlockKind::rant, BlockKind::banter, kRant, kRantN, 50, 0);
  s.block(BlockKind::banter, BlockKind::banter, kBanter, kBanterN, 80);
  s.clip(25);
  s.block(BlockKind::banter, BlockKind::banter, kBanter, kBanterN, 60);
  s.block(BlockKind::donation, BlockKind::banter, kDonation, kDonationN, 80, 1);
  s.block(BlockKind::banter, BlockKind::banter, kBanter, kBanterN, 70);
  s.block(BlockKind::rant, BlockKind::banter, kRant, kRantN, 45, 1);
  s.clip(20);
  s.block(BlockKind::banter, BlockKind::banter, kBanter, kBanterN, 60);
  return s.build();
}

const Theme& shipped(const std::string& name) {
  static const auto catalog = ThemeCatalog::load_dir(NAMIX_SHIPPED_THEMES_DIR);
  EXPECT_TRUE(catalog.ok());
  auto t = catalog->find(name);
  EXPECT_TRUE(t.ok());
  return **t;
}

// The share of the mix's sound that truly is of `kind`, as bench/eval.py
// measures theme share on a corpus episode.
double share_of(const Show& show, const EditList& list, BlockKind kind) {
  double all = 0.0;
  double theirs = 0.0;
  for (const auto& seg : list.segments) {
    for (const auto& s : show.said) {
      double overlap = std::min(seg.end_s, s.end_s) - std::max(seg.start_s, s.start_s);
      if (overlap <= 0.0) continue;
      all += overlap;
      if (s.truth == kind) theirs += overlap;
    }
  }
  return all > 0.0 ? theirs / all : 0.0;
}

bool in_a_pause(const EpisodeAnalysis& a, double t) {
  return std::any_of(a.pauses.begin(), a.pauses.end(),
                     [&](const Pause& p) { return t >= p.start_s && t <= p.end_s; });
}

TEST(SelectByWords, DonationsAndRantsThatSoundLikeBanterReachTheTheme) {
  for (unsigned seed : {1u, 2u, 3u}) {
    SCOPED_TRACE(seed);
    const Show show = banter_like_show(seed);
    for (auto [theme, kind] : {std::pair{"Donation Nation", BlockKind::donation},
                               std::pair{"Conspiracy Corner", BlockKind::rant}}) {
      SCOPED_TRACE(theme);
      auto by_sound = select_segments(show.analysis, shipped(theme), 60.0);
      ASSERT_TRUE(by_sound.ok());
      EXPECT_LT(share_of(show, *by_sound, kind), 0.9);
      auto by_words = select_segments(show.analysis, shipped(theme), 60.0,
                                      {.transcript = &show.transcript, .about = {}});
      ASSERT_TRUE(by_words.ok());
      EXPECT_GE(share_of(show, *by_words, kind), 0.9);
      EXPECT_NEAR(by_words->duration_s, 60.0, 1.5);
      for (const auto& seg : by_words->segments) {
        EXPECT_TRUE(in_a_pause(show.analysis, seg.start_s)) << seg.start_s;
        EXPECT_TRUE(in_a_pause(show.analysis, seg.end_s)) << seg.end_s;
      }
    }
  }
}

TEST(SelectByWords, SegmentsCarryTheirTextAndThePhrasesThatCounted) {
  const Show show = banter_like_show(4);
  auto list = select_segments(show.analysis, shipped("Donation Nation"), 40.0,
                              {.transcript = &show.transcript, .about = {}});
  ASSERT_TRUE(list.ok());
  ASSERT_FALSE(list->segments.empty());
  bool any_title = false;
  for (const auto& seg : list->segments) {
    EXPECT_EQ(seg.text, text_between(show.transcript, seg.start_s, seg.end_s));
    EXPECT_FALSE(seg.text.empty());
    EXPECT_EQ(seg.kind, "donation");
    EXPECT_NE(seg.description.find("by its words"), std::string::npos) << seg.description;
    for (const auto& m : seg.matched) {
      any_title = any_title || m == "sir" || m == "dame" || m == "baroness" || m == "viscount" ||
                  m == "duke";
    }
    EXPECT_FALSE(seg.score.has_value());
  }
  EXPECT_TRUE(any_title);
  EXPECT_NE(list->selection_method.find("transcript"), std::string::npos);
  // Without a transcript nothing is said about words.
  auto plain = select_segments(show.analysis, shipped("Donation Nation"), 40.0);
  ASSERT_TRUE(plain.ok());
  for (const auto& seg : plain->segments) {
    EXPECT_TRUE(seg.text.empty());
    EXPECT_TRUE(seg.matched.empty());
  }
}

TEST(SelectByWords, AClipIntroVouchesForWhatFollowsNotForItself) {
  const Show show = banter_like_show(5);
  auto list = select_segments(show.analysis, shipped("Media Meltdown"), 30.0,
                              {.transcript = &show.transcript, .about = {}});
  ASSERT_TRUE(list.ok());
  bool announced = false;
  for (const auto& seg : list->segments) {
    EXPECT_EQ(seg.text.find("Roll the tape"), std::string::npos) << seg.text;
    if (seg.kind != "clip") continue;
    announced = announced || std::find(seg.matched.begin(), seg.matched.end(), "roll the tape") !=
                                 seg.matched.end();
  }
  EXPECT_TRUE(announced);
}

// A donation read-out whose every line the analysis hears as two
// utterances: a pause in the middle of each sentence.
TEST(SelectByWords, CutsFallBetweenSentencesAndInsidePauses) {
  ShowBuilder s(6);
  s.block(BlockKind::banter, BlockKind::banter, kBanter, kBanterN, 60);
  const char* halves[] = {
      "Many thanks to Sir Walter Grey of Leeds,", "executive producer, for five hundred dollars.",
      "Thank you to Dame Ada King in Oslo,", "who sent in a donation of fifty dollars."};
  s.block(BlockKind::donation, BlockKind::banter, halves, 4, 60, 1, /*in_order=*/true);
  s.block(BlockKind::banter, BlockKind::banter, kBanter, kBanterN, 60);
  const Show show = s.build();
  const auto sentences = split_sentences(show.transcript);
  auto inside_sentence = [&](double t) {
    return std::any_of(sentences.begin(), sentences.end(),
                       [&](const Sentence& x) { return x.start_s < t && t < x.end_s; });
  };
  for (double target : {25.0, 32.0, 41.0}) {
    SCOPED_TRACE(target);
    auto list = select_segments(show.analysis, shipped("Donation Nation"), target,
                                {.transcript = &show.transcript, .about = {}});
    ASSERT_TRUE(list.ok());
    EXPECT_NEAR(list->duration_s, target, 1.5);
    for (const auto& seg : list->segments) {
      EXPECT_TRUE(in_a_pause(show.analysis, seg.start_s));
      EXPECT_TRUE(in_a_pause(show.analysis, seg.end_s));
      EXPECT_FALSE(inside_sentence(seg.start_s)) << seg.start_s << " " << seg.text;
      EXPECT_FALSE(inside_sentence(seg.end_s)) << seg.end_s << " " << seg.text;
    }
  }
}

TEST(SelectByWords, AboutWithoutATranscriptSaysOneIsNeeded) {
  const Show show = banter_like_show(7);
  auto list = select_segments(show.analysis, shipped("Best Of"), 60.0, {.about = "parking rules"});
  ASSERT_FALSE(list.ok());
  EXPECT_EQ(list.error().code, Errc::invalid_argument);
  EXPECT_EQ(list.error().message,
            "--about needs a transcript: add --transcript FILE|URL (or a feed that publishes one)");
}

}  // namespace
}  // namespace namix

namespace namix::selection {
namespace {

TEST(AboutQuery, PhrasesFromQuotesAndCommasAndLooseWordsByStem) {
  const AboutQuery q = parse_about("gas stoves, \"the deep state\"; Budget");
  EXPECT_EQ(q.phrase_texts, (std::vector<std::string>{"gas stoves", "the deep state"}));
  EXPECT_EQ(q.term_texts, (std::vector<std::string>{"gas", "stoves", "deep", "state", "budget"}));
  WordStemmer stemmer;
  EXPECT_EQ(q.terms[1], stemmer.stem("stove"));
  EXPECT_TRUE(parse_about("the, of a").empty());
}

// BM25 by hand for one term: idf = ln(1 + (N - df + 0.5) / (df + 0.5)),
// tf part = tf (k1 + 1) / (tf + k1 (1 - b + b |d| / avgdl)), k1 1.2, b 0.75.
TEST(AboutRanking, Bm25ScoresAndPhrasesAboveLooseWords) {
  auto sentence = [](const std::string& text) {
    Sentence s;
    s.text = text;
    return s;
  };
  const std::vector<Sentence> docs = {
      sentence("Gas stoves are banned."),          // phrase and both words
      sentence("The stoves in the gas station."),  // both words, not the phrase
      sentence("Nothing here at all."),
      sentence("Gas prices went up again today."),  // one word
  };
  const auto r = rank_sentences(docs, parse_about("gas stoves"));
  ASSERT_EQ(r.size(), 4u);
  EXPECT_GT(r[0].score, r[1].score);
  EXPECT_GT(r[1].score, r[3].score);
  EXPECT_EQ(r[2].score, 0.0);
  EXPECT_TRUE(r[2].matched.empty());
  EXPECT_EQ(r[0].matched, (std::vector<std::string>{"gas", "stoves", "gas stoves"}));
  // "Gas prices went up again today": |d| = 6 content words; avgdl = (3 + 3 + 3 + 6) / 4.
  const double avgdl = 15.0 / 4.0;
  const double idf = std::log(1.0 + (4.0 - 3.0 + 0.5) / (3.0 + 0.5));
  const double expected = idf * 2.2 / (1.0 + 1.2 * (0.25 + 0.75 * 6.0 / avgdl));
  EXPECT_NEAR(r[3].score, expected, 1e-9);
}

}  // namespace
}  // namespace namix::selection

namespace namix {
namespace {

TEST(SelectByWords, AboutMakesAMixOfThePassagesThatTalkAboutIt) {
  const Show show = banter_like_show(8);
  auto list = select_segments(show.analysis, shipped("Best Of"), 20.0,
                              {.transcript = &show.transcript, .about = "parking rules"});
  ASSERT_TRUE(list.ok()) << list.error().message;
  EXPECT_NEAR(list->duration_s, 20.0, 1.5);
  double relevant_s = 0.0;
  for (const auto& seg : list->segments) {
    ASSERT_TRUE(seg.score.has_value());
    if (*seg.score <= 0.0) continue;
    relevant_s += seg.mix_duration_s();
    EXPECT_NE(seg.text.find("parking rules"), std::string::npos) << seg.text;
    EXPECT_NE(std::find(seg.matched.begin(), seg.matched.end(), "parking rules"),
              seg.matched.end());
  }
  EXPECT_GE(relevant_s / list->duration_s, 0.8);
  EXPECT_NE(list->selection_method.find("BM25"), std::string::npos);
  auto nothing = select_segments(show.analysis, shipped("Best Of"), 20.0,
                                 {.transcript = &show.transcript, .about = "the, of"});
  ASSERT_FALSE(nothing.ok());
  EXPECT_EQ(nothing.error().code, Errc::invalid_argument);
}

}  // namespace
}  // namespace namix
