// The end of the chain: master processing on the assembled mix, loudness
// normalisation to the target (libebur128), the true-peak limiter, LAME
// encoding, and a check of the decoded MP3 against the peak ceiling.
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
  // Of the decoded MP3 (short mixes) or of the PCM fed to the encoder
  // (whole-episode remasters), as MixReport says.
  double integrated_lufs = 0.0;
  double true_peak_dbtp = 0.0;
  double render_ms = 0.0;
  double encode_ms = 0.0;
  std::vector<std::string> warnings;
};

// streaming == false: the mix is held in memory (short mixes), gained and
// limited until its PCM is on target, encoded, and checked once decoded;
// encoded again only if the check fails.
// streaming == true: for whole-episode remasters of any length. The source is
// rendered once, a window of the mix per core (ThemeChains::master_lanes); the
// processed mix goes to a temporary file in TMPDIR (1.3 GB per hour of
// episode) while its loudness is measured, then is read back, gained, limited
// and encoded block by block. Memory does not grow with length.
Result<MasteredMix> master_and_encode(const std::string& source_path, const RenderPlan& plan,
                                      ThemeChains& chains, const MasteringSpec& spec,
                                      const Mp3Tags& tags, ByteSink& out, bool streaming,
                                      const std::function<void(double)>& progress);

}  // namespace namix
