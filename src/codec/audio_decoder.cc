#include "codec/audio_decoder.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "codec/mp3_decoder.h"
#include "codec/mpeg_frame.h"
#include "codec/sndfile_decoder.h"
#include "core/input_file.h"

namespace namix {
namespace {

// Enough to see three frames at 448 kbit/s / 32 kHz behind a little junk.
constexpr std::size_t kSniffBytes = 64 * 1024;

bool starts_with(const std::vector<std::uint8_t>& b, std::size_t at, const char* magic) {
  const std::size_t n = std::strlen(magic);
  return b.size() >= at + n && std::memcmp(b.data() + at, magic, n) == 0;
}

enum class Container { unknown, mp3, sndfile, ogg };

Container sniff(const std::vector<std::uint8_t>& head) {
  if (id3v2_tag_size(head) > 0) return Container::mp3;
  if ((starts_with(head, 0, "RIFF") || starts_with(head, 0, "RF64")) &&
      starts_with(head, 8, "WAVE")) {
    return Container::sndfile;
  }
  if (starts_with(head, 0, "fLaC")) return Container::sndfile;
  // libsndfile reads Ogg through libvorbis, which leaks its stream info on
  // a damaged header (5.7 kB a file: a service taking uploads grows without
  // bound). Ogg is not one of the inputs namix takes, so it is refused.
  if (starts_with(head, 0, "OggS")) return Container::ogg;
  if (starts_with(head, 0, "FORM") &&
      (starts_with(head, 8, "AIFF") || starts_with(head, 8, "AIFC")))
    return Container::sndfile;
  // Three frames in a row at their computed lengths: random bytes essentially
  // never do that, while a real stream after some junk does.
  if (find_mpeg_frames(head, 0, 3)) return Container::mp3;
  return Container::unknown;
}

}  // namespace

Result<std::unique_ptr<AudioDecoder>> open_decoder(const std::string& path,
                                                   const DecodeOptions& options) {
  assert(options.rate_divisor == 1 || options.rate_divisor == 2 || options.rate_divisor == 4);
  if (auto size = input_file_size(path, "give an MP3, WAV or FLAC file"); !size.ok()) {
    return size.error();
  }
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    return make_error(Errc::unreadable, path + " cannot be read (" + std::strerror(errno) +
                                            "); check its permissions");
  }
  std::vector<std::uint8_t> head(kSniffBytes);
  head.resize(std::fread(head.data(), 1, head.size(), file));
  const bool read_failed = std::ferror(file) != 0;
  std::fclose(file);
  if (read_failed) {
    return make_error(Errc::unreadable, path + " cannot be read (I/O error); check the disk");
  }
  if (head.empty()) {
    return make_error(Errc::undecodable, path + " is empty (0 bytes); give a complete audio file");
  }
  switch (sniff(head)) {
    case Container::mp3:
      return open_mp3_decoder(path, options);
    case Container::sndfile:
      return open_sndfile_decoder(path, options);
    case Container::ogg:
      return make_error(Errc::not_audio, path +
                                             " is an Ogg stream; namix takes MP3, WAV or FLAC: "
                                             "convert it (ffmpeg -i IN.ogg OUT.flac)");
    case Container::unknown:
      break;
  }
  return make_error(Errc::not_audio, path +
                                         " is not audio (no MP3 frames, WAV or FLAC header found); "
                                         "give an MP3, WAV or FLAC file");
}

}  // namespace namix
