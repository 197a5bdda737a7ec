// Turns a theme's processing stages (data) into DSP processors.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "dsp/processor.h"
#include "select/theme.h"

namespace namix {

struct ThemeChains {
  std::unique_ptr<dsp::ProcessorChain> segment;  // per piece, reset between pieces
  std::unique_ptr<dsp::ProcessorChain> master;   // over the assembled mix
  // More copies of `segment` and `master`, one of each per extra rendering
  // thread (render_mix_parallel() uses segment lanes, render_mix_windows() both).
  std::vector<std::unique_ptr<dsp::ProcessorChain>> segment_lanes;
  std::vector<std::unique_ptr<dsp::ProcessorChain>> master_lanes;
};

// De-hum stages without a fundamental use `detected_hum_hz` (0: no hum found,
// the stage is left out). Theme files are validated when loaded, so an
// unknown stage type here is a bug, reported as Errc::internal.
Result<ThemeChains> build_theme_chains(const Theme& theme, double detected_hum_hz,
                                       int extra_lanes = 0);

// The parameters the builder reads for a stage type, each into one field of
// the DSP stage's parameters; the theme's values or the table's defaults.
std::vector<StageParam> params_read_by_builder(StageType type);

// Looks for 50/60 Hz mains hum in up to 45 s of the source, decoded at full rate.
Result<double> detect_source_hum(const std::string& source_path);

}  // namespace namix
