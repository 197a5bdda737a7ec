// Fixtures the codec tests make for themselves in a temporary directory:
// synthetic signals, MP3s from our encoder and from the `lame` CLI, WAV/FLAC
// from libsndfile.
#pragma once

#include <filesystem>
#include <string>

#include "codec/audio_decoder.h"
#include "codec/mp3_encoder.h"
#include "core/audio_buffer.h"

namespace namix::testing {

// A new empty directory under the system temp dir, removed with the object.
class TempDir {
 public:
  explicit TempDir(const std::string& name);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// amplitude * sin(2 pi f t) in every channel.
AudioBuffer make_sine(int sample_rate, int channels, double seconds, double frequency_hz,
                      float amplitude);
// Exponential sweep from f0 to f1, the right channel a quarter period later.
AudioBuffer make_chirp(int sample_rate, int channels, double seconds, double f0_hz, double f1_hz,
                       float amplitude);

// Encodes with namix's Mp3Encoder (320 kbit/s CBR at `sample_rate`).
void encode_mp3(const std::filesystem::path& path, const AudioBuffer& audio, int sample_rate,
                const Mp3Tags& tags = {});
// Writes 16-bit PCM WAV (or FLAC when the name ends in .flac) with libsndfile.
void write_sndfile(const std::filesystem::path& path, const AudioBuffer& audio, int sample_rate);
void write_sndfile_channels(const std::filesystem::path& path, int channels, int sample_rate,
                            double seconds);
// Runs `lame --quiet <args> in out`; fails the test when lame does.
void run_lame(const std::string& args, const std::filesystem::path& in,
              const std::filesystem::path& out);

// Decodes the whole stream in odd-sized blocks (MP3 frames are 1152).
AudioBuffer decode_all(AudioDecoder& decoder, std::size_t block_frames = 1000);
AudioBuffer decode_file(const std::filesystem::path& path, const DecodeOptions& options = {});

double rms(const float* x, std::size_t n);
// Zero crossings per second / 2, a frequency estimate for a clean sine.
double zero_crossing_hz(const float* x, std::size_t n, int sample_rate);

}  // namespace namix::testing
