#include "codec/codec_test_fixtures.h"

#include <gtest/gtest.h>
#include <sndfile.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <numbers>
#include <vector>

#include "core/atomic_file.h"

namespace namix::testing {

namespace fs = std::filesystem;

TempDir::TempDir(const std::string& name)
    // The process id keeps parallel ctest runs (one process per test) apart.
    : path_(fs::temp_directory_path() /
            ("namix_codec_" + name + "_" + std::to_string(::getpid()))) {
  fs::remove_all(path_);
  fs::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

AudioBuffer make_sine(int sample_rate, int channels, double seconds, double frequency_hz,
                      float amplitude) {
  const auto n = static_cast<std::size_t>(std::lround(seconds * sample_rate));
  AudioBuffer b(channels, n);
  for (std::size_t i = 0; i < n; ++i) {
    const double t = static_cast<double>(i) / sample_rate;
    const auto v =
        static_cast<float>(amplitude * std::sin(2.0 * std::numbers::pi * frequency_hz * t));
    for (int c = 0; c < channels; ++c) b.channel(c)[i] = v;
  }
  return b;
}

AudioBuffer make_chirp(int sample_rate, int channels, double seconds, double f0_hz, double f1_hz,
                       float amplitude) {
  const auto n = static_cast<std::size_t>(std::lround(seconds * sample_rate));
  AudioBuffer b(channels, n);
  const double k = std::log(f1_hz / f0_hz) / seconds;
  for (std::size_t i = 0; i < n; ++i) {
    const double t = static_cast<double>(i) / sample_rate;
    const double phase = 2.0 * std::numbers::pi * f0_hz * (std::exp(k * t) - 1.0) / k;
    for (int c = 0; c < channels; ++c) {
      b.channel(c)[i] = static_cast<float>(amplitude * std::sin(phase + c * std::numbers::pi / 2));
    }
  }
  return b;
}

void encode_mp3(const fs::path& path, const AudioBuffer& audio, int sample_rate,
                const Mp3Tags& tags) {
  auto file = AtomicFile::create(path.string());
  ASSERT_TRUE(file.ok()) << file.error().message;
  EncoderSettings settings;
  settings.sample_rate = sample_rate;
  settings.channels = audio.num_channels();
  auto encoder = Mp3Encoder::create(settings, tags, *file);
  ASSERT_TRUE(encoder.ok()) << encoder.error().message;
  AudioBuffer copy = audio;
  // Odd block sizes: the encoder must not care how its input is cut.
  const std::size_t block = 3001;
  for (std::size_t first = 0; first < copy.num_frames(); first += block) {
    const std::size_t n = std::min(block, copy.num_frames() - first);
    ASSERT_TRUE((*encoder)->encode(copy.view().slice(first, n)).ok());
  }
  ASSERT_TRUE((*encoder)->finish().ok());
  ASSERT_TRUE(file->commit().ok());
}

void write_sndfile(const fs::path& path, const AudioBuffer& audio, int sample_rate) {
  SF_INFO info{};
  info.samplerate = sample_rate;
  info.channels = audio.num_channels();
  info.format = path.extension() == ".flac" ? (SF_FORMAT_FLAC | SF_FORMAT_PCM_16)
                                            : (SF_FORMAT_WAV | SF_FORMAT_PCM_16);
  SNDFILE* sf = sf_open(path.c_str(), SFM_WRITE, &info);
  ASSERT_NE(sf, nullptr) << sf_strerror(nullptr);
  const auto ch = static_cast<std::size_t>(audio.num_channels());
  std::vector<float> interleaved(audio.num_frames() * ch);
  for (std::size_t i = 0; i < audio.num_frames(); ++i) {
    for (std::size_t c = 0; c < ch; ++c)
      interleaved[i * ch + c] = audio.channel(static_cast<int>(c))[i];
  }
  EXPECT_EQ(sf_writef_float(sf, interleaved.data(), static_cast<sf_count_t>(audio.num_frames())),
            static_cast<sf_count_t>(audio.num_frames()));
  sf_close(sf);
}

void write_sndfile_channels(const fs::path& path, int channels, int sample_rate, double seconds) {
  SF_INFO info{};
  info.samplerate = sample_rate;
  info.channels = channels;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  SNDFILE* sf = sf_open(path.c_str(), SFM_WRITE, &info);
  ASSERT_NE(sf, nullptr) << sf_strerror(nullptr);
  const auto frames = static_cast<std::size_t>(seconds * sample_rate);
  std::vector<float> interleaved(frames * static_cast<std::size_t>(channels), 0.1f);
  sf_writef_float(sf, interleaved.data(), static_cast<sf_count_t>(frames));
  sf_close(sf);
}

void run_lame(const std::string& args, const fs::path& in, const fs::path& out) {
  const std::string command =
      "lame --quiet " + args + " '" + in.string() + "' '" + out.string() + "'";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
}

AudioBuffer decode_all(AudioDecoder& decoder, std::size_t block_frames) {
  const StreamInfo& info = decoder.info();
  AudioBuffer all(info.channels, static_cast<std::size_t>(info.num_frames) + block_frames);
  std::size_t total = 0;
  for (;;) {
    if (total + block_frames > all.num_frames()) break;
    auto got = decoder.read(all.view().slice(total, block_frames));
    EXPECT_TRUE(got.ok()) << got.error().message;
    if (!got.ok() || *got == 0) break;
    total += *got;
  }
  AudioBuffer exact(info.channels, total);
  for (int c = 0; c < info.channels; ++c) {
    std::copy_n(all.channel(c), total, exact.channel(c));
  }
  return exact;
}

AudioBuffer decode_file(const fs::path& path, const DecodeOptions& options) {
  auto decoder = open_decoder(path.string(), options);
  EXPECT_TRUE(decoder.ok()) << decoder.error().message;
  if (!decoder.ok()) return AudioBuffer();
  return decode_all(**decoder);
}

double rms(const float* x, std::size_t n) {
  double sum = 0;
  for (std::size_t i = 0; i < n; ++i) sum += static_cast<double>(x[i]) * x[i];
  return n > 0 ? std::sqrt(sum / static_cast<double>(n)) : 0.0;
}

double zero_crossing_hz(const float* x, std::size_t n, int sample_rate) {
  std::size_t crossings = 0;
  for (std::size_t i = 1; i < n; ++i) {
    if ((x[i - 1] < 0) != (x[i] < 0)) ++crossings;
  }
  return static_cast<double>(crossings) / 2.0 / (static_cast<double>(n) / sample_rate);
}

}  // namespace namix::testing
