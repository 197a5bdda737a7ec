// WAV/FLAC (and AIFF/Ogg) sniffing and the libsndfile decoder behind it:
// the service's first-bytes check (looks_like_audio) and open_decoder() on
// the bytes as a file, read and seeked as the analysis and renderer do.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/audio_decode.h"
#include "fuzz/fuzz_input_file.h"
#include "net/fetch.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namix::looks_like_audio(std::string_view(reinterpret_cast<const char*>(data), size));
  const namix::fuzz::InputFile file(data, size);
  const bool analysis = size % 2 == 0;
  namix::fuzz::open_and_decode(file.path(), analysis ? 4 : 1, analysis);
  return 0;
}
