#include "select/theme.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace namix {
namespace {

namespace fs = std::filesystem;

const char* kMinimalTheme = R"(
name = "Test Theme"
description = "for tests"
[selection]
kinds = { rant = 1.0 }
[[master_chain]]
type = "compressor"
threshold_db = -20
ratio = 2
)";

class TempDir {
 public:
  TempDir() {
    std::string templ = (fs::temp_directory_path() / "namix_theme_test_XXXXXX").string();
    path_ = mkdtemp(templ.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  void write(const std::string& name, const std::string& text) const {
    std::ofstream(fs::path(path_) / name) << text;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

const ProcessingStage* find_stage(const std::vector<ProcessingStage>& chain, StageType type,
                                  int nth = 0) {
  for (const auto& st : chain) {
    if (st.type == type && nth-- == 0) return &st;
  }
  return nullptr;
}

TEST(ThemeCatalog, ShippedThemesLoadWithTheSpecValues) {
  auto catalog = ThemeCatalog::load_dir(NAMIX_SHIPPED_THEMES_DIR);
  ASSERT_TRUE(catalog.ok()) << catalog.error().message;
  ASSERT_EQ(catalog->themes().size(), 5u);
  for (const char* name :
       {"Best Of", "Media Meltdown", "Conspiracy Corner", "Donation Nation", "Musical Mayhem"}) {
    auto t = catalog->find(name);
    ASSERT_TRUE(t.ok()) << name;
    EXPECT_DOUBLE_EQ((*t)->target_lufs, -16.0);
    EXPECT_DOUBLE_EQ((*t)->true_peak_ceiling_dbtp, -1.0);
    EXPECT_NE(find_stage((*t)->segment_chain, StageType::dehum), nullptr) << name;
  }

  // The Best Of sound: HPF 80 Hz; peak 200 Hz +2 dB Q0.7; peak 3 kHz +1.5 dB
  // Q1.2; compressor -18 dB 3:1; reverb room 0.2 wet 0.1.
  const Theme& best = **catalog->find("best of");
  EXPECT_EQ(best.slug, "best-of");
  EXPECT_TRUE(best.selection.spread_over_episode);
  EXPECT_GT(best.selection.kind_weights.at(BlockKind::banter), 0.0);
  EXPECT_GT(best.selection.kind_weights.at(BlockKind::rant), 0.0);
  EXPECT_GT(best.selection.kind_weights.at(BlockKind::clip), 0.0);
  EXPECT_DOUBLE_EQ(find_stage(best.segment_chain, StageType::hpf)->value(StageParam::cutoff_hz),
                   80.0);
  const ProcessingStage* p200 = find_stage(best.segment_chain, StageType::peaking, 0);
  EXPECT_DOUBLE_EQ(p200->value(StageParam::frequency_hz), 200.0);
  EXPECT_DOUBLE_EQ(p200->value(StageParam::gain_db), 2.0);
  EXPECT_DOUBLE_EQ(p200->value(StageParam::q), 0.7);
  const ProcessingStage* p3k = find_stage(best.segment_chain, StageType::peaking, 1);
  EXPECT_DOUBLE_EQ(p3k->value(StageParam::frequency_hz), 3000.0);
  EXPECT_DOUBLE_EQ(p3k->value(StageParam::gain_db), 1.5);
  EXPECT_DOUBLE_EQ(p3k->value(StageParam::q), 1.2);
  const ProcessingStage* comp = find_stage(best.master_chain, StageType::compressor);
  EXPECT_DOUBLE_EQ(comp->value(StageParam::threshold_db), -18.0);
  EXPECT_DOUBLE_EQ(comp->value(StageParam::ratio), 3.0);
  const ProcessingStage* verb = find_stage(best.master_chain, StageType::reverb);
  EXPECT_DOUBLE_EQ(verb->value(StageParam::room_size), 0.2);
  EXPECT_DOUBLE_EQ(verb->value(StageParam::wet), 0.1);
  // Best Of keeps its dynamics (the render plan evens out the hosts); the
  // speech themes level theirs.
  EXPECT_EQ(find_stage(best.segment_chain, StageType::leveller), nullptr);
  EXPECT_EQ(best.chain_summary(),
            "de-hum → HPF 80 Hz → peak 200 Hz +2 dB Q0.7 → peak 3 kHz +1.5 dB Q1.2 → "
            "compressor -18 dB 3:1 → reverb room 0.2 wet 0.1 → loudness -16 LUFS → limiter -1 "
            "dBTP");

  const Theme& media = **catalog->find("MEDIA MELTDOWN");
  EXPECT_EQ(media.selection.kind_weights.size(), 1u);
  EXPECT_GT(media.selection.kind_weights.at(BlockKind::clip), 0.0);
  EXPECT_DOUBLE_EQ(find_stage(media.segment_chain, StageType::hpf)->value(StageParam::cutoff_hz),
                   100.0);
  EXPECT_DOUBLE_EQ(
      find_stage(media.segment_chain, StageType::peaking, 0)->value(StageParam::gain_db), -2.0);
  EXPECT_DOUBLE_EQ(find_stage(media.segment_chain, StageType::peaking, 1)->value(StageParam::q),
                   1.8);
  EXPECT_DOUBLE_EQ(find_stage(media.master_chain, StageType::compressor)->value(StageParam::ratio),
                   4.0);
  EXPECT_DOUBLE_EQ(find_stage(media.master_chain, StageType::drive)->value(StageParam::gain_db),
                   2.0);
  EXPECT_NE(find_stage(media.segment_chain, StageType::leveller), nullptr);

  const Theme& conspiracy = **catalog->find("conspiracy-corner");
  EXPECT_DOUBLE_EQ(
      find_stage(conspiracy.segment_chain, StageType::lpf)->value(StageParam::cutoff_hz), 8000.0);
  EXPECT_DOUBLE_EQ(find_stage(conspiracy.segment_chain, StageType::lpf)->value(StageParam::order),
                   4.0);
  EXPECT_DOUBLE_EQ(
      find_stage(conspiracy.master_chain, StageType::reverb)->value(StageParam::room_size), 0.4);
  EXPECT_DOUBLE_EQ(
      find_stage(conspiracy.master_chain, StageType::compressor)->value(StageParam::ratio), 2.5);

  const Theme& donation = **catalog->find("donation nation");
  EXPECT_DOUBLE_EQ(
      find_stage(donation.segment_chain, StageType::low_shelf)->value(StageParam::gain_db), 3.0);
  EXPECT_DOUBLE_EQ(
      find_stage(donation.segment_chain, StageType::high_shelf)->value(StageParam::gain_db), 2.0);
  EXPECT_DOUBLE_EQ(
      find_stage(donation.master_chain, StageType::compressor)->value(StageParam::ratio), 3.5);

  const Theme& music = **catalog->find("Musical Mayhem");
  EXPECT_EQ(find_stage(music.segment_chain, StageType::leveller), nullptr);
  EXPECT_GT(music.crossfade_s, 2 * best.crossfade_s);
  EXPECT_DOUBLE_EQ(
      find_stage(music.master_chain, StageType::compressor)->value(StageParam::threshold_db),
      -17.0);
  EXPECT_DOUBLE_EQ(find_stage(music.master_chain, StageType::reverb)->value(StageParam::wet), 0.18);
}

TEST(ThemeCatalog, UnknownThemeListsTheValidNames) {
  auto catalog = ThemeCatalog::load_dir(NAMIX_SHIPPED_THEMES_DIR);
  ASSERT_TRUE(catalog.ok());
  auto t = catalog->find("Worst Of");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, Errc::invalid_argument);
  EXPECT_EQ(t.error().message,
            "unknown theme 'Worst Of'; valid themes: Best Of, Conspiracy Corner, Donation Nation, "
            "Media Meltdown, Musical Mayhem");
}

TEST(ThemeCatalog, UnknownThemeIsQuotedOnlyInPart) {
  auto catalog = ThemeCatalog::load_dir(NAMIX_SHIPPED_THEMES_DIR);
  ASSERT_TRUE(catalog.ok());
  // A 60 kB name (the service echoed it back whole): the message quotes
  // kMaxQuotedInputBytes of it and still lists the themes.
  auto t = catalog->find(std::string(60 * 1024, 'x') + "\nline two");
  ASSERT_FALSE(t.ok());
  const std::string& message = t.error().message;
  EXPECT_LT(message.size(), 300u) << message.substr(0, 300);
  EXPECT_NE(message.find("unknown theme '" + std::string(kMaxQuotedInputBytes, 'x') + "…'"),
            std::string::npos);
  EXPECT_NE(message.find("valid themes: Best Of"), std::string::npos);
}

// Found by fuzz/theme_toml_fuzzer.cc: toml++'s syntax errors quote the
// text they stopped at, and TOML keys may hold any character; either put a
// line break into what must be a one-line message.
TEST(ThemeParse, ErrorsStayOneLineWhateverTheFileHolds) {
  const std::string truncated_bool = "flag = tru\n" + std::string(kMinimalTheme);
  const std::string quoted_key = "\"colour\\nred\" = 1\n" + std::string(kMinimalTheme);
  for (const std::string& text : {truncated_bool, quoted_key}) {
    auto t = parse_theme_toml(text, "bad.toml");
    ASSERT_FALSE(t.ok());
    EXPECT_EQ(t.error().message.find('\n'), std::string::npos) << t.error().message;
    EXPECT_EQ(t.error().message.rfind("bad.toml:", 0), 0u) << t.error().message;
  }
}

TEST(ThemeParse, MinimalThemeGetsDefaultsAndSlug) {
  auto t = parse_theme_toml(kMinimalTheme, "mini.toml");
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->name, "Test Theme");
  EXPECT_EQ(t->slug, "test-theme");
  EXPECT_DOUBLE_EQ(t->target_lufs, -16.0);
  EXPECT_DOUBLE_EQ(t->crossfade_s, 0.3);
  EXPECT_FALSE(t->selection.spread_over_episode);
}

struct Malformed {
  const char* what;
  std::string text;
  std::string message;  // the whole expected error
};

std::string replace(std::string s, const std::string& from, const std::string& to) {
  auto at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

TEST(ThemeParse, MalformedFilesAreRefusedWithFileFieldAndReason) {
  const std::string good = kMinimalTheme;
  const std::vector<Malformed> cases = {
      {"missing name", replace(good, "name = \"Test Theme\"", ""),
       "bad.toml: name: missing (a string is required)"},
      {"name not a string", replace(good, "name = \"Test Theme\"", "name = 3"),
       "bad.toml: name: must be a string"},
      {"unknown stage type", replace(good, "type = \"compressor\"", "type = \"flanger\""),
       "bad.toml: master_chain[0].type: unknown stage type 'flanger' (valid: hpf, lpf, peaking, "
       "low_shelf, high_shelf, compressor, reverb, drive, dehum, leveller)"},
      {"ratio below 1", replace(good, "ratio = 2", "ratio = 0.5"),
       "bad.toml: master_chain[0].ratio: must be between 1 and 30 (got 0.5)"},
      {"fractional order",
       replace(
           good, "type = \"compressor\"",
           "type = \"hpf\"\ncutoff_hz = 80\norder = 2.5\n[[master_chain]]\ntype = \"compressor\""),
       "bad.toml: master_chain[0].order: must be a whole number (got 2.5)"},
      {"ratio as a string", replace(good, "ratio = 2", "ratio = \"2\""),
       "bad.toml: master_chain[0].ratio: must be a number"},
      {"missing required parameter", replace(good, "threshold_db = -20\n", ""),
       "bad.toml: master_chain[0].threshold_db: missing (required for compressor)"},
      {"misspelt parameter", replace(good, "threshold_db", "treshold_db"),
       "bad.toml: master_chain[0].treshold_db: unknown parameter for compressor (valid: "
       "threshold_db, ratio, attack_ms, release_ms, knee_db, makeup_db)"},
      {"unknown kind", replace(good, "rant = 1.0", "rants = 1.0"),
       "bad.toml: selection.kinds.rants: unknown kind (valid: banter, rant, clip, donation, "
       "jingle, music, silence)"},
      {"no kind wanted", replace(good, "rant = 1.0", "rant = 0"),
       "bad.toml: selection.kinds: must give at least one kind a weight above 0"},
      {"missing selection", replace(good, "[selection]\nkinds = { rant = 1.0 }\n", ""),
       "bad.toml: selection: missing (a table with kinds is required)"},
      {"crossfade out of range", "crossfade_s = -1\n" + good,
       "bad.toml: crossfade_s: must be between 0 and 5 (got -1)"},
      {"loudness as a string", "target_lufs = \"loud\"\n" + good,
       "bad.toml: target_lufs: must be a number"},
      {"unknown top-level field", "colour = \"red\"\n" + good, "bad.toml: colour: unknown field"},
      {"chain not an array", replace(good, "[[master_chain]]", "[master_chain]"),
       "bad.toml: master_chain: must be an array of tables ([[master_chain]])"},
      {"spread not a bool", replace(good, "kinds = {", "spread_over_episode = 1\nkinds = {"),
       "bad.toml: selection.spread_over_episode: must be true or false"},
      {"min above max",
       replace(good, "kinds = {", "min_segment_s = 40\nmax_segment_s = 20\nkinds = {"),
       "bad.toml: selection.min_segment_s: must not exceed max_segment_s (20)"},
      {"words not a table", "words = 3\n" + good, "bad.toml: words: must be a table ([words])"},
      {"unknown words field", good + "[words]\nphrase = []\n",
       "bad.toml: words.phrase: unknown field"},
      {"words weight out of range", good + "[words]\nweight = 2\n",
       "bad.toml: words.weight: must be between 0 and 1 (got 2)"},
      {"phrases not an array", good + "[words]\nphrases = \"thanks\"\n",
       "bad.toml: words.phrases: must be an array of {text = \"...\", weight = 1.0}"},
      {"phrase not a table", good + "[words]\nphrases = [\"thanks\"]\n",
       "bad.toml: words.phrases[0]: must be a table {text = \"...\", weight = 1.0}"},
      {"phrase without text", good + "[words]\nphrases = [{weight = 2}]\n",
       "bad.toml: words.phrases[0].text: missing (a string is required)"},
      {"phrase of punctuation", good + "[words]\nphrases = [{text = \"?!\"}]\n",
       "bad.toml: words.phrases[0].text: must hold 1 to 8 words of letters or digits (got '?!')"},
      {"phrase listed twice",
       good + "[words]\nphrases = [{text = \"Thank you\"}, {text = \"thank you\"}]\n",
       "bad.toml: words.phrases[1].text: 'thank you' is listed twice"},
      {"phrase weight out of range",
       good + "[words]\nphrases = [{text = \"wake up\", weight = -1}]\n",
       "bad.toml: words.phrases[0].weight: must be between 0 and 10 (got -1)"},
      {"misspelt phrase field",
       good + "[words]\nphrases = [{text = \"roll it\", announce = true}]\n",
       "bad.toml: words.phrases[0].announce: unknown field (valid: text, weight, announces)"},
  };
  for (const auto& c : cases) {
    auto t = parse_theme_toml(c.text, "bad.toml");
    ASSERT_FALSE(t.ok()) << c.what;
    EXPECT_EQ(t.error().code, Errc::invalid_argument) << c.what;
    EXPECT_EQ(t.error().message, c.message) << c.what;
  }
}

TEST(ThemeParse, WordsAreOptionalAndReadWithDefaults) {
  auto plain = parse_theme_toml(kMinimalTheme, "t.toml");
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(plain->selection.words.empty());
  EXPECT_EQ(plain->selection.words.weight, 0.0);
  auto t = parse_theme_toml(std::string(kMinimalTheme) +
                                "[words]\nexclamation_weight = 0.5\nphrases = [{text = \"wake "
                                "up\"}, {text = \"roll the tape\", weight = 2, announces = "
                                "true}]\n",
                            "t.toml");
  ASSERT_TRUE(t.ok()) << t.error().message;
  const ThemeWords& w = t->selection.words;
  EXPECT_EQ(w.weight, 0.5);
  EXPECT_EQ(w.exclamation_weight, 0.5);
  ASSERT_EQ(w.phrases.size(), 2u);
  EXPECT_EQ(w.phrases[0].text, "wake up");
  EXPECT_EQ(w.phrases[0].weight, 1.0);
  EXPECT_FALSE(w.phrases[0].announces);
  EXPECT_EQ(w.phrases[1].weight, 2.0);
  EXPECT_TRUE(w.phrases[1].announces);
}

// Every shipped theme listens for words; Donation Nation for the read-out's
// own: thanks, producer credits, amounts and the show's titles.
TEST(ThemeCatalog, ShippedThemesCarryPhraseLists) {
  auto catalog = ThemeCatalog::load_dir(NAMIX_SHIPPED_THEMES_DIR);
  ASSERT_TRUE(catalog.ok());
  for (const auto& theme : catalog->themes()) {
    SCOPED_TRACE(theme.name);
    EXPECT_FALSE(theme.selection.words.phrases.empty());
    EXPECT_GT(theme.selection.words.weight, 0.0);
  }
  auto donation = catalog->find("Donation Nation");
  ASSERT_TRUE(donation.ok());
  std::vector<std::string> texts;
  for (const auto& p : (*donation)->selection.words.phrases) texts.push_back(p.text);
  for (const char* want :
       {"thank", "producer", "executive producer", "associate executive producer", "donation",
        "dollars", "sir", "dame", "baron"}) {
    EXPECT_NE(std::find(texts.begin(), texts.end(), want), texts.end()) << want;
  }
  auto media = catalog->find("Media Meltdown");
  ASSERT_TRUE(media.ok());
  for (const auto& p : (*media)->selection.words.phrases) EXPECT_TRUE(p.announces) << p.text;
}

// themes/README.md shows a [words] table; it must be one a theme may hold.
TEST(ThemeParse, ReadmeWordsExampleParses) {
  std::ifstream in(std::string(NAMIX_SHIPPED_THEMES_DIR) + "/README.md");
  ASSERT_TRUE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  const std::string readme = text.str();
  const auto from = readme.find("[words]");
  ASSERT_NE(from, std::string::npos);
  const auto to = readme.find("\n\n", from);
  auto t = parse_theme_toml(std::string(kMinimalTheme) + readme.substr(from, to - from) + "\n",
                            "README.md");
  EXPECT_TRUE(t.ok()) << (t.ok() ? "" : t.error().message);
}

TEST(ThemeParse, SyntaxErrorNamesFileAndLine) {
  auto t = parse_theme_toml("name = \"x\"\nkinds = {\n", "broken.toml");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().message.rfind("broken.toml:2: syntax: ", 0), 0u) << t.error().message;
}

TEST(ThemeCatalog, MalformedFileInADirectoryFailsTheLoad) {
  TempDir dir;
  dir.write("good.toml", kMinimalTheme);
  dir.write("bad.toml", replace(kMinimalTheme, "ratio = 2", "ratio = 0"));
  auto catalog = ThemeCatalog::load_dir(dir.path());
  ASSERT_FALSE(catalog.ok());
  EXPECT_EQ(catalog.error().message,
            (fs::path(dir.path()) / "bad.toml").string() +
                ": master_chain[0].ratio: must be between 1 and 30 (got 0)");
}

TEST(ThemeCatalog, MissingOrEmptyDirectoryIsAnError) {
  auto missing = ThemeCatalog::load_dir("/nonexistent/namix/themes");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, Errc::not_found);
  TempDir empty;
  auto none = ThemeCatalog::load_dir(empty.path());
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message.find("holds no *.toml"), std::string::npos);
}

