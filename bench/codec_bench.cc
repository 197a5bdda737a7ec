// Decode throughput on a generated 60 s 128 kbit/s stereo MP3: full rate
// against the reduced streams analysis uses (1/2 and 1/4 rate, mono), and
// the parallel span decoder. Compare with `mpg123 -q -t` on the same file
// (the path is printed by the first benchmark's label).
#include <benchmark/benchmark.h>

#include <cmath>
#include <filesystem>
#include <numbers>
#include <random>
#include <string>

#include "codec/audio_decoder.h"
#include "codec/mp3_encoder.h"
#include "codec/parallel_decode.h"
#include "core/atomic_file.h"

namespace namix {
namespace {

constexpr double kSeconds = 60.0;

// Speech-like material keeps the encoder busy the way an episode does: a
// gliding tone with noise bursts, not a pure sine that codes to nothing.
const std::string& bench_file() {
  static const std::string path = [] {
    const std::string p =
        (std::filesystem::temp_directory_path() / "namix_codec_bench_60s.mp3").string();
    if (std::filesystem::exists(p)) return p;
    auto file = AtomicFile::create(p);
    EncoderSettings settings;
    settings.bitrate_kbps = 128;
    settings.quality = 5;
    auto encoder = Mp3Encoder::create(settings, {}, *file);
    std::mt19937 rng(1);
    std::normal_distribution<float> noise(0.0f, 0.05f);
    const auto frames = static_cast<std::size_t>(kSeconds * 44100);
    AudioBuffer block(2, 44100);
    double phase = 0;
    for (std::size_t done = 0; done < frames; done += block.num_frames()) {
      for (std::size_t i = 0; i < block.num_frames(); ++i) {
        const double t = static_cast<double>(done + i) / 44100;
        phase +=
            2 * std::numbers::pi * (200 + 150 * std::sin(2 * std::numbers::pi * 0.3 * t)) / 44100;
        const float burst = std::fmod(t, 1.7) < 0.4 ? noise(rng) : 0.0f;
        block.channel(0)[i] = static_cast<float>(0.3 * std::sin(phase)) + burst;
        block.channel(1)[i] = static_cast<float>(0.3 * std::sin(1.5 * phase)) + burst;
      }
      (void)(*encoder)->encode(block.view());
    }
    (void)(*encoder)->finish();
    (void)file->commit();
    return p;
  }();
  return path;
}

void decode(benchmark::State& state, DecodeOptions options) {
  const std::string& path = bench_file();
  for (auto _ : state) {
    auto decoder = open_decoder(path, options);
    if (!decoder.ok()) {
      state.SkipWithError(decoder.error().message.c_str());
      return;
    }
    AudioBuffer block((*decoder)->info().channels, 4096);
    std::size_t total = 0;
    while (auto n = (*decoder)->read(block.view())) {
      if (*n == 0) break;
      total += *n;
    }
    benchmark::DoNotOptimize(total);
  }
  state.SetLabel(path);
  state.counters["x_realtime"] = benchmark::Counter(
      kSeconds * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_DecodeFull(benchmark::State& state) { decode(state, DecodeOptions{1, false}); }
void BM_DecodeHalfMono(benchmark::State& state) { decode(state, DecodeOptions{2, true}); }
void BM_DecodeQuarterMono(benchmark::State& state) { decode(state, DecodeOptions{4, true}); }

void BM_DecodeParallel(benchmark::State& state) {
  const std::string& path = bench_file();
  const DecodeOptions options{static_cast<int>(state.range(1)), state.range(1) > 1};
  for (auto _ : state) {
    std::size_t total = 0;
    auto done = decode_spans_parallel(path, options, static_cast<int>(state.range(0)),
                                      [&](std::size_t, std::int64_t, AudioView audio) {
                                        total += audio.num_frames;
                                        return Result<void>();
                                      });
    if (!done.ok()) {
      state.SkipWithError(done.error().message.c_str());
      return;
    }
    benchmark::DoNotOptimize(total);
  }
  state.counters["x_realtime"] = benchmark::Counter(
      kSeconds * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

BENCHMARK(BM_DecodeFull)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_DecodeHalfMono)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_DecodeQuarterMono)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_DecodeParallel)
    ->Args({2, 1})
    ->Args({2, 4})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace namix
