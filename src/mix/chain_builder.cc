#include "mix/chain_builder.h"

#include <algorithm>
#include <optional>

#include "codec/audio_decoder.h"
#include "dsp/biquad.h"
#include "dsp/compressor.h"
#include "dsp/dehum.h"
#include "dsp/drive.h"
#include "dsp/leveller.h"
#include "dsp/reverb.h"

namespace namix {
namespace {

std::optional<dsp::FilterType> filter_type(const std::string& stage_type) {
  if (stage_type == "hpf") return dsp::FilterType::highpass;
  if (stage_type == "lpf") return dsp::FilterType::lowpass;
  if (stage_type == "peaking") return dsp::FilterType::peaking;
  if (stage_type == "low_shelf") return dsp::FilterType::low_shelf;
  if (stage_type == "high_shelf") return dsp::FilterType::high_shelf;
  return std::nullopt;
}

dsp::BiquadParams biquad_params(dsp::FilterType type, const ProcessingStage& st) {
  dsp::BiquadParams p;
  p.type = type;
  const bool pass = type == dsp::FilterType::highpass || type == dsp::FilterType::lowpass;
  p.frequency_hz = st.param(pass ? "cutoff_hz" : "frequency_hz", 1000.0);
  p.q = st.param("q", pass ? dsp::kButterworthQ : 0.707);
  p.gain_db = st.param("gain_db", 0.0);
  p.cascade = static_cast<int>(st.param("order", 1.0));
  return p;
}

Result<std::unique_ptr<dsp::Processor>> make_stage(const ProcessingStage& st, double hum_hz) {
  const std::string& t = st.type;
  if (t == "compressor") {
    dsp::CompressorParams p;
    p.threshold_db = st.param("threshold_db", p.threshold_db);
    p.ratio = st.param("ratio", p.ratio);
    p.knee_db = st.param("knee_db", p.knee_db);
    p.attack_ms = st.param("attack_ms", p.attack_ms);
    p.release_ms = st.param("release_ms", p.release_ms);
    p.makeup_db = st.param("makeup_db", p.makeup_db);
    return std::unique_ptr<dsp::Processor>(std::make_unique<dsp::Compressor>(p));
  }
  if (t == "reverb") {
    dsp::ReverbParams p;
    p.room_size = st.param("room_size", p.room_size);
    p.wet = st.param("wet", p.wet);
    p.damping = st.param("damping", p.damping);
    p.width = st.param("width", p.width);
    return std::unique_ptr<dsp::Processor>(std::make_unique<dsp::Reverb>(p));
  }
  if (t == "drive") {
    dsp::DriveParams p;
    p.drive_db = st.param("gain_db", p.drive_db);
    return std::unique_ptr<dsp::Processor>(std::make_unique<dsp::Drive>(p));
  }
  if (t == "dehum") {
    dsp::DehumParams p;
    p.fundamental_hz = st.param("fundamental_hz", 0.0);
    if (p.fundamental_hz == 0.0) p.fundamental_hz = hum_hz;
    p.harmonics = static_cast<int>(st.param("harmonics", p.harmonics));
    p.q = st.param("q", p.q);
    if (p.fundamental_hz == 0.0) return std::unique_ptr<dsp::Processor>();  // nothing to remove
    return std::unique_ptr<dsp::Processor>(std::make_unique<dsp::Dehum>(p));
  }
  if (t == "leveller") {
    dsp::LevellerParams p;
    p.max_gain_db = st.param("max_gain_db", p.max_gain_db);
    p.target_rms_dbfs = st.param("target_db", p.target_rms_dbfs);
    return std::unique_ptr<dsp::Processor>(std::make_unique<dsp::Leveller>(p));
  }
  return make_error(Errc::internal, "theme stage type '" + t + "' has no DSP stage");
}

Result<std::unique_ptr<dsp::ProcessorChain>> make_chain(const std::vector<ProcessingStage>& stages,
                                                        double hum_hz) {
  auto chain = std::make_unique<dsp::ProcessorChain>();
  // Consecutive filter stages share one BiquadSeries: one pass over the
  // audio per four sections rather than one per stage.
  dsp::BiquadSeries* series = nullptr;
  for (const ProcessingStage& st : stages) {
    if (auto type = filter_type(st.type)) {
      if (series == nullptr) {
        auto fresh = std::make_unique<dsp::BiquadSeries>();
        series = fresh.get();
        chain->add(std::move(fresh));
      }
      series->add(biquad_params(*type, st));
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
