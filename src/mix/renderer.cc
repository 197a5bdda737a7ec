#include "mix/renderer.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <numbers>
#include <optional>
#include <span>
#include <thread>
#include <vector>

#include "codec/audio_decoder.h"
#include "codec/parallel_decode.h"
#include "codec/resampler.h"
#include "core/run_jobs.h"
#include "dsp/decibels.h"
#include "mix/aligned_processor.h"

namespace namix {
namespace {

constexpr std::size_t kBlockFrames = 16384;
// Host gains ramp over this long, ending where the utterance starts (the ramp
// sits in the pause before it, so no word is pumped).
constexpr double kGainRampS = 0.03;

std::int64_t to_frames(double seconds, int rate) {
  return static_cast<std::int64_t>(std::llround(seconds * rate));
}

// Reads consecutive 44.1 kHz stereo frames of the source from a position,
// resampling and upmixing as needed; past the end of the stream it yields silence.
class SourceReader {
 public:
  static Result<SourceReader> open(const std::string& path) {
    auto decoder = open_decoder(path);
    if (!decoder.ok()) return decoder.error();
    return SourceReader(std::move(decoder.value()));
  }

  // Reads through an opened decoder (a sibling of another lane's, say).
  explicit SourceReader(std::unique_ptr<AudioDecoder> decoder) {
    SourceReader& reader = *this;
    reader.decoder_ = std::move(decoder);
    const StreamInfo& info = reader.decoder_->info();
    reader.decoded_.resize(info.channels, kBlockFrames);
    if (info.sample_rate != kMixSampleRate) {
      reader.needs_resampling_ = true;
    }
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

// Where a piece's frames go: its length with the crossfade halves around the
// body, and its fades. Positions come from absolute source times so that
// rounding never accumulates across pieces.
struct PieceLayout {
  std::size_t pre = 0, body = 0, post = 0, total = 0;
  std::size_t fade_in_len = 0, fade_out_len = 0;
  std::size_t next_tail = 0;  // frames at the end that overlap the next piece
  double read_from_s = 0.0;
};

PieceLayout layout_piece(const RenderPlan& plan, std::size_t i) {
  const RenderPiece& piece = plan.pieces[i];
  const bool first = i == 0;
  const bool last = i + 1 == plan.pieces.size();
  PieceLayout l;
  l.body = static_cast<std::size_t>(to_frames(piece.src_end_s, kMixSampleRate) -
                                    to_frames(piece.src_start_s, kMixSampleRate));
  l.pre = first ? 0 : static_cast<std::size_t>(to_frames(piece.fade_in_s, kMixSampleRate));
  l.post = last ? 0 : static_cast<std::size_t>(to_frames(piece.fade_out_s, kMixSampleRate));
  l.fade_in_len =
      first ? static_cast<std::size_t>(to_frames(piece.fade_in_s, kMixSampleRate)) : 2 * l.pre;
  l.fade_out_len =
      last ? static_cast<std::size_t>(to_frames(piece.fade_out_s, kMixSampleRate)) : 2 * l.post;
  l.total = l.pre + l.body + l.post;
  l.next_tail = l.fade_out_len > 0 && !last ? 2 * l.post : 0;
  l.read_from_s = piece.src_start_s - static_cast<double>(l.pre) / kMixSampleRate;
  return l;
}

// Decodes, levels, processes and fades one piece, handing on blocks with
// their frame position in the piece.
using PieceBlockConsumer = std::function<Result<void>(AudioView block, std::size_t pos)>;

Result<void> render_piece(SourceReader& reader, const RenderPiece& piece, const PieceLayout& l,
                          const SegmentProcessing& processing, AudioBuffer& block,
                          const PieceBlockConsumer& out) {
  NAMIX_TRY(reader.seek(l.read_from_s));
  if (processing.reset) processing.reset();
  GainEnvelope envelope(piece.gains);
  for (std::size_t k = 0; k < l.total;) {
    const std::size_t n = std::min(kBlockFrames, l.total - k);
    AudioView v = block.view().slice(0, n);
    NAMIX_TRY(reader.read(v));
    // Host levelling: gains are piecewise constant, so evaluate per 64 frames.
    for (std::size_t j = 0; j < n; j += 64) {
      const std::size_t m = std::min<std::size_t>(64, n - j);
      const double t = l.read_from_s + static_cast<double>(k + j) / kMixSampleRate;
      const float g = dsp::db_to_gain(envelope.at(t));
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
      if (pos < l.fade_in_len) g *= fade_in_gain(pos, l.fade_in_len);
      if (pos + l.fade_out_len >= l.total && l.fade_out_len > 0) {
        g *= fade_in_gain(l.total - 1 - pos, l.fade_out_len);
      }
      if (g != 1.0f) {
        for (int c = 0; c < kMixChannels; ++c) v[c][j] *= g;
      }
    }
    NAMIX_TRY(out(v, k));
    k += n;
  }
  return {};
}

// Lays pieces end to end: each piece's head is added to the previous piece's
// tail (the crossfade), its middle goes straight out, its tail waits for the
// next piece.
class Assembler {
 public:
  explicit Assembler(const MixBlockConsumer& consume) : consume_(consume) {}

  // Starts at piece `l` of a plan as if the piece before it had ended in
  // silence: its crossfade-in comes out without the other half.
  void start_at(const PieceLayout& l) {
    tail_.resize(kMixChannels, 2 * l.pre);
    for (int c = 0; c < kMixChannels; ++c) std::fill_n(tail_.channel(c), 2 * l.pre, 0.0f);
    tail_len_ = 2 * l.pre;
  }

  void begin_piece(const PieceLayout& l) {
    assert(tail_len_ == 2 * l.pre);
    layout_ = l;
    next_tail_.resize(kMixChannels, l.next_tail);
  }

  Result<void> add(AudioView v, std::size_t k) {
    const std::size_t n = v.num_frames;
    std::size_t j = 0;
    while (j < n) {
      const std::size_t pos = k + j;
      if (pos < tail_len_) {
        const std::size_t m = std::min(n - j, tail_len_ - pos);
        for (int c = 0; c < kMixChannels; ++c) {
          float* t = tail_.channel(c) + pos;
          const float* x = v[c] + j;
          for (std::size_t q = 0; q < m; ++q) t[q] += x[q];
        }
        j += m;
        if (pos + m == tail_len_) NAMIX_TRY(consume_(tail_.view().slice(0, tail_len_)));
        continue;
      }
      const std::size_t tail_start = layout_.total - layout_.next_tail;
      if (pos < tail_start) {
        const std::size_t m = std::min(n - j, tail_start - pos);
        NAMIX_TRY(consume_(v.slice(j, m)));
        j += m;
        continue;
      }
      const std::size_t m = n - j;
      for (int c = 0; c < kMixChannels; ++c) {
        std::copy_n(v[c] + j, m, next_tail_.channel(c) + (pos - tail_start));
      }
      j += m;
    }
    return {};
  }

  void end_piece() {
    std::swap(tail_, next_tail_);
    tail_len_ = tail_.num_frames();
  }

  Result<void> finish() {
    if (tail_len_ > 0) NAMIX_TRY(consume_(tail_.view().slice(0, tail_len_)));
    return {};
  }

 private:
  const MixBlockConsumer& consume_;
  PieceLayout layout_;
  AudioBuffer tail_{kMixChannels, 0};  // faded-out end of the previous piece
  std::size_t tail_len_ = 0;
  AudioBuffer next_tail_{kMixChannels, 0};
};

// A reader per lane. One decoder opens (and, for an MP3, scans) the file; the
// others are its siblings and share that scan.
Result<std::vector<SourceReader>> open_readers(const std::string& source_path, std::size_t count) {
  auto first = open_decoder(source_path);
  if (!first.ok()) return first.error();
  std::vector<SourceReader> readers;
  for (std::size_t k = 1; k < count; ++k) {
    auto decoder = open_another(**first, source_path);
    if (!decoder.ok()) return decoder.error();
    readers.emplace_back(std::move(decoder.value()));
  }
  readers.insert(readers.begin(), SourceReader(std::move(first.value())));
  return readers;
}

Result<void> render_serial(const std::string& source_path, const RenderPlan& plan,
                           const SegmentProcessing& processing, const MixBlockConsumer& consume,
                           const RenderProgress& progress) {
  auto reader = SourceReader::open(source_path);
  if (!reader.ok()) return reader.error();
  AudioBuffer block(kMixChannels, kBlockFrames);
  Assembler assembler(consume);
  for (std::size_t i = 0; i < plan.pieces.size(); ++i) {
    const PieceLayout l = layout_piece(plan, i);
    assembler.begin_piece(l);
    NAMIX_TRY(render_piece(*reader, plan.pieces[i], l, processing, block,
                           [&](AudioView v, std::size_t k) { return assembler.add(v, k); }));
    assembler.end_piece();
    if (progress) progress(static_cast<double>(i + 1) / static_cast<double>(plan.pieces.size()));
  }
  return assembler.finish();
}

// Pieces are independent (each starts from a reset chain), so lanes render
// them whole into memory in parallel while this thread lays them out in
// order. Only for short mixes: a piece is held whole, and a whole-episode
// remaster's pieces can be long.
Result<void> render_lanes(const std::string& source_path, const RenderPlan& plan,
                          std::span<const SegmentProcessing> lanes, const MixBlockConsumer& consume,
                          const RenderProgress& progress) {
  const std::size_t n_pieces = plan.pieces.size();
  std::vector<std::optional<AudioBuffer>> done(n_pieces);
  std::vector<std::optional<Error>> failed(n_pieces);
  std::mutex mutex;
  std::condition_variable ready;
  std::size_t next_piece = 0;
  std::size_t assembled = 0;  // pieces handed to the assembler
  bool stop = false;
  // At most this many rendered pieces wait for the assembler.
  const std::size_t max_ahead = lanes.size() + 1;

  auto readers = open_readers(source_path, lanes.size());
  if (!readers.ok()) return readers.error();

  auto lane = [&](const SegmentProcessing& processing, SourceReader& reader) {
    AudioBuffer block(kMixChannels, kBlockFrames);
    for (;;) {
      std::size_t i = 0;
      {
        std::unique_lock lock(mutex);
        ready.wait(lock, [&] {
          return stop || next_piece >= n_pieces || next_piece < assembled + max_ahead;
        });
        if (stop || next_piece >= n_pieces) return;
        i = next_piece++;
      }
      const PieceLayout l = layout_piece(plan, i);
      AudioBuffer piece(kMixChannels, l.total);
      const Result<void> r = render_piece(reader, plan.pieces[i], l, processing, block,
                                          [&](AudioView v, std::size_t k) -> Result<void> {
                                            for (int c = 0; c < kMixChannels; ++c)
                                              std::copy_n(v[c], v.num_frames, piece.channel(c) + k);
                                            return {};
                                          });
      {
        const std::lock_guard lock(mutex);
        if (r.ok()) {
          done[i] = std::move(piece);
        } else {
          failed[i] = r.error();
        }
      }
      ready.notify_all();
    }
  };
  std::vector<std::thread> threads;
  for (std::size_t k = 0; k < lanes.size(); ++k) {
    threads.emplace_back(lane, std::cref(lanes[k]), std::ref((*readers)[k]));
  }

  Assembler assembler(consume);
  Result<void> result;
  for (std::size_t i = 0; i < n_pieces && result.ok(); ++i) {
    AudioBuffer piece;
    {
      std::unique_lock lock(mutex);
      ready.wait(lock, [&] { return done[i].has_value() || failed[i].has_value(); });
      if (failed[i]) {
        result = *failed[i];
        break;
      }
      piece = std::move(*done[i]);
      done[i].reset();
      ++assembled;
    }
    ready.notify_all();
    const PieceLayout l = layout_piece(plan, i);
    assembler.begin_piece(l);
    result = assembler.add(piece.view(), 0);
    assembler.end_piece();
    if (progress) progress(static_cast<double>(i + 1) / static_cast<double>(n_pieces));
  }
  {
    const std::lock_guard lock(mutex);
    stop = true;
  }
  ready.notify_all();
  for (std::thread& t : threads) t.join();
  if (!result.ok()) return result;
  return assembler.finish();
}

// Mix frame at which each piece's crossfade-in starts; the last element is
// the mix's length. The Assembler hands on, for each piece, all but the tail
// it holds for the next piece's crossfade.
std::vector<std::size_t> piece_mix_frames(const RenderPlan& plan) {
  std::vector<std::size_t> at(plan.pieces.size() + 1, 0);
  for (std::size_t i = 0; i < plan.pieces.size(); ++i) {
    const PieceLayout l = layout_piece(plan, i);
    at[i + 1] = at[i] + l.total - l.next_tail;
  }
  return at;
}

// A lane's window of the mix and the pieces it renders to fill it.
struct MixWindow {
  std::size_t begin = 0, end = 0;              // mix frames handed on
  std::size_t first_piece = 0, end_piece = 0;  // pieces rendered
};

constexpr std::size_t kWindowAlign = kMixSampleRate / 10;  // 100 ms

std::vector<MixWindow> plan_windows(const std::vector<std::size_t>& at, std::size_t lanes,
                                    std::size_t settle, std::size_t latency) {
  const std::size_t n = at.size() - 1, total = at.back();
  std::vector<MixWindow> windows;
  for (std::size_t k = 0; k < lanes; ++k) {
    MixWindow w;
    w.begin = k == 0 ? 0 : total * k / lanes / kWindowAlign * kWindowAlign;
    w.end = k + 1 == lanes ? total : total * (k + 1) / lanes / kWindowAlign * kWindowAlign;
    if (w.end <= w.begin) continue;
    // The last piece starting `settle` or more before the window...
    while (w.first_piece + 1 < n && at[w.first_piece + 1] + settle <= w.begin) ++w.first_piece;
    // ...and the first one starting far enough after it that the master's
    // latency-compensated output has covered it.
    w.end_piece = w.first_piece + 1;
    while (w.end_piece < n && at[w.end_piece] < w.end + latency) ++w.end_piece;
    windows.push_back(w);
  }
  return windows;
}

Result<void> render_window(SourceReader& reader, const RenderPlan& plan,
                           const std::vector<std::size_t>& at, const MixWindow& w,
                           const MixLane& lane, std::size_t lane_index,
                           const WindowConsumer& consume, const std::atomic<bool>& stop,
                           std::atomic<std::size_t>& frames_done) {
  lane.master->reset();
  AlignedProcessor master(*lane.master, kBlockFrames);
  std::size_t out = at[w.first_piece];  // mix frame of the master's next output
  const MixBlockConsumer emit = [&](AudioView v) -> Result<void> {
    if (stop.load(std::memory_order_relaxed)) {
      return make_error(Errc::internal, "stopped: another rendering lane failed");
    }
    const std::size_t from = out, to = out + v.num_frames;
    out = to;
    const std::size_t lo = std::max(from, w.begin), hi = std::min(to, w.end);
    if (lo >= hi) return {};
    NAMIX_TRY(consume(lane_index, lo, v.slice(lo - from, hi - lo)));
    frames_done.fetch_add(hi - lo, std::memory_order_relaxed);
    return {};
  };
  const MixBlockConsumer to_master = [&](AudioView v) { return master.push(v, emit); };
  Assembler assembler(to_master);
  assembler.start_at(layout_piece(plan, w.first_piece));
  AudioBuffer block(kMixChannels, kBlockFrames);
  for (std::size_t i = w.first_piece; i < w.end_piece && out < w.end; ++i) {
    const PieceLayout l = layout_piece(plan, i);
    assembler.begin_piece(l);
    NAMIX_TRY(render_piece(reader, plan.pieces[i], l, lane.segment, block,
                           [&](AudioView v, std::size_t k) { return assembler.add(v, k); }));
    assembler.end_piece();
  }
  if (out < w.end && w.end_piece == plan.pieces.size()) {
    NAMIX_TRY(assembler.finish());
    NAMIX_TRY(master.flush(emit));
  }
  if (out < w.end) return make_error(Errc::internal, "a rendering lane ended before its window");
  return {};
}

}  // namespace

std::size_t mix_length_frames(const RenderPlan& plan) { return piece_mix_frames(plan).back(); }

Result<void> render_mix_windows(const std::string& source_path, const RenderPlan& plan,
                                std::span<const MixLane> lanes, double settle_s,
                                const WindowConsumer& consume, const RenderProgress& progress) {
  assert(!lanes.empty());
  const std::vector<std::size_t> at = piece_mix_frames(plan);
  if (plan.pieces.empty() || at.back() == 0) return {};
  std::size_t latency = 0;
  for (const MixLane& lane : lanes) latency = std::max(latency, lane.master->latency_frames());
  const std::vector<MixWindow> windows = plan_windows(
      at, lanes.size(), static_cast<std::size_t>(to_frames(settle_s, kMixSampleRate)), latency);

  auto readers = open_readers(source_path, windows.size());
  if (!readers.ok()) return readers.error();

  std::atomic<bool> stop{false};
  std::atomic<std::size_t> frames_done{0};
  // Lane 0 runs on this thread and reports progress for all of them as it goes.
  const double total = static_cast<double>(at.back());
  const WindowConsumer consume_and_report = [&](std::size_t lane, std::size_t frame,
                                                AudioView block) -> Result<void> {
    NAMIX_TRY(consume(lane, frame, block));
    if (progress) progress(static_cast<double>(frames_done.load()) / total);
    return {};
  };
  // A lane that fails stops the others; the first failure is the one reported.
  NAMIX_TRY(run_jobs(
      windows.size(),
      [&](std::size_t k) {
        return render_window((*readers)[k], plan, at, windows[k], lanes[k], k,
                             k == 0 ? consume_and_report : consume, stop, frames_done);
      },
      &stop));
  if (progress) progress(1.0);
  return {};
}

Result<void> render_mix(const std::string& source_path, const RenderPlan& plan,
                        const SegmentProcessing& processing, const MixBlockConsumer& consume,
                        const RenderProgress& progress) {
  return render_serial(source_path, plan, processing, consume, progress);
}

Result<void> render_mix_parallel(const std::string& source_path, const RenderPlan& plan,
                                 std::span<const SegmentProcessing> lanes,
                                 const MixBlockConsumer& consume, const RenderProgress& progress) {
  assert(!lanes.empty());
  if (lanes.size() == 1 || plan.pieces.size() < 2) {
    return render_serial(source_path, plan, lanes.front(), consume, progress);
  }
  return render_lanes(source_path, plan, lanes, consume, progress);
}

}  // namespace namix
