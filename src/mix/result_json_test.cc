#include "mix/result_json.h"

#include <gtest/gtest.h>

namespace namix {
namespace {

MixReport two_segment_report() {
  MixReport r;
  r.theme_name = "Best Of";
  r.target_s = 20.0;
  EditSegment a;
  a.start_s = 10.0;
  a.end_s = 22.5;
  a.kind = "banter";
  a.dropped = {{14.35, 15.8}, {19.0004, 19.9996}};
  EditSegment b;
  b.start_s = 40.0;
  b.end_s = 48.0;
  b.mix_start_s = a.mix_duration_s();
  b.kind = "clip";
  r.edit_list.segments = {a, b};
  return r;
}

// The dropped pause parts are what lets a reader map mix time back to the
// source (bench/eval.py does): every segment carries the list, empty or not,
// as [start, end] source seconds to the millisecond.
TEST(ResultJson, ListsEachSegmentsDroppedPauses) {
  const auto j = result_json(two_segment_report(), {}, "s1");
  ASSERT_EQ(j["segments"].size(), 2u);
  const auto& first = j["segments"][0]["dropped"];
  ASSERT_EQ(first.size(), 2u);
  EXPECT_DOUBLE_EQ(first[0][0].get<double>(), 14.35);
  EXPECT_DOUBLE_EQ(first[0][1].get<double>(), 15.8);
  EXPECT_DOUBLE_EQ(first[1][0].get<double>(), 19.0);
  EXPECT_DOUBLE_EQ(first[1][1].get<double>(), 20.0);
  EXPECT_TRUE(j["segments"][1]["dropped"].is_array());
  EXPECT_TRUE(j["segments"][1]["dropped"].empty());
  // mix_start of the next segment = the first one's length less what it dropped.
  EXPECT_NEAR(j["segments"][1]["mix_start"].get<double>(), 12.5 - 1.45 - 0.9992, 1e-3);
}

// A producer can tell from the result which LAME -q made the file.
TEST(ResultJson, ReportsTheMp3Quality) {
  MixReport r = two_segment_report();
  EXPECT_EQ(result_json(r, {}, "s1")["mix_metadata"]["mp3_quality"], 3);
  r.mp3_quality = 7;
  EXPECT_EQ(result_json(r, {}, "s1")["mix_metadata"]["mp3_quality"], 7);
}

// Without a transcript, a feed or companions, none of their keys appear;
// with them, the agreed names.
TEST(ResultJson, TranscriptSourceAndDownloadsOnlyWhenThere) {
  MixReport r = two_segment_report();
  auto plain = result_json(r, {}, "s1");
  for (const char* key : {"transcript", "source", "downloads"}) EXPECT_FALSE(plain.contains(key));
  EXPECT_FALSE(plain["segments"][0].contains("text"));

  r.transcript.emplace();
  r.transcript->format = TranscriptFormat::srt;
  r.transcript->cues = 12;
  r.transcript->pieces.push_back({0.0, 50.0, 12.25, 10, 8, 0.02});
  r.transcript->unplaced_count = 1;
  r.transcript->unplaced.push_back({11, 49.5, "Goodbye."});
  r.edit_list.segments[0].text = "Good morning";
  r.edit_list.segments[0].matched = {"morning"};
  r.edit_list.segments[0].score = 1.23456;
  EpisodeSource source;
  source.feed_url = "https://example.com/rss";
  source.item_guid = "g1";
  source.episode = "1800";
  r.source = source;
  DownloadInfo download;
  download.companions.push_back(
      {"chapters", "https://x/c", "mixes/1/best-of/a.chapters.json", "application/json+chapters"});
  const auto j = result_json(r, download, "s1");
  EXPECT_EQ(j["transcript"]["format"], "srt");
  EXPECT_EQ(j["transcript"]["cues"], 12);
  EXPECT_DOUBLE_EQ(j["transcript"]["alignment"][0]["offset_s"].get<double>(), 12.25);
  EXPECT_EQ(j["transcript"]["unplaced_cues"], 1);
  EXPECT_EQ(j["transcript"]["unplaced"][0]["text"], "Goodbye.");
  EXPECT_EQ(j["segments"][0]["text"], "Good morning");
  EXPECT_EQ(j["segments"][0]["matched"][0], "morning");
  EXPECT_DOUBLE_EQ(j["segments"][0]["score"].get<double>(), 1.235);
  EXPECT_FALSE(j["segments"][1].contains("score"));
  EXPECT_EQ(j["source"]["episode"], "1800");
  EXPECT_TRUE(j["source"]["published"].is_null());
  EXPECT_EQ(j["downloads"]["chapters"]["s3_key"], "mixes/1/best-of/a.chapters.json");
}

}  // namespace
}  // namespace namix
