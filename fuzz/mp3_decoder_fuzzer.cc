// The MP3 decoder front end: open_decoder() on the bytes as a file (sniffing,
// libmpg123's scan, the layout and truncation checks, seeking), a sibling
// decoder as parallel decoding opens it, and the streaming decoder on the
// same bytes as they would arrive from a download.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>

#include "codec/mp3_decoder.h"
#include "core/growing_file.h"
#include "fuzz/audio_decode.h"
#include "fuzz/fuzz_input_file.h"

namespace {

class MemorySource final : public namix::ByteSource {
 public:
  explicit MemorySource(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}
  namix::Result<std::size_t> read(std::span<std::uint8_t> out) override {
    // Small, uneven reads, as a download delivers them.
    const std::size_t n = std::min({out.size(), bytes_.size() - at_, std::size_t{1500}});
    std::memcpy(out.data(), bytes_.data() + at_, n);
    at_ += n;
    return n;
  }

 private:
  std::span<const std::uint8_t> bytes_;
  std::size_t at_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // The input's length picks the path, so each gets a share of the inputs:
  // the analysis opens at a quarter of the rate in mono, the renderer at the
  // full rate in stereo; a file (scan, seek, sibling) or a download (stream).
  const bool analysis = size % 2 == 0;
  const bool as_file = size / 2 % 2 == 0;
  namix::DecodeOptions options;
  options.rate_divisor = analysis ? 4 : 1;
  options.force_mono = analysis;
  if (as_file) {
    const namix::fuzz::InputFile file(data, size);
    auto decoder = namix::open_decoder(file.path(), options);
    if (!decoder.ok()) return 0;
    namix::fuzz::decode_some(**decoder);
    if ((*decoder)->info().codec == "mp3") {
      auto sibling = namix::sibling_mp3_decoder(**decoder);
      if (sibling.ok()) namix::fuzz::decode_some(**sibling);
    }
    return 0;
  }
  auto stream = namix::open_mp3_stream_decoder(
      std::make_unique<MemorySource>(std::span(data, size)), options, "fuzz.mp3");
  if (!stream.ok()) return 0;
  // A stream cannot seek; read it as the download analysis does.
  const namix::StreamInfo& info = (*stream)->info();
  NAMIX_FUZZ_CHECK(info.channels == 1 || info.channels == 2);
  namix::AudioBuffer block(info.channels, 4096);
  for (int i = 0; i < 16; ++i) {
    auto got = (*stream)->read(block.view());
    if (!got.ok() || *got == 0) break;
  }
  return 0;
}
