#include "codec/parallel_mp3_encoder.h"

#include <gtest/gtest.h>
#include <lame/lame.h>
#include <mpg123.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <numbers>
#include <random>

#include "codec/codec_test_fixtures.h"
#include "codec/mp3_tags.h"
#include "codec/mpeg_frame.h"
#include "core/atomic_file.h"

namespace namix {
namespace {

namespace fs = std::filesystem;
using namespace namix::testing;

constexpr std::int64_t kFrame = 1152;
constexpr int kEncoderDelay = 576;  // lame_get_encoder_delay() for MPEG-1 Layer III
// Small chunks give many joins out of a few seconds of audio; the default
// layout is covered by Mp3EncoderThreads below.
constexpr ParallelEncodeLayout kSmallChunks{40, 8};

// Music-like material with steady statistics at the scale of the join
// windows: two tones (one gliding), broadband noise, and speech-like bursts
// (band-limited noise, a vowel-like buzz) at a syllable rate of ~6 Hz, so
// that every ±2048-sample window holds about the same mix.
AudioBuffer make_music(std::size_t frames, int channels, std::uint32_t seed = 7) {
  AudioBuffer b(channels, frames);
  std::mt19937 rng(seed);
  std::normal_distribution<float> noise(0.0f, 1.0f);
  double glide_phase = 0;
  float lp = 0;
  for (std::size_t i = 0; i < frames; ++i) {
    const double t = static_cast<double>(i) / 44100;
    glide_phase +=
        2 * std::numbers::pi * (330 + 60 * std::sin(2 * std::numbers::pi * 0.2 * t)) / 44100;
    const double syllable = std::fmod(t, 0.17) / 0.17;
    const double envelope = syllable < 0.6 ? std::sin(std::numbers::pi * syllable / 0.6) : 0.0;
    lp += 0.2f * (noise(rng) - lp);
    const double buzz = std::sin(2 * std::numbers::pi * 140 * t) +
                        0.5 * std::sin(2 * std::numbers::pi * 700 * t) +
                        0.3 * std::sin(2 * std::numbers::pi * 1200 * t);
    const double common = 0.15 * std::sin(2 * std::numbers::pi * 220 * t) +
                          0.1 * std::sin(glide_phase) + 0.02 * noise(rng) +
                          envelope * (0.15 * buzz + 0.3 * lp);
    for (int c = 0; c < channels; ++c) {
      b.channel(c)[i] = static_cast<float>(common + (c == 1 ? 0.02 * noise(rng) : 0.0));
    }
  }
  return b;
}

// Encodes through the parallel encoder in odd blocks; the file starts with
// the Info frame (no ID3 tag).
std::vector<std::uint8_t> encode_parallel(const AudioBuffer& audio, int threads,
                                          const ParallelEncodeLayout& layout,
                                          std::size_t block = 3001) {
  MemorySink sink;
  EncoderSettings settings;
  settings.channels = audio.num_channels();
  auto encoder = create_parallel_mp3_encoder(settings, threads, {}, sink, layout);
  EXPECT_TRUE(encoder.ok()) << encoder.error().message;
  if (!encoder.ok()) return {};
  AudioBuffer copy = audio;
  for (std::size_t first = 0; first < copy.num_frames(); first += block) {
    const std::size_t n = std::min(block, copy.num_frames() - first);
    EXPECT_TRUE((*encoder)->encode(copy.view().slice(first, n)).ok());
  }
  const auto finished = (*encoder)->finish();
  EXPECT_TRUE(finished.ok()) << (finished.ok() ? "" : finished.error().message);
  return sink.release();
}

void write_file(const fs::path& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

// libmpg123 on its own, gapless, as players use it.
std::int64_t mpg123_sample_count(const fs::path& path) {
  mpg123_handle* mh = mpg123_new(nullptr, nullptr);
  EXPECT_NE(mh, nullptr);
  mpg123_param(mh, MPG123_ADD_FLAGS, MPG123_GAPLESS | MPG123_QUIET | MPG123_FORCE_FLOAT, 0.0);
  EXPECT_EQ(mpg123_open(mh, path.c_str()), MPG123_OK);
  long rate = 0;
  int channels = 0;
  int encoding = 0;
  mpg123_getformat(mh, &rate, &channels, &encoding);
  std::vector<unsigned char> buf(1 << 16);
  std::int64_t bytes = 0;
  for (;;) {
    std::size_t done = 0;
    const int err = mpg123_read(mh, buf.data(), buf.size(), &done);
    bytes += static_cast<std::int64_t>(done);
    if (err == MPG123_DONE) break;
    if (err != MPG123_OK && err != MPG123_NEW_FORMAT) {
      ADD_FAILURE() << "mpg123_read: " << err;
      break;
    }
  }
  mpg123_close(mh);
  mpg123_delete(mh);
  return bytes / (channels * static_cast<std::int64_t>(sizeof(float)));
}

// ffmpeg trims the LAME tag's delay and padding too (since 4.x).
std::int64_t ffmpeg_sample_count(const fs::path& path, int channels) {
  const std::string cmd = "ffmpeg -v error -i '" + path.string() + "' -f f32le -";
  std::FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) return -1;
  std::int64_t bytes = 0;
  char buf[65536];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, pipe))
    bytes += static_cast<std::int64_t>(n);
  pclose(pipe);
  return bytes / (channels * 4);
}