TEST(ThemeCatalog, UserDirectoryOverridesAndAdds) {
  auto catalog = ThemeCatalog::load_dir(NAMIX_SHIPPED_THEMES_DIR);
  ASSERT_TRUE(catalog.ok());
  TempDir user;
  // Same name in another case: replaces the shipped Best Of.
  user.write("mine.toml", replace(kMinimalTheme, "Test Theme", "BEST OF"));
  user.write("extra.toml", replace(kMinimalTheme, "Test Theme", "Late Night"));
  ASSERT_TRUE(catalog->add_dir(user.path()).ok());
  EXPECT_EQ(catalog->themes().size(), 6u);
  auto best = catalog->find("best of");
  ASSERT_TRUE(best.ok());
  EXPECT_EQ((*best)->description, "for tests");
  EXPECT_TRUE(catalog->find("late-night").ok());
}

TEST(ThemeCatalog, DuplicateNamesInOneDirectoryAreRefused) {
  TempDir dir;
  dir.write("a.toml", kMinimalTheme);
  dir.write("b.toml", replace(kMinimalTheme, "Test Theme", "test theme"));
  auto catalog = ThemeCatalog::load_dir(dir.path());
  ASSERT_FALSE(catalog.ok());
  EXPECT_NE(catalog.error().message.find("b.toml: name: theme 'test theme' is defined twice"),
            std::string::npos)
      << catalog.error().message;
}

