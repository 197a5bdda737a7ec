#include "codec/audio_decoder.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sndfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <future>
#include <limits>
#include <random>
#include <thread>
#include <vector>

#include "codec/codec_test_fixtures.h"
#include "codec/mp3_decoder.h"
#include "core/growing_file.h"

namespace namix {
namespace {

namespace fs = std::filesystem;
using namespace namix::testing;

constexpr double kSourceSeconds = 6.0;

// Files made once for the whole suite: our CBR encode and `lame` CLI variants
// covering VBR with and without a Xing header, 48 and 32 kHz, mono, and a
// low bitrate where frames lean hardest on the bit reservoir.
class Mp3Files : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir("decoder");
    const TempDir& d = *dir_;
    const AudioBuffer chirp44 = make_chirp(44100, 2, kSourceSeconds, 50, 15000, 0.5f);
    encode_mp3(d / "cbr.mp3", chirp44, 44100);
    write_sndfile(d / "chirp44.wav", chirp44, 44100);
    run_lame("-V 4", d / "chirp44.wav", d / "vbr.mp3");
    run_lame("-V 4 -t", d / "chirp44.wav", d / "vbr_no_xing.mp3");
    write_sndfile(d / "chirp48.wav", make_chirp(48000, 2, kSourceSeconds, 50, 15000, 0.5f), 48000);
    run_lame("-b 192", d / "chirp48.wav", d / "cbr48.mp3");
    write_sndfile(d / "chirp32.wav", make_chirp(32000, 2, kSourceSeconds, 50, 12000, 0.5f), 32000);
    run_lame("-b 32 -m j --resample 32", d / "chirp32.wav", d / "cbr32_low.mp3");
    write_sndfile(d / "mono44.wav", make_chirp(44100, 1, kSourceSeconds, 50, 15000, 0.5f), 44100);
    run_lame("-m m -b 64", d / "mono44.wav", d / "mono.mp3");
  }
  static void TearDownTestSuite() { delete dir_; }
  static fs::path file(const char* name) { return *dir_ / name; }
  static TempDir* dir_;
};
TempDir* Mp3Files::dir_ = nullptr;

struct Variant {
  const char* name;
  int source_rate;
  int source_channels;
  bool vbr;
  // A LAME tag tells the decoder the encoder delay and padding; a 144-byte
  // frame (32 kbit/s at 32 kHz) is too small to carry one.
  bool exact_length;
};
const Variant kVariants[] = {
    {"cbr.mp3", 44100, 2, false, true},         {"vbr.mp3", 44100, 2, true, true},
    {"vbr_no_xing.mp3", 44100, 2, true, false}, {"cbr48.mp3", 48000, 2, false, true},
    {"cbr32_low.mp3", 32000, 2, false, false},  {"mono.mp3", 44100, 1, false, true},
};

TEST_F(Mp3Files, StreamInfoAndExactLength) {
  for (const Variant& v : kVariants) {
    SCOPED_TRACE(v.name);
    auto decoder = open_decoder(file(v.name).string());
    ASSERT_TRUE(decoder.ok()) << decoder.error().message;
    const StreamInfo info = (*decoder)->info();
    EXPECT_EQ(info.codec, "mp3");
    EXPECT_EQ(info.sample_rate, v.source_rate);
    EXPECT_EQ(info.source_sample_rate, v.source_rate);
    EXPECT_EQ(info.channels, v.source_channels);
    EXPECT_EQ(info.source_channels, v.source_channels);
    EXPECT_EQ(info.vbr, v.vbr);
    EXPECT_GT(info.bitrate_kbps, 16);
    const AudioBuffer all = decode_all(**decoder);
    EXPECT_EQ(static_cast<std::int64_t>(all.num_frames()), info.num_frames);
    const auto source_frames =
        static_cast<std::int64_t>(std::lround(kSourceSeconds * v.source_rate));
    if (v.exact_length) {
      EXPECT_EQ(info.num_frames, source_frames);
    } else {
      // Without the LAME tag the encoder delay (576 + 529) and padding stay in.
      EXPECT_NEAR(static_cast<double>(info.num_frames), static_cast<double>(source_frames), 3000);
    }
  }
}