struct FrameWalk {
  std::int64_t frames = 0;  // after the Info frame
  std::uint64_t stream_bytes = 0;
  bool all_320k_cbr = true;
};

FrameWalk walk_frames(std::span<const std::uint8_t> bytes, std::size_t start) {
  FrameWalk w;
  std::size_t pos = start;
  bool first = true;
  while (pos + 4 <= bytes.size()) {
    const auto h = parse_mpeg_frame_header(&bytes[pos]);
    if (!h) {
      ADD_FAILURE() << "no frame header at byte " << pos;
      break;
    }
    w.all_320k_cbr = w.all_320k_cbr && h->bitrate_kbps == 320 && h->sample_rate == 44100;
    pos += static_cast<std::size_t>(h->frame_bytes);
    if (!first) ++w.frames;
    first = false;
  }
  EXPECT_EQ(pos, bytes.size()) << "the file ends inside a frame";
  w.stream_bytes = pos - start;
  return w;
}

std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

// The Info frame LAME writes for a serial encode, rebuilt by
// patch_lame_info_frame from the stream's totals after its stream fields are
// wiped, comes out byte for byte the same: the offsets, the TOC sampling and
// both CRCs agree with LAME's.
TEST(ParallelMp3Encoder, PatchedInfoFrameMatchesLamesOwn) {
  for (const std::size_t n : {std::size_t{44100}, std::size_t{441000 + 17}, std::size_t{9}}) {
    SCOPED_TRACE(n);
    const AudioBuffer audio = make_music(n, 2);
    MemorySink sink;
    auto encoder = Mp3Encoder::create({}, {}, sink);
    ASSERT_TRUE(encoder.ok());
    AudioBuffer copy = audio;
    ASSERT_TRUE((*encoder)->encode(copy.view()).ok());
    ASSERT_TRUE((*encoder)->finish().ok());
    const auto bytes = sink.release();
    const std::size_t info = id3v2_tag_size(bytes);
    const auto h = parse_mpeg_frame_header(&bytes[info]);
    ASSERT_TRUE(h);
    const FrameWalk walk = walk_frames(bytes, info);
    const std::span<const std::uint8_t> lame_frame(&bytes[info],
                                                   static_cast<std::size_t>(h->frame_bytes));
    std::vector<std::uint8_t> rebuilt(lame_frame.begin(), lame_frame.end());
    const std::size_t xing = 36;
    std::fill(rebuilt.begin() + xing + 8, rebuilt.begin() + xing + 116, 0);    // counts, TOC
    std::fill(rebuilt.begin() + xing + 141, rebuilt.begin() + xing + 144, 0);  // delay/padding
    std::fill(rebuilt.begin() + xing + 148, rebuilt.begin() + xing + 156, 0);  // length, CRCs
    InfoFrameTotals totals;
    totals.audio_frames = walk.frames;
    totals.stream_bytes = walk.stream_bytes;
    totals.encoder_delay = kEncoderDelay;
    totals.encoder_padding =
        static_cast<int>(walk.frames * kFrame - kEncoderDelay - static_cast<std::int64_t>(n));
    totals.music_crc = lame_crc16(0, std::span(bytes).subspan(info + lame_frame.size()));
    totals.bitrate_kbps = 320;
    ASSERT_TRUE(patch_lame_info_frame(rebuilt, totals));
    EXPECT_TRUE(std::equal(rebuilt.begin(), rebuilt.end(), lame_frame.begin()));
    for (std::size_t i = 0; i < rebuilt.size(); ++i) {
      if (rebuilt[i] != lame_frame[i]) {
        ADD_FAILURE() << "byte " << i << ": " << int{rebuilt[i]} << " vs LAME's "
                      << int{lame_frame[i]};
        break;
      }
    }
  }
}

