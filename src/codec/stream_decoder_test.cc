// Decoding an MP3 while its bytes are still arriving (a download).
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <iterator>
#include <thread>
#include <vector>

#include "codec/codec_test_fixtures.h"
#include "codec/mp3_decoder.h"
#include "core/growing_file.h"
#include "core/scoped_temp_file.h"

namespace namix {
namespace {

using testing::TempDir;

std::vector<std::uint8_t> file_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

class StreamDecoder : public ::testing::Test {
 protected:
  void SetUp() override {
    mp3_ = dir_ / "episode.mp3";
    // 7 s so the stream spans many reads and several hundred frames.
    testing::encode_mp3(mp3_, testing::make_chirp(44100, 2, 7.0, 80.0, 9000.0, 0.5f), 44100);
    bytes_ = file_bytes(mp3_);
  }

  // Feeds the MP3's bytes into a growing file in small pieces from another
  // thread, ending with `outcome` after `count` bytes, and decodes it meanwhile.
  Result<AudioBuffer> decode_while_writing(const DecodeOptions& options, std::size_t count,
                                           Result<void> outcome, bool* overlapped = nullptr) {
    ScopedTempFile sink = temp_file();
    GrowingFile file(sink, sink.path());
    auto reader = file.open_reader();
    if (!reader) return reader.error();
    std::thread writer([&] {
      for (std::size_t at = 0; at < count; at += 4096) {
        (void)file.write(std::span(bytes_).subspan(at, std::min<std::size_t>(4096, count - at)));
        std::this_thread::sleep_for(std::chrono::microseconds(300));
      }
      file.finish(outcome);
    });
    auto decoder = open_mp3_stream_decoder(std::move(*reader), options, "growing.mp3");
    if (!decoder) {
      writer.join();
      return decoder.error();
    }
    AudioBuffer all((*decoder)->info().channels, 0);
    std::vector<float> l, r;
    AudioBuffer block((*decoder)->info().channels, 1000);
    Result<AudioBuffer> result = make_error(Errc::internal, "unset");
    for (;;) {
      auto got = (*decoder)->read(block.view());
      if (!got) {
        result = got.error();
        break;
      }
      if (overlapped != nullptr && !file.finished() && !l.empty()) *overlapped = true;
      if (*got == 0) {
        AudioBuffer out(block.num_channels(), l.size());
        std::copy(l.begin(), l.end(), out.channel(0));
        if (out.num_channels() == 2) std::copy(r.begin(), r.end(), out.channel(1));
        result = std::move(out);
        break;
      }
      l.insert(l.end(), block.channel(0), block.channel(0) + *got);
      if (block.num_channels() == 2) r.insert(r.end(), block.channel(1), block.channel(1) + *got);
    }
    writer.join();
    return result;
  }

  // Where a download lands: unbuffered, so every counted byte is readable.
  ScopedTempFile temp_file() {
    auto file = ScopedTempFile::create(dir_.path().string(), "growing");
    EXPECT_TRUE(file.ok());
    return std::move(file.value());
  }

  TempDir dir_{"namix-stream-decoder"};
  std::filesystem::path mp3_;
  std::vector<std::uint8_t> bytes_;
};

void expect_identical(const AudioBuffer& a, const AudioBuffer& b) {
  ASSERT_EQ(a.num_channels(), b.num_channels());
  ASSERT_EQ(a.num_frames(), b.num_frames());
  for (int c = 0; c < a.num_channels(); ++c) {
    EXPECT_EQ(0, std::memcmp(a.channel(c), b.channel(c), a.num_frames() * sizeof(float)))
        << "channel " << c;
  }
}

TEST_F(StreamDecoder, GivesTheFileDecodersSamplesWhileTheBytesArrive) {
  const DecodeOptions full{};
  bool overlapped = false;
  auto streamed = decode_while_writing(full, bytes_.size(), {}, &overlapped);
  ASSERT_TRUE(streamed.ok()) << streamed.error().message;
  expect_identical(*streamed, testing::decode_file(mp3_, full));
  EXPECT_TRUE(overlapped) << "decoding waited for the whole file";
}

TEST_F(StreamDecoder, ReducedMonoStreamMatchesTheReducedFileDecode) {
  const DecodeOptions quarter{.rate_divisor = 4, .force_mono = true};
  auto streamed = decode_while_writing(quarter, bytes_.size(), {});
  ASSERT_TRUE(streamed.ok()) << streamed.error().message;
  expect_identical(*streamed, testing::decode_file(mp3_, quarter));
}

TEST_F(StreamDecoder, InfoPromisesTheLengthFromTheInfoFrame) {
  ScopedTempFile sink = temp_file();
  GrowingFile file(sink, sink.path());
  ASSERT_TRUE(file.write(bytes_).ok());
  file.finish({});
  auto reader = file.open_reader();
  ASSERT_TRUE(reader.ok());
  auto streamed = open_mp3_stream_decoder(std::move(*reader), {}, "whole.mp3");
  ASSERT_TRUE(streamed.ok()) << streamed.error().message;
  auto scanned = open_mp3_decoder(mp3_.string(), {});
  ASSERT_TRUE(scanned.ok());
  EXPECT_EQ((*streamed)->info().num_frames, (*scanned)->info().num_frames);
  EXPECT_EQ((*streamed)->info().sample_rate, 44100);
  EXPECT_FALSE((*streamed)->seek(0).ok());
}

TEST_F(StreamDecoder, AFailedDownloadIsReportedAsItsOwnErrorNotAsDamage) {
  auto streamed = decode_while_writing({}, bytes_.size() / 2,
                                       make_error(Errc::upstream_timeout, "the upstream stalled"));
  ASSERT_FALSE(streamed.ok());
  EXPECT_EQ(streamed.error().code, Errc::upstream_timeout);
}

TEST_F(StreamDecoder, BytesThatAreNotMp3AreRefusedWithoutHanging) {
  bytes_.assign(20000, 0x55);
  auto streamed = decode_while_writing({}, bytes_.size(), {});
  ASSERT_FALSE(streamed.ok());
  EXPECT_EQ(streamed.error().code, Errc::undecodable);
}

}  // namespace
}  // namespace namix
