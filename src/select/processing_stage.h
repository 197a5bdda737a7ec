// The theme → DSP contract: every processing stage a theme file may name and
// every parameter each one takes, with its key, unit, range and default. The
// theme loader accepts exactly these and mix/chain_builder reads them by
// StageParam, so a key is spelt in one place; chain_builder_test holds the
// builder to this table. select/ does not depend on dsp/: the builder maps
// each StageParam onto the DSP stage's own parameter struct.
#pragma once

#include <cstdint>
#include <map>
#include <string_view>
#include <vector>

namespace namix {

enum class StageType : std::uint8_t {
  hpf,
  lpf,
  peaking,
  low_shelf,
  high_shelf,
  compressor,
  reverb,
  drive,
  dehum,
  leveller,
};

enum class StageParam : std::uint8_t {
  cutoff_hz,
  frequency_hz,
  gain_db,
  q,
  order,
  threshold_db,
  ratio,
  attack_ms,
  release_ms,
  knee_db,
  makeup_db,
  room_size,
  wet,
  damping,
  width,
  fundamental_hz,
  harmonics,
  max_gain_db,
  target_db,
};

// How the builder takes a value.
enum class ParamUse : std::uint8_t {
  value,  // as it is
  count,  // a whole number (sections, harmonics)
};

struct StageParamSpec {
  StageParam param;
  const char* key;   // as written in theme files
  const char* unit;  // "Hz", "dB", "ms", "dBFS"; "" for a plain number
  double min;
  double max;
  bool required;
  double default_value;  // when the file leaves it out (unused when required)
  ParamUse use;
};

struct StageSpec {
  StageType type;
  const char* name;  // as written in theme files: type = "hpf"
  std::vector<StageParamSpec> params;
  const StageParamSpec* find(StageParam p) const;
  const StageParamSpec* find(std::string_view key) const;
};

// Every stage type, in the order theme files list them in errors.
const std::vector<StageSpec>& stage_specs();
const StageSpec& stage_spec(StageType type);
const StageSpec* find_stage_spec(std::string_view name);

// One processing stage as written in the theme file, e.g.
// {type = "peaking", frequency_hz = 200, q = 0.7, gain_db = 2}.
struct ProcessingStage {
  StageType type = StageType::hpf;
  std::map<StageParam, double> values;  // what the file sets, validated against the spec

  const char* name() const { return stage_spec(type).name; }
  // What the file set, else the declared default. Asking for a parameter
  // the stage type does not declare is a bug: the assertion says so, and
  // without assertions the answer is NaN.
  double value(StageParam p) const;
};

}  // namespace namix
