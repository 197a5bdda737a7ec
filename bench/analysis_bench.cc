// Analysis speed: 10 ms features alone, and the whole analysis (features,
// segmentation, classes, speakers, blocks) on a synthetic show.
//
//   namix_bench --benchmark_filter=Analysis
//
// The "audio_s_per_s" counter is how many seconds of audio one core analyses
// per second; 3600 / it is the cost of one hour of episode.
#include <benchmark/benchmark.h>

#include <memory>
#include <random>
#include <span>
#include <vector>

#include "analysis/envelope_high_pass.h"
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

// The "audio_s_per_s" counter for a run over all of `audio` per iteration.
void count_audio_rate(benchmark::State& state, const std::vector<float>& audio, int fs) {
  const double seconds = static_cast<double>(audio.size()) / fs;
  state.counters["audio_s_per_s"] = benchmark::Counter(
      seconds * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

// The feature frames of one pass over `audio`, reserved once so a run does
// not time their growth.
struct FeatureOutput {
  explicit FeatureOutput(const std::vector<float>& audio) {
    frames.reserve(audio.size() / 50);
    timbre.reserve(audio.size() / 50);
  }
  void clear() {
    frames.clear();
    timbre.clear();
  }
  std::vector<namix::FeatureFrame> frames;
  std::vector<namix::TimbreBands> timbre;
};

// Arguments: rate, and the block fed to each add() (default 1152, an MP3
// frame; the span decoders deliver 8192).
void BM_AnalysisFeatures(benchmark::State& state) {
  const int fs = static_cast<int>(state.range(0));
  const std::size_t block = state.range(1) > 0 ? static_cast<std::size_t>(state.range(1)) : 1152;
  const auto& audio = show_audio(fs);
  namix::FeatureExtractor extractor(fs);
  FeatureOutput out(audio);
  for (auto _ : state) {
    out.clear();
    for (std::size_t i = 0; i < audio.size(); i += block)
      extractor.add(audio.data() + i, std::min(block, audio.size() - i), out.frames, out.timbre);
    benchmark::DoNotOptimize(out.frames.data());
  }
  count_audio_rate(state, audio, fs);
}
BENCHMARK(BM_AnalysisFeatures)->Arg(11025)->Arg(22050)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AnalysisFeatures)->Args({11025, 8192})->Unit(benchmark::kMillisecond);

// The envelope's high-pass alone on 8192-sample blocks: serial recursion
// (argument 0) against the four-chain split (1), which gives the same bits.
void BM_AnalysisEnvelopeHighPass(benchmark::State& state) {
  const int fs = 11025;
  const bool split = state.range(0) != 0;
  const auto& audio = show_audio(fs);
  const namix::HighPassCoeffs c = namix::envelope_high_pass_coeffs(fs);
  std::vector<float> energy(audio.size());
  constexpr std::size_t kBlock = 8192;
  for (auto _ : state) {
    namix::HighPassState hp;
    for (std::size_t i = 0; i < audio.size(); i += kBlock) {
      const std::size_t n = std::min(kBlock, audio.size() - i);
      if (split)
        namix::high_pass_energy_split(c, hp, audio.data() + i, n, energy.data() + i);
      else
        namix::high_pass_energy(c, hp, audio.data() + i, n, energy.data() + i);
    }
    benchmark::DoNotOptimize(energy.data());
  }
  count_audio_rate(state, audio, fs);
}
BENCHMARK(BM_AnalysisEnvelopeHighPass)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// The same audio as BM_AnalysisFeatures cut into state.range(1) spans (one
// after the other here; analyze_episode_parallel runs them on threads): the
// difference is what spans cost in pre-roll and seam replay.
void BM_AnalysisFeatureSpans(benchmark::State& state) {
  const int fs = static_cast<int>(state.range(0));
  const auto n_spans = static_cast<std::int64_t>(state.range(1));
  const auto& audio = show_audio(fs);
  const auto total_hops = static_cast<std::int64_t>(audio.size()) * 100 / fs;
  FeatureOutput out(audio);
  auto& frames = out.frames;
  for (auto _ : state) {
    out.clear();
    std::vector<std::unique_ptr<namix::FeatureExtractor>> spans;
    std::vector<std::size_t> first_frame;
    for (std::int64_t k = 0; k < n_spans; ++k) {
      namix::FeatureSpan span{.first_hop = total_hops * k / n_spans};
      if (k + 1 < n_spans) span.end_hop = total_hops * (k + 1) / n_spans;
      spans.push_back(std::make_unique<namix::FeatureExtractor>(fs, span));
      auto& x = *spans.back();
      first_frame.push_back(frames.size());
      const auto end = static_cast<std::size_t>(
          std::min<std::int64_t>(static_cast<std::int64_t>(audio.size()), x.input_end()));
      for (auto i = static_cast<std::size_t>(x.input_start()); i < end; i += 1152)
        x.add(audio.data() + i, std::min<std::size_t>(1152, end - i), frames, out.timbre);
    }
    for (std::size_t k = 1; k < spans.size(); ++k) {
      namix::HighPassState exact;
      spans[k - 1]->highpass_at_end(exact);
      spans[k]->reconcile_envelope(exact, std::span(frames).subspan(first_frame[k]));
    }
    benchmark::DoNotOptimize(frames.data());
  }
  count_audio_rate(state, audio, fs);
}
BENCHMARK(BM_AnalysisFeatureSpans)
    ->Args({11025, 1})
    ->Args({11025, 4})
    ->Unit(benchmark::kMillisecond);

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
  count_audio_rate(state, audio, fs);
}
BENCHMARK(BM_AnalysisWhole)->Arg(11025)->Unit(benchmark::kMillisecond);

}  // namespace
