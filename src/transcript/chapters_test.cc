#include "transcript/chapters.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "transcript/transcript_test_support.h"

namespace namix {
namespace {

TEST(Chapters, ReadsTheSpecExample) {
  auto c = parse_chapters(R"({"version": "1.2.0", "chapters": [
    {"startTime": 0, "title": "Intro"},
    {"startTime": 168, "endTime": 300.5, "title": "Hearing Aids", "img": "https://x/a.jpg",
     "url": "https://x/aids"},
    {"startTime": 300.5, "title": "hidden", "toc": false}]})");
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_EQ(c->chapters.size(), 3u);
  EXPECT_EQ(c->chapters[0].title, "Intro");
  EXPECT_FALSE(c->chapters[0].end_s.has_value());
  EXPECT_DOUBLE_EQ(*c->chapters[1].end_s, 300.5);
  EXPECT_EQ(c->chapters[1].img, "https://x/a.jpg");
  EXPECT_EQ(c->chapters[1].url, "https://x/aids");
  EXPECT_TRUE(c->chapters[1].toc);
  EXPECT_FALSE(c->chapters[2].toc);
  EXPECT_TRUE(c->warnings.empty());
}

TEST(Chapters, LenientWhereFilesStray) {
  // No version, string times, extra fields, out of order, negative and NaN
  // starts, an end before its start, a bare list.
  auto c = parse_chapters(R"([
    {"startTime": "120.5", "title": "B", "location": {"name": "x"}},
    {"startTime": 10, "title": "A", "endTime": 5},
    {"startTime": -3, "title": "negative"},
    {"startTime": "NaN", "title": "nan"},
    {"title": "no start"},
    {"startTime": 300, "title": "C"}])");
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_EQ(c->chapters.size(), 3u);
  EXPECT_EQ(c->chapters[0].title, "A");
  EXPECT_FALSE(c->chapters[0].end_s.has_value());
  EXPECT_DOUBLE_EQ(c->chapters[1].start_s, 120.5);
  EXPECT_EQ(c->chapters[2].title, "C");
  EXPECT_TRUE(has_warning(c->warnings, "2 chapters without a usable startTime dropped"));
  EXPECT_TRUE(has_warning(c->warnings, "1 chapter with a negative startTime dropped"));
  EXPECT_TRUE(has_warning(c->warnings, "1 chapter ending before they start"));
  EXPECT_TRUE(has_warning(c->warnings, "1 chapter out of order; sorted"));
}

TEST(Chapters, BadInputIsAOneLineError) {
  const std::string big(21u * 1024u * 1024u, ' ');
  for (const std::string& text :
       {std::string(), std::string("  \n"), std::string("WEBVTT\n"), std::string("{\"x\": 1}"),
        std::string("{\"chapters\": []}"), std::string("\xC3\x28"), big}) {
    auto c = parse_chapters(text, "chapters.json");
    ASSERT_FALSE(c.ok()) << text.substr(0, 20);
    EXPECT_EQ(c.error().code, Errc::undecodable);
    EXPECT_EQ(c.error().message.rfind("chapters.json ", 0), 0u) << c.error().message;
    EXPECT_EQ(c.error().message.find('\n'), std::string::npos);
  }
}

TEST(Chapters, WritesVersionOneTwoAscending) {
  std::vector<ChapterMark> marks(2);
  marks[0].start_s = 60.0;
  marks[0].end_s = 90.0;
  marks[0].title = "Second";
  marks[0].url = "https://x/2";
  marks[1].title = "First";
  marks[1].img = "https://x/1.png";
  marks[1].toc = false;
  const std::string text = write_chapters_json(marks);
  const auto doc = nlohmann::json::parse(text);
  EXPECT_EQ(doc["version"], "1.2.0");
  ASSERT_EQ(doc["chapters"].size(), 2u);
  EXPECT_EQ(doc["chapters"][0]["title"], "First");
  EXPECT_EQ(doc["chapters"][0]["toc"], false);
  EXPECT_FALSE(doc["chapters"][0].contains("endTime"));
  EXPECT_FALSE(doc["chapters"][0].contains("url"));
  EXPECT_FALSE(doc["chapters"][1].contains("toc"));
  EXPECT_EQ(doc["chapters"][1]["endTime"], 90.0);

  // Round trip: what is written reads back the same, in order.
  auto back = parse_chapters(text);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_TRUE(back->warnings.empty());
  ASSERT_EQ(back->chapters.size(), 2u);
  EXPECT_EQ(back->chapters[0], marks[1]);
  EXPECT_EQ(back->chapters[1], marks[0]);
}

}  // namespace
}  // namespace namix
