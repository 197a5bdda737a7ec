// Throughput of each DSP stage on 10 s of stereo 44.1 kHz speech-like audio,
// processed in 4096-frame blocks as the renderer does. items/s = samples/s
// (frames x channels); real time is 88,200 samples/s.
#include <benchmark/benchmark.h>

#include <memory>

#include "dsp/biquad.h"
#include "dsp/compressor.h"
#include "dsp/dehum.h"
#include "dsp/drive.h"
#include "dsp/integrated_loudness.h"
#include "dsp/leveller.h"
#include "dsp/loudness.h"
#include "dsp/reverb.h"
#include "dsp/test_signals.h"
#include "dsp/true_peak_limiter.h"

namespace namix::dsp {
namespace {

constexpr double kFs = 44100.0;
constexpr std::size_t kFrames = 10 * 44100;
constexpr std::size_t kBlock = 4096;

const AudioBuffer& source() {
  static const AudioBuffer buf = [] {
    auto l = testing::speech_like(1, kFs, -16.0, kFrames);
    auto r = testing::speech_like(2, kFs, -18.0, kFrames, 180.0);
    return testing::make_buffer(l, &r);
  }();
  return buf;
}

template <typename Make>
void run_stage(benchmark::State& state, Make make) {
  AudioBuffer work = source();
  std::unique_ptr<Processor> p = make();
  p->prepare({kFs, kBlock, 2});
  for (auto _ : state) {
    state.PauseTiming();
    work = source();
    state.ResumeTiming();
    for (std::size_t pos = 0; pos < kFrames; pos += kBlock) {
      p->process(work.view().slice(pos, std::min(kBlock, kFrames - pos)));
    }
    benchmark::DoNotOptimize(work.channel(0)[kFrames - 1]);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kFrames * 2));
}

void BM_BiquadPeaking(benchmark::State& s) {
  run_stage(s, [] {
    return std::make_unique<Biquad>(BiquadParams{FilterType::peaking, 200.0, 0.7, 2.0});
  });
}
void BM_BiquadHighpass24dB(benchmark::State& s) {
  run_stage(s, [] {
    return std::make_unique<Biquad>(
        BiquadParams{FilterType::highpass, 80.0, kButterworthQ, 0.0, 1.0, 2});
  });
}
void BM_BiquadSeriesThreeStages(benchmark::State& s) {
  run_stage(s, [] {
    auto eq = std::make_unique<BiquadSeries>();
    eq->add(BiquadParams{FilterType::highpass, 80.0, kButterworthQ, 0.0, 1.0, 1});
    eq->add(BiquadParams{FilterType::peaking, 200.0, 0.7, 2.0});
    eq->add(BiquadParams{FilterType::peaking, 3000.0, 1.2, 1.5});
    return eq;
  });
}
void BM_Dehum8Notches(benchmark::State& s) {
  run_stage(s, [] { return std::make_unique<Dehum>(DehumParams{60.0}); });
}
void BM_Compressor(benchmark::State& s) {
  run_stage(s, [] { return std::make_unique<Compressor>(CompressorParams{-18.0, 3.0}); });
}
void BM_Leveller(benchmark::State& s) {
  run_stage(s, [] { return std::make_unique<Leveller>(); });
}
void BM_Reverb(benchmark::State& s) {
  run_stage(s, [] { return std::make_unique<Reverb>(ReverbParams{0.2, 0.5, 0.1, 0.5, 1.0}); });
}
void BM_Drive(benchmark::State& s) {
  run_stage(s, [] { return std::make_unique<Drive>(DriveParams{2.0}); });
}
void BM_TruePeakLimiter(benchmark::State& s) {
  run_stage(s, [] {
    return std::make_unique<TruePeakLimiter>(TruePeakLimiterParams{-1.0, 5.0, 80.0});
  });
}

void run_meter(benchmark::State& state, LoudnessMeasures measures) {
  AudioBuffer work = source();
  for (auto _ : state) {
    LoudnessMeter meter(2, kFs, measures);
    for (std::size_t pos = 0; pos < kFrames; pos += kBlock) {
      meter.add(work.view().slice(pos, std::min(kBlock, kFrames - pos)));
    }
    benchmark::DoNotOptimize(meter.integrated_lufs());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kFrames * 2));
}
void BM_LoudnessMeter(benchmark::State& s) { run_meter(s, {}); }
void BM_LoudnessMeterIntegratedOnly(benchmark::State& s) {
  run_meter(s, LoudnessMeasures::integrated_only());
}
void BM_LoudnessMeterWithTruePeak(benchmark::State& s) {
  run_meter(s, LoudnessMeasures::with_true_peak());
}

