#include "mix/chain_builder.h"

#include <algorithm>
#include <array>
#include <optional>
#include <string>

#include "codec/audio_decoder.h"
#include "dsp/biquad.h"
#include "dsp/compressor.h"
#include "dsp/dehum.h"
#include "dsp/drive.h"
#include "dsp/leveller.h"
#include "dsp/reverb.h"

namespace namix {
namespace {

// How the builder consumes the stage table (select/processing_stage.h): for
// each stage type, the parameters it reads and the DSP field each one sets.
// Every parameter a stage declares has a setter here and nothing else is
// read (chain_builder_test checks both ways).
template <class Params>
struct Setter {
  StageParam param;
  void (*set)(Params& p, double v);
};

template <class Params, std::size_t N>
using Setters = std::array<Setter<Params>, N>;

constexpr Setters<dsp::BiquadParams, 3> kPassSetters = {{
    {StageParam::cutoff_hz, [](dsp::BiquadParams& p, double v) { p.frequency_hz = v; }},
    {StageParam::q, [](dsp::BiquadParams& p, double v) { p.q = v; }},
    {StageParam::order, [](dsp::BiquadParams& p, double v) { p.cascade = static_cast<int>(v); }},
}};
constexpr Setters<dsp::BiquadParams, 3> kPeakingSetters = {{
    {StageParam::frequency_hz, [](dsp::BiquadParams& p, double v) { p.frequency_hz = v; }},
    {StageParam::gain_db, [](dsp::BiquadParams& p, double v) { p.gain_db = v; }},
    {StageParam::q, [](dsp::BiquadParams& p, double v) { p.q = v; }},
}};
// Shelves take the cookbook's steepest slope without overshoot (S = 1).
constexpr Setters<dsp::BiquadParams, 2> kShelfSetters = {{
    {StageParam::frequency_hz, [](dsp::BiquadParams& p, double v) { p.frequency_hz = v; }},
    {StageParam::gain_db, [](dsp::BiquadParams& p, double v) { p.gain_db = v; }},
}};
constexpr Setters<dsp::CompressorParams, 6> kCompressorSetters = {{
    {StageParam::threshold_db, [](dsp::CompressorParams& p, double v) { p.threshold_db = v; }},
    {StageParam::ratio, [](dsp::CompressorParams& p, double v) { p.ratio = v; }},
    {StageParam::knee_db, [](dsp::CompressorParams& p, double v) { p.knee_db = v; }},
    {StageParam::attack_ms, [](dsp::CompressorParams& p, double v) { p.attack_ms = v; }},
    {StageParam::release_ms, [](dsp::CompressorParams& p, double v) { p.release_ms = v; }},
    {StageParam::makeup_db, [](dsp::CompressorParams& p, double v) { p.makeup_db = v; }},
}};
constexpr Setters<dsp::ReverbParams, 4> kReverbSetters = {{
    {StageParam::room_size, [](dsp::ReverbParams& p, double v) { p.room_size = v; }},
    {StageParam::wet, [](dsp::ReverbParams& p, double v) { p.wet = v; }},
    {StageParam::damping, [](dsp::ReverbParams& p, double v) { p.damping = v; }},
    {StageParam::width, [](dsp::ReverbParams& p, double v) { p.width = v; }},
}};
constexpr Setters<dsp::DriveParams, 1> kDriveSetters = {{
    {StageParam::gain_db, [](dsp::DriveParams& p, double v) { p.drive_db = v; }},
}};
// fundamental_hz 0 asks for the detected hum (make_stage).
constexpr Setters<dsp::DehumParams, 3> kDehumSetters = {{
    {StageParam::fundamental_hz, [](dsp::DehumParams& p, double v) { p.fundamental_hz = v; }},
    {StageParam::harmonics,
     [](dsp::DehumParams& p, double v) { p.harmonics = static_cast<int>(v); }},
    {StageParam::q, [](dsp::DehumParams& p, double v) { p.q = v; }},
}};
constexpr Setters<dsp::LevellerParams, 2> kLevellerSetters = {{
    {StageParam::max_gain_db, [](dsp::LevellerParams& p, double v) { p.max_gain_db = v; }},
    {StageParam::target_db, [](dsp::LevellerParams& p, double v) { p.target_rms_dbfs = v; }},
}};

template <class Params, std::size_t N>
Params apply(const ProcessingStage& st, const Setters<Params, N>& setters, Params p = {}) {
  for (const auto& s : setters) s.set(p, st.value(s.param));
  return p;
}

template <class Params, std::size_t N>
std::vector<StageParam> params_of(const Setters<Params, N>& setters) {
  std::vector<StageParam> out;
  for (const auto& s : setters) out.push_back(s.param);
  return out;
}

std::optional<dsp::BiquadParams> biquad_params(const ProcessingStage& st) {
  dsp::BiquadParams p;
  switch (st.type) {
    case StageType::hpf:
      p.type = dsp::FilterType::highpass;
      return apply(st, kPassSetters, p);
    case StageType::lpf:
      p.type = dsp::FilterType::lowpass;
      return apply(st, kPassSetters, p);
    case StageType::peaking:
      p.type = dsp::FilterType::peaking;
      return apply(st, kPeakingSetters, p);
    case StageType::low_shelf:
      p.type = dsp::FilterType::low_shelf;
      return apply(st, kShelfSetters, p);
    case StageType::high_shelf:
      p.type = dsp::FilterType::high_shelf;
      return apply(st, kShelfSetters, p);
    default:
      return std::nullopt;
  }
}

Result<std::unique_ptr<dsp::Processor>> make_stage(const ProcessingStage& st, double hum_hz) {
  switch (st.type) {
    case StageType::compressor:
      return std::unique_ptr<dsp::Processor>(
          std::make_unique<dsp::Compressor>(apply(st, kCompressorSetters)));
    case StageType::reverb:
      return std::unique_ptr<dsp::Processor>(
          std::make_unique<dsp::Reverb>(apply(st, kReverbSetters)));
    case StageType::drive:
      return std::unique_ptr<dsp::Processor>(
          std::make_unique<dsp::Drive>(apply(st, kDriveSetters)));
    case StageType::dehum: {
      dsp::DehumParams p = apply(st, kDehumSetters);
      if (p.fundamental_hz == 0.0) p.fundamental_hz = hum_hz;
      if (p.fundamental_hz == 0.0) return std::unique_ptr<dsp::Processor>();  // nothing to remove
      return std::unique_ptr<dsp::Processor>(std::make_unique<dsp::Dehum>(p));
    }
    case StageType::leveller:
      return std::unique_ptr<dsp::Processor>(
          std::make_unique<dsp::Leveller>(apply(st, kLevellerSetters)));
    default:
      break;
  }
  return make_error(Errc::internal,
                    "theme stage type '" + std::string(st.name()) + "' has no DSP stage");
}

Result<std::unique_ptr<dsp::ProcessorChain>> make_chain(const std::vector<ProcessingStage>& stages,
                                                        double hum_hz) {
  auto chain = std::make_unique<dsp::ProcessorChain>();
  // Consecutive filter stages share one BiquadSeries: one pass over the
  // audio per four sections rather than one per stage.
  dsp::BiquadSeries* series = nullptr;
  for (const ProcessingStage& st : stages) {
    if (auto biquad = biquad_params(st)) {
      if (series == nullptr) {
        auto fresh = std::make_unique<dsp::BiquadSeries>();
        series = fresh.get();
        chain->add(std::move(fresh));
      }
      series->add(*biquad);
      continue;
    }
    auto stage = make_stage(st, hum_hz);
    if (!stage.ok()) return stage.error();
    if (*stage) {
      chain->add(std::move(stage.value()));
      series = nullptr;
    }
  }
  return chain;
}

}  // namespace

std::vector<StageParam> params_read_by_builder(StageType type) {
  switch (type) {
    case StageType::hpf:
    case StageType::lpf:
      return params_of(kPassSetters);
    case StageType::peaking:
      return params_of(kPeakingSetters);
    case StageType::low_shelf:
    case StageType::high_shelf:
      return params_of(kShelfSetters);
    case StageType::compressor:
      return params_of(kCompressorSetters);
    case StageType::reverb:
      return params_of(kReverbSetters);
    case StageType::drive:
      return params_of(kDriveSetters);
    case StageType::dehum:
      return params_of(kDehumSetters);
    case StageType::leveller:
      return params_of(kLevellerSetters);
  }
  return {};
}

Result<ThemeChains> build_theme_chains(const Theme& theme, double detected_hum_hz,
                                       int extra_lanes) {
  ThemeChains chains;
  for (int i = 0; i < extra_lanes; ++i) {
    auto segment = make_chain(theme.segment_chain, detected_hum_hz);
    if (!segment.ok()) return segment.error();
    chains.segment_lanes.push_back(std::move(segment.value()));
    auto master = make_chain(theme.master_chain, detected_hum_hz);
    if (!master.ok()) return master.error();
    chains.master_lanes.push_back(std::move(master.value()));
  }
  auto segment = make_chain(theme.segment_chain, detected_hum_hz);
  if (!segment.ok()) return segment.error();
  auto master = make_chain(theme.master_chain, detected_hum_hz);
  if (!master.ok()) return master.error();
  chains.segment = std::move(segment.value());
  chains.master = std::move(master.value());
  return chains;
}

Result<double> detect_source_hum(const std::string& source_path) {
  auto decoder = open_decoder(source_path);
  if (!decoder.ok()) return decoder.error();
  const StreamInfo& info = (*decoder)->info();
  const std::size_t frames = static_cast<std::size_t>(
      std::min<std::int64_t>(info.num_frames, static_cast<std::int64_t>(45.0 * info.sample_rate)));
  if (frames == 0) return 0.0;
  AudioBuffer audio(info.channels, frames);
  std::size_t filled = 0;
  while (filled < frames) {
    auto got = (*decoder)->read(audio.view().slice(filled, frames - filled));
    if (!got.ok()) return got.error();
    if (*got == 0) break;
    filled += *got;
  }
  return dsp::detect_hum(audio.view().slice(0, filled), info.sample_rate).fundamental_hz;
}

}  // namespace namix