TEST(ThemeCatalog, DefaultDirectoryFollowsTheEnvironment) {
  setenv("NAMIX_THEMES_DIR", "/some/where", 1);
  EXPECT_EQ(default_themes_dir(), "/some/where");
  unsetenv("NAMIX_THEMES_DIR");
  EXPECT_FALSE(default_themes_dir().empty());
}

TEST(ThemeCatalog, LoadThemeCatalogAddsTheUserDirectoryToTheShippedThemes) {
  setenv("NAMIX_THEMES_DIR", NAMIX_SHIPPED_THEMES_DIR, 1);
  TempDir user;
  user.write("late.toml", replace(kMinimalTheme, "Test Theme", "Late Night"));
  auto catalog = load_theme_catalog(user.path());
  ASSERT_TRUE(catalog.ok()) << catalog.error().message;
  EXPECT_EQ(catalog->themes().size(), 6u);
  EXPECT_TRUE(catalog->find("late night").ok());
  EXPECT_TRUE(catalog->find("best of").ok());
  user.write("worse.toml", replace(kMinimalTheme, "rant = 1.0", "rant = -1"));
  auto bad = load_theme_catalog(user.path());
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("worse.toml: selection.kinds.rant: weight must be between 0 "
                                     "and 10 (got -1)"),
            std::string::npos)
      << bad.error().message;
  unsetenv("NAMIX_THEMES_DIR");
}

