#include "transcript/transcript_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <random>

namespace namix {
namespace {

// A transcript as a parser leaves it: times to the millisecond, words
// spread over their cues, speakers that recur, text that needs escaping.
Transcript sample(std::uint32_t seed) {
  const char* bank[] = {"well,",      "the",  "Q&A",   "<3",     "a<b",       "café", "said:",
                        "\"quoted\"", "it's", "done.", "right?", "--> arrow", "100%", "—"};
  const char* speakers[] = {"Alex", "Blake Smith", ""};
  std::mt19937 rng(seed);
  double t = 0.5;
  // The parser builds the words, exactly as it would from a file.
  std::string vtt = "WEBVTT\n\n";
  for (int i = 0; i < 40; ++i) {
    const double len = 0.4 + static_cast<double>(rng() % 4000) / 1000.0;
    std::string text;
    for (int w = 0, n = 1 + static_cast<int>(rng() % 8); w < n; ++w) {
      text += (w ? " " : "") + std::string(bank[rng() % std::size(bank)]);
    }
    const double end = std::round((t + len) * 1000.0) / 1000.0;
    Transcript one;
    one.cues.push_back({t, end, speakers[rng() % 3], text, {}});
    vtt += write_webvtt(one).substr(8);
    t = end + static_cast<double>(rng() % 800) / 1000.0;
  }
  auto parsed = parse_transcript(vtt);
  EXPECT_TRUE(parsed.ok()) << parsed.error().message;
  return parsed.ok() ? std::move(parsed.value()) : Transcript{};
}

void expect_same_cues(const Transcript& a, const Transcript& b, bool compare_words = true) {
  ASSERT_EQ(a.cues.size(), b.cues.size());
  for (std::size_t i = 0; i < a.cues.size(); ++i) {
    const Cue& x = a.cues[i];
    const Cue& y = b.cues[i];
    EXPECT_NEAR(x.start_s, y.start_s, 1e-9) << i;
    EXPECT_NEAR(x.end_s, y.end_s, 1e-9) << i;
    EXPECT_EQ(x.speaker, y.speaker) << i;
    EXPECT_EQ(x.text, y.text) << i;
    if (!compare_words) continue;
    ASSERT_EQ(x.words.size(), y.words.size()) << i;
    for (std::size_t k = 0; k < x.words.size(); ++k) {
      EXPECT_EQ(x.words[k].text, y.words[k].text);
      EXPECT_NEAR(x.words[k].start_s, y.words[k].start_s, 1e-9) << i << "/" << k;
      EXPECT_NEAR(x.words[k].end_s, y.words[k].end_s, 1e-9) << i << "/" << k;
    }
  }
}

Transcript reparse(const std::string& text, TranscriptFormat format) {
  auto t = parse_transcript(text);
  EXPECT_TRUE(t.ok()) << (t.ok() ? "" : t.error().message);
  if (!t.ok()) return {};
  EXPECT_EQ(t->format, format);
  EXPECT_TRUE(t->warnings.empty()) << t->warnings.front();
  return std::move(t.value());
}

TEST(TranscriptWriter, RoundTripsInEveryFormat) {
  for (std::uint32_t seed = 1; seed <= 20; ++seed) {
    const Transcript x = sample(seed);
    ASSERT_FALSE(x.cues.empty());
    expect_same_cues(x, reparse(write_webvtt(x), TranscriptFormat::vtt));
    expect_same_cues(x, reparse(write_podcasting_json(x), TranscriptFormat::json));
    expect_same_cues(x, reparse(write_srt(x), TranscriptFormat::srt));
  }
}

TEST(TranscriptWriter, WordTimesSurviveWordLevelFormats) {
  // Word times the parser could not guess: uneven, with gaps.
  Transcript x;
  x.cues.push_back({1.0,
                    3.0,
                    "Alex",
                    "one two three",
                    {{1.0, 1.2, "one"}, {1.9, 2.0, "two"}, {2.5, 3.0, "three"}}});
  x.cues.push_back({4.0, 5.0, "Blake", "four.", {{4.1, 4.8, "four."}}});
  const Transcript vtt = reparse(write_webvtt(x, {.word_timestamps = true}), TranscriptFormat::vtt);
  ASSERT_EQ(vtt.cues.size(), 2u);
  for (std::size_t k = 0; k < 3; ++k) {
    EXPECT_NEAR(vtt.cues[0].words[k].start_s, x.cues[0].words[k].start_s, 1e-9);
  }
  EXPECT_EQ(vtt.cues[0].text, "one two three");

  const Transcript json =
      reparse(write_podcasting_json(x, {.word_level = true}), TranscriptFormat::json);
  std::vector<TranscriptWord> words;
  for (const auto& c : json.cues) words.insert(words.end(), c.words.begin(), c.words.end());
  ASSERT_EQ(words.size(), 4u);
  EXPECT_EQ(words[1], (TranscriptWord{1.9, 2.0, "two"}));
  EXPECT_EQ(words[3], (TranscriptWord{4.1, 4.8, "four."}));
  EXPECT_EQ(json.cues.back().speaker, "Blake");
}

TEST(TranscriptWriter, FormatsLookAsPlayersExpect) {
  Transcript x;
  x.cues.push_back({3725.5, 3727.25, "Alex", "Q&A <now>", {}});
  EXPECT_EQ(write_srt(x), "1\n01:02:05,500 --> 01:02:07,250\nAlex: Q&A <now>\n\n");
  EXPECT_EQ(write_webvtt(x),
            "WEBVTT\n\n01:02:05.500 --> 01:02:07.250\n<v Alex>Q&amp;A &lt;now&gt;\n\n");
  const auto doc = nlohmann::json::parse(write_podcasting_json(x));
  EXPECT_EQ(doc["version"], "1.0.0");
  EXPECT_EQ(doc["segments"][0]["speaker"], "Alex");
  EXPECT_EQ(doc["segments"][0]["startTime"], 3725.5);
  EXPECT_EQ(doc["segments"][0]["body"], "Q&A <now>");
}

TEST(TranscriptWriter, FormatFromOutputName) {
  EXPECT_EQ(transcript_format_for_path("out/mix.VTT"), TranscriptFormat::vtt);
  EXPECT_EQ(transcript_format_for_path("mix.srt"), TranscriptFormat::srt);
  EXPECT_EQ(transcript_format_for_path("a.b/mix.json"), TranscriptFormat::json);
  EXPECT_EQ(transcript_format_for_path("a.vtt/mix"), std::nullopt);
  EXPECT_EQ(transcript_format_for_path("mix.txt"), std::nullopt);
}

}  // namespace
}  // namespace namix
