#include "mix/episode_plot.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace namix {
namespace {

namespace fs = std::filesystem;

// 60 s episode: level follows a slow sine between -50 and -20 dB, four blocks
// of different kinds, the last one's description holds XML metacharacters.
EpisodeAnalysis make_analysis() {
  EpisodeAnalysis a;
  a.duration_s = 60.0;
  a.hop_s = 0.01;
  a.analysis_rate_hz = 11025;
  a.frames.resize(6000);
  for (std::size_t i = 0; i < a.frames.size(); ++i) {
    a.frames[i].level_db =
        static_cast<float>(-35.0 + 15.0 * std::sin(static_cast<double>(i) * 0.001));
  }
  auto block = [](double start, double end, BlockKind kind, std::string why) {
    Block b;
    b.start_s = start;
    b.end_s = end;
    b.kind = kind;
    b.why = std::move(why);
    return b;
  };
  a.blocks = {block(0.5, 12.0, BlockKind::banter, "two hosts trading turns"),
              block(12.5, 30.0, BlockKind::rant, "one host, rising pitch"),
              block(31.0, 40.0, BlockKind::clip, "band-limited voice"),
              block(41.0, 59.0, BlockKind::donation, "names & \"thank you\" <read-out>")};
  return a;
}

EditList make_edits() {
  EditList edits;
  auto segment = [](double start, double end, double mix_start, std::string kind) {
    EditSegment s;
    s.start_s = start;
    s.end_s = end;
    s.mix_start_s = mix_start;
    s.kind = std::move(kind);
    s.confidence = 0.8;
    s.description = "chosen <because> it & fits";
    return s;
  };
  edits.segments = {segment(13.0, 20.0, 0.0, "rant"), segment(31.0, 39.5, 6.7, "clip"),
                    segment(42.0, 50.0, 14.9, "donation")};
  edits.duration_s = 22.9;
  return edits;
}

struct XmlCheck {
  int exit_code = -1;
  std::string output;
};

// Parses the SVG with a real XML parser (Python's expat-backed ElementTree) and
// prints the root tag and how many elements carry each class of interest.
XmlCheck parse_with_python(const std::string& svg, const char* name) {
  const fs::path path = fs::temp_directory_path() / name;
  std::ofstream(path) << svg;
  const std::string command =
      "python3 -c \"import sys, xml.etree.ElementTree as E\n"
      "root = E.parse(sys.argv[1]).getroot()\n"
      "def count(c): return sum(1 for e in root.iter() if c in (e.get('class') or '').split())\n"
      "print(root.tag, count('segment'), count('block'), count('loudness'))\" " +
      path.string() + " 2>&1";
  XmlCheck check;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return check;
  char buf[512];
  while (std::fgets(buf, sizeof buf, pipe) != nullptr) check.output += buf;
  check.exit_code = pclose(pipe);
  return check;
}

TEST(EpisodePlot, IsWellFormedSvgWithOneRectPerSegmentAndBlock) {
  const EpisodeAnalysis analysis = make_analysis();
  const EditList edits = make_edits();
  EpisodePlotOptions options;
  options.title = "NA-1779 <test> & co";
  const std::string svg = episode_plot_svg(analysis, &edits, options);
  const XmlCheck check = parse_with_python(svg, "namix_episode_plot_full.svg");
  ASSERT_EQ(check.exit_code, 0) << check.output;
  EXPECT_EQ(check.output, "{http://www.w3.org/2000/svg}svg 3 4 1\n");
}

TEST(EpisodePlot, WithoutEditListDrawsNoSegments) {
  const std::string svg = episode_plot_svg(make_analysis(), nullptr);
  const XmlCheck check = parse_with_python(svg, "namix_episode_plot_noedits.svg");
  ASSERT_EQ(check.exit_code, 0) << check.output;
  EXPECT_EQ(check.output, "{http://www.w3.org/2000/svg}svg 0 4 1\n");
}

TEST(EpisodePlot, EmptyAnalysisStillParses) {
  const EditList none;
  const std::string svg = episode_plot_svg(EpisodeAnalysis{}, &none);
  const XmlCheck check = parse_with_python(svg, "namix_episode_plot_empty.svg");
  ASSERT_EQ(check.exit_code, 0) << check.output;
  EXPECT_EQ(check.output, "{http://www.w3.org/2000/svg}svg 0 0 0\n");
  EXPECT_EQ(svg.find("nan"), std::string::npos);
  EXPECT_EQ(svg.find("inf"), std::string::npos);
}

TEST(EpisodePlot, SegmentsSitAtTheirSourceTimes) {
  // Plot area: 48 px left margin, 12 px right margin, so a 1200 px picture
  // maps 60 s onto 1140 px: 19 px per second. Segment 1 starts at 13 s.
  const EditList edits = make_edits();
  const std::string svg = episode_plot_svg(make_analysis(), &edits);
  const std::size_t at = svg.find("<rect class=\"segment\" x=\"");
  ASSERT_NE(at, std::string::npos);
  const double x = std::stod(svg.substr(at + 25, 8));
  EXPECT_NEAR(x, 48.0 + 13.0 * 19.0, 0.1);
  const std::size_t width_at = svg.find("width=\"", at);
  EXPECT_NEAR(std::stod(svg.substr(width_at + 7, 8)), 7.0 * 19.0, 0.1);
}

TEST(LoudnessTimeline, PoolsFramesAsPowerWithAnExactStep) {
  EpisodeAnalysis a;
  a.hop_s = 0.01;
  // 1 s of frames: 50 at -20 dB then 50 at -120 dB (digital silence).
  a.frames.resize(100);
  for (std::size_t i = 0; i < a.frames.size(); ++i)
    a.frames[i].level_db = i < 50 ? -20.0f : -120.0f;
  const LoudnessTimeline one = loudness_timeline(a, 1);
  ASSERT_EQ(one.level_db.size(), 1u);
  EXPECT_NEAR(one.step_s, 1.0, 1e-12);
  // Power mean: 10*log10(0.5 * 10^-2 + 0.5 * 10^-12) = -23.0103 dB; a dB mean would say -70.
  EXPECT_NEAR(one.level_db[0], -23.0103, 1e-3);

  // 100 frames into at most 30 points: 4 frames a point (ceil(100/30)), 25 points.
  const LoudnessTimeline many = loudness_timeline(a, 30);
  EXPECT_NEAR(many.step_s, 0.04, 1e-12);
  ASSERT_EQ(many.level_db.size(), 25u);
  EXPECT_NEAR(many.level_db.front(), -20.0, 1e-4);
  EXPECT_NEAR(many.level_db.back(), -120.0, 1e-4);
  // Frames 48..51 straddle the edge: two loud, two silent -> -23.01 dB.
  EXPECT_NEAR(many.level_db[12], -23.0103, 1e-3);

  EXPECT_TRUE(loudness_timeline(EpisodeAnalysis{}).level_db.empty());
}

TEST(EpisodePlot, KindColoursAreDistinctAndUnknownIsGrey) {
  EXPECT_STRNE(episode_plot_kind_colour("banter"), episode_plot_kind_colour("rant"));
  EXPECT_STRNE(episode_plot_kind_colour("clip"), episode_plot_kind_colour("music"));
  EXPECT_STREQ(episode_plot_kind_colour("no-such-kind"), "#777777");
  // Every kind analysis can name has a colour of its own.
  for (auto k : {BlockKind::banter, BlockKind::rant, BlockKind::clip, BlockKind::donation,
                 BlockKind::jingle, BlockKind::music, BlockKind::silence}) {
    EXPECT_STRNE(episode_plot_kind_colour(block_kind_name(k)), "#777777") << block_kind_name(k);
  }
}

}  // namespace
}  // namespace namix