TEST_F(Mp3Files, ReducedStreamsAreAQuarterRateAndMono) {
  for (const Variant& v : kVariants) {
    SCOPED_TRACE(v.name);
    auto full = open_decoder(file(v.name).string());
    ASSERT_TRUE(full.ok());
    auto reduced = open_decoder(file(v.name).string(), DecodeOptions{4, true});
    ASSERT_TRUE(reduced.ok()) << reduced.error().message;
    const StreamInfo& info = (*reduced)->info();
    EXPECT_EQ(info.sample_rate, v.source_rate / 4);
    EXPECT_EQ(info.channels, 1);
    EXPECT_EQ(info.source_channels, v.source_channels);
    EXPECT_NEAR(static_cast<double>(info.num_frames),
                static_cast<double>((*full)->info().num_frames) / 4.0, 1.0);
    EXPECT_EQ(static_cast<std::int64_t>(decode_all(**reduced).num_frames()), info.num_frames);
  }
}

// seek(frame) + read() must equal a linear decode from 0 at that frame, bit
// for bit, wherever the frame falls relative to MPEG frame boundaries.
void expect_seeks_exact(const fs::path& path, const DecodeOptions& options, int samples_per_frame) {
  const AudioBuffer linear = decode_file(path, options);
  auto decoder = open_decoder(path.string(), options);
  ASSERT_TRUE(decoder.ok());
  const auto total = static_cast<std::int64_t>(linear.num_frames());
  ASSERT_EQ(total, (*decoder)->info().num_frames);
  std::vector<std::int64_t> positions = {0, 1, total - 1, total};
  const int spf = samples_per_frame / options.rate_divisor;
  for (std::int64_t k = 1; k * spf < total; k += 7) {
    for (std::int64_t d : {-1, 0, 1}) positions.push_back(k * spf + d);
  }
  std::mt19937 rng(1234);
  std::uniform_int_distribution<std::int64_t> any(0, total);
  for (int i = 0; i < 60; ++i) positions.push_back(any(rng));
  std::shuffle(positions.begin(), positions.end(), rng);

  const int channels = (*decoder)->info().channels;
  AudioBuffer got(channels, 2500);
  for (const std::int64_t pos : positions) {
    if (pos < 0 || pos > total) continue;
    SCOPED_TRACE("seek to " + std::to_string(pos));
    ASSERT_TRUE((*decoder)->seek(pos).ok());
    auto n = (*decoder)->read(got.view());
    ASSERT_TRUE(n.ok());
    const auto expected_n = static_cast<std::size_t>(std::min<std::int64_t>(2500, total - pos));
    ASSERT_EQ(*n, expected_n);
    for (int c = 0; c < channels; ++c) {
      ASSERT_EQ(std::memcmp(got.channel(c), linear.channel(c) + pos, expected_n * sizeof(float)), 0)
          << "channel " << c;
    }
  }
}

TEST_F(Mp3Files, SeekIsSampleExact) {
  for (const Variant& v : kVariants) {
    SCOPED_TRACE(v.name);
    expect_seeks_exact(file(v.name), DecodeOptions{}, 1152);
  }
}

TEST_F(Mp3Files, SeekIsSampleExactInReducedStreams) {
  for (const Variant& v : kVariants) {
    SCOPED_TRACE(v.name);
    expect_seeks_exact(file(v.name), DecodeOptions{4, true}, 1152);
    expect_seeks_exact(file(v.name), DecodeOptions{2, false}, 1152);
  }
}