// (a) Exact length through our decoder, libmpg123 and ffmpeg, for lengths
// around every boundary the chunking has: under one frame, under one chunk,
// exactly a chunk's input need, one sample either side, whole frames, odd.
TEST(ParallelMp3Encoder, DecodesToExactlyTheInputLength) {
  const TempDir dir("parallel_length");
  const std::int64_t chunk = kSmallChunks.chunk_frames * kFrame;
  const std::int64_t need = (kSmallChunks.chunk_frames + 2) * kFrame;  // chunk 0's input
  const std::vector<std::int64_t> lengths = {1,
                                             700,
                                             kFrame,
                                             5000,
                                             chunk - 1,
                                             chunk,
                                             need - 1,
                                             need,
                                             need + 1,
                                             2 * chunk,
                                             2 * chunk + 576,
                                             3 * chunk + 1,
                                             5 * chunk - kEncoderDelay,
                                             4 * chunk + 12345};
  for (const int threads : {2, 3}) {
    for (const std::int64_t n : lengths) {
      SCOPED_TRACE("threads " + std::to_string(threads) + ", " + std::to_string(n) + " samples");
      const AudioBuffer audio = make_music(static_cast<std::size_t>(n), 2);
      const auto bytes = encode_parallel(audio, threads, kSmallChunks, 2999);
      const fs::path path = dir / "out.mp3";
      write_file(path, bytes);
      const FrameWalk walk = walk_frames(bytes, 0);
      EXPECT_EQ(info_frame_count(bytes), walk.frames);
      EXPECT_EQ(decode_file(path).num_frames(), static_cast<std::size_t>(n));
      EXPECT_EQ(mpg123_sample_count(path), n);
      if (threads == 2) {
        EXPECT_EQ(ffmpeg_sample_count(path, 2), n);
      }
    }
  }
}

TEST(ParallelMp3Encoder, MonoDecodesToExactlyTheInputLength) {
  const TempDir dir("parallel_mono");
  const std::int64_t n = 3 * kSmallChunks.chunk_frames * kFrame + 777;
  const auto bytes = encode_parallel(make_music(static_cast<std::size_t>(n), 1), 2, kSmallChunks);
  write_file(dir / "mono.mp3", bytes);
  const AudioBuffer decoded = decode_file(dir / "mono.mp3");
  EXPECT_EQ(decoded.num_channels(), 1);
  EXPECT_EQ(decoded.num_frames(), static_cast<std::size_t>(n));
  EXPECT_EQ(mpg123_sample_count(dir / "mono.mp3"), n);
}

