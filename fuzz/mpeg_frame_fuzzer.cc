// The MP3 frame scanner on arbitrary bytes: frame headers, ID3v2 tag sizes,
// runs of consistent frames, Xing/Info/VBRI frame counts. What it reports
// must lie inside the bytes it was given.
#include <cstddef>
#include <cstdint>
#include <span>

#include "codec/mpeg_frame.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  if (size >= 4) {
    if (const auto h = namix::parse_mpeg_frame_header(data)) {
      NAMIX_FUZZ_CHECK(h->frame_bytes >= 4 && h->samples_per_frame > 0 && h->sample_rate > 0);
    }
  }
  const std::size_t tag = namix::id3v2_tag_size(bytes);
  // The scanner from the start, from behind a tag and from an arbitrary
  // offset (the first byte says where), as read_layout() and the sniffer call it.
  const std::size_t from[] = {0, tag, size > 0 ? data[0] % size : 0};
  for (const std::size_t start : from) {
    if (start > size) continue;
    for (const int min_run : {1, 3}) {
      const auto at = namix::find_mpeg_frames(bytes, start, min_run);
      if (!at) continue;
      NAMIX_FUZZ_CHECK(*at >= start && *at + 4 <= size);
      NAMIX_FUZZ_CHECK(namix::parse_mpeg_frame_header(data + *at).has_value());
      if (const auto frames = namix::info_frame_count(bytes.subspan(*at))) {
        NAMIX_FUZZ_CHECK(*frames >= 0);
      }
    }
  }
  return 0;
}
