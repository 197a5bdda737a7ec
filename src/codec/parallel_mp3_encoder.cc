#include "codec/parallel_mp3_encoder.h"

#include <lame/lame.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "codec/mpeg_frame.h"

namespace namix {
namespace {

// LAME's worst case for n samples (lame.h): 1.25 n + 7200 bytes.
constexpr std::size_t kEncodeBlockFrames = 16384;
constexpr std::size_t kMp3BufferBytes = kEncodeBlockFrames * 5 / 4 + 7200;
// Input fed beyond a chunk's last kept frame. Serial frame k covers timeline
// samples [1152 k, 1152 (k + 1)) (timeline = input + 576, LAME's encoder
// delay), and LAME encodes it once it holds timeline samples up to
// 1152 k + 1904 (mf_needed = BLKSIZE + framesize - FFTOFFSET in lame.c, the
// psychoacoustic look-ahead), i.e. input up to 1152 (k + 1) + 176. Two frames
// more than cover that, so the kept frames are final before the flush pads
// the instance's tail with silence.
constexpr std::int64_t kTailFrames = 2;

// Why no bit reservoir: with it, a frame's main data may start up to 511
// bytes back in earlier frames (main_data_begin), so the first kept frame of
// a chunk would point into the dropped pre-roll frames, and nothing in
// LAME's API makes a chosen frame start with main_data_begin == 0. At
// 320 kbit/s a frame has 1044 bytes for 1152 samples and the reservoir buys
// little: on 2 minutes of podcast speech at -q 3 (bench/encode_bench.cc,
// BM_EncodeQuality) the crude noise-to-mask proxy moves from -28.5 to
// -27.7 dB on average and the share of bands over it from 0.33 % to 0.48 %,
// while the SNR goes from 50.2 to 50.9 dB.
//
// Frame sizes: LAME pads 132 of every 147 frames at 320 kbit/s/44.1 kHz,
// counting from each instance's first frame, so a chunk's padding schedule
// is shifted against a serial encode's; every frame is still a valid
// 320 kbit/s frame and the stream's byte count is within a byte per chunk
// of a serial one.

// The Info frame: why patch LAME's rather than write one. Its LAME tag holds
// a dozen fields derived from LAME's configuration (version string, lowpass,
// ATH type, noise shaping, stereo mode, preset) that decoders and tools read;
// taking them from a LAME instance configured like the chunk encoders keeps
// them true without copying LAME's rules for them, and leaves only the fields
// that describe the stream (frame/byte counts, TOC, delay/padding, music
// length and the two CRCs) to compute here. PatchedInfoFrameMatchesLamesOwn
// in parallel_mp3_encoder_test.cc shows the patched frame is byte-identical
// to the one LAME writes for a serial encode with the same totals.

constexpr std::array<std::uint16_t, 256> make_crc16_table() {
  std::array<std::uint16_t, 256> table{};
  for (unsigned i = 0; i < 256; ++i) {
    unsigned crc = i;
    for (int bit = 0; bit < 8; ++bit) crc = (crc & 1) ? (crc >> 1) ^ 0xA001u : crc >> 1;
    table[i] = static_cast<std::uint16_t>(crc);
  }
  return table;
}
constexpr std::array<std::uint16_t, 256> kCrc16Table = make_crc16_table();

void put_be32(std::uint8_t* p, std::uint32_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 24);
  p[1] = static_cast<std::uint8_t>(v >> 16);
  p[2] = static_cast<std::uint8_t>(v >> 8);
  p[3] = static_cast<std::uint8_t>(v);
}

void put_be16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}

// One chunk: the input from its pre-roll start to its tail, and after the
// encode the bytes of its kept frames.
struct ChunkJob {
  std::int64_t preroll_frames = 0;
  std::int64_t keep_frames = 0;  // -1: all after the pre-roll (the last chunk)
  std::array<std::vector<float>, kMaxChannels> input;  // planar
  // Written by the worker, read by the caller once `done` (under the mutex).
  std::vector<std::uint8_t> frames;
  std::int64_t frame_count = 0;
  Result<void> status;
  bool done = false;
};