TEST(ThemeCatalog, MisspeltStageKeyInAUserThemeStopsTheLoad) {
  setenv("NAMIX_THEMES_DIR", NAMIX_SHIPPED_THEMES_DIR, 1);
  TempDir user;
  user.write("late.toml", replace(kMinimalTheme, "ratio = 2", "ratio = 2\nknee = 6"));
  auto catalog = load_theme_catalog(user.path());
  ASSERT_FALSE(catalog.ok());
  EXPECT_EQ(catalog.error().code, Errc::invalid_argument);
  EXPECT_EQ(catalog.error().message,
            (fs::path(user.path()) / "late.toml").string() +
                ": master_chain[0].knee: unknown parameter for compressor (valid: threshold_db, "
                "ratio, attack_ms, release_ms, knee_db, makeup_db)");
  unsetenv("NAMIX_THEMES_DIR");
}

TEST(BlockKindNames, RoundTrip) {
  for (auto k : {BlockKind::banter, BlockKind::rant, BlockKind::clip, BlockKind::donation,
                 BlockKind::jingle, BlockKind::music, BlockKind::silence}) {
    EXPECT_EQ(parse_block_kind(kind_name(k)), k);
  }
  EXPECT_FALSE(parse_block_kind("opener").has_value());
}

}  // namespace
}  // namespace namix
