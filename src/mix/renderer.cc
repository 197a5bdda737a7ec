#include "mix/renderer.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <optional>

#include "codec/audio_decoder.h"
#include "codec/resampler.h"

namespace namix {
namespace {

constexpr std::size_t kBlockFrames = 16384;
// Host gains ramp over this long, ending where the utterance starts (the ramp
// sits in the pause before it, so no word is pumped).
constexpr double kGainRampS = 0.03;

std::int64_t to_frames(double seconds, int rate) {
  return static_cast<std::int64_t>(std::llround(seconds * rate));
}

float db_to_gain(float db) { return std::pow(10.0f, db / 20.0f); }

// Reads consecutive 44.1 kHz stereo frames of the source from a position,
// resampling and upmixing as needed; past the end of the stream it yields silence.
class SourceReader {
 public:
  static Result<SourceReader> open(const std::string& path) {
    auto decoder = open_decoder(path);
    if (!decoder.ok()) return decoder.error();
    SourceReader reader;
    reader.decoder_ = std::move(decoder.value());
    const StreamInfo& info = reader.decoder_->info();
    reader.decoded_.resize(info.channels, kBlockFrames);
    if (info.sample_rate != kMixSampleRate) {
      reader.needs_resampling_ = true;
    }
    return reader;
  }

  // Positions the reader at source time `t` (seconds, may be negative: silence first).
  Result<void> seek(double t) {
    const StreamInfo& info = decoder_->info();
    pending_.resize(kMixChannels, 0);
    pending_len_ = 0;
    pending_pos_ = 0;
    at_end_ = false;
    lead_silence_ = t < 0 ? static_cast<std::size_t>(to_frames(-t, kMixSampleRate)) : 0;
    const std::int64_t frame = std::max<std::int64_t>(0, to_frames(t, info.sample_rate));
    if (frame >= info.num_frames) {
      at_end_ = true;
      return {};
    }
    NAMIX_TRY(decoder_->seek(frame));
    if (needs_resampling_) {
      auto resampler = Resampler::create(info.sample_rate, kMixSampleRate, info.channels);
      if (!resampler.ok()) return resampler.error();
      resampler_.emplace(std::move(resampler.value()));
    }
    return {};
  }

  // Fills `out` (stereo, 44.1 kHz) completely.
  Result<void> read(AudioView out) {
    std::size_t done = 0;
    while (done < out.num_frames) {
      if (lead_silence_ > 0) {
        const std::size_t n = std::min(lead_silence_, out.num_frames - done);
        for (int c = 0; c < out.num_channels; ++c) std::fill_n(out[c] + done, n, 0.0f);
        lead_silence_ -= n;
        done += n;
        continue;
      }
      if (pending_pos_ == pending_len_) {
        NAMIX_TRY(refill());
        if (pending_len_ == 0) {  // end of stream: silence
          for (int c = 0; c < out.num_channels; ++c) {
            std::fill(out[c] + done, out[c] + out.num_frames, 0.0f);
          }
          return {};
        }
      }
      const std::size_t n = std::min(pending_len_ - pending_pos_, out.num_frames - done);
      for (int c = 0; c < out.num_channels; ++c) {
        std::copy_n(pending_.channel(c) + pending_pos_, n, out[c] + done);
      }
      pending_pos_ += n;
      done += n;
    }
    return {};
  }

 private:
  Result<void> refill() {
    pending_len_ = 0;
    pending_pos_ = 0;
    if (at_end_) return {};
    const int channels = decoder_->info().channels;
    auto got = decoder_->read(decoded_.view());
    if (!got.ok()) return got.error();
    AudioView src = decoded_.view().slice(0, *got);
    if (*got == 0) at_end_ = true;
    if (needs_resampling_) {
      if (*got == 0) {
        NAMIX_TRY(resampler_->flush(resampled_));
      } else {
        NAMIX_TRY(resampler_->process(src, resampled_));
      }
      src = resampled_.view();
    }
    if (src.num_frames == 0) return {};
    pending_.resize(kMixChannels, src.num_frames);
    for (int c = 0; c < kMixChannels; ++c) {
      const float* from = src[std::min(c, channels - 1)];  // mono → both channels
      std::copy_n(from, src.num_frames, pending_.channel(c));
    }
    pending_len_ = src.num_frames;
    return {};
  }

  std::unique_ptr<AudioDecoder> decoder_;
  std::optional<Resampler> resampler_;
  bool needs_resampling_ = false;
  AudioBuffer decoded_;
  AudioBuffer resampled_;
  AudioBuffer pending_;
  std::size_t pending_len_ = 0;
  std::size_t pending_pos_ = 0;
  std::size_t lead_silence_ = 0;
  bool at_end_ = false;
};

// Host gain at source time t, with a short ramp ending at each change.
class GainEnvelope {
 public:
  explicit GainEnvelope(const std::vector<GainChange>& changes) : changes_(changes) {}
  float at(double t) const {
    float gain_db = changes_.empty() ? 0.0f : changes_.front().gain_db;
    for (std::size_t i = 1; i < changes_.size(); ++i) {
      const GainChange& ch = changes_[i];
      if (t >= ch.src_time_s) {
        gain_db = ch.gain_db;
      } else {
        if (t > ch.src_time_s - kGainRampS) {
          const double x = 1.0 - (ch.src_time_s - t) / kGainRampS;
          gain_db = static_cast<float>(gain_db + x * (ch.gain_db - gain_db));
        }
        break;
      }
    }
    return gain_db;
  }

