#include "codec/sndfile_decoder.h"

#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <optional>
#include <vector>

#include "codec/resampler.h"

namespace namix {
namespace {

constexpr std::size_t kSourceBlockFrames = 4096;
// Float WAV and FLAC samples may pass full scale, but not by this much
// (+36 dBFS): beyond it, like NaN and infinity, the numbers are not audio,
// and would otherwise read as silence or as overflowing energy.
constexpr float kMaxSourceSample = 64.0f;
// A header may claim any length (FLAC's STREAMINFO holds 36 bits), and the
// analysis sizes its feature vectors by it. No real file holds more than
// this many frames per byte: a FLAC frame carries at most 65535 samples in
// no fewer than 8 bytes; WAV and AIFF hold under one frame per byte.
constexpr std::int64_t kMaxFramesPerByte = 8192;

// The frames a file holds when its header does not say (libsndfile reports
// SF_COUNT_MAX, e.g. for a FLAC written to a pipe): read once to the end,
// then back to the start. nullopt when it cannot go back.
std::optional<sf_count_t> count_frames(SNDFILE* sf, int channels) {
  std::vector<float> block(kSourceBlockFrames * static_cast<std::size_t>(channels));
  sf_count_t total = 0;
  for (;;) {
    const sf_count_t got =
        sf_readf_float(sf, block.data(), static_cast<sf_count_t>(kSourceBlockFrames));
    if (got <= 0) break;
    total += got;
  }
  if (sf_seek(sf, 0, SEEK_SET) != 0) return std::nullopt;
  return total;
}
// After a seek in a reduced stream the resampler restarts this many output
// frames early, so its filter has settled by the frame asked for.
constexpr std::int64_t kResamplerPrerollFrames = 512;

std::string codec_name(int format) {
  switch (format & SF_FORMAT_TYPEMASK) {
    case SF_FORMAT_WAV:
    case SF_FORMAT_WAVEX:
    case SF_FORMAT_RF64:
      return "wav";
    case SF_FORMAT_FLAC:
      return "flac";
    case SF_FORMAT_OGG:
      return "ogg";
    case SF_FORMAT_AIFF:
      return "aiff";
    default:
      return "sndfile";
  }
}

class SndfileDecoder final : public AudioDecoder {
 public:
  SndfileDecoder(SNDFILE* sf, const SF_INFO& sf_info, std::string path,
                 const DecodeOptions& options)
      : sf_(sf), sf_info_(sf_info), path_(std::move(path)), divisor_(options.rate_divisor) {
    info_.codec = codec_name(sf_info.format);
    info_.source_sample_rate = sf_info.samplerate;
    info_.source_channels = sf_info.channels;
    info_.channels = options.force_mono ? 1 : sf_info.channels;
    info_.sample_rate = sf_info.samplerate / divisor_;
    info_.num_frames = (static_cast<std::int64_t>(sf_info.frames) + divisor_ - 1) / divisor_;
    const double seconds = static_cast<double>(sf_info.frames) / sf_info.samplerate;
    std::error_code ec;
    const auto bytes = std::filesystem::file_size(path_, ec);
    if (!ec && seconds > 0) {
      info_.bitrate_kbps =
          static_cast<int>(std::lround(static_cast<double>(bytes) * 8.0 / seconds / 1000.0));
    }
    info_.vbr = info_.codec == "flac" || info_.codec == "ogg";
  }
  ~SndfileDecoder() override { sf_close(sf_); }
  SndfileDecoder(const SndfileDecoder&) = delete;
  SndfileDecoder& operator=(const SndfileDecoder&) = delete;

  Result<void> start_resampler() {
    if (divisor_ == 1) return {};
    auto resampler = Resampler::create(sf_info_.samplerate, info_.sample_rate, info_.channels);
    if (!resampler) return resampler.error();
    resampler_.emplace(std::move(resampler).value());
    pending_.resize(info_.channels, 0);
    pending_pos_ = 0;
    source_done_ = false;
    return {};
  }

  const StreamInfo& info() const override { return info_; }

  Result<void> seek(std::int64_t frame) override {
    assert(frame >= 0);
    frame = std::min(frame, info_.num_frames);
    if (divisor_ == 1) {
      if (sf_seek(sf_, frame, SEEK_SET) < 0) return seek_error();
      position_ = frame;
      return {};
    }
    const std::int64_t restart = std::max<std::int64_t>(0, frame - kResamplerPrerollFrames);
    if (sf_seek(sf_, restart * divisor_, SEEK_SET) < 0) return seek_error();
    NAMIX_TRY(start_resampler());
    position_ = restart;
    AudioBuffer discard(info_.channels, 1024);
    while (position_ < frame) {
      const auto n = static_cast<std::size_t>(std::min<std::int64_t>(1024, frame - position_));
      auto got = read(discard.view().slice(0, n));
      if (!got) return got.error();
      if (*got == 0) break;
    }
    return {};
  }

  Result<std::size_t> read(AudioView out) override {
    assert(out.num_channels == info_.channels);
    const auto left =
        static_cast<std::size_t>(std::max<std::int64_t>(0, info_.num_frames - position_));
    const std::size_t want = std::min(out.num_frames, left);
    std::size_t done = 0;
    if (divisor_ == 1) {
      while (done < want) {
        auto got = read_source(out.slice(done, want - done));
        if (!got) return got.error();
        if (*got == 0) break;
        done += *got;
      }
    } else {
      while (done < want) {
        if (pending_pos_ == pending_.num_frames()) {
          if (source_done_) break;
          NAMIX_TRY(refill());
          continue;
        }
        const std::size_t n = std::min(want - done, pending_.num_frames() - pending_pos_);
        for (int c = 0; c < info_.channels; ++c) {
          std::copy_n(pending_.channel(c) + pending_pos_, n, out[c] + done);
        }
        pending_pos_ += n;
        done += n;
      }
      // The resampler's total can differ from ceil(frames / divisor) by a
      // frame or two; pad with silence so num_frames stays the truth.
      if (done < want && source_done_) {
        for (int c = 0; c < info_.channels; ++c) std::fill(out[c] + done, out[c] + want, 0.0f);
        done = want;
      }
    }
    position_ += static_cast<std::int64_t>(done);
    return done;
  }

