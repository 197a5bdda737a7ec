#include "select/processing_stage.h"

#include <cassert>
#include <limits>

namespace namix {
namespace {

constexpr bool kRequired = true;
constexpr bool kOptional = false;
// Unused default of a required parameter.
constexpr double kNone = 0.0;
// The Butterworth Q, 1/sqrt(2): a maximally flat second-order pass band.
constexpr double kButterworthQ = 0.70710678118654752;

using P = StageParam;
using U = ParamUse;

std::vector<StageSpec> make_specs() {
  // Sections in series: 4 = 48 dB/oct.
  const StageParamSpec order{P::order, "order", "", 1, 4, kOptional, 1.0, U::count};
  const StageParamSpec pass_q{P::q, "q", "", 0.1, 10, kOptional, kButterworthQ, U::value};
  const StageParamSpec shelf_frequency{P::frequency_hz, "frequency_hz", "Hz",  20,
                                       20000,           kRequired,      kNone, U::value};
  const StageParamSpec shelf_gain{P::gain_db, "gain_db", "dB", -24, 24, kRequired, kNone, U::value};
  return {
      {StageType::hpf,
       "hpf",
       {{P::cutoff_hz, "cutoff_hz", "Hz", 10, 20000, kRequired, kNone, U::value}, pass_q, order}},
      {StageType::lpf,
       "lpf",
       {{P::cutoff_hz, "cutoff_hz", "Hz", 100, 22000, kRequired, kNone, U::value}, pass_q, order}},
      {StageType::peaking,
       "peaking",
       {shelf_frequency, shelf_gain, {P::q, "q", "", 0.1, 10, kRequired, kNone, U::value}}},
      {StageType::low_shelf, "low_shelf", {shelf_frequency, shelf_gain}},
      {StageType::high_shelf, "high_shelf", {shelf_frequency, shelf_gain}},
      {StageType::compressor,
       "compressor",
       {{P::threshold_db, "threshold_db", "dB", -60, 0, kRequired, kNone, U::value},
        {P::ratio, "ratio", "", 1, 30, kRequired, kNone, U::value},
        {P::attack_ms, "attack_ms", "ms", 0.1, 1000, kOptional, 10.0, U::value},
        {P::release_ms, "release_ms", "ms", 1, 5000, kOptional, 150.0, U::value},
        // Total width of the quadratic knee, centred on the threshold.
        {P::knee_db, "knee_db", "dB", 0, 24, kOptional, 6.0, U::value},
        {P::makeup_db, "makeup_db", "dB", -12, 24, kOptional, 0.0, U::value}}},
      {StageType::reverb,
       "reverb",
       {{P::room_size, "room_size", "", 0, 1, kRequired, kNone, U::value},
        {P::wet, "wet", "", 0, 1, kRequired, kNone, U::value},
        {P::damping, "damping", "", 0, 1, kOptional, 0.5, U::value},
        {P::width, "width", "", 0, 1, kOptional, 1.0, U::value}}},
      // How far the signal is pushed into the soft clipper.
      {StageType::drive,
       "drive",
       {{P::gain_db, "gain_db", "dB", 0, 24, kRequired, kNone, U::value}}},
      {StageType::dehum,
       "dehum",
       // 0 = detect 50 or 60 Hz from the audio.
       {{P::fundamental_hz, "fundamental_hz", "Hz", 0, 70, kOptional, 0.0, U::value},
        {P::harmonics, "harmonics", "", 1, 16, kOptional, 8.0, U::count},
        {P::q, "q", "", 1, 100, kOptional, 20.0, U::value}}},
      {StageType::leveller,
       "leveller",
       {{P::max_gain_db, "max_gain_db", "dB", 0, 30, kOptional, 12.0, U::value},
        // RMS of active speech to aim for.
        {P::target_db, "target_db", "dBFS", -60, 0, kOptional, -23.0, U::value}}},
  };
}

}  // namespace

const StageParamSpec* StageSpec::find(StageParam p) const {
  for (const auto& spec : params) {
    if (spec.param == p) return &spec;
  }
  return nullptr;
}

const StageParamSpec* StageSpec::find(std::string_view key) const {
  for (const auto& spec : params) {
    if (key == spec.key) return &spec;
  }
  return nullptr;
}

const std::vector<StageSpec>& stage_specs() {
  static const std::vector<StageSpec> specs = make_specs();
  return specs;
}

const StageSpec& stage_spec(StageType type) {
  for (const auto& spec : stage_specs()) {
    if (spec.type == type) return spec;
  }
  assert(false && "every StageType has a spec");
  return stage_specs().front();
}

const StageSpec* find_stage_spec(std::string_view name) {
  for (const auto& spec : stage_specs()) {
    if (name == spec.name) return &spec;
  }
  return nullptr;
}

double ProcessingStage::value(StageParam p) const {
  const StageParamSpec* spec = stage_spec(type).find(p);
  assert(spec != nullptr && "the stage type declares this parameter");
  if (spec == nullptr) return std::numeric_limits<double>::quiet_NaN();
  auto it = values.find(p);
  return it == values.end() ? spec->default_value : it->second;
}

}  // namespace namix
