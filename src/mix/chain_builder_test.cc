#include "mix/chain_builder.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <set>
#include <string>

namespace namix {
namespace {

// A parameter's key, from whichever stage type declares it.
std::string key_of(StageParam p) {
  for (const auto& spec : stage_specs()) {
    if (const StageParamSpec* found = spec.find(p)) return found->key;
  }
  return "#" + std::to_string(static_cast<int>(p));
}

// The builder and the stage table agree both ways: every parameter a theme
// file may set is read into the DSP stage, and the builder reads nothing a
// theme file cannot set.
TEST(ChainBuilder, ReadsEveryDeclaredParameterAndNothingElse) {
  for (const auto& spec : stage_specs()) {
    SCOPED_TRACE(spec.name);
    std::set<StageParam> declared;
    for (const auto& p : spec.params) declared.insert(p.param);
    const std::vector<StageParam> read = params_read_by_builder(spec.type);
    const std::set<StageParam> read_set(read.begin(), read.end());
    EXPECT_EQ(read_set.size(), read.size()) << "a parameter is read twice";
    for (const auto& p : spec.params) {
      EXPECT_EQ(read_set.count(p.param), 1u) << p.key << " is accepted but never read";
    }
    for (StageParam p : read) {
      EXPECT_EQ(declared.count(p), 1u) << key_of(p) << " is read but not declared";
    }
  }
}

// Every parameter of every stage type set to a legal value builds and runs.
TEST(ChainBuilder, BuildsEveryStageTypeWithEveryParameterSet) {
  Theme theme;
  for (const auto& spec : stage_specs()) {
    ProcessingStage st;
    st.type = spec.type;
    for (const auto& p : spec.params) {
      double v = 0.5 * (p.min + p.max);
      st.values[p.param] = p.use == ParamUse::count ? std::floor(v) : v;
    }
    theme.segment_chain.push_back(st);
  }
  auto chains = build_theme_chains(theme, 60.0);
  ASSERT_TRUE(chains.ok()) << chains.error().message;
  // The five filters share one series; the other five stages stand alone.
  EXPECT_EQ(chains->segment->size(), 6u);
  EXPECT_EQ(chains->master->size(), 0u);
  const ProcessSpec spec{44100.0, 1024, 2};
  chains->segment->prepare(spec);
  AudioBuffer audio(2, 1024);
  for (std::size_t i = 0; i < 1024; ++i) {
    float x = 0.1f * static_cast<float>(std::sin(2.0 * std::numbers::pi * 440.0 *
                                                 static_cast<double>(i) / 44100.0));
    audio.channel(0)[i] = x;
    audio.channel(1)[i] = x;
  }
  chains->segment->process(audio.view());
  for (int c = 0; c < 2; ++c) {
    EXPECT_TRUE(std::all_of(audio.channel(c), audio.channel(c) + 1024,
                            [](float x) { return std::isfinite(x); }));
  }
}

double rms_after_compressor(double makeup_db) {
  Theme theme;
  ProcessingStage comp;
  comp.type = StageType::compressor;
  comp.values = {{StageParam::threshold_db, -18.0},
                 {StageParam::ratio, 3.0},
                 {StageParam::makeup_db, makeup_db}};
  theme.master_chain.push_back(comp);
  auto chains = build_theme_chains(theme, 0.0);
  EXPECT_TRUE(chains.ok());
  const std::size_t n = 44100;
  chains->master->prepare({44100.0, n, 1});
  AudioBuffer audio(1, n);
  // -40 dBFS: far under the threshold and its knee, so only makeup applies.
  const double amp = std::pow(10.0, -40.0 / 20.0);
  for (std::size_t i = 0; i < n; ++i) {
    audio.channel(0)[i] = static_cast<float>(
        amp * std::sin(2.0 * std::numbers::pi * 1000.0 * static_cast<double>(i) / 44100.0));
  }
  chains->master->process(audio.view());
  double sum = 0.0;
  for (std::size_t i = n / 2; i < n; ++i) sum += audio.channel(0)[i] * audio.channel(0)[i];
  return std::sqrt(sum / static_cast<double>(n / 2));
}

// A theme's value arrives in the DSP stage: +6 dB of makeup is +6 dB out.
TEST(ChainBuilder, ThemeValuesReachTheDspStage) {
  double gain_db = 20.0 * std::log10(rms_after_compressor(6.0) / rms_after_compressor(0.0));
  EXPECT_NEAR(gain_db, 6.0, 0.05);
}

}  // namespace
}  // namespace namix