TEST_F(Mp3Files, Id3v2TagIsSkipped) {
  // Our encoder writes an ID3v2 tag; the decoded audio must still start at 0
  // and match the length exactly (checked above), and a big tag (cover art)
  // must not be mistaken for audio.
  const fs::path tagged = file("big_tag.mp3");
  Mp3Tags tags;
  tags.title = std::string(200000, 'x');
  encode_mp3(tagged, make_sine(44100, 2, 2.0, 1000, 0.5f), 44100, tags);
  auto decoder = open_decoder(tagged.string());
  ASSERT_TRUE(decoder.ok()) << decoder.error().message;
  EXPECT_EQ((*decoder)->info().num_frames, 88200);
  EXPECT_FALSE((*decoder)->info().vbr);
  EXPECT_EQ((*decoder)->info().bitrate_kbps, 320);
}

TEST(SndfileDecoder, WavAndFlacDecodeToTheWrittenSamples) {
  const TempDir dir("sndfile");
  const AudioBuffer sine = make_sine(48000, 2, 2.0, 1000, 0.5f);
  for (const char* name : {"sine.wav", "sine.flac"}) {
    SCOPED_TRACE(name);
    write_sndfile(dir / name, sine, 48000);
    auto decoder = open_decoder((dir / name).string());
    ASSERT_TRUE(decoder.ok()) << decoder.error().message;
    EXPECT_EQ((*decoder)->info().codec, fs::path(name).extension().string().substr(1));
    EXPECT_EQ((*decoder)->info().sample_rate, 48000);
    EXPECT_EQ((*decoder)->info().num_frames, 96000);
    const AudioBuffer all = decode_all(**decoder);
    ASSERT_EQ(all.num_frames(), 96000u);
    for (std::size_t i = 0; i < all.num_frames(); i += 97) {
      // 16-bit quantisation: one LSB of error at most.
      ASSERT_NEAR(all.channel(1)[i], sine.channel(1)[i], 1.0 / 32768) << i;
    }
    AudioBuffer got(2, 100);
    ASSERT_TRUE((*decoder)->seek(12345).ok());
    ASSERT_EQ(*(*decoder)->read(got.view()), 100u);
    EXPECT_EQ(std::memcmp(got.channel(0), all.channel(0) + 12345, 100 * sizeof(float)), 0);
  }
}

TEST(SndfileDecoder, ReducedStreamKeepsLevelAndFrequency) {
  const TempDir dir("sndfile_reduced");
  // 1 kHz in the left channel only: the mono mix is half the amplitude (-6.02 dB).
  AudioBuffer sine = make_sine(44100, 2, 3.0, 1000, 0.5f);
  std::fill_n(sine.channel(1), sine.num_frames(), 0.0f);
  write_sndfile(dir / "left.wav", sine, 44100);
  auto decoder = open_decoder((dir / "left.wav").string(), DecodeOptions{4, true});
  ASSERT_TRUE(decoder.ok()) << decoder.error().message;
  const StreamInfo& info = (*decoder)->info();
  EXPECT_EQ(info.sample_rate, 11025);
  EXPECT_EQ(info.channels, 1);
  EXPECT_EQ(info.num_frames, (132300 + 3) / 4);
  const AudioBuffer all = decode_all(**decoder);
  ASSERT_EQ(static_cast<std::int64_t>(all.num_frames()), info.num_frames);
  // Skip the first and last 0.1 s where the resampler's filter meets the edges.
  const float* mid = all.channel(0) + 1102;
  const std::size_t n = all.num_frames() - 2205;
  const double level_db = 20 * std::log10(rms(mid, n) / (0.25 / std::sqrt(2.0)));
  EXPECT_NEAR(level_db, 0.0, 0.1);
  EXPECT_NEAR(zero_crossing_hz(mid, n, 11025), 1000.0, 2.0);
  // Seeking restarts the resampler early enough to land on the same samples
  // to within float rounding.
  AudioBuffer got(1, 500);
  ASSERT_TRUE((*decoder)->seek(20000).ok());
  ASSERT_EQ(*(*decoder)->read(got.view()), 500u);
  for (std::size_t i = 0; i < 500; ++i)
    ASSERT_NEAR(got.channel(0)[i], all.channel(0)[20000 + i], 1e-4);
}

// --- Errors a user can cause: each a typed error with a message that names the file.

