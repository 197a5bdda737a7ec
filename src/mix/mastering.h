// The end of the chain: master processing on the assembled mix, loudness
// normalisation to the target, the true-peak limiter and LAME encoding. A
// mix of a given length and a whole-episode remaster take different roads
// (mastering_in_memory.cc, mastering_streaming.cc, and the steps they share
// in mastering_steps.h); each prepares the chains itself.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "codec/mp3_encoder.h"
#include "core/byte_sink.h"
#include "core/error.h"
#include "mix/chain_builder.h"
#include "mix/render_plan.h"

namespace namix {

struct MasteringSpec {
  double target_lufs = -16.0;
  double ceiling_dbtp = -1.0;  // for the DECODED MP3, not just the PCM fed to LAME
  // LAME's algorithm quality, 0 (best, slowest) to 9 (fastest), as lame -q.
  int mp3_quality = kDefaultMp3Quality;
};

struct MasteredMix {
  double duration_s = 0.0;
  // Of the decoded MP3 (master_in_memory) or of the PCM fed to the encoder
  // (master_streaming), as MixReport says.
  double integrated_lufs = 0.0;
  double true_peak_dbtp = 0.0;
  double render_ms = 0.0;
  double encode_ms = 0.0;
  std::vector<std::string> warnings;
};

// A mix of a given length, held in memory (100 MB of float for 5 minutes):
// normalised exactly and limited until its PCM is on target, encoded, then
// decoded and checked against the target and the peak ceiling; encoded again
// only if the check fails. `progress` (may be empty) gets 0..1.
Result<MasteredMix> master_in_memory(const std::string& source_path, const RenderPlan& plan,
                                     ThemeChains& chains, const MasteringSpec& spec,
                                     const Mp3Tags& tags, ByteSink& out,
                                     const std::function<void(double)>& progress);

// A whole-episode remaster of any length. The source is rendered once, a
// window of the mix per core (ThemeChains::master_lanes); pass 1 runs the
// master chain, measures the integrated loudness of its output and spills it
// to a temporary file in TMPDIR (1.3 GB per hour of episode, SpillFile);
// pass 2 reads it back and streams gain -> limiter -> LAME -> `out` block by
// block. Memory does not grow with length; it is not decoded again.
Result<MasteredMix> master_streaming(const std::string& source_path, const RenderPlan& plan,
                                     ThemeChains& chains, const MasteringSpec& spec,
                                     const Mp3Tags& tags, ByteSink& out,
                                     const std::function<void(double)>& progress);

}  // namespace namix