// MPEG-2 rates have 576-sample frames; the chunking follows LAME's frame size.
TEST(ParallelMp3Encoder, MpegTwoRateDecodesToExactlyTheInputLength) {
  const TempDir dir("parallel_mpeg2");
  EncoderSettings settings;
  settings.sample_rate = 22050;
  settings.bitrate_kbps = 160;
  const std::size_t n = 3 * 40 * 576 + 1001;
  AudioBuffer audio = make_sine(22050, 2, static_cast<double>(n) / 22050, 440, 0.5f);
  MemorySink sink;
  auto encoder = create_parallel_mp3_encoder(settings, 2, {}, sink, kSmallChunks);
  ASSERT_TRUE(encoder.ok()) << encoder.error().message;
  ASSERT_TRUE((*encoder)->encode(audio.view()).ok());
  ASSERT_TRUE((*encoder)->finish().ok());
  write_file(dir / "mpeg2.mp3", sink.bytes());
  const AudioBuffer decoded = decode_file(dir / "mpeg2.mp3");
  EXPECT_EQ(decoded.num_frames(), audio.num_frames());
  EXPECT_EQ(mpg123_sample_count(dir / "mpeg2.mp3"), static_cast<std::int64_t>(audio.num_frames()));
  EXPECT_NEAR(zero_crossing_hz(decoded.channel(0), decoded.num_frames(), 22050), 440.0, 1.0);
}

// Same chunks whatever the caller's block size and thread count: the bytes
// are a function of the input alone.
TEST(ParallelMp3Encoder, OutputDoesNotDependOnBlockSizeOrThreads) {
  const AudioBuffer audio = make_music(static_cast<std::size_t>(3.5 * 40 * kFrame), 2);
  const auto reference = encode_parallel(audio, 2, kSmallChunks, audio.num_frames());
  EXPECT_EQ(encode_parallel(audio, 2, kSmallChunks, 1), reference);
  EXPECT_EQ(encode_parallel(audio, 3, kSmallChunks, 1151), reference);
  EXPECT_EQ(encode_parallel(audio, 4, kSmallChunks, 50000), reference);
}

std::vector<std::span<const std::uint8_t>> split_frames(std::span<const std::uint8_t> bytes) {
  std::vector<std::span<const std::uint8_t>> frames;
  std::size_t pos = 0;
  while (pos + 4 <= bytes.size()) {
    const auto h = parse_mpeg_frame_header(&bytes[pos]);
    if (!h) break;
    frames.push_back(bytes.subspan(pos, static_cast<std::size_t>(h->frame_bytes)));
    pos += static_cast<std::size_t>(h->frame_bytes);
  }
  return frames;
}

// Frame k of the parallel file encodes the same samples as frame k of a
// serial encode, and after the pre-roll each chunk's LAME state has caught
// up: every frame is byte-identical to a serial encode without the
// reservoir, joins included, except where the two instances' padding
// schedules differ (LAME pads 132 of every 147 frames at 320 kbit/s,
// counting from each instance's first frame; a padded frame has one more
// byte to spend). With preroll_frames = 1 the first frame after each join
// differs.
TEST(ParallelMp3Encoder, FramesMatchASerialEncodeWithoutReservoir) {
  const AudioBuffer audio = make_music(static_cast<std::size_t>(8.7 * 40 * kFrame), 2, 5);
  auto lame = open_lame({}, false, false);
  ASSERT_TRUE(lame.ok());
  std::vector<std::uint8_t> serial(audio.num_frames() * 2 + 100000);
  int bytes = lame_encode_buffer_ieee_float(lame->get(), audio.channel(0), audio.channel(1),
                                            static_cast<int>(audio.num_frames()), serial.data(),
                                            static_cast<int>(serial.size()));
  ASSERT_GE(bytes, 0);
  const int flushed = lame_encode_flush(lame->get(), serial.data() + bytes,
                                        static_cast<int>(serial.size()) - bytes);
  ASSERT_GE(flushed, 0);
  serial.resize(static_cast<std::size_t>(bytes + flushed));
  const auto parallel = encode_parallel(audio, 2, kSmallChunks);
  const auto serial_frames = split_frames(serial);
  auto parallel_frames = split_frames(parallel);
  parallel_frames.erase(parallel_frames.begin());  // the Info frame
  ASSERT_EQ(parallel_frames.size(), serial_frames.size());
  std::size_t same_padding = 0;
  for (std::size_t k = 0; k < serial_frames.size(); ++k) {
    if (serial_frames[k].size() != parallel_frames[k].size()) continue;
    ++same_padding;
    EXPECT_TRUE(
        std::equal(serial_frames[k].begin(), serial_frames[k].end(), parallel_frames[k].begin()))
        << "frame " << k << " (chunk " << static_cast<std::int64_t>(k) / kSmallChunks.chunk_frames
        << ", frame " << static_cast<std::int64_t>(k) % kSmallChunks.chunk_frames << " in it)";
  }
  // Most frames share the padding decision, joins among them.
  EXPECT_GT(same_padding, serial_frames.size() * 3 / 4);
}