void expect_error(const fs::path& path, Errc code, const std::string& fragment) {
  auto decoder = open_decoder(path.string());
  ASSERT_FALSE(decoder.ok()) << path;
  EXPECT_EQ(decoder.error().code, code)
      << errc_name(decoder.error().code) << ": " << decoder.error().message;
  EXPECT_NE(decoder.error().message.find(path.filename().string()), std::string::npos)
      << decoder.error().message;
  EXPECT_NE(decoder.error().message.find(fragment), std::string::npos) << decoder.error().message;
}

void write_bytes(const fs::path& path, const std::vector<char>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::vector<char> read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<char>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::vector<char> random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<char> bytes(n);
  for (char& b : bytes) b = static_cast<char>(rng() & 0xFF);
  return bytes;
}

TEST(DecoderErrors, MissingFile) {
  expect_error(TempDir("missing") / "nope.mp3", Errc::not_found, "does not exist");
}

TEST(DecoderErrors, Directory) {
  const TempDir dir("is_dir");
  fs::create_directory(dir / "episode.mp3");
  expect_error(dir / "episode.mp3", Errc::unreadable, "is a directory");
}

TEST(DecoderErrors, EmptyFile) {
  const TempDir dir("empty");
  write_bytes(dir / "empty.mp3", {});
  expect_error(dir / "empty.mp3", Errc::undecodable, "is empty");
}

TEST(DecoderErrors, TextFile) {
  const TempDir dir("text");
  const std::string text = "This is a transcript, not audio.\n";
  std::vector<char> bytes;
  for (int i = 0; i < 200; ++i) bytes.insert(bytes.end(), text.begin(), text.end());
  write_bytes(dir / "input.txt", bytes);
  expect_error(dir / "input.txt", Errc::not_audio,
               "is not audio (no MP3 frames, WAV or FLAC header found); give an MP3, WAV or FLAC");
}

TEST(DecoderErrors, RandomBytes) {
  const TempDir dir("random");
  write_bytes(dir / "noise.mp3", random_bytes(200000, 7));
  expect_error(dir / "noise.mp3", Errc::not_audio, "is not audio");
}

// A second open of a file reuses the first one's scan (mp3_decoder.cc,
// ScanCache) and must decode exactly as the first; a file rewritten at the
// same path is scanned again, so its new length shows.
TEST_F(Mp3Files, ReopeningUsesTheScanUntilTheFileChanges) {
  const fs::path path = file("reopened.mp3");
  fs::copy_file(file("cbr.mp3"), path, fs::copy_options::overwrite_existing);
  auto first = open_decoder(path.string());
  ASSERT_TRUE(first.ok()) << first.error().message;
  auto second = open_decoder(path.string());
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ((*second)->info().num_frames, (*first)->info().num_frames);
  const AudioBuffer a = decode_all(**first);
  const AudioBuffer b = decode_all(**second);
  ASSERT_EQ(a.num_frames(), b.num_frames());
  for (int c = 0; c < a.num_channels(); ++c) {
    EXPECT_EQ(0, std::memcmp(a.channel(c), b.channel(c), a.num_frames() * sizeof(float)));
  }
  ASSERT_TRUE((*second)->seek(44100).ok());
  AudioBuffer at_1s(2, 1000);
  ASSERT_EQ(*(*second)->read(at_1s.view()), 1000u);
  EXPECT_EQ(0, std::memcmp(at_1s.channel(0), a.channel(0) + 44100, 1000 * sizeof(float)));

  encode_mp3(path, make_chirp(44100, 2, 2.5, 50, 15000, 0.5f), 44100);
  auto rewritten = open_decoder(path.string());
  ASSERT_TRUE(rewritten.ok()) << rewritten.error().message;
  EXPECT_EQ((*rewritten)->info().num_frames, 110250);
}