class ParallelMp3Encoder final : public Mp3Encoder {
 public:
  ParallelMp3Encoder(const EncoderSettings& settings, int threads, ByteSink& sink,
                     const ParallelEncodeLayout& layout)
      : settings_(settings),
        sink_(sink),
        layout_(layout),
        max_in_flight_(static_cast<std::size_t>(threads) + 1) {
    workers_.reserve(static_cast<std::size_t>(threads));
    for (int i = 0; i < threads; ++i) workers_.emplace_back([this] { work(); });
  }

  ~ParallelMp3Encoder() override {
    {
      const std::lock_guard lock(mutex_);
      stopping_ = true;
      cancel_ = true;
    }
    work_ready_.notify_all();
    for (std::thread& t : workers_) t.join();
  }

  ParallelMp3Encoder(const ParallelMp3Encoder&) = delete;
  ParallelMp3Encoder& operator=(const ParallelMp3Encoder&) = delete;

  Result<void> start(std::span<const std::uint8_t> id3v2_tag) {
    // The Info frame template: a LAME instance configured like the chunk
    // encoders that saw an empty stream. Its stream fields are replaced in
    // finish(); it goes out now as the placeholder.
    auto lame = open_lame(settings_, true, false);
    if (!lame.ok()) return lame.error();
    std::vector<std::uint8_t> mp3(kMp3BufferBytes);
    if (lame_encode_flush(lame->get(), mp3.data(), static_cast<int>(mp3.size())) < 0) {
      return make_error(Errc::internal, "LAME failed to flush an empty stream");
    }
    const std::size_t bytes = lame_get_lametag_frame(lame->get(), mp3.data(), mp3.size());
    if (bytes == 0 || bytes > mp3.size()) {
      return make_error(Errc::internal, "LAME produced no info frame");
    }
    info_frame_.assign(mp3.begin(), mp3.begin() + static_cast<std::ptrdiff_t>(bytes));
    encoder_delay_ = lame_get_encoder_delay(lame->get());
    bitrate_kbps_ = lame_get_brate(lame->get());
    // 1152 for MPEG-1 rates, 576 for MPEG-2/2.5.
    samples_per_frame_ = lame_get_framesize(lame->get());
    layout_ = balanced_layout(layout_, settings_.expected_frames, static_cast<int>(workers_.size()),
                              samples_per_frame_);
    // The chunks line up with a serial encode only when LAME does not resample.
    if (lame_get_out_samplerate(lame->get()) != settings_.sample_rate) {
      return make_error(Errc::invalid_argument,
                        "parallel MP3 encoding needs an MPEG sample rate, not " +
                            std::to_string(settings_.sample_rate) +
                            " Hz; resample to 44100 Hz or encode with threads = 1");
    }
    reserve_pending();
    NAMIX_TRY(remember(sink_.write(id3v2_tag)));
    info_frame_offset_ = sink_.size();
    return remember(sink_.write(info_frame_));
  }

  Result<void> encode(AudioView in) override {
    assert(!finished_);
    assert(in.num_channels == settings_.channels);
    if (!error_.ok()) return error_;
    NAMIX_TRY(check_encoder_input(in));
    std::size_t first = 0;
    while (first < in.num_frames) {
      // Copy no more than the next chunk needs, so that memory stays bounded
      // however large the caller's blocks are.
      const std::int64_t need = chunk_end_sample() - pending_end();
      const std::size_t n = std::min(static_cast<std::size_t>(need), in.num_frames - first);
      for (int c = 0; c < settings_.channels; ++c) {
        const float* src = in[c] + first;
        auto& plane = pending_[static_cast<std::size_t>(c)];
        plane.insert(plane.end(), src, src + n);
      }
      input_samples_ += static_cast<std::int64_t>(n);
      first += n;
      if (pending_end() == chunk_end_sample()) NAMIX_TRY(dispatch(false));
    }
    return write_finished_chunks(false);
  }

