// Reading and aligning a 3-hour transcript: what a transcript adds to a mix.
//
//   namix_bench --benchmark_filter=Transcript
//
// The transcript is SubRip text of ~10k cues; the analysis is the
// utterance list of the served file, with a 12 s pre-roll and three
// mid-rolls stitched in (analysis itself is not timed here).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>

#include "transcript/alignment.h"
#include "transcript/synthetic_transcript.h"
#include "transcript/transcript.h"
#include "transcript/transcript_writer.h"

namespace {

const namix::synthetic::Scenario& three_hours() {
  static const namix::synthetic::Scenario scenario = [] {
    namix::synthetic::ScenarioOptions o;
    o.minutes = 180.0;
    o.pre_roll_s = 12.0;
    o.mid_rolls_s = {20.0, 60.0, 90.0};
    o.max_cue_s = 1.0;  // about 10k cues, as a captioner's 3 hours have
    auto sc = namix::synthetic::make_scenario(1, o);
    for (std::size_t i = 0; i < sc.transcript.cues.size(); ++i) {
      sc.transcript.cues[i].text = "word " + std::to_string(i) + " and some more text here.";
    }
    return sc;
  }();
  return scenario;
}

const std::string& three_hours_srt() {
  static const std::string text = namix::write_srt(three_hours().transcript);
  return text;
}

void BM_TranscriptParse(benchmark::State& state) {
  const std::string& srt = three_hours_srt();
  for (auto _ : state) {
    auto t = namix::parse_transcript(srt);
    benchmark::DoNotOptimize(t);
  }
  state.counters["cues"] = static_cast<double>(three_hours().transcript.cues.size());
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(srt.size()));
}
BENCHMARK(BM_TranscriptParse)->Unit(benchmark::kMillisecond);

void BM_TranscriptAlign(benchmark::State& state) {
  const auto& sc = three_hours();
  for (auto _ : state) {
    auto al = namix::align_transcript(sc.transcript, sc.analysis);
    benchmark::DoNotOptimize(al);
  }
}
BENCHMARK(BM_TranscriptAlign)->Unit(benchmark::kMillisecond);

// The whole cost a transcript adds to a mix: parse the file, align it.
void BM_TranscriptParseAndAlign(benchmark::State& state) {
  const auto& sc = three_hours();
  const std::string& srt = three_hours_srt();
  std::size_t pieces = 0;
  for (auto _ : state) {
    auto t = namix::parse_transcript(srt);
    if (!t.ok()) {
      state.SkipWithError("parse failed");
      break;
    }
    auto al = namix::align_transcript(*t, sc.analysis);
    pieces = al.pieces.size();
    benchmark::DoNotOptimize(al);
  }
  state.counters["pieces"] = static_cast<double>(pieces);
}
BENCHMARK(BM_TranscriptParseAndAlign)->Unit(benchmark::kMillisecond);

}  // namespace
