#include "codec/mp3_encoder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

#include "codec/codec_test_fixtures.h"
#include "codec/mp3_tags.h"
#include "codec/mpeg_frame.h"

namespace namix {
namespace {

namespace fs = std::filesystem;
using namespace namix::testing;

Mp3Tags sample_tags() {
  Mp3Tags tags;
  tags.title = "Best Of: Folge 12";
  tags.artist = "Zwei Hosts";
  tags.album = "Das Café";
  tags.date = "2026-11-29";
  tags.chapters = {{0, 1500, "00:00:00 Intro"},
                   {1500, 3200, "00:12:07 Banter über Kaffee"},
                   {3200, 5000, "01:02:03 Outro"}};
  return tags;
}

std::vector<std::uint8_t> encode_to_memory(const AudioBuffer& audio, std::size_t block,
                                           const Mp3Tags& tags = {},
                                           EncoderSettings settings = {}) {
  MemorySink sink;
  settings.channels = audio.num_channels();
  auto encoder = Mp3Encoder::create(settings, tags, sink);
  EXPECT_TRUE(encoder.ok());
  if (!encoder.ok()) return {};
  AudioBuffer copy = audio;
  for (std::size_t first = 0; first < copy.num_frames(); first += block) {
    EXPECT_TRUE((*encoder)
                    ->encode(copy.view().slice(first, std::min(block, copy.num_frames() - first)))
                    .ok());
  }
  EXPECT_TRUE((*encoder)->finish().ok());
  return sink.release();
}

std::string run_capture(const std::string& command) {
  std::string out;
  std::FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
  pclose(pipe);
  return out;
}

TEST(Mp3Encoder, SineRoundTripKeepsLengthLevelAndFrequency) {
  const TempDir dir("encoder_sine");
  // -6 dBFS 1 kHz: far below clipping, far above LAME's ATH.
  const AudioBuffer sine = make_sine(44100, 2, 5.0, 1000.0, 0.5f);
  encode_mp3(dir / "sine.mp3", sine, 44100);
  const AudioBuffer decoded = decode_file(dir / "sine.mp3");
  // Gapless: the LAME tag's encoder delay and padding are trimmed exactly.
  ASSERT_EQ(decoded.num_frames(), sine.num_frames());
  for (int c = 0; c < 2; ++c) {
    double signal = 0;
    double noise = 0;
    for (std::size_t i = 0; i < sine.num_frames(); ++i) {
      const double x = sine.channel(c)[i];
      const double e = decoded.channel(c)[i] - x;
      signal += x * x;
      noise += e * e;
    }
    EXPECT_GT(10 * std::log10(signal / noise), 30.0) << "channel " << c;
    const double level_db = 20 * std::log10(rms(decoded.channel(c), decoded.num_frames()) /
                                            rms(sine.channel(c), sine.num_frames()));
    EXPECT_NEAR(level_db, 0.0, 0.1);
    EXPECT_NEAR(zero_crossing_hz(decoded.channel(c), decoded.num_frames(), 44100), 1000.0, 1.0);
  }
}

TEST(Mp3Encoder, ChirpAndMonoRoundTripsAreSampleExactInLength) {
  const TempDir dir("encoder_chirp");
  for (int channels : {1, 2}) {
    SCOPED_TRACE(channels);
    // An odd length, not a multiple of 1152 or of any block size.
    const AudioBuffer chirp = make_chirp(44100, channels, 3.3333, 40, 16000, 0.7f);
    encode_mp3(dir / "chirp.mp3", chirp, 44100);
    auto decoder = open_decoder((dir / "chirp.mp3").string());
    ASSERT_TRUE(decoder.ok()) << decoder.error().message;
    EXPECT_EQ((*decoder)->info().channels, channels);
    EXPECT_EQ((*decoder)->info().num_frames, static_cast<std::int64_t>(chirp.num_frames()));
    EXPECT_EQ(decode_all(**decoder).num_frames(), chirp.num_frames());
  }
}

TEST(Mp3Encoder, OutputDoesNotDependOnBlockSize) {
  const AudioBuffer chirp = make_chirp(44100, 2, 2.0, 40, 16000, 0.7f);
  const auto whole = encode_to_memory(chirp, chirp.num_frames());
  EXPECT_EQ(encode_to_memory(chirp, 1), whole);
  EXPECT_EQ(encode_to_memory(chirp, 1151), whole);
  EXPECT_EQ(encode_to_memory(chirp, 20000), whole);
}

TEST(Mp3Encoder, FileLayoutIsId3ThenInfoFrameThenAudio) {
  const auto bytes = encode_to_memory(make_sine(44100, 2, 1.0, 440, 0.5f), 4096, sample_tags());
  const std::size_t tag = id3v2_tag_size(bytes);
  ASSERT_GT(tag, 0u);
  EXPECT_EQ(bytes[3], 4) << "ID3v2.4";
  const auto header = parse_mpeg_frame_header(&bytes[tag]);
  ASSERT_TRUE(header.has_value());
  EXPECT_EQ(header->bitrate_kbps, 320);
  EXPECT_EQ(header->sample_rate, 44100);
  // MPEG-1 stereo: 32 bytes of side information, then "Info" (CBR's Xing).
  EXPECT_EQ(std::memcmp(&bytes[tag + 36], "Info", 4), 0);
  EXPECT_EQ(std::memcmp(&bytes[tag + 36 + 120], "LAME", 4), 0);
  // The patched frame counts the audio frames: 1 s at 44.1 kHz plus encoder
  // delay and padding is 40 or 41 frames (LAME: 576 + 529 delay).
  const auto frames = info_frame_count(std::span(bytes).subspan(tag));
  ASSERT_TRUE(frames.has_value());
  EXPECT_NEAR(static_cast<double>(*frames), (44100.0 + 1105) / 1152, 1.5);
}

// The Xing header's quality field, which LAME fills with 100 - 10 * VBR_q - q.
std::uint32_t xing_quality(const std::vector<std::uint8_t>& bytes) {
  const std::size_t info = id3v2_tag_size(bytes) + 36;  // MPEG-1 stereo side information
  EXPECT_EQ(std::memcmp(&bytes[info], "Info", 4), 0);
  const std::uint8_t* q = &bytes[info + 116];
  return std::uint32_t{q[0]} << 24 | std::uint32_t{q[1]} << 16 | std::uint32_t{q[2]} << 8 | q[3];
}

TEST(Mp3Encoder, QualityReachesLameAndItsTagSaysWhich) {
  const AudioBuffer chirp = make_chirp(44100, 2, 3.0, 40, 16000, 0.7f);
  for (const int threads : {1, 2}) {
    EncoderSettings settings;
    settings.threads = threads;
    const auto standard = encode_to_memory(chirp, 4096, {}, settings);
    settings.quality = 7;
    const auto fast = encode_to_memory(chirp, 4096, {}, settings);
    // Same length (CBR), other bits: -q 7 quantises without noise shaping.
    EXPECT_EQ(fast.size(), standard.size()) << threads << " threads";
    EXPECT_NE(fast, standard) << threads << " threads";
    // A player's or a producer's tool reads which -q made the file.
    EXPECT_EQ(xing_quality(standard) - xing_quality(fast), 4u) << threads << " threads";
  }
}

TEST(Mp3Encoder, CheckedQualityTakesLamesLevelsAndNamesTheOption) {
  for (const double q : {0.0, 3.0, 7.0, 9.0}) {
    auto checked = checked_mp3_quality(q, "--mp3-quality");
    ASSERT_TRUE(checked.ok()) << q;
    EXPECT_EQ(*checked, static_cast<int>(q));
  }
  for (const double q : {-1.0, 9.5, 10.0, 3.5, std::nan("")}) {
    auto checked = checked_mp3_quality(q, "mp3_quality");
    ASSERT_FALSE(checked.ok()) << q;
    EXPECT_EQ(checked.error().code, Errc::invalid_argument);
    EXPECT_EQ(checked.error().message.rfind("mp3_quality must be a whole number from 0", 0), 0u)
        << checked.error().message;
  }
  // What the user gave is quoted back: the number, or the text that was not one.
  EXPECT_NE(checked_mp3_quality(12, "--mp3-quality").error().message.find("got 12 "),
            std::string::npos);
  EXPECT_NE(checked_mp3_quality(std::nan(""), "mp3_quality", "\"fast\"")
                .error()
                .message.find("got \"fast\" "),
            std::string::npos);
}

TEST(Mp3Encoder, FfprobeSees320kCbrStereoAndChapters) {
  const TempDir dir("encoder_ffprobe");
  const AudioBuffer sine = make_sine(44100, 2, 5.0, 1000.0, 0.5f);
  encode_mp3(dir / "out.mp3", sine, 44100, sample_tags());
  const std::string json = run_capture(
      "ffprobe -v error -print_format json -show_streams -show_chapters -show_format '" +
      (dir / "out.mp3").string() + "'");
  const auto probe = nlohmann::json::parse(json, nullptr, false);
  ASSERT_FALSE(probe.is_discarded()) << json;
  const auto& stream = probe["streams"][0];
  EXPECT_EQ(stream["codec_name"], "mp3");
  EXPECT_EQ(stream["sample_rate"], "44100");
  EXPECT_EQ(stream["channels"], 2);
  EXPECT_EQ(stream["bit_rate"], "320000");
  // ffmpeg reads the LAME tag in the Info frame: the stream starts after the
  // encoder delay (576 + 529 samples); without the tag start_time is 0.
  EXPECT_NEAR(std::stod(stream["start_time"].get<std::string>()), 1105.0 / 44100, 1e-5);
  // ...and takes the duration from the Info frame's frame count (whole frames).
  const double frames = std::ceil((220500.0 + 1105) / 1152);
  EXPECT_NEAR(std::stod(probe["format"]["duration"].get<std::string>()), frames * 1152 / 44100,
              1152.0 / 44100 + 1e-6);
  EXPECT_EQ(probe["format"]["tags"]["title"], "Best Of: Folge 12");
  EXPECT_EQ(probe["format"]["tags"]["album"], "Das Café");
  const auto& chapters = probe["chapters"];
  ASSERT_EQ(chapters.size(), 3u);
  EXPECT_EQ(chapters[1]["tags"]["title"], "00:12:07 Banter über Kaffee");
  EXPECT_EQ(chapters[1]["start_time"], "1.500000");
  EXPECT_EQ(chapters[2]["end_time"], "5.000000");
}

TEST(Mp3Tags, ReadBackWhatWasWritten) {
  const TempDir dir("tags");
  const Mp3Tags tags = sample_tags();
  encode_mp3(dir / "tagged.mp3", make_sine(44100, 2, 5.0, 440, 0.3f), 44100, tags);
  auto back = read_mp3_tags((dir / "tagged.mp3").string());
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->title, tags.title);
  EXPECT_EQ(back->artist, tags.artist);
  EXPECT_EQ(back->album, tags.album);
  EXPECT_EQ(back->date, tags.date);
  ASSERT_EQ(back->chapters.size(), tags.chapters.size());
  for (std::size_t i = 0; i < tags.chapters.size(); ++i) {
    EXPECT_EQ(back->chapters[i].title, tags.chapters[i].title);
    EXPECT_EQ(back->chapters[i].start_ms, tags.chapters[i].start_ms);
    EXPECT_EQ(back->chapters[i].end_ms, tags.chapters[i].end_ms);
  }
  EXPECT_EQ(read_mp3_tags((dir / "nope.mp3").string()).error().code, Errc::not_found);
}

TEST(Mp3Encoder, RejectsImpossibleSettings) {
  MemorySink sink;
  EncoderSettings settings;
  settings.channels = 3;
  auto encoder = Mp3Encoder::create(settings, {}, sink);
  ASSERT_FALSE(encoder.ok());
  EXPECT_EQ(encoder.error().code, Errc::invalid_argument);
  EXPECT_EQ(sink.size(), 0u);
  settings.channels = 2;
  settings.quality = 10;
  encoder = Mp3Encoder::create(settings, {}, sink);
  ASSERT_FALSE(encoder.ok());
  EXPECT_EQ(encoder.error().code, Errc::invalid_argument);
  EXPECT_EQ(sink.size(), 0u);
}

// LAME's psychoacoustic model asserts on NaN (psymodel.c calc_energy,
// `el >= 0`): an extreme --target-lufs made the master gain NaN and the
// process abort. Such samples are an error, for one thread and for several.
TEST(Mp3Encoder, SamplesLameWouldAbortOnAreAnError) {
  for (const int threads : {1, 2}) {
    for (const float bad : {std::numeric_limits<float>::quiet_NaN(),
                            -std::numeric_limits<float>::infinity(), 1e30f, 9.0f}) {
      MemorySink sink;
      EncoderSettings settings;
      settings.threads = threads;
      auto encoder = Mp3Encoder::create(settings, {}, sink);
      ASSERT_TRUE(encoder.ok());
      AudioBuffer audio = make_sine(44100, 2, 1.0, 440.0, 0.5f);
      audio.channel(1)[20000] = bad;
      auto encoded = (*encoder)->encode(audio.view());
      ASSERT_FALSE(encoded.ok()) << bad << " reached LAME";
      EXPECT_EQ(encoded.error().code, Errc::internal);
      EXPECT_NE(encoded.error().message.find("(channel 1, frame 20000 of the block)"),
                std::string::npos)
          << encoded.error().message;
    }
  }
}

}  // namespace
}  // namespace namix
