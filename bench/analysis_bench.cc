// Analysis speed: 10 ms features alone, and the whole analysis (features,
// segmentation, classes, speakers, blocks) on a synthetic show.
//
//   namix_bench --benchmark_filter=Analysis
//
// The "audio_s_per_s" counter is how many seconds of audio one core analyses
// per second; 3600 / it is the cost of one hour of episode.
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "analysis/episode_analyzer.h"
#include "analysis/features.h"
#include "analysis/synthetic_show.h"

namespace {

// Two minutes of two hosts, a clip and music over noise, at `fs`.
const std::vector<float>& show_audio(int fs) {
  static std::vector<float> cache[2];
  auto& audio = cache[fs == 11025 ? 0 : 1];
  if (audio.empty()) {
    namix::synthetic::ShowBuilder show(fs, 42);
    namix::synthetic::Voice a{.pitch_hz = 115, .level_dbfs = -20};
    namix::synthetic::Voice b{.pitch_hz = 95, .formant_scale = 0.9, .level_dbfs = -27};
    namix::synthetic::Voice clip{.pitch_hz = 200, .level_dbfs = -18, .telephone = true};
    std::mt19937 rng(1);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    while (show.now() < 100.0) {
      show.say(u(rng) < 0.5 ? a : b, 1.5 + 2.0 * u(rng), 0);
      show.gap(0.3 + 0.6 * u(rng));
    }
    show.say(clip, 3.0, -1);
    show.gap(0.5);
    show.music(15.0, -15.0);
    audio = show.render();
  }
  return audio;
}

void BM_AnalysisFeatures(benchmark::State& state) {
  const int fs = static_cast<int>(state.range(0));
  const auto& audio = show_audio(fs);
  namix::FeatureExtractor extractor(fs);
  std::vector<namix::FeatureFrame> frames;
  std::vector<namix::TimbreBands> timbre;
  frames.reserve(audio.size() / 50);
  timbre.reserve(audio.size() / 50);
  for (auto _ : state) {
    frames.clear();
    timbre.clear();
    for (std::size_t i = 0; i < audio.size(); i += 1152)
      extractor.add(audio.data() + i, std::min<std::size_t>(1152, audio.size() - i), frames,
                    timbre);
    benchmark::DoNotOptimize(frames.data());
  }
  const double seconds = static_cast<double>(audio.size()) / fs;
  state.counters["audio_s_per_s"] = benchmark::Counter(
      seconds * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_AnalysisFeatures)->Arg(11025)->Arg(22050)->Unit(benchmark::kMillisecond);

void BM_AnalysisWhole(benchmark::State& state) {
  const int fs = static_cast<int>(state.range(0));
  const auto& audio = show_audio(fs);
  for (auto _ : state) {
    namix::EpisodeAnalyzer analyzer(fs);
    for (std::size_t i = 0; i < audio.size(); i += 1152)
      analyzer.add(audio.data() + i, std::min<std::size_t>(1152, audio.size() - i));
    auto result = analyzer.finish();
    benchmark::DoNotOptimize(result.blocks.data());
  }
  const double seconds = static_cast<double>(audio.size()) / fs;
  state.counters["audio_s_per_s"] = benchmark::Counter(
      seconds * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_AnalysisWhole)->Arg(11025)->Unit(benchmark::kMillisecond);

}  // namespace
