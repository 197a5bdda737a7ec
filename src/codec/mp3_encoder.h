// MP3 encoding with LAME: 320 kbps CBR, 44.1 kHz, joint stereo, a LAME/Xing
// info frame, and an ID3v2 tag with title/artist/album/date plus CHAP/CTOC
// chapters (rendered with TagLib).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/audio_buffer.h"
#include "core/byte_sink.h"
#include "core/error.h"

namespace namix {

struct Chapter {
  std::uint32_t start_ms = 0;
  std::uint32_t end_ms = 0;
  std::string title;  // e.g. "01:02:03 Banter"
};

struct Mp3Tags {
  std::string title;
  std::string artist;
  std::string album;
  std::string date;  // YYYY-MM-DD
  std::vector<Chapter> chapters;
};

// LAME's algorithm quality (lame -q, ffmpeg -compression_level) when none is
// asked for: LAME's own default.
inline constexpr int kDefaultMp3Quality = 3;

// A requested -q as an integer 0..9, or an error that names `option` (as the
// user wrote it: "--mp3-quality", "mp3_quality"), says what it takes and
// quotes what was given: `given` when not empty (text that was not a number),
// else `requested`.
Result<int> checked_mp3_quality(double requested, std::string_view option,
                                std::string_view given = {});

// The samples an encoder accepts: finite, and within kMaxEncoderSample of
// full scale. LAME's psychoacoustic model asserts (an abort, not an error) on
// NaN and infinity; mastered audio stays under the true-peak ceiling, so a
// sample far beyond full scale is a fault upstream as well (a gain gone wrong).
inline constexpr float kMaxEncoderSample = 8.0f;  // +18 dBFS
// internal when `in` holds a sample outside that: it says where.
Result<void> check_encoder_input(AudioView in);

struct EncoderSettings {
  int bitrate_kbps = 320;
  int sample_rate = 44100;
  int channels = 2;
  // LAME -q: 0 best .. 9 fastest. 3 is LAME's own default (and ffmpeg's); -q 2 takes
  // about 1.7x as long (lame CLI on 60 s of a mix here: 1.93 s vs 1.13 s) for no audible
  // gain at 320 kbps.
  int quality = kDefaultMp3Quality;
  // Encoder threads. 1 is one LAME instance with the bit reservoir; more cut
  // the stream into chunks encoded side by side without the reservoir (see
  // parallel_mp3_encoder.h); 0 is one per hardware thread.
  int threads = 1;
  // How many sample frames will be encoded, when known (0: not known). With
  // threads, the chunks are then sized so that every thread gets as many
  // (balanced_layout()), instead of the last one encoding alone.
  std::int64_t expected_frames = 0;
};

class Mp3Encoder {
 public:
  // Writes the ID3v2 tag and a placeholder info frame to `sink` at once.
  static Result<std::unique_ptr<Mp3Encoder>> create(const EncoderSettings& settings,
                                                    const Mp3Tags& tags, ByteSink& sink);
  virtual ~Mp3Encoder() = default;
  // in.num_channels == settings.channels, at settings.sample_rate.
  virtual Result<void> encode(AudioView in) = 0;
  // Flushes LAME and patches the real LAME/Xing info frame in place.
  virtual Result<void> finish() = 0;
};

}  // namespace namix