struct WindowError {
  double rms = 0;
  double peak = 0;
};

WindowError window_error(const AudioBuffer& in, const AudioBuffer& out, std::int64_t centre,
                         std::int64_t half) {
  WindowError w;
  double sum = 0;
  std::int64_t count = 0;
  for (int c = 0; c < in.num_channels(); ++c) {
    for (std::int64_t i = centre - half; i < centre + half; ++i) {
      const auto k = static_cast<std::size_t>(i);
      const double e = out.channel(c)[k] - in.channel(c)[k];
      sum += e * e;
      w.peak = std::max(w.peak, std::abs(e));
      ++count;
    }
  }
  w.rms = std::sqrt(sum / static_cast<double>(count));
  return w;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// (b) The error against the input in ±2048 samples around each join is no
// larger than at positions away from joins: RMS within 1.5x the median
// elsewhere, peak (a click would show here) within 1.5x the median peak.
void expect_inaudible_joins(const AudioBuffer& audio, const AudioBuffer& decoded,
                            std::int64_t chunk_frames) {
  ASSERT_EQ(decoded.num_frames(), audio.num_frames());
  constexpr std::int64_t kHalf = 2048;
  const auto n = static_cast<std::int64_t>(audio.num_frames());
  // Chunk c's first frame starts at timeline sample 1152 c K, which is input
  // sample 1152 c K - 576 (the encoder delay).
  std::vector<std::int64_t> joins;
  for (std::int64_t j = chunk_frames * kFrame - kEncoderDelay; j + kHalf < n;
       j += chunk_frames * kFrame) {
    joins.push_back(j);
  }
  ASSERT_GE(joins.size(), 2u);
  std::vector<double> rms_elsewhere;
  std::vector<double> peak_elsewhere;
  for (std::int64_t p = 4 * kHalf; p + 4 * kHalf < n; p += kHalf) {
    const bool near_join = std::any_of(joins.begin(), joins.end(),
                                       [&](std::int64_t j) { return std::abs(p - j) < 3 * kHalf; });
    if (near_join) continue;
    const WindowError w = window_error(audio, decoded, p, kHalf);
    rms_elsewhere.push_back(w.rms);
    peak_elsewhere.push_back(w.peak);
  }
  ASSERT_GE(rms_elsewhere.size(), 10u);
  const double rms_ref = median(rms_elsewhere);
  const double peak_ref = median(peak_elsewhere);
  double worst_rms = 0;
  double worst_peak = 0;
  for (const std::int64_t j : joins) {
    const WindowError w = window_error(audio, decoded, j, kHalf);
    EXPECT_LE(w.rms, 1.5 * rms_ref) << "join at input sample " << j;
    EXPECT_LE(w.peak, 1.5 * peak_ref) << "join at input sample " << j;
    worst_rms = std::max(worst_rms, w.rms / rms_ref);
    worst_peak = std::max(worst_peak, w.peak / peak_ref);
  }
  std::printf("joins: %zu, worst RMS error / median elsewhere %.3f, worst peak / median %.3f\n",
              joins.size(), worst_rms, worst_peak);
}

TEST(ParallelMp3Encoder, JoinsAreNoWorseThanElsewhere) {
  const TempDir dir("parallel_joins");
  for (const int threads : {2, 3}) {
    SCOPED_TRACE(threads);
    // 12.5 chunks: joins everywhere and a short last chunk.
    const AudioBuffer audio = make_music(static_cast<std::size_t>(12.5 * 40 * kFrame), 2,
                                         static_cast<std::uint32_t>(threads));
    write_file(dir / "joins.mp3", encode_parallel(audio, threads, kSmallChunks));
    expect_inaudible_joins(audio, decode_file(dir / "joins.mp3"), kSmallChunks.chunk_frames);
  }
}

// The same through the public interface with the default layout: ID3 and
// chapters first, a 320 kbit/s CBR stream, a valid Info frame.
TEST(Mp3EncoderThreads, DefaultLayoutKeepsTagsInfoFrameAndJoins) {
  const TempDir dir("parallel_default");
  Mp3Tags tags;
  tags.title = "Remaster";
  tags.chapters = {{0, 20000, "00:00:00 Intro"}, {20000, 50000, "00:00:20 Banter"}};
  const std::int64_t chunk = ParallelEncodeLayout{}.chunk_frames;
  const auto n = static_cast<std::size_t>(2.4 * static_cast<double>(chunk * kFrame));
  const AudioBuffer audio = make_music(n, 2, 11);
  EncoderSettings settings;
  settings.threads = 2;
  {
    auto file = AtomicFile::create((dir / "remaster.mp3").string());
    ASSERT_TRUE(file.ok());
    auto encoder = Mp3Encoder::create(settings, tags, *file);
    ASSERT_TRUE(encoder.ok()) << encoder.error().message;
    AudioBuffer copy = audio;
    for (std::size_t first = 0; first < n; first += 4096) {
      ASSERT_TRUE((*encoder)
                      ->encode(copy.view().slice(first, std::min<std::size_t>(4096, n - first)))
                      .ok());
    }
    ASSERT_TRUE((*encoder)->finish().ok());
    ASSERT_TRUE(file->commit().ok());
  }
  std::ifstream in(dir / "remaster.mp3", std::ios::binary);
  const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                        std::istreambuf_iterator<char>());
  const std::size_t info = id3v2_tag_size(bytes);
  ASSERT_GT(info, 0u);
  const FrameWalk walk = walk_frames(bytes, info);
  EXPECT_TRUE(walk.all_320k_cbr);
  const auto* xing = &bytes[info + 36];
  EXPECT_EQ(std::memcmp(xing, "Info", 4), 0);
  EXPECT_EQ(std::memcmp(xing + 120, "LAME", 4), 0);
  EXPECT_EQ(be32(xing + 8), static_cast<std::uint32_t>(walk.frames));
  EXPECT_EQ(be32(xing + 12), walk.stream_bytes);
  // The LAME tag CRC covers the frame's first 190 bytes (MPEG-1 stereo).
  EXPECT_EQ(lame_crc16(0, std::span(bytes).subspan(info, 190)),
            (std::uint16_t{bytes[info + 190]} << 8) | bytes[info + 191]);
  const int delay = (xing[141] << 4) | (xing[142] >> 4);
  const int padding = ((xing[142] & 0xF) << 8) | xing[143];
  EXPECT_EQ(delay, kEncoderDelay);
  EXPECT_EQ(walk.frames * kFrame - delay - padding, static_cast<std::int64_t>(n));
  auto back = read_mp3_tags((dir / "remaster.mp3").string());
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->title, "Remaster");
  ASSERT_EQ(back->chapters.size(), 2u);
  EXPECT_EQ(back->chapters[1].title, "00:00:20 Banter");
  EXPECT_EQ(back->chapters[1].start_ms, 20000u);
  auto decoder = open_decoder((dir / "remaster.mp3").string());
  ASSERT_TRUE(decoder.ok());
  EXPECT_EQ((*decoder)->info().bitrate_kbps, 320);
  EXPECT_FALSE((*decoder)->info().vbr);
  EXPECT_EQ(mpg123_sample_count(dir / "remaster.mp3"), static_cast<std::int64_t>(n));
  expect_inaudible_joins(audio, decode_all(**decoder), chunk);
}

