#include "codec/mp3_encoder.h"

#include <lame/lame.h>

#include <algorithm>
#include <cstdarg>
#include <vector>

#include "codec/mp3_tags.h"

namespace namix {
namespace {

// LAME's worst case for n samples (lame.h): 1.25 n + 7200 bytes.
constexpr std::size_t kEncodeBlockFrames = 16384;
constexpr std::size_t kMp3BufferBytes = kEncodeBlockFrames * 5 / 4 + 7200;

void lame_quiet(const char* /*format*/, va_list /*args*/) {}

class LameEncoder final : public Mp3Encoder {
 public:
  LameEncoder(lame_global_flags* lame, ByteSink& sink, int channels)
      : lame_(lame), sink_(sink), channels_(channels), mp3_(kMp3BufferBytes) {}
  ~LameEncoder() override { lame_close(lame_); }
  LameEncoder(const LameEncoder&) = delete;
  LameEncoder& operator=(const LameEncoder&) = delete;

  Result<void> encode(AudioView in) override {
    assert(!finished_);
    assert(in.num_channels == channels_);
    for (std::size_t first = 0; first < in.num_frames; first += kEncodeBlockFrames) {
      const std::size_t n = std::min(kEncodeBlockFrames, in.num_frames - first);
      const AudioView block = in.slice(first, n);
      const int bytes = lame_encode_buffer_ieee_float(
          lame_, block[0], channels_ == 2 ? block[1] : block[0], static_cast<int>(n), mp3_.data(),
          static_cast<int>(mp3_.size()));
      NAMIX_TRY(emit(bytes));
    }
    return {};
  }

  Result<void> finish() override {
    assert(!finished_);
    finished_ = true;
    NAMIX_TRY(emit(lame_encode_flush(lame_, mp3_.data(), static_cast<int>(mp3_.size()))));
    // LAME's first output was a zeroed frame of the info frame's size; now
    // that frame count, delay/padding and CRC are known, put the real one there.
    const std::size_t tag_bytes = lame_get_lametag_frame(lame_, mp3_.data(), mp3_.size());
    if (tag_bytes == 0 || tag_bytes > mp3_.size()) {
      return make_error(Errc::internal, "LAME produced no info frame");
    }
    return sink_.write_at(info_frame_offset, std::span(mp3_.data(), tag_bytes));
  }

  std::uint64_t info_frame_offset = 0;

 private:
  Result<void> emit(int bytes) {
    if (bytes < 0) {
      return make_error(Errc::internal,
                        "LAME failed to encode (code " + std::to_string(bytes) + ")");
    }
    return sink_.write(std::span(mp3_.data(), static_cast<std::size_t>(bytes)));
  }

  lame_global_flags* lame_;
  ByteSink& sink_;
  int channels_;
  std::vector<unsigned char> mp3_;
  bool finished_ = false;
};

}  // namespace

Result<std::unique_ptr<Mp3Encoder>> Mp3Encoder::create(const EncoderSettings& settings,
                                                       const Mp3Tags& tags, ByteSink& sink) {
  if (settings.channels < 1 || settings.channels > 2 || settings.quality < 0 ||
      settings.quality > 9) {
    return make_error(Errc::invalid_argument,
                      "MP3 encoding takes 1 or 2 channels and quality 0..9");
  }
  lame_global_flags* lame = lame_init();
  if (lame == nullptr) return make_error(Errc::internal, "LAME could not start");
  auto encoder = std::make_unique<LameEncoder>(lame, sink, settings.channels);
  lame_set_errorf(lame, lame_quiet);
  lame_set_debugf(lame, lame_quiet);
  lame_set_msgf(lame, lame_quiet);
  lame_set_in_samplerate(lame, settings.sample_rate);
  lame_set_out_samplerate(lame, settings.sample_rate);
  lame_set_num_channels(lame, settings.channels);
  lame_set_mode(lame, settings.channels == 2 ? JOINT_STEREO : MONO);
  lame_set_VBR(lame, vbr_off);
  lame_set_brate(lame, settings.bitrate_kbps);
  lame_set_quality(lame, settings.quality);
  lame_set_write_id3tag_automatic(lame, 0);
  // An Info frame even for CBR: it carries the encoder delay and padding that
  // gapless decoders (libmpg123, ffmpeg) trim, and the exact frame count.
  lame_set_bWriteVbrTag(lame, 1);
  if (lame_init_params(lame) < 0) {
    return make_error(Errc::invalid_argument,
                      "LAME rejected " + std::to_string(settings.bitrate_kbps) + " kbit/s at " +
                          std::to_string(settings.sample_rate) + " Hz; use 320 kbit/s at 44100 Hz");
  }
  const std::vector<std::uint8_t> id3 = render_id3v2_tag(tags);
  NAMIX_TRY(sink.write(id3));
  encoder->info_frame_offset = sink.size();
  return std::unique_ptr<Mp3Encoder>(std::move(encoder));
}

}  // namespace namix
