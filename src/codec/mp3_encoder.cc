#include "codec/mp3_encoder.h"

#include <lame/lame.h>

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <sstream>
#include <thread>
#include <vector>

#include "codec/mp3_tags.h"
#include "codec/parallel_mp3_encoder.h"

namespace namix {
namespace {

// LAME's worst case for n samples (lame.h): 1.25 n + 7200 bytes.
constexpr std::size_t kEncodeBlockFrames = 16384;
constexpr std::size_t kMp3BufferBytes = kEncodeBlockFrames * 5 / 4 + 7200;

void lame_quiet(const char* /*format*/, va_list /*args*/) {}

class LameEncoder final : public Mp3Encoder {
 public:
  LameEncoder(LamePtr lame, ByteSink& sink, int channels)
      : lame_(std::move(lame)), sink_(sink), channels_(channels), mp3_(kMp3BufferBytes) {}
  LameEncoder(const LameEncoder&) = delete;
  LameEncoder& operator=(const LameEncoder&) = delete;

  Result<void> encode(AudioView in) override {
    assert(!finished_);
    assert(in.num_channels == channels_);
    NAMIX_TRY(check_encoder_input(in));
    for (std::size_t first = 0; first < in.num_frames; first += kEncodeBlockFrames) {
      const std::size_t n = std::min(kEncodeBlockFrames, in.num_frames - first);
      const AudioView block = in.slice(first, n);
      const int bytes = lame_encode_buffer_ieee_float(
          lame_.get(), block[0], channels_ == 2 ? block[1] : block[0], static_cast<int>(n),
          mp3_.data(), static_cast<int>(mp3_.size()));
      NAMIX_TRY(emit(bytes));
    }
    return {};
  }

  Result<void> finish() override {
    assert(!finished_);
    finished_ = true;
    NAMIX_TRY(emit(lame_encode_flush(lame_.get(), mp3_.data(), static_cast<int>(mp3_.size()))));
    // LAME's first output was a zeroed frame of the info frame's size; now
    // that frame count, delay/padding and CRC are known, put the real one there.
    const std::size_t tag_bytes = lame_get_lametag_frame(lame_.get(), mp3_.data(), mp3_.size());
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

  LamePtr lame_;
  ByteSink& sink_;
  int channels_;
  std::vector<unsigned char> mp3_;
  bool finished_ = false;
};

}  // namespace

void LameDeleter::operator()(lame_global_struct* lame) const { lame_close(lame); }

Result<LamePtr> open_lame(const EncoderSettings& settings, bool write_info_frame,
                          bool use_bit_reservoir) {
  LamePtr lame(lame_init());
  if (lame == nullptr) return make_error(Errc::internal, "LAME could not start");
  lame_global_flags* l = lame.get();
  lame_set_errorf(l, lame_quiet);
  lame_set_debugf(l, lame_quiet);
  lame_set_msgf(l, lame_quiet);
  lame_set_in_samplerate(l, settings.sample_rate);
  lame_set_out_samplerate(l, settings.sample_rate);
  lame_set_num_channels(l, settings.channels);
  lame_set_mode(l, settings.channels == 2 ? JOINT_STEREO : MONO);
  lame_set_VBR(l, vbr_off);
  lame_set_brate(l, settings.bitrate_kbps);
  lame_set_quality(l, settings.quality);
  lame_set_write_id3tag_automatic(l, 0);
  // An Info frame even for CBR: it carries the encoder delay and padding that
  // gapless decoders (libmpg123, ffmpeg) trim, and the exact frame count.
  lame_set_bWriteVbrTag(l, write_info_frame ? 1 : 0);
  if (!use_bit_reservoir) lame_set_disable_reservoir(l, 1);
  if (lame_init_params(l) < 0) {
    return make_error(Errc::invalid_argument,
                      "LAME rejected " + std::to_string(settings.bitrate_kbps) + " kbit/s at " +
                          std::to_string(settings.sample_rate) + " Hz; use 320 kbit/s at 44100 Hz");
  }
  return lame;
}

Result<int> checked_mp3_quality(double requested, std::string_view option, std::string_view given) {
  if (!(requested >= 0 && requested <= 9) || requested != std::floor(requested)) {
    std::ostringstream got;
    if (given.empty()) {
      got << requested;
    } else {
      got << quoted_input(given);
    }
    return make_error(Errc::invalid_argument,
                      std::string(option) +
                          " must be a whole number from 0 (best, slowest) to 9 (fastest), as "
                          "lame -q; got " +
                          got.str() + " (leave it out for 3, LAME's default)");
  }
  return static_cast<int>(requested);
}

Result<void> check_encoder_input(AudioView in) {
  for (int c = 0; c < in.num_channels; ++c) {
    const float* x = in[c];
    bool outside = false;
    // One pass without an early exit, so that it vectorises; written so
    // that NaN counts as outside.
    for (std::size_t i = 0; i < in.num_frames; ++i)
      outside |= !(std::fabs(x[i]) <= kMaxEncoderSample);
    if (!outside) continue;
    std::size_t at = 0;
    while (std::fabs(x[at]) <= kMaxEncoderSample) ++at;
    std::ostringstream message;
    message << "the mastered audio reached the MP3 encoder with sample " << x[at] << " (channel "
            << c << ", frame " << at << " of the block), outside +/-" << kMaxEncoderSample
            << "; this is a bug in namix, please report it";
    return make_error(Errc::internal, message.str());
  }
  return {};
}

Result<std::unique_ptr<Mp3Encoder>> Mp3Encoder::create(const EncoderSettings& settings,
                                                       const Mp3Tags& tags, ByteSink& sink) {
  if (settings.channels < 1 || settings.channels > 2 || settings.quality < 0 ||
      settings.quality > 9 || settings.threads < 0) {
    return make_error(Errc::invalid_argument,
                      "MP3 encoding takes 1 or 2 channels, quality 0..9 and threads >= 0");
  }
  int threads = settings.threads;
  if (threads == 0) threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  if (threads > 1) {
    return create_parallel_mp3_encoder(settings, threads, render_id3v2_tag(tags), sink);
  }
  auto lame = open_lame(settings, true, true);
  if (!lame.ok()) return lame.error();
  auto encoder = std::make_unique<LameEncoder>(std::move(*lame), sink, settings.channels);
  const std::vector<std::uint8_t> id3 = render_id3v2_tag(tags);
  NAMIX_TRY(sink.write(id3));
  encoder->info_frame_offset = sink.size();
  return std::unique_ptr<Mp3Encoder>(std::move(encoder));
}

}  // namespace namix