// Balanced chunks: a multiple of the thread count, near the default length,
// covering the output; unknown length keeps the defaults.
TEST(ParallelMp3Encoder, BalancedLayoutGivesEveryThreadAsManyChunks) {
  const std::int64_t standard = ParallelEncodeLayout{}.chunk_frames;
  EXPECT_EQ(balanced_layout({}, 0, 2, kFrame).chunk_frames, standard);
  for (const double seconds : {12.0, 90.0, 300.0, 3600.0}) {
    const auto frames = static_cast<std::int64_t>(seconds * 44100);
    const std::int64_t mp3_frames = frames / kFrame + 2;
    for (const int threads : {2, 3, 4}) {
      const std::int64_t chunk = balanced_layout({}, frames, threads, kFrame).chunk_frames;
      const std::int64_t chunks = (mp3_frames + chunk - 1) / chunk;
      SCOPED_TRACE(std::to_string(seconds) + " s, " + std::to_string(threads) + " threads");
      EXPECT_LE(chunk, standard);
      const std::int64_t shortest = 16 * ParallelEncodeLayout{}.preroll_frames;
      EXPECT_GE(chunk, shortest);
      if (chunk == shortest) continue;  // too short to share out evenly
      EXPECT_EQ(chunks % threads, 0);
      // The last chunk is nearly full, so no thread is left with a remainder.
      EXPECT_GT(mp3_frames - (chunks - 1) * chunk, chunk - chunks);
    }
  }
  // 300 s at the default length is 12.8 chunks: 13 would leave one alone.
  EXPECT_EQ(
      (300 * 44100 / kFrame + 2 + balanced_layout({}, 300 * 44100, 2, kFrame).chunk_frames - 1) /
          balanced_layout({}, 300 * 44100, 2, kFrame).chunk_frames,
      14);
}

