// select_from_manifest: runs select_segments on a corpus manifest's ground
// truth (blocks and utterances from corpus/make_episode.py) instead of on
// analysed audio, and prints an edit list in the result-JSON shape. It
// measures selection alone (bench/eval.py --simulate), apart from how well
// analysis finds the blocks. Given an audio file instead (--audio), it runs
// the real analysis first: selection on what namix actually hears.
//
//   select_from_manifest MANIFEST.json THEME (SECONDS|full) [THEMES_DIR]
//   select_from_manifest --audio EPISODE.mp3 [--transcript FILE] [--about TEXT]
//                        THEME (SECONDS|full) [THEMES_DIR]
//
// --transcript aligns the episode's transcript (SRT, WebVTT or JSON) to the
// analysed audio and selects by its words too; --about ranks its passages.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

#include "analysis/analysis_json.h"
#include "codec/audio_decoder.h"
#include "select/edit_list.h"
#include "select/theme.h"
#include "transcript/alignment.h"

namespace {

using namix::BlockKind;
using nlohmann::json;

namix::EpisodeAnalysis analysis_from_manifest(const json& m) {
  namix::EpisodeAnalysis a;
  a.duration_s = m.at("duration").get<double>();
  for (const auto& u : m.at("utterances")) {
    namix::Utterance ut;
    ut.start_s = u.at("start").get<double>();
    ut.end_s = u.at("end").get<double>();
    std::string kind = u.at("kind").get<std::string>();
    std::string speaker = u.at("speaker").get<std::string>();
    ut.sound = kind == "clip"                        ? namix::SoundClass::clip
               : kind == "music" || kind == "jingle" ? namix::SoundClass::music
                                                     : namix::SoundClass::speech;
    ut.speaker = speaker == "A" ? 0 : speaker == "B" ? 1 : -1;
    a.utterances.push_back(ut);
  }
  double prev = 0.0;
  for (const auto& u : a.utterances) {
    a.pauses.push_back({prev, u.start_s});
    prev = u.end_s;
  }
  a.pauses.push_back({prev, a.duration_s});
  for (const auto& b : m.at("blocks")) {
    namix::Block bl;
    bl.start_s = b.at("start").get<double>();
    bl.end_s = b.at("end").get<double>();
    std::string kind = b.at("kind").get<std::string>();
    // The manifest's opener and outro are host banter as far as themes care.
    if (kind == "opener" || kind == "outro") kind = "banter";
    bl.kind = namix::parse_block_kind(kind).value_or(BlockKind::banter);
    std::string speaker = b.at("speaker").get<std::string>();
    bl.speaker = speaker == "A" ? 0 : speaker == "B" ? 1 : -1;
    bl.confidence = 1.0;
    // Ground truth has no engagement; rants and clips are the lively parts.
    bl.engagement = bl.kind == BlockKind::rant ? 0.9 : bl.kind == BlockKind::clip ? 0.7 : 0.5;
    bl.why = "ground truth";
    bool first = true;
    for (std::size_t i = 0; i < a.utterances.size(); ++i) {
      double mid = 0.5 * (a.utterances[i].start_s + a.utterances[i].end_s);
      if (mid < bl.start_s || mid > bl.end_s) continue;
      if (first) bl.first_utterance = i;
      first = false;
      ++bl.utterance_count;
    }
    if (!first) a.blocks.push_back(bl);
  }
  return a;
}

}  // namespace

