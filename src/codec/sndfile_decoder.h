// The libsndfile side of open_decoder() (WAV, FLAC, AIFF); callers use
// open_decoder(). A reduced stream (rate_divisor, force_mono) is made with a
// channel mixdown and libsoxr, so info() describes what read() returns.
#pragma once

#include <memory>
#include <string>

#include "codec/audio_decoder.h"

namespace namix {

Result<std::unique_ptr<AudioDecoder>> open_sndfile_decoder(const std::string& path,
                                                           const DecodeOptions& options);

}  // namespace namix