TEST_F(Mp3Files, TruncatedMp3) {
  // The first 40 % of a real file: the LAME tag promises 6 s (or the file
  // size estimate does when there is no tag).
  for (const char* name : {"cbr.mp3", "vbr.mp3"}) {
    SCOPED_TRACE(name);
    const std::vector<char> whole = read_bytes(file(name));
    const fs::path cut = file("cut.mp3");
    write_bytes(cut, std::vector<char>(whole.begin(),
                                       whole.begin() + static_cast<long>(whole.size() * 4 / 10)));
    expect_error(cut, Errc::undecodable, "is truncated: 2.");
    auto decoder = open_decoder(cut.string());
    ASSERT_FALSE(decoder.ok());
    EXPECT_NE(decoder.error().message.find("s of 6.0 s present; re-download the file"),
              std::string::npos)
        << decoder.error().message;
  }
}

TEST_F(Mp3Files, MostlyGarbageIsUndecodable) {
  // With an Info frame the frame count gives it away; without one, the file
  // size against the mean frame size seen while scanning.
  for (const char* name : {"cbr.mp3", "vbr_no_xing.mp3"}) {
    SCOPED_TRACE(name);
    std::vector<char> bytes = read_bytes(file(name));
    const std::vector<char> noise = random_bytes(bytes.size(), 11);
    std::copy(noise.begin() + static_cast<long>(bytes.size() / 5), noise.end(),
              bytes.begin() + static_cast<long>(bytes.size() / 5));
    write_bytes(file("garbage.mp3"), bytes);
    expect_error(file("garbage.mp3"), Errc::undecodable, "re-download");
  }
}

TEST_F(Mp3Files, QuarterRateFallsBackToHalfWhereMpg123HasNoSuchRate) {
  // MPEG-2 at 16 kHz: libmpg123 cannot synthesise 4 kHz, so the stream comes
  // at 8 kHz and info() says so.
  run_lame("-b 32 --resample 16", file("chirp44.wav"), file("mpeg2_16k.mp3"));
  auto decoder = open_decoder(file("mpeg2_16k.mp3").string(), DecodeOptions{4, true});
  ASSERT_TRUE(decoder.ok()) << decoder.error().message;
  EXPECT_EQ((*decoder)->info().source_sample_rate, 16000);
  EXPECT_EQ((*decoder)->info().sample_rate, 8000);
  EXPECT_EQ((*decoder)->info().channels, 1);
  EXPECT_EQ(static_cast<std::int64_t>(decode_all(**decoder).num_frames()),
            (*decoder)->info().num_frames);
  expect_seeks_exact(file("mpeg2_16k.mp3"), DecodeOptions{2, true}, 576);
}

TEST_F(Mp3Files, GarbageMidFileNeitherCrashesNorHangs) {
  // 3 kB of noise replacing frames in the middle: resync is fine, an error is
  // fine, a crash or a hang is not.
  for (const char* name : {"cbr.mp3", "vbr.mp3", "vbr_no_xing.mp3"}) {
    SCOPED_TRACE(name);
    std::vector<char> bytes = read_bytes(file(name));
    const std::vector<char> noise = random_bytes(3000, 13);
    std::copy(noise.begin(), noise.end(), bytes.begin() + static_cast<long>(bytes.size() / 2));
    write_bytes(file("damaged.mp3"), bytes);
    auto decoder = open_decoder(file("damaged.mp3").string());
    if (!decoder.ok()) {
      EXPECT_EQ(decoder.error().code, Errc::undecodable) << decoder.error().message;
      continue;
    }
    AudioBuffer block(decoder.value()->info().channels, 4096);
    std::int64_t total = 0;
    for (int i = 0; i < 10000; ++i) {
      auto got = (*decoder)->read(block.view());
      if (!got.ok()) {
        EXPECT_EQ(got.error().code, Errc::undecodable);
        break;
      }
      if (*got == 0) break;
      total += static_cast<std::int64_t>(*got);
    }
    EXPECT_LE(total, (*decoder)->info().num_frames);
    EXPECT_GT(total, (*decoder)->info().num_frames / 2);
  }
}

