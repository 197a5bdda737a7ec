#include "codec/mpeg_frame.h"

#include <array>

namespace namix {
namespace {

// ISO/IEC 11172-3 §2.4.2.3 and ISO/IEC 13818-3 bitrate tables (kbit/s), index 1..14.
constexpr std::array<std::array<int, 15>, 5> kBitrates = {{
    {0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448},  // V1 L1
    {0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384},     // V1 L2
    {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320},      // V1 L3
    {0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256},     // V2 L1
    {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160},          // V2 L2/L3
}};
constexpr std::array<int, 3> kRatesV1 = {44100, 48000, 32000};

std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

}  // namespace

std::optional<MpegFrameHeader> parse_mpeg_frame_header(const std::uint8_t* p) {
  const std::uint32_t h = be32(p);
  if ((h >> 21) != 0x7FF) return std::nullopt;
  const std::uint32_t version_bits = (h >> 19) & 3;
  const std::uint32_t layer_bits = (h >> 17) & 3;
  const std::uint32_t bitrate_index = (h >> 12) & 15;
  const std::uint32_t rate_index = (h >> 10) & 3;
  const int padding = static_cast<int>((h >> 9) & 1);
  const std::uint32_t mode = (h >> 6) & 3;
  const std::uint32_t emphasis = h & 3;
  if (version_bits == 1 || layer_bits == 0 || bitrate_index == 0 || bitrate_index == 15 ||
      rate_index == 3 || emphasis == 2) {
    return std::nullopt;
  }
  MpegFrameHeader f;
  f.version_x10 = version_bits == 3 ? 10 : version_bits == 2 ? 20 : 25;
  f.layer = 4 - static_cast<int>(layer_bits);
  const bool v1 = f.version_x10 == 10;
  const std::size_t table = v1 ? static_cast<std::size_t>(f.layer - 1) : (f.layer == 1 ? 3u : 4u);
  f.bitrate_kbps = kBitrates[table][bitrate_index];
  f.sample_rate = kRatesV1[rate_index] / (v1 ? 1 : f.version_x10 == 20 ? 2 : 4);
  f.channels = mode == 3 ? 1 : 2;
  if (f.layer == 1) {
    f.samples_per_frame = 384;
    f.frame_bytes = (12 * f.bitrate_kbps * 1000 / f.sample_rate + padding) * 4;
  } else {
    f.samples_per_frame = (f.layer == 3 && !v1) ? 576 : 1152;
    const int coefficient = f.samples_per_frame / 8;  // 144 or 72 bytes per kbit/s
    f.frame_bytes = coefficient * f.bitrate_kbps * 1000 / f.sample_rate + padding;
  }
  return f;
}

std::size_t id3v2_tag_size(std::span<const std::uint8_t> head) {
  if (head.size() < 10 || head[0] != 'I' || head[1] != 'D' || head[2] != '3') return 0;
  if (head[3] == 0xFF || head[4] == 0xFF) return 0;
  std::size_t body = 0;
  for (int i = 6; i < 10; ++i) {
    if (head[static_cast<std::size_t>(i)] & 0x80) return 0;  // sizes are syncsafe
    body = (body << 7) | head[static_cast<std::size_t>(i)];
  }
  const bool footer = (head[5] & 0x10) != 0;
  return 10 + body + (footer ? 10 : 0);
}

std::optional<std::size_t> find_mpeg_frames(std::span<const std::uint8_t> bytes, std::size_t from,
                                            int min_run) {
  for (std::size_t start = from; start + 4 <= bytes.size(); ++start) {
    if (bytes[start] != 0xFF) continue;
    const auto first = parse_mpeg_frame_header(&bytes[start]);
    if (!first) continue;
    std::size_t pos = start;
    int run = 0;
    while (run < min_run) {
      if (pos == bytes.size() && run > 0) break;  // the file ends on a frame boundary
      if (pos + 4 > bytes.size()) break;
      const auto f = parse_mpeg_frame_header(&bytes[pos]);
      if (!f || !f->same_stream(*first)) break;
      pos += static_cast<std::size_t>(f->frame_bytes);
      ++run;
    }
    if (run >= min_run || (run > 0 && pos == bytes.size())) return start;
  }
  return std::nullopt;
}

std::optional<std::int64_t> info_frame_count(std::span<const std::uint8_t> frame) {
  if (frame.size() < 4) return std::nullopt;
  const auto h = parse_mpeg_frame_header(frame.data());
  if (!h || h->layer != 3) return std::nullopt;
  // The Xing/Info tag follows the side information, whose size depends on
  // version and channel count (LAME's VbrTag.c uses the same offsets).
  const std::size_t side_info =
      h->version_x10 == 10 ? (h->channels == 1 ? 17u : 32u) : (h->channels == 1 ? 9u : 17u);
  const std::size_t xing = 4 + side_info;
  if (frame.size() >= xing + 12) {
    const std::uint8_t* p = &frame[xing];
    const bool tagged = (p[0] == 'X' && p[1] == 'i' && p[2] == 'n' && p[3] == 'g') ||
                        (p[0] == 'I' && p[1] == 'n' && p[2] == 'f' && p[3] == 'o');
    if (tagged) {
      if ((be32(p + 4) & 1) == 0) return std::nullopt;  // no frame count field
      return static_cast<std::int64_t>(be32(p + 8));
    }
  }
  // Fraunhofer's VBRI header sits at a fixed 32 bytes after the frame header.
  constexpr std::size_t vbri = 4 + 32;
  if (frame.size() >= vbri + 18) {
    const std::uint8_t* p = &frame[vbri];
    if (p[0] == 'V' && p[1] == 'B' && p[2] == 'R' && p[3] == 'I') {
      return static_cast<std::int64_t>(be32(p + 14));
    }
  }
  return std::nullopt;
}

}  // namespace namix
