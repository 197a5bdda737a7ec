// Parallel MP3 encoding: the stream is cut into chunks of whole MP3 frames,
// each chunk is encoded by its own LAME instance on a small thread pool, and
// the chunks' frames are written to the sink in order, so that a long output
// uses every core while LAME itself is single-threaded.
//
// Joins are inaudible because chunk c's LAME instance starts preroll_frames
// frames early, over the end of chunk c-1, and those frames are dropped: by
// the first kept frame its MDCT overlap, block-type history and masking
// estimates have settled on the same signal a serial encode sees. Every
// chunk starts on a multiple of 1152 input samples, so frame k of the
// parallel file encodes the same samples as frame k of a serial encode.
//
// Internal to src/codec: callers use Mp3Encoder::create with
// EncoderSettings::threads.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "codec/mp3_encoder.h"
#include "core/byte_sink.h"
#include "core/error.h"

struct lame_global_struct;

namespace namix {

struct LameDeleter {
  void operator()(lame_global_struct* lame) const;
};
using LamePtr = std::unique_ptr<lame_global_struct, LameDeleter>;

// A quiet LAME instance with namix's CBR settings (defined in mp3_encoder.cc).
Result<LamePtr> open_lame(const EncoderSettings& settings, bool write_info_frame,
                          bool use_bit_reservoir);

struct ParallelEncodeLayout {
  // ~23 s at 44.1 kHz: long enough that pre-roll costs under 1 % more
  // encoding, short enough that the last chunk, which has no partner to run
  // beside, is a small part of a long output, and that threads + 1 chunks in
  // flight stay around 10 MB each.
  std::int64_t chunk_frames = 896;
  // Enough for LAME's state to forget that it started cold. With 8, the
  // test signal's frames after each join are byte-identical to a serial
  // reservoir-free encode's wherever the padding agrees
  // (FramesMatchASerialEncodeWithoutReservoir; with 1 the first is not).
  // On five 3-minute excerpts of corpus episode ep60_s3 (7 joins each) 1-5
  // frames per excerpt, all within 8 after a join, still differ (LAME
  // smooths some state over many frames: 16 left 0-1, 48 none), as equally
  // fine quantisations: at all 35 joins the error against the input in
  // +-2048 samples was the serial reservoir-free encode's within 0.5 dB.
  // 48 would cost 5 % more encoding for no audible change.
  std::int64_t preroll_frames = 8;
};

// `base` with chunks for an output of `expected_frames` sample frames (0:
// not known, `base` as it is): about base's length, in a number that is a
// multiple of `threads`, so all threads finish together rather than the last
// chunk encoding alone while the other cores wait. The parallel encoder
// applies it once LAME has told it the frame size.
ParallelEncodeLayout balanced_layout(const ParallelEncodeLayout& base, std::int64_t expected_frames,
                                     int threads, std::int64_t samples_per_frame);

// What Mp3Encoder::create returns for threads >= 2: writes `id3v2_tag` and
// the Info frame placeholder once the settings are known to work (nothing
// reaches the sink otherwise). Tests pass a smaller layout to get many joins
// out of little audio.
Result<std::unique_ptr<Mp3Encoder>> create_parallel_mp3_encoder(
    const EncoderSettings& settings, int threads, std::span<const std::uint8_t> id3v2_tag,
    ByteSink& sink, const ParallelEncodeLayout& layout = {});

// What the Info/LAME frame of a stream assembled from several LAME
// instances has to say about the whole stream.
struct InfoFrameTotals {
  std::int64_t audio_frames = 0;   // after the Info frame
  std::uint64_t stream_bytes = 0;  // the Info frame and the audio frames
  int encoder_delay = 0;           // samples before the input starts
  int encoder_padding = 0;         // samples after it ends
  std::uint16_t music_crc = 0;     // lame_crc16 over the audio frames
  int bitrate_kbps = 0;
};

// LAME's CRC-16 (polynomial x^16 + x^15 + x^2 + 1, reflected, as in
// VbrTag.c): the LAME tag's music CRC and tag CRC.
std::uint16_t lame_crc16(std::uint16_t crc, std::span<const std::uint8_t> bytes);

// The Xing TOC LAME writes for `frames` frames of `kbps` each: it samples the
// running bitrate sum into 400 slots, halving the sample when they fill.
std::array<std::uint8_t, 100> lame_toc(std::int64_t frames, int kbps);

// Rewrites frame count, byte count, TOC, delay/padding, music length, music
// CRC and the tag CRC of a LAME Info frame in place; the rest (version,
// lowpass, flags, stereo mode) stays as the LAME instance that made it wrote
// it. False when `frame` is not a LAME Info frame.
bool patch_lame_info_frame(std::span<std::uint8_t> frame, const InfoFrameTotals& totals);

}  // namespace namix
