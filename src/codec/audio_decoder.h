// Decoding any supported episode file into planar float, block by block.
//
// MP3 via libmpg123 (CBR/VBR, ID3v2, 32/44.1/48 kHz, mono/stereo) with
// sample-accurate seeking; WAV/FLAC via libsndfile. The decoder never holds
// the whole episode: callers pull blocks with read().
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/audio_buffer.h"
#include "core/error.h"

namespace namix {

struct StreamInfo {
  int sample_rate = 0;          // of the decoded stream (after any reduction)
  int channels = 0;             // of the decoded stream (1 or 2)
  std::int64_t num_frames = 0;  // exact for MP3 after scanning, from the header otherwise
  int source_sample_rate = 0;   // of the file
  int source_channels = 0;
  std::string codec;     // "mp3", "wav", "flac"
  int bitrate_kbps = 0;  // nominal (average for VBR)
  bool vbr = false;
  double duration_s() const {
    return sample_rate > 0 ? static_cast<double>(num_frames) / sample_rate : 0.0;
  }
};

struct DecodeOptions {
  // Analysis runs on a reduced stream: mpg123 can synthesise at 1/2 or 1/4
  // rate and mix down to mono itself, which skips most of the synthesis work.
  int rate_divisor = 1;  // 1, 2 or 4
  bool force_mono = false;
};

class AudioDecoder {
 public:
  virtual ~AudioDecoder() = default;
  virtual const StreamInfo& info() const = 0;
  // Positions the next read() at `frame` (in the decoded stream's rate), exactly.
  virtual Result<void> seek(std::int64_t frame) = 0;
  // Fills up to out.num_frames frames of out (out.num_channels == info().channels).
  // Returns the number of frames written; 0 means end of stream. A corrupt or
  // truncated stream is an Errc::undecodable error, not a silent short read.
  virtual Result<std::size_t> read(AudioView out) = 0;
};

// Sniffs the file's content (not its name) and opens the right decoder.
// Errors: not_found, unreadable (also a FIFO or device: decoding seeks), not_audio,
// undecodable (zero-length, truncated).
Result<std::unique_ptr<AudioDecoder>> open_decoder(const std::string& path,
                                                   const DecodeOptions& options = {});

}  // namespace namix