void BM_IntegratedLoudness(benchmark::State& state) {
  AudioBuffer work = source();
  for (auto _ : state) {
    IntegratedLoudness meter(2, kFs);
    for (std::size_t pos = 0; pos < kFrames; pos += kBlock) {
      meter.add(work.view().slice(pos, std::min(kBlock, kFrames - pos)));
    }
    benchmark::DoNotOptimize(meter.integrated_lufs());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kFrames * 2));
}

// On the source raised by 12 dB, as pass 2 of mastering sees it: peaks near
// the ceiling, so the meter interpolates about as often as it ever does.
void BM_TruePeakMeter(benchmark::State& state) {
  AudioBuffer work = source();
  for (int c = 0; c < 2; ++c) {
    for (std::size_t i = 0; i < kFrames; ++i) work.channel(c)[i] *= 4.0f;
  }
  for (auto _ : state) {
    TruePeakMeter meter(2);
    for (std::size_t pos = 0; pos < kFrames; pos += kBlock) {
      meter.add(work.view().slice(pos, std::min(kBlock, kFrames - pos)));
    }
    benchmark::DoNotOptimize(meter.true_peak_dbtp());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kFrames * 2));
}

// The Best Of theme's chains (themes/best-of.toml) as one processor: the
// per-segment chain (de-hum at 60 Hz, HPF 80 Hz, two peaking EQs, leveller)
// then the master chain (compressor, reverb). What a whole-episode remaster
// runs per sample before the limiter.
void BM_BestOfChain(benchmark::State& s) {
  run_stage(s, [] {
    auto chain = std::make_unique<ProcessorChain>();
    chain->add(std::make_unique<Dehum>(DehumParams{60.0}));
    // As chain_builder.cc builds it: consecutive filters in one BiquadSeries.
    auto eq = std::make_unique<BiquadSeries>();
    eq->add(BiquadParams{FilterType::highpass, 80.0, kButterworthQ, 0.0, 1.0, 1});
    eq->add(BiquadParams{FilterType::peaking, 200.0, 0.7, 2.0});
    eq->add(BiquadParams{FilterType::peaking, 3000.0, 1.2, 1.5});
    chain->add(std::move(eq));
    chain->add(std::make_unique<Leveller>());
    chain->add(std::make_unique<Compressor>(CompressorParams{-18.0, 3.0, 6.0, 10.0, 150.0}));
    chain->add(std::make_unique<Reverb>(ReverbParams{0.2, 0.5, 0.1, 0.5, 1.0}));
    return chain;
  });
}

void BM_DetectHum(benchmark::State& state) {
  AudioBuffer work = source();
  for (auto _ : state) benchmark::DoNotOptimize(detect_hum(work.view(), kFs).fundamental_hz);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kFrames * 2));
}

BENCHMARK(BM_BiquadPeaking)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BiquadHighpass24dB)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BiquadSeriesThreeStages)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Dehum8Notches)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Compressor)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Leveller)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Reverb)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Drive)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TruePeakLimiter)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LoudnessMeter)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LoudnessMeterIntegratedOnly)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LoudnessMeterWithTruePeak)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_IntegratedLoudness)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TruePeakMeter)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BestOfChain)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DetectHum)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace namix::dsp