  Result<void> finish() override {
    assert(!finished_);
    finished_ = true;
    if (!error_.ok()) return error_;
    NAMIX_TRY(dispatch(true));
    NAMIX_TRY(write_finished_chunks(true));
    InfoFrameTotals totals;
    totals.audio_frames = audio_frames_;
    totals.stream_bytes = audio_bytes_ + info_frame_.size();
    totals.encoder_delay = encoder_delay_;
    totals.encoder_padding =
        static_cast<int>(audio_frames_ * samples_per_frame_ - encoder_delay_ - input_samples_);
    totals.music_crc = music_crc_;
    totals.bitrate_kbps = bitrate_kbps_;
    // The padding field has 12 bits; LAME pads less than two frames plus its
    // decoder delay, so more means the frame count is wrong.
    if (totals.encoder_padding < 0 || totals.encoder_padding > 4095 ||
        !patch_lame_info_frame(info_frame_, totals)) {
      return remember(make_error(Errc::internal,
                                 "parallel MP3 encode produced " + std::to_string(audio_frames_) +
                                     " frames for " + std::to_string(input_samples_) +
                                     " samples; encode with threads = 1"));
    }
    return remember(sink_.write_at(info_frame_offset_, info_frame_));
  }

 private:
  // Chunk c keeps serial frames [c K, (c + 1) K); its instance starts at
  // input sample 1152 (c K - P) (LAME's 576-sample delay then lines its frames
  // up with the serial encoder's) and needs input to 1152 ((c + 1) K + tail).
  std::int64_t chunk_start_frame() const { return next_chunk_ * layout_.chunk_frames; }
  std::int64_t preroll_frames() const { return next_chunk_ == 0 ? 0 : layout_.preroll_frames; }
  std::int64_t chunk_end_sample() const {
    return (chunk_start_frame() + layout_.chunk_frames + kTailFrames) * samples_per_frame_;
  }
  std::int64_t pending_end() const {
    return pending_first_ + static_cast<std::int64_t>(pending_[0].size());
  }

  Result<void> dispatch(bool last) {
    // Bound the memory: wait for the oldest chunk and write it out.
    while (in_flight_.size() >= max_in_flight_) NAMIX_TRY(write_oldest());
    auto job = std::make_shared<ChunkJob>();
    job->preroll_frames = preroll_frames();
    job->keep_frames = last ? -1 : layout_.chunk_frames;
    // The chunk takes the pending input whole; what the next chunk's
    // pre-roll and frames start with is copied back before a worker can
    // touch (and free) it.
    job->input = std::move(pending_);
    ++next_chunk_;
    const std::int64_t next_start = (chunk_start_frame() - preroll_frames()) * samples_per_frame_;
    const auto keep_from = static_cast<std::size_t>(next_start - pending_first_);
    reserve_pending();
    for (int c = 0; c < settings_.channels; ++c) {
      const auto& taken = job->input[static_cast<std::size_t>(c)];
      auto& pending = pending_[static_cast<std::size_t>(c)];
      pending.clear();
      if (!last && keep_from < taken.size()) {
        pending.assign(taken.begin() + static_cast<std::ptrdiff_t>(keep_from), taken.end());
      }
    }
    pending_first_ = next_start;
    {
      const std::lock_guard lock(mutex_);
      queue_.push_back(job);
    }
    work_ready_.notify_one();
    in_flight_.push_back(std::move(job));
    return {};
  }

  void reserve_pending() {
    for (int c = 0; c < settings_.channels; ++c) {
      pending_[static_cast<std::size_t>(c)].reserve(static_cast<std::size_t>(
          (layout_.chunk_frames + layout_.preroll_frames + kTailFrames) * samples_per_frame_));
    }
  }

  Result<void> write_finished_chunks(bool wait_for_all) {
    while (!in_flight_.empty()) {
      if (!wait_for_all) {
        const std::lock_guard lock(mutex_);
        if (!in_flight_.front()->done) break;
      }
      NAMIX_TRY(write_oldest());
    }
    return {};
  }