 private:
  const std::vector<GainChange>& changes_;
};

// Equal-power fade: sin for fading in, cos for fading out, over `len` frames.
float fade_in_gain(std::size_t k, std::size_t len) {
  return static_cast<float>(
      std::sin(0.5 * std::numbers::pi * (static_cast<double>(k) + 0.5) / static_cast<double>(len)));
}

}  // namespace

Result<void> render_mix(const std::string& source_path, const RenderPlan& plan,
                        const SegmentProcessing& processing, const MixBlockConsumer& consume,
                        const RenderProgress& progress) {
  auto reader = SourceReader::open(source_path);
  if (!reader.ok()) return reader.error();

  AudioBuffer block(kMixChannels, kBlockFrames);
  AudioBuffer tail(kMixChannels, 0);  // faded-out end of the previous piece
  std::size_t tail_len = 0;
  auto emit = [&](AudioView v) -> Result<void> { return consume(v); };

  for (std::size_t i = 0; i < plan.pieces.size(); ++i) {
    const RenderPiece& piece = plan.pieces[i];
    const bool first = i == 0;
    const bool last = i + 1 == plan.pieces.size();
    // Sample positions are derived from absolute source times so that
    // rounding never accumulates across pieces.
    const std::size_t body = static_cast<std::size_t>(to_frames(piece.src_end_s, kMixSampleRate) -
                                                      to_frames(piece.src_start_s, kMixSampleRate));
    const std::size_t pre =
        first ? 0 : static_cast<std::size_t>(to_frames(piece.fade_in_s, kMixSampleRate));
    const std::size_t post =
        last ? 0 : static_cast<std::size_t>(to_frames(piece.fade_out_s, kMixSampleRate));
    const std::size_t fade_in_len =
        first ? static_cast<std::size_t>(to_frames(piece.fade_in_s, kMixSampleRate)) : 2 * pre;
    const std::size_t fade_out_len =
        last ? static_cast<std::size_t>(to_frames(piece.fade_out_s, kMixSampleRate)) : 2 * post;
    const std::size_t total = pre + body + post;
    assert(tail_len == 2 * pre);

    const double read_from_s = piece.src_start_s - static_cast<double>(pre) / kMixSampleRate;
    NAMIX_TRY(reader->seek(read_from_s));
    if (processing.reset) processing.reset();
    GainEnvelope envelope(piece.gains);

    AudioBuffer next_tail(kMixChannels, fade_out_len > 0 && !last ? 2 * post : 0);
    std::size_t k = 0;  // frame index within the piece
    while (k < total) {
      const std::size_t n = std::min(kBlockFrames, total - k);
      AudioView v = block.view().slice(0, n);
      NAMIX_TRY(reader->read(v));
      // Host levelling: gains are piecewise constant, so evaluate per 64 frames.
      for (std::size_t j = 0; j < n; j += 64) {
        const std::size_t m = std::min<std::size_t>(64, n - j);
        const double t = read_from_s + static_cast<double>(k + j) / kMixSampleRate;
        const float g = db_to_gain(envelope.at(t));
        if (g == 1.0f) continue;
        for (int c = 0; c < kMixChannels; ++c) {
          float* x = v[c] + j;
          for (std::size_t q = 0; q < m; ++q) x[q] *= g;
        }
      }
      if (processing.process) processing.process(v);
      // Fades, by frame position within the piece.
      for (std::size_t j = 0; j < n; ++j) {
        const std::size_t pos = k + j;
        float g = 1.0f;
        if (pos < fade_in_len) g *= fade_in_gain(pos, fade_in_len);
        if (pos + fade_out_len >= total && fade_out_len > 0) {
          g *= fade_in_gain(total - 1 - pos, fade_out_len);
        }
        if (g != 1.0f) {
          for (int c = 0; c < kMixChannels; ++c) v[c][j] *= g;
        }
      }
      // Route frames: overlap with the previous tail, straight out, or into the next tail.
      std::size_t j = 0;
      while (j < n) {
        const std::size_t pos = k + j;
        if (pos < tail_len) {
          const std::size_t m = std::min(n - j, tail_len - pos);
          for (int c = 0; c < kMixChannels; ++c) {
            float* t = tail.channel(c) + pos;
            const float* x = v[c] + j;
            for (std::size_t q = 0; q < m; ++q) t[q] += x[q];
          }
          j += m;
          if (pos + m == tail_len) NAMIX_TRY(emit(tail.view().slice(0, tail_len)));
          continue;
        }
        const std::size_t tail_start = total - next_tail.num_frames();
        if (pos < tail_start) {
          const std::size_t m = std::min(n - j, tail_start - pos);
          NAMIX_TRY(emit(v.slice(j, m)));
          j += m;
          continue;
        }
        const std::size_t m = n - j;
        for (int c = 0; c < kMixChannels; ++c) {
          std::copy_n(v[c] + j, m, next_tail.channel(c) + (pos - tail_start));
        }
        j += m;
      }
      k += n;
    }
    tail = std::move(next_tail);
    tail_len = tail.num_frames();
    if (progress) progress(static_cast<double>(i + 1) / static_cast<double>(plan.pieces.size()));
  }
  if (tail_len > 0) NAMIX_TRY(emit(tail.view().slice(0, tail_len)));
  return {};
}

}  // namespace namix
