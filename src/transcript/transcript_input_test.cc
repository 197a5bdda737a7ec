// What every transcript input goes through whatever its format: the
// checks on size and encoding, format detection from content, the files
// on disk, and the text of a stretch of time.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "transcript/transcript.h"

namespace namix {
namespace {

void expect_refused(const std::string& bytes, const std::string& message_part) {
  auto t = parse_transcript(bytes, "episode.srt");
  ASSERT_FALSE(t.ok()) << message_part;
  EXPECT_EQ(t.error().code, Errc::undecodable);
  EXPECT_EQ(t.error().message.rfind("episode.srt ", 0), 0u) << t.error().message;
  EXPECT_NE(t.error().message.find(message_part), std::string::npos) << t.error().message;
  EXPECT_EQ(t.error().message.find('\n'), std::string::npos);
}

TEST(TranscriptInput, BadInputGetsAOneLineError) {
  using namespace std::string_literals;
  expect_refused("", "is empty");
  expect_refused(" \r\n\t", "is empty");
  expect_refused("\xEF\xBB\xBF", "is empty");
  expect_refused("Just some notes about the show.\nNothing timed here.\n", "is not a transcript");
  expect_refused("1\n00:00:01,000 --> 00:00:02,000\nbad \xC3\x28 byte\n",
                 "is not valid UTF-8 (at byte 36)");
  expect_refused("1\n00:00:01,000 --> 00:00:02,000\n\xED\xA0\x80\n", "is not valid UTF-8");
  expect_refused(
      "\xFF\xFE"
      "1\0\n\0",
      "is UTF-16");
  expect_refused("1\n00:00:01,000 --> 00:00:02,000\nnul\0byte\n"s, "is binary");
  expect_refused(std::string(kMaxTranscriptBytes + 1, '\n'), "is over 20 MB");
  expect_refused("1\n00:00:01,000 --> 00:00:02,000\n\n", "without a single cue");
}

TEST(TranscriptInput, FormatIsToldFromContentNotName) {
  const std::string vtt = "WEBVTT\n\n00:01.000 --> 00:02.000\n<v A>hi\n";
  const std::string srt = "1\n00:00:01,000 --> 00:00:02,000\nhi\n";
  const std::string json = R"({"segments": [{"startTime": 1, "endTime": 2, "body": "hi"}]})";
  EXPECT_EQ(parse_transcript(vtt, "x.srt")->format, TranscriptFormat::vtt);
  EXPECT_EQ(parse_transcript(srt, "x.vtt")->format, TranscriptFormat::srt);
  EXPECT_EQ(parse_transcript("\n\n " + json, "x.srt")->format, TranscriptFormat::json);
}

TEST(TranscriptInput, NeverCrashesOnMangledInput) {
  // Random cuts and byte flips of valid files in every format: each is
  // either a tidy transcript or a one-line error.
  const std::string seeds[] = {
      "WEBVTT\n\nNOTE x\n\nid\n00:01.000 --> 00:02.000 align:start\n<v.a Al>h&amp;i <00:01.500>"
      "there</v>\n\n00:02.000 --> 00:01.000\nback\n",
      "1\n00:00:01,000 --> 00:00:02,000\n<i>Alex:</i> {\\an8}hi\n2\n00:00:03,000 --> "
      "00:00:04,000\nAlex: yo\n",
      R"({"version":"1.0.0","segments":[{"speaker":"A","startTime":1,"endTime":1.2,"body":"a"},)"
      R"({"speaker":"A","startTime":"1.3","endTime":1.5,"body":"b."}]})"};
  std::mt19937 rng(7);
  for (const auto& seed : seeds) {
    for (int trial = 0; trial < 3000; ++trial) {
      std::string s = seed;
      const int edits = 1 + static_cast<int>(rng() % 4);
      for (int e = 0; e < edits && !s.empty(); ++e) {
        const std::size_t at = rng() % s.size();
        switch (rng() % 3) {
          case 0:
            s[at] = static_cast<char>(rng() % 128);
            break;
          case 1:
            s.erase(at, rng() % 8);
            break;
          default:
            s.insert(at, s.substr(rng() % s.size(), rng() % 12));
        }
      }
      auto t = parse_transcript(s);
      if (!t.ok()) {
        EXPECT_EQ(t.error().message.find('\n'), std::string::npos);
        continue;
      }
      double last_end = 0.0;
      for (const auto& c : t->cues) {
        ASSERT_GE(c.start_s, last_end);
        ASSERT_GT(c.end_s, c.start_s);
        ASSERT_FALSE(c.words.empty());
        double w_end = c.start_s;
        for (const auto& w : c.words) {
          ASSERT_GE(w.start_s, w_end - 1e-9);
          ASSERT_GE(w.end_s, w.start_s);
          ASSERT_LE(w.end_s, c.end_s + 1e-9);
          w_end = w.end_s;
        }
        last_end = c.end_s;
      }
    }
  }
}

TEST(TranscriptInput, FilesOnDisk) {
  const auto dir = std::filesystem::temp_directory_path() / "namix_transcript_input_test";
  std::filesystem::create_directories(dir);
  const auto path = (dir / "show.vtt").string();
  std::ofstream(path) << "WEBVTT\n\n00:01.000 --> 00:02.000\nhello\n";
  auto t = load_transcript_file(path);
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->cues.at(0).text, "hello");

  auto missing = load_transcript_file((dir / "missing.srt").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, Errc::not_found);
  auto directory = load_transcript_file(dir.string());
  ASSERT_FALSE(directory.ok());
  EXPECT_EQ(directory.error().code, Errc::unreadable);

  const auto big = (dir / "big.srt").string();
  std::filesystem::resize_file(path, 0);
  { std::ofstream(big) << ""; }
  std::filesystem::resize_file(big, kMaxTranscriptBytes + 1);
  auto too_big = load_transcript_file(big);
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.error().code, Errc::undecodable);
  EXPECT_NE(too_big.error().message.find("over 20 MB"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(TranscriptInput, TextBetweenTakesWordsByTheirMiddle) {
  auto t = parse_transcript(
      "00:00:00,000 --> 00:00:02,000\naa bb\n\n00:00:02,000 --> 00:00:04,000\ncc dd\n");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(text_between(*t, 0.0, 4.0), "aa bb cc dd");
  EXPECT_EQ(text_between(*t, 0.6, 3.0), "bb cc");  // middles at 0.5, 1.5, 2.5, 3.5
  EXPECT_EQ(text_between(*t, 5.0, 9.0), "");
}

}  // namespace
}  // namespace namix