TEST(DecoderErrors, FifoIsRefusedWithoutWaitingForAWriter) {
  const TempDir dir("fifo");
  const fs::path fifo = dir / "episode.mp3";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);
  auto opening = std::async(std::launch::async, [&] { return open_decoder(fifo.string()); });
  if (opening.wait_for(std::chrono::seconds(5)) != std::future_status::ready) {
    // open() waits for a writer: be one, so that the test ends.
    const int writer = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
    if (writer >= 0) ::close(writer);
    FAIL() << "opening a FIFO hung";
  }
  auto decoder = opening.get();
  ASSERT_FALSE(decoder.ok());
  EXPECT_EQ(decoder.error().code, Errc::unreadable);
  EXPECT_NE(decoder.error().message.find("is a FIFO (named pipe), which cannot be seeked"),
            std::string::npos)
      << decoder.error().message;
}

// Reads the whole stream; the first error, if any.
std::optional<Error> read_to_the_end(AudioDecoder& decoder) {
  AudioBuffer block(decoder.info().channels, 4096);
  for (;;) {
    auto got = decoder.read(block.view());
    if (!got) return got.error();
    if (*got == 0) return std::nullopt;
  }
}

TEST(DecoderErrors, FloatWavOfNotANumberIsNotAudio) {
  const TempDir dir("nan_wav");
  for (const float bad :
       {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(), 1e30f}) {
    const fs::path path = dir / "nan.wav";
    SF_INFO info{};
    info.samplerate = 44100;
    info.channels = 2;
    info.format = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
    SNDFILE* sf = sf_open(path.c_str(), SFM_WRITE, &info);
    ASSERT_NE(sf, nullptr) << sf_strerror(nullptr);
    // Real audio for a second, then the bad numbers.
    std::vector<float> samples(2 * 44100 * 3, 0.25f);
    std::fill(samples.begin() + 2 * 44100, samples.end(), bad);
    sf_writef_float(sf, samples.data(), 44100 * 3);
    sf_close(sf);
    for (const int divisor : {1, 4}) {  // the renderer's stream and the analysis's
      auto decoder = open_decoder(path.string(), {.rate_divisor = divisor, .force_mono = true});
      ASSERT_TRUE(decoder.ok()) << decoder.error().message;
      const std::optional<Error> error = read_to_the_end(**decoder);
      ASSERT_TRUE(error.has_value()) << bad << " read as audio";
      EXPECT_EQ(error->code, Errc::undecodable);
      EXPECT_NE(error->message.find("holds samples that are not audio (NaN, infinity"),
                std::string::npos)
          << error->message;
    }
  }
}

// What a process prints on its standard error while `work` runs.
template <typename Work>
std::string stderr_of(Work work) {
  std::fflush(stderr);
  char path[] = "/tmp/namix_stderr_XXXXXX";
  const int capture = ::mkstemp(path);
  ::unlink(path);
  const int saved = ::dup(STDERR_FILENO);
  ::dup2(capture, STDERR_FILENO);
  work();
  std::fflush(stderr);
  ::dup2(saved, STDERR_FILENO);
  ::close(saved);
  std::string text(static_cast<std::size_t>(::lseek(capture, 0, SEEK_END)), '\0');
  ::pread(capture, text.data(), text.size(), 0);
  ::close(capture);
  return text;
}

class MemorySource final : public ByteSource {
 public:
  explicit MemorySource(std::vector<char> bytes) : bytes_(std::move(bytes)) {}
  Result<std::size_t> read(std::span<std::uint8_t> out) override {
    const std::size_t n = std::min(out.size(), bytes_.size() - at_);
    std::memcpy(out.data(), bytes_.data() + at_, n);
    at_ += n;
    return n;
  }

 private:
  std::vector<char> bytes_;
  std::size_t at_ = 0;
};