  Result<void> write_oldest() {
    std::shared_ptr<ChunkJob> job = std::move(in_flight_.front());
    in_flight_.pop_front();
    {
      std::unique_lock lock(mutex_);
      chunk_done_.wait(lock, [&] { return job->done; });
    }
    NAMIX_TRY(remember(job->status));
    NAMIX_TRY(remember(sink_.write(job->frames)));
    music_crc_ = lame_crc16(music_crc_, job->frames);
    audio_frames_ += job->frame_count;
    audio_bytes_ += job->frames.size();
    return {};
  }

  // The first error stops the pool: queued chunks are dropped, running ones
  // stop at their next block, and every later call returns the same error.
  Result<void> remember(Result<void> r) {
    if (!r.ok() && error_.ok()) {
      error_ = r;
      {
        const std::lock_guard lock(mutex_);
        cancel_ = true;
        queue_.clear();
      }
      in_flight_.clear();
    }
    return r;
  }

  void work() {
    for (;;) {
      std::shared_ptr<ChunkJob> job;
      {
        std::unique_lock lock(mutex_);
        work_ready_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (stopping_) return;
        job = std::move(queue_.front());
        queue_.pop_front();
      }
      Result<void> status = encode_chunk(*job);
      {
        const std::lock_guard lock(mutex_);
        job->status = std::move(status);
        job->done = true;
      }
      chunk_done_.notify_all();
    }
  }

  Result<void> encode_chunk(ChunkJob& job) {
    auto lame = open_lame(settings_, false, false);
    if (!lame.ok()) return lame.error();
    std::vector<std::uint8_t> mp3;
    // 1441 bytes: the largest frame namix can ask for (320 kbit/s at 32 kHz, padded).
    mp3.reserve(static_cast<std::size_t>(
        (layout_.chunk_frames + layout_.preroll_frames + kTailFrames + 3) * 1441));
    std::vector<std::uint8_t> block_out(kMp3BufferBytes);
    AudioView in;
    in.num_channels = settings_.channels;
    in.num_frames = job.input[0].size();
    for (int c = 0; c < settings_.channels; ++c) {
      in.channel[static_cast<std::size_t>(c)] = job.input[static_cast<std::size_t>(c)].data();
    }
    auto emit = [&](int bytes) -> Result<void> {
      if (bytes < 0) {
        return make_error(Errc::internal,
                          "LAME failed to encode (code " + std::to_string(bytes) + ")");
      }
      mp3.insert(mp3.end(), block_out.begin(), block_out.begin() + bytes);
      return {};
    };
    for (std::size_t first = 0; first < in.num_frames; first += kEncodeBlockFrames) {
      if (cancel_.load(std::memory_order_relaxed)) {
        return make_error(Errc::internal, "parallel MP3 encode cancelled");
      }
      const std::size_t n = std::min(kEncodeBlockFrames, in.num_frames - first);
      const AudioView block = in.slice(first, n);
      NAMIX_TRY(emit(lame_encode_buffer_ieee_float(
          lame->get(), block[0], settings_.channels == 2 ? block[1] : block[0], static_cast<int>(n),
          block_out.data(), static_cast<int>(block_out.size()))));
    }
    NAMIX_TRY(
        emit(lame_encode_flush(lame->get(), block_out.data(), static_cast<int>(block_out.size()))));
    job.input = {};  // free the input before the pool takes the next chunk
    // Without the reservoir (and without an Info frame) LAME's output is a
    // plain run of whole frames; walk it by the headers.
    std::size_t pos = 0;
    std::size_t kept_begin = 0;
    std::int64_t index = 0;
    std::int64_t kept = 0;
    while (pos + 4 <= mp3.size()) {
      if (index == job.preroll_frames) kept_begin = pos;
      if (job.keep_frames >= 0 && kept == job.keep_frames) break;
      const auto header = parse_mpeg_frame_header(&mp3[pos]);
      if (!header || pos + static_cast<std::size_t>(header->frame_bytes) > mp3.size()) {
        return make_error(Errc::internal, "LAME wrote an unparsable frame");
      }
      pos += static_cast<std::size_t>(header->frame_bytes);
      if (index >= job.preroll_frames) ++kept;
      ++index;
    }
    if (index < job.preroll_frames || (job.keep_frames >= 0 && kept != job.keep_frames)) {
      return make_error(Errc::internal, "LAME wrote fewer frames than a chunk needs");
    }
    if (index == job.preroll_frames) kept_begin = pos;
    job.frames.assign(mp3.begin() + static_cast<std::ptrdiff_t>(kept_begin),
                      mp3.begin() + static_cast<std::ptrdiff_t>(pos));
    job.frame_count = kept;
    return {};
  }

