// The libmpg123 side of open_decoder(); callers use open_decoder().
#pragma once

#include <memory>
#include <string>

#include "codec/audio_decoder.h"
#include "core/growing_file.h"

namespace namix {

// `path` has already been sniffed as MP3 (ID3v2 tag or a run of frames).
Result<std::unique_ptr<AudioDecoder>> open_mp3_decoder(const std::string& path,
                                                       const DecodeOptions& options);

// A decoder that reads `source` once, front to back, as its bytes arrive (an
// episode still downloading): it cannot seek, info().num_frames is what the
// Xing/Info frame promises (0 when there is none), and read() blocks while
// the source does. A source error is returned as it is (a failed download
// says why, not "damaged"). The samples are those a file decode gives.
Result<std::unique_ptr<AudioDecoder>> open_mp3_stream_decoder(std::unique_ptr<ByteSource> source,
                                                              const DecodeOptions& options,
                                                              const std::string& name);

// Another decoder of the file `opened` (an MP3 decoder) decodes, sharing its
// scan: cheap, for decoding spans of one file in parallel.
Result<std::unique_ptr<AudioDecoder>> sibling_mp3_decoder(const AudioDecoder& opened);

}  // namespace namix