// Frames of 22.05 kHz inside a 44.1 kHz file (an ad stitched in from
// another encoder): libmpg123 cannot bring them to a quarter of 44.1 kHz,
// and the decoder's error says what to do about such a file.
TEST(MixedRateMp3, IsRefusedWithTheWayToConvertIt) {
  const TempDir dir("mixed_rate");
  for (const int rate : {44100, 22050}) {
    write_sndfile(dir / ("tone" + std::to_string(rate) + ".wav"),
                  make_sine(rate, 1, 3.0, 440.0, 0.5f), rate);
    run_lame(rate == 44100 ? "-b 64 -m m" : "-b 32 -m m",
             dir / ("tone" + std::to_string(rate) + ".wav"),
             dir / ("tone" + std::to_string(rate) + ".mp3"));
  }
  const fs::path mixed = dir / "mixed.mp3";
  {
    std::ofstream out(mixed, std::ios::binary);
    for (const char* part : {"tone44100.mp3", "tone22050.mp3", "tone44100.mp3"}) {
      const std::vector<char> bytes = read_bytes(dir / part);
      out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    }
  }
  std::optional<Error> failed;
  auto decoder = open_decoder(mixed.string(), {.rate_divisor = 4, .force_mono = true});
  if (!decoder.ok()) {
    failed = decoder.error();
  } else {
    AudioBuffer block(1, 4096);
    for (std::int64_t at : {std::int64_t{0}, (*decoder)->info().num_frames / 2}) {
      if (auto sought = (*decoder)->seek(at); !sought.ok()) failed = sought.error();
      for (int i = 0; i < 64 && !failed; ++i) {
        auto got = (*decoder)->read(block.view());
        if (!got.ok()) failed = got.error();
        if (!got.ok() || *got == 0) break;
      }
      if (failed) break;
    }
  }
  ASSERT_TRUE(failed.has_value());
  EXPECT_EQ(failed->code, Errc::undecodable);
  EXPECT_NE(failed->message.find("sample rate"), std::string::npos) << failed->message;
}

// libmpg123 cannot synthesise 8 kHz at a quarter of the rate; asked to, it
// prints "error: Unable to set up output format!" whatever MPG123_QUIET says.
TEST(LowRateMp3, OpensAtEveryReductionWithoutLibmpg123Output) {
  const TempDir dir("low_rate");
  for (const int rate : {8000, 16000, 11025}) {
    const fs::path wav = dir / ("tone" + std::to_string(rate) + ".wav");
    const fs::path mp3 = dir / ("tone" + std::to_string(rate) + ".mp3");
    write_sndfile(wav, make_sine(rate, 1, 2.0, 440.0, 0.5f), rate);
    run_lame("-b 32 -m m --resample " + std::to_string(rate / 1000.0), wav, mp3);
    std::vector<int> opened_rates;
    const std::string printed = stderr_of([&] {
      for (const int divisor : {4, 2, 1}) {
        auto decoder = open_decoder(mp3.string(), {.rate_divisor = divisor, .force_mono = true});
        ASSERT_TRUE(decoder.ok()) << decoder.error().message;
        opened_rates.push_back((*decoder)->info().sample_rate);
        auto stream =
            open_mp3_stream_decoder(std::make_unique<MemorySource>(read_bytes(mp3)),
                                    {.rate_divisor = divisor, .force_mono = true}, "tone.mp3");
        ASSERT_TRUE(stream.ok()) << stream.error().message;
        EXPECT_EQ((*stream)->info().sample_rate, opened_rates.back());
      }
    });
    EXPECT_EQ(printed, "") << rate << " Hz";
    // The most each rate reduces to (libmpg123's standard rates, 8 kHz at least).
    const int quarter = rate == 8000 ? 8000 : rate == 16000 ? 8000 : 11025;
    EXPECT_EQ(opened_rates, (std::vector<int>{quarter, rate == 16000 ? 8000 : rate, rate}));
  }
}