// With the length known the encoder re-lays its chunks (the layout itself is
// checked above); the output must still be exact in length, with the joins
// at the balanced places as inaudible as anywhere.
TEST(Mp3EncoderThreads, ExpectedLengthKeepsLengthAndJoins) {
  const TempDir dir("parallel_balanced");
  const std::int64_t standard = ParallelEncodeLayout{}.chunk_frames;
  const auto n = static_cast<std::size_t>(2.4 * static_cast<double>(standard * kFrame));
  const AudioBuffer audio = make_music(n, 2, 12);
  EncoderSettings settings;
  settings.threads = 2;
  settings.expected_frames = static_cast<std::int64_t>(n);
  const std::int64_t chunk = balanced_layout({}, settings.expected_frames, 2, kFrame).chunk_frames;
  ASSERT_LT(chunk, standard);
  {
    auto file = AtomicFile::create((dir / "balanced.mp3").string());
    ASSERT_TRUE(file.ok());
    auto encoder = Mp3Encoder::create(settings, Mp3Tags{}, *file);
    ASSERT_TRUE(encoder.ok()) << encoder.error().message;
    AudioBuffer copy = audio;
    ASSERT_TRUE((*encoder)->encode(copy.view()).ok());
    ASSERT_TRUE((*encoder)->finish().ok());
    ASSERT_TRUE(file->commit().ok());
  }
  EXPECT_EQ(mpg123_sample_count(dir / "balanced.mp3"), static_cast<std::int64_t>(n));
  auto decoder = open_decoder((dir / "balanced.mp3").string());
  ASSERT_TRUE(decoder.ok());
  expect_inaudible_joins(audio, decode_all(**decoder), chunk);
}

