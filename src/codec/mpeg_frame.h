// MPEG audio frame headers and the byte-level facts about an MP3 file that
// libmpg123 does not expose: where the audio starts, the Xing/Info/VBRI frame
// count (to detect truncation) and frame boundaries (to split for parallel
// decoding).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace namix {

struct MpegFrameHeader {
  int version_x10 = 0;  // 10 = MPEG-1, 20 = MPEG-2, 25 = MPEG-2.5
  int layer = 0;        // 1, 2 or 3
  int bitrate_kbps = 0;
  int sample_rate = 0;
  int channels = 0;
  int frame_bytes = 0;  // including the header and padding
  int samples_per_frame = 0;

  bool same_stream(const MpegFrameHeader& o) const {
    return version_x10 == o.version_x10 && layer == o.layer && sample_rate == o.sample_rate;
  }
};

// Parses the 4-byte header at p; nullopt for anything that is not a valid
// fixed-bitrate frame header (free format is rejected: its length is unknown).
std::optional<MpegFrameHeader> parse_mpeg_frame_header(const std::uint8_t* p);

// Total size of an ID3v2 tag at the start of `head` (header, body, footer), 0
// when there is none.
std::size_t id3v2_tag_size(std::span<const std::uint8_t> head);

// Offset of the first frame in bytes[from..] that starts a run of at least
// `min_run` consecutive consistent frames, each at the previous one's computed
// length; a run may end exactly at the end of `bytes`.
std::optional<std::size_t> find_mpeg_frames(std::span<const std::uint8_t> bytes, std::size_t from,
                                            int min_run);

// Frame count promised by a Xing/Info or VBRI header in the frame at
// frame[0..], or nullopt when the frame carries none.
std::optional<std::int64_t> info_frame_count(std::span<const std::uint8_t> frame);

}  // namespace namix