int main(int argc, char** argv) {
  bool audio = argc > 1 && std::string(argv[1]) == "--audio";
  if (audio) {
    ++argv;
    --argc;
  }
  std::string transcript_path;
  std::string about;
  // Options sit between the episode and the theme.
  while (audio && argc > 3 &&
         (std::string(argv[2]) == "--transcript" || std::string(argv[2]) == "--about")) {
    (std::string(argv[2]) == "--transcript" ? transcript_path : about) = argv[3];
    for (int k = 2; k + 2 < argc; ++k) argv[k] = argv[k + 2];
    argc -= 2;
  }
  if (argc < 4) {
    std::cerr << "usage: select_from_manifest [--audio] (MANIFEST.json|EPISODE) THEME "
                 "(SECONDS|full) [THEMES_DIR]\n";
    return 2;
  }
  std::string themes_dir = argc > 4 ? argv[4] : namix::default_themes_dir();
  auto catalog = namix::ThemeCatalog::load_dir(themes_dir);
  if (!catalog) {
    std::cerr << "select_from_manifest: " << catalog.error().message << "\n";
    return 2;
  }
  auto theme = catalog->find(argv[2]);
  if (!theme) {
    std::cerr << "select_from_manifest: " << theme.error().message << "\n";
    return 2;
  }
  std::optional<double> target;
  if (std::string(argv[3]) != "full") target = std::stod(argv[3]);
  namix::EpisodeAnalysis analysis;
  if (audio) {
    // The reduced stream analysis runs on: mono at a quarter of the rate.
    auto decoder = namix::open_analysis_decoder(argv[1]);
    if (!decoder) {
      std::cerr << "select_from_manifest: " << decoder.error().message << "\n";
      return 3;
    }
    auto analysed = namix::analyze_episode(**decoder, {}, {});
    if (!analysed) {
      std::cerr << "select_from_manifest: " << analysed.error().message << "\n";
      return 4;
    }
    analysis = std::move(*analysed);
    // For tuning: NAMIX_DUMP_ANALYSIS=file.json writes the analysis with every frame.
    if (const char* dump = std::getenv("NAMIX_DUMP_ANALYSIS"); dump != nullptr) {
      std::ofstream(dump) << namix::analysis_to_json(analysis, {.frame_decimation = 1}).dump();
    }
  } else {
    std::ifstream in(argv[1]);
    if (!in) {
      std::cerr << "select_from_manifest: cannot read " << argv[1] << "\n";
      return 3;
    }
    analysis = analysis_from_manifest(json::parse(in));
  }
  namix::TranscriptAlignment aligned;
  namix::SelectionText text;
  text.about = about;
  if (!transcript_path.empty()) {
    auto transcript = namix::load_transcript_file(transcript_path);
    if (!transcript) {
      std::cerr << "select_from_manifest: " << transcript.error().message << "\n";
      return 3;
    }
    aligned = namix::align_transcript(*transcript, analysis);
    text.transcript = &aligned.transcript;
  }
  auto list = namix::select_segments(analysis, **theme, target, text);
  if (!list) {
    std::cerr << "select_from_manifest: " << list.error().message << "\n";
    return 2;
  }
  json segments = json::array();
  int n = 0;
  for (const auto& s : list->segments) {
    json dropped = json::array();
    for (const auto& p : s.dropped) dropped.push_back({p.start_s, p.end_s});
    segments.push_back({{"name", "Segment " + std::to_string(++n)},
                        {"start_time", s.start_s},
                        {"end_time", s.end_s},
                        {"duration", s.duration_s()},
                        {"mix_start", s.mix_start_s},
                        {"kind", s.kind},
                        {"confidence", s.confidence},
                        {"description", s.description},
                        {"dropped", dropped}});
    if (text.transcript != nullptr) {
      segments.back()["text"] = s.text;
      segments.back()["matched"] = s.matched;
    }
    if (s.score) segments.back()["score"] = *s.score;
  }
  json result = {
      {"status", "success"},
      {"mix_metadata",
       {{"theme", (*theme)->name},
        {"duration_target", target ? json(*target) : json("full")},
        {"duration_actual", list->duration_s},
        {"segments_count", list->segments.size()}}},
      {"analysis",
       {{"audio_duration", analysis.duration_s},
        {"segments_selected", list->segments.size()},
        {"selection_method", list->selection_method}}},
      {"crossfade_s", list->crossfade_s},
      {"segments", segments},
      {"processing_chain", (*theme)->chain_summary()},
      {"warnings", list->warnings},
  };
  std::cout << result.dump(2) << "\n";
  return 0;
}