// A sink that fails after `limit` bytes, like a full disk.
class FailingSink final : public ByteSink {
 public:
  explicit FailingSink(std::uint64_t limit) : limit_(limit) {}
  Result<void> write(std::span<const std::uint8_t> bytes) override {
    if (size_ + bytes.size() > limit_) return make_error(Errc::io_error, "disk full");
    size_ += bytes.size();
    return {};
  }
  Result<void> write_at(std::uint64_t, std::span<const std::uint8_t>) override { return {}; }
  std::uint64_t size() const override { return size_; }

 private:
  std::uint64_t limit_;
  std::uint64_t size_ = 0;
};

// (d) A sink error stops the pool: encode() or finish() reports it, later
// calls repeat it, and the encoder is destroyed promptly with work queued.
TEST(ParallelMp3Encoder, SinkErrorStopsThePool) {
  for (const std::uint64_t limit : {std::uint64_t{100}, std::uint64_t{3 * 40 * 1045}}) {
    SCOPED_TRACE(limit);
    FailingSink sink(limit);
    EncoderSettings settings;
    auto encoder = create_parallel_mp3_encoder(settings, 2, {}, sink, kSmallChunks);
    const auto start = std::chrono::steady_clock::now();
    if (!encoder.ok()) {
      EXPECT_EQ(encoder.error().code, Errc::io_error);
      continue;
    }
    AudioBuffer audio = make_music(static_cast<std::size_t>(30 * 40 * kFrame), 2);
    Result<void> r;
    for (std::size_t first = 0; first < audio.num_frames() && r.ok(); first += 8192) {
      r = (*encoder)->encode(
          audio.view().slice(first, std::min<std::size_t>(8192, audio.num_frames() - first)));
    }
    if (r.ok()) r = (*encoder)->finish();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::io_error);
    const auto again = (*encoder)->encode(audio.view().slice(0, 1000));
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().code, Errc::io_error);
    encoder->reset();
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
    EXPECT_LE(sink.size(), limit);
  }
}

TEST(Mp3EncoderThreads, RejectsImpossibleSettingsBeforeWriting) {
  for (const int threads : {-1, 2}) {
    SCOPED_TRACE(threads);
    MemorySink sink;
    EncoderSettings settings;
    settings.threads = threads;
    if (threads > 0) settings.sample_rate = 12345;  // no MPEG rate
    auto encoder = Mp3Encoder::create(settings, {}, sink);
    ASSERT_FALSE(encoder.ok());
    EXPECT_EQ(encoder.error().code, Errc::invalid_argument);
    EXPECT_EQ(sink.size(), 0u);
  }
}

// threads = 0 is one per hardware thread: parallel on any multi-core machine,
// the serial encoder on one core; either way the length is exact.
TEST(Mp3EncoderThreads, HardwareConcurrencyWorks) {
  const TempDir dir("parallel_hw");
  const AudioBuffer audio = make_music(2 * 44100 + 3, 2);
  EncoderSettings settings;
  settings.threads = 0;
  {
    auto file = AtomicFile::create((dir / "hw.mp3").string());
    ASSERT_TRUE(file.ok());
    auto encoder = Mp3Encoder::create(settings, {}, *file);
    ASSERT_TRUE(encoder.ok()) << encoder.error().message;
    AudioBuffer copy = audio;
    ASSERT_TRUE((*encoder)->encode(copy.view()).ok());
    ASSERT_TRUE((*encoder)->finish().ok());
    ASSERT_TRUE(file->commit().ok());
  }
  EXPECT_EQ(decode_file(dir / "hw.mp3").num_frames(), audio.num_frames());
}

}  // namespace
}  // namespace namix
