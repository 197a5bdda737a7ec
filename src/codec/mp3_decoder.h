// The libmpg123 side of open_decoder(); callers use open_decoder().
#pragma once

#include <memory>
#include <string>

#include "codec/audio_decoder.h"

namespace namix {

// `path` has already been sniffed as MP3 (ID3v2 tag or a run of frames).
Result<std::unique_ptr<AudioDecoder>> open_mp3_decoder(const std::string& path,
                                                       const DecodeOptions& options);

// Another decoder of the file `opened` (an MP3 decoder) decodes, sharing its
// scan: cheap, for decoding spans of one file in parallel.
Result<std::unique_ptr<AudioDecoder>> sibling_mp3_decoder(const AudioDecoder& opened);

}  // namespace namix