// Found by fuzz/audio_sniff_fuzzer.cc: libsndfile's Ogg Vorbis reader
// leaks 5784 bytes (vorbis_info_init) on this first page of a stream, a
// Vorbis identification header with nothing after it. Under the sanitizer
// build (make test-asan) the leak fails this test if Ogg reaches libsndfile.
TEST(DecoderErrors, OggIsRefusedBeforeLibsndfileSeesIt) {
  const TempDir dir("ogg");
  const std::vector<char> damaged_vorbis = {
      0x4f, 0x67,  0x67, 0x53,  0x00, 0x02, 0x00, 0x00, 0x00, 0x00,  0x00,  0x00,  0x00, 0x00, 0x4b,
      0x4a, -0x70, 0x1d, 0x00,  0x00, 0x00, 0x00, 0x14, 0x17, -0x4b, -0x20, 0x01,  0x1e, 0x01, 0x76,
      0x6f, 0x72,  0x62, 0x69,  0x73, 0x00, 0x00, 0x00, 0x00, 0x01,  0x44,  -0x54, 0x00, 0x00, 0x00,
      0x00, 0x00,  0x00, -0x80, 0x38, 0x01, 0x00, 0x00, 0x00, 0x00,  0x00,  -0x48, 0x01};
  write_bytes(dir / "damaged.ogg", damaged_vorbis);
  expect_error(dir / "damaged.ogg", Errc::not_audio,
               "is an Ogg stream; namix takes MP3, WAV or FLAC");
  // A whole, valid Ogg Vorbis file is refused the same way.
  SF_INFO info{};
  info.samplerate = 44100;
  info.channels = 1;
  info.format = SF_FORMAT_OGG | SF_FORMAT_VORBIS;
  SNDFILE* sf = sf_open((dir / "valid.ogg").c_str(), SFM_WRITE, &info);
  ASSERT_NE(sf, nullptr) << sf_strerror(nullptr);
  std::vector<float> tone(44100, 0.25f);
  sf_writef_float(sf, tone.data(), static_cast<sf_count_t>(tone.size()));
  sf_close(sf);
  expect_error(dir / "valid.ogg", Errc::not_audio, "is an Ogg stream");
}

// FLAC's STREAMINFO (RFC 9639 §8.2) ends in the stream's sample count: 36
// bits, 0 when the encoder did not know it (a FLAC written to a pipe). It
// sits in the 8 bytes from offset 18, after "fLaC", the block header, the
// block and frame sizes, the rate, channels and bits per sample.
void set_flac_total_samples(const fs::path& path, std::uint64_t total) {
  std::vector<char> bytes = read_bytes(path);
  ASSERT_GT(bytes.size(), 26u);
  std::uint64_t word = 0;
  for (int i = 0; i < 8; ++i) word = word << 8 | static_cast<unsigned char>(bytes[18 + i]);
  word = (word & ~((std::uint64_t{1} << 36) - 1)) | total;
  for (int i = 7; i >= 0; --i, word >>= 8) bytes[18 + i] = static_cast<char>(word & 0xff);
  write_bytes(path, bytes);
}

// Found by fuzz/audio_sniff_fuzzer.cc: with no count libsndfile reports
// SF_COUNT_MAX frames, and the decoder's rounding overflowed (UBSan:
// signed integer overflow); a count far beyond the file's bytes made the
// analysis reserve for hours of features it would never get.
TEST(SndfileDecoder, FlacWithoutASampleCountIsCountedAndALyingOneRefused) {
  const TempDir dir("flac_length");
  const fs::path flac = dir / "tone.flac";
  write_sndfile(flac, make_sine(16000, 1, 1.0, 440.0, 0.5f), 16000);
  set_flac_total_samples(flac, 0);
  for (const int divisor : {1, 2}) {
    auto decoder = open_decoder(flac.string(), {.rate_divisor = divisor, .force_mono = true});
    ASSERT_TRUE(decoder.ok()) << decoder.error().message;
    EXPECT_EQ((*decoder)->info().num_frames, 16000 / divisor);
    EXPECT_EQ(decode_all(**decoder).num_frames(), static_cast<std::size_t>(16000 / divisor));
  }
  set_flac_total_samples(flac, (std::uint64_t{1} << 36) - 1);
  expect_error(flac, Errc::undecodable, "claims 68719476735 samples in");
}

TEST(DecoderErrors, SixChannelWav) {
  const TempDir dir("surround");
  write_sndfile_channels(dir / "surround.wav", 6, 48000, 0.5);
  expect_error(dir / "surround.wav", Errc::not_audio, "has 6 channels");
}

}  // namespace
}  // namespace namix