 private:
  Result<void> seek_error() const {
    return make_error(Errc::undecodable, path_ + ": seeking failed (" + sf_strerror(sf_) +
                                             "); the file may be damaged");
  }

  // Reads up to out.num_frames source frames, mixing down to out's channels.
  Result<std::size_t> read_source(AudioView out) {
    const auto source_channels = static_cast<std::size_t>(sf_info_.channels);
    interleaved_.resize(out.num_frames * source_channels);
    const sf_count_t got_frames =
        sf_readf_float(sf_, interleaved_.data(), static_cast<sf_count_t>(out.num_frames));
    const auto got = static_cast<std::size_t>(std::max<sf_count_t>(0, got_frames));
    bool outside = false;  // one pass without an early exit, so that it vectorises
    for (std::size_t i = 0; i < got * source_channels; ++i) {
      outside |= !(std::fabs(interleaved_[i]) <= kMaxSourceSample);  // NaN too
    }
    if (outside) {
      return make_error(Errc::undecodable,
                        path_ + " holds samples that are not audio (NaN, infinity or beyond " +
                            std::to_string(static_cast<int>(kMaxSourceSample)) +
                            " times full scale); re-export it from the original recording");
    }
    if (out.num_channels == sf_info_.channels) {
      for (std::size_t i = 0; i < got; ++i) {
        for (std::size_t c = 0; c < source_channels; ++c) {
          out[static_cast<int>(c)][i] = interleaved_[i * source_channels + c];
        }
      }
    } else {  // stereo to mono, as mpg123's MONO_MIX does
      for (std::size_t i = 0; i < got; ++i) {
        out[0][i] = 0.5f * (interleaved_[2 * i] + interleaved_[2 * i + 1]);
      }
    }
    return got;
  }

  Result<void> refill() {
    source_block_.resize(info_.channels, kSourceBlockFrames);
    auto got = read_source(source_block_.view());
    if (!got) return got.error();
    pending_pos_ = 0;
    if (*got == 0) {
      source_done_ = true;
      return resampler_->flush(pending_);
    }
    return resampler_->process(source_block_.view().slice(0, *got), pending_);
  }

  SNDFILE* sf_;
  SF_INFO sf_info_;
  std::string path_;
  int divisor_;
  StreamInfo info_;
  std::int64_t position_ = 0;
  std::vector<float> interleaved_;
  std::optional<Resampler> resampler_;
  AudioBuffer source_block_;
  AudioBuffer pending_;
  std::size_t pending_pos_ = 0;
  bool source_done_ = false;
};

}  // namespace

Result<std::unique_ptr<AudioDecoder>> open_sndfile_decoder(const std::string& path,
                                                           const DecodeOptions& options) {
  SF_INFO sf_info{};
  SNDFILE* sf = sf_open(path.c_str(), SFM_READ, &sf_info);
  if (sf == nullptr) {
    return make_error(Errc::undecodable, path + " could not be decoded (" + sf_strerror(nullptr) +
                                             "); re-export it as MP3, WAV or FLAC");
  }
  if (sf_info.channels < 1 || sf_info.channels > kMaxChannels) {
    sf_close(sf);
    return make_error(Errc::not_audio, path + " has " + std::to_string(sf_info.channels) +
                                           " channels; namix takes mono or stereo, so mix it "
                                           "down to stereo first");
  }
  if (sf_info.frames == SF_COUNT_MAX) {
    const std::optional<sf_count_t> counted = count_frames(sf, sf_info.channels);
    if (!counted) {
      sf_close(sf);
      return make_error(Errc::undecodable,
                        path +
                            " does not say how long it is and cannot be read twice; "
                            "re-export it as a complete WAV or FLAC");
    }
    sf_info.frames = *counted;
  }
  if (sf_info.frames <= 0) {
    sf_close(sf);
    return make_error(Errc::undecodable, path + " contains no audio samples; give a complete file");
  }
  std::error_code ec;
  const auto file_bytes = static_cast<std::int64_t>(std::filesystem::file_size(path, ec));
  if (!ec && sf_info.frames / kMaxFramesPerByte > file_bytes) {
    sf_close(sf);
    return make_error(Errc::undecodable,
                      path + " claims " + std::to_string(sf_info.frames) + " samples in " +
                          std::to_string(file_bytes) +
                          " bytes: its header is damaged; re-export it as a complete WAV or FLAC");
  }
  // Like the MP3 decoder, reduce by less where the rate does not divide or
  // would fall under 8 kHz (analysis needs speech up to 4 kHz).
  DecodeOptions reduced = options;
  while (reduced.rate_divisor > 1 && (sf_info.samplerate % reduced.rate_divisor != 0 ||
                                      sf_info.samplerate / reduced.rate_divisor < 8000)) {
    reduced.rate_divisor /= 2;
  }
  auto decoder = std::make_unique<SndfileDecoder>(sf, sf_info, path, reduced);
  NAMIX_TRY(decoder->start_resampler());
  return std::unique_ptr<AudioDecoder>(std::move(decoder));
}

}  // namespace namix