  const EncoderSettings settings_;
  ByteSink& sink_;
  ParallelEncodeLayout layout_;  // balanced in start(), then fixed
  const std::size_t max_in_flight_;

  std::vector<std::uint8_t> info_frame_;
  std::uint64_t info_frame_offset_ = 0;
  int encoder_delay_ = 0;
  int bitrate_kbps_ = 0;  // as LAME settled it
  std::int64_t samples_per_frame_ = 1152;

  // Caller-thread state.
  std::array<std::vector<float>, kMaxChannels> pending_;
  std::int64_t pending_first_ = 0;  // input sample index of pending_[c][0]
  std::int64_t input_samples_ = 0;
  std::int64_t next_chunk_ = 0;
  std::deque<std::shared_ptr<ChunkJob>> in_flight_;  // dispatched, not yet written, in order
  std::int64_t audio_frames_ = 0;
  std::uint64_t audio_bytes_ = 0;
  std::uint16_t music_crc_ = 0;
  Result<void> error_;
  bool finished_ = false;

  // Shared with the workers.
  std::mutex mutex_;
  std::condition_variable work_ready_;
  std::condition_variable chunk_done_;
  std::deque<std::shared_ptr<ChunkJob>> queue_;
  bool stopping_ = false;
  std::atomic<bool> cancel_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace

std::uint16_t lame_crc16(std::uint16_t crc, std::span<const std::uint8_t> bytes) {
  for (const std::uint8_t b : bytes) {
    crc = static_cast<std::uint16_t>((crc >> 8) ^ kCrc16Table[(crc ^ b) & 0xFFu]);
  }
  return crc;
}

std::array<std::uint8_t, 100> lame_toc(std::int64_t frames, int kbps) {
  // Same sampling and the same float arithmetic as LAME (VbrTag.c addVbr and
  // Xing_seek_table), so the TOC matches a serial encode's byte for byte.
  constexpr int kSlots = 400;
  std::array<int, kSlots> bag{};
  int sum = 0;
  int seen = 0;
  int want = 1;
  int pos = 0;
  for (std::int64_t f = 0; f < frames; ++f) {
    sum += kbps;
    if (++seen < want) continue;
    if (pos < kSlots) {
      bag[static_cast<std::size_t>(pos++)] = sum;
      seen = 0;
    }
    if (pos == kSlots) {
      for (int i = 1; i < kSlots; i += 2)
        bag[static_cast<std::size_t>(i / 2)] = bag[static_cast<std::size_t>(i)];
      want *= 2;
      pos /= 2;
    }
  }
  std::array<std::uint8_t, 100> toc{};
  if (pos <= 0) return toc;
  for (int i = 1; i < 100; ++i) {
    const float j = static_cast<float>(i) / 100.0f;
    int index = static_cast<int>(std::floor(j * static_cast<float>(pos)));
    index = std::min(index, pos - 1);
    const auto act = static_cast<float>(bag[static_cast<std::size_t>(index)]);
    const auto total = static_cast<float>(sum);
    toc[static_cast<std::size_t>(i)] =
        static_cast<std::uint8_t>(std::min(255, static_cast<int>(256.0 * act / total)));
  }
  return toc;
}

bool patch_lame_info_frame(std::span<std::uint8_t> frame, const InfoFrameTotals& totals) {
  if (frame.size() < 4) return false;
  const auto header = parse_mpeg_frame_header(frame.data());
  if (!header || header->layer != 3) return false;
  const std::size_t side_info = header->version_x10 == 10 ? (header->channels == 1 ? 17u : 32u)
                                                          : (header->channels == 1 ? 9u : 17u);
  // Offsets from the "Info" tag: flags, frames, bytes, 100-byte TOC, quality
  // (Xing header, 120 bytes), then the LAME tag: version (9), revision,
  // lowpass, peak (4), 2 x replay gain (2), flags, bitrate, delay/padding (3),
  // misc, unused, preset (2), music length (4), music CRC (2), tag CRC (2).
  const std::size_t xing = 4 + side_info;
  constexpr std::size_t kLame = 120;
  constexpr std::size_t kDelayPadding = kLame + 21;
  constexpr std::size_t kMusicLength = kLame + 28;
  constexpr std::size_t kMusicCrc = kLame + 32;
  constexpr std::size_t kTagCrc = kLame + 34;
  if (frame.size() < xing + kTagCrc + 2) return false;
  std::uint8_t* p = frame.data() + xing;
  const bool info = std::equal(p, p + 4, "Info") || std::equal(p, p + 4, "Xing");
  if (!info || !std::equal(p + kLame, p + kLame + 4, "LAME") || (p[7] & 7) != 7) return false;
  put_be32(p + 8, static_cast<std::uint32_t>(totals.audio_frames));
  put_be32(p + 12, static_cast<std::uint32_t>(totals.stream_bytes));
  const auto toc = lame_toc(totals.audio_frames, totals.bitrate_kbps);
  std::copy(toc.begin(), toc.end(), p + 16);
  const auto delay = static_cast<unsigned>(totals.encoder_delay);
  const auto padding = static_cast<unsigned>(totals.encoder_padding);
  p[kDelayPadding] = static_cast<std::uint8_t>(delay >> 4);
  p[kDelayPadding + 1] = static_cast<std::uint8_t>(((delay & 0xF) << 4) | (padding >> 8));
  p[kDelayPadding + 2] = static_cast<std::uint8_t>(padding);
  put_be32(p + kMusicLength, static_cast<std::uint32_t>(totals.stream_bytes));
  put_be16(p + kMusicCrc, totals.music_crc);
  // The tag CRC covers the frame from its first header byte up to itself.
  const std::size_t crc_end = xing + kTagCrc;
  put_be16(p + kTagCrc, lame_crc16(0, frame.first(crc_end)));
  return true;
}

ParallelEncodeLayout balanced_layout(const ParallelEncodeLayout& base, std::int64_t expected_frames,
                                     int threads, std::int64_t samples_per_frame) {
  ParallelEncodeLayout layout = base;
  if (expected_frames <= 0 || threads < 2 || samples_per_frame <= 0) return layout;
  // LAME's delay and padding add up to about two frames more.
  const std::int64_t mp3_frames = (expected_frames + samples_per_frame - 1) / samples_per_frame + 2;
  std::int64_t chunks = (mp3_frames + base.chunk_frames - 1) / base.chunk_frames;
  chunks = (chunks + threads - 1) / threads * threads;
  // Not so short that the pre-roll becomes a large part of each chunk.
  const std::int64_t shortest = std::min(base.chunk_frames, 16 * base.preroll_frames);
  layout.chunk_frames = std::max(shortest, (mp3_frames + chunks - 1) / chunks);
  return layout;
}

Result<std::unique_ptr<Mp3Encoder>> create_parallel_mp3_encoder(
    const EncoderSettings& settings, int threads, std::span<const std::uint8_t> id3v2_tag,
    ByteSink& sink, const ParallelEncodeLayout& layout) {
  assert(threads >= 2);
  assert(layout.chunk_frames > layout.preroll_frames && layout.preroll_frames >= 2);
  auto encoder = std::make_unique<ParallelMp3Encoder>(settings, threads, sink, layout);
  NAMIX_TRY(encoder->start(id3v2_tag));
  return std::unique_ptr<Mp3Encoder>(std::move(encoder));
}

}  // namespace namix
