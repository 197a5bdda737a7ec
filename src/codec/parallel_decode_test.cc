#include "codec/parallel_decode.h"

#include <gtest/gtest.h>

#include <cstring>
#include <mutex>
#include <set>

#include "codec/codec_test_fixtures.h"

namespace namix {
namespace {

using namespace namix::testing;

TEST(PlanSpans, CoverTheStreamContiguouslyOnFrameBoundaries) {
  const std::int64_t total = 10'000'000 + 77;
  const auto spans = plan_spans(total, 1152, 3);
  ASSERT_EQ(spans.size(), 3u);
  std::int64_t next = 0;
  for (const SpanPlan& s : spans) {
    EXPECT_EQ(s.first_frame, next);
    EXPECT_EQ(s.first_frame % 1152, 0);
    EXPECT_GT(s.num_frames, total / 4);
    next = s.first_frame + s.num_frames;
  }
  EXPECT_EQ(next, total);
  EXPECT_EQ(plan_spans(1000, 1152, 4).size(), 1u);  // too short to split
}

// The spans laid end to end must equal a serial decode bit for bit.
void expect_parallel_equals_serial(const std::filesystem::path& path, const DecodeOptions& options,
                                   int threads) {
  const AudioBuffer serial = decode_file(path, options);
  AudioBuffer parallel(serial.num_channels(), serial.num_frames());
  std::vector<int> written(serial.num_frames(), 0);
  std::mutex spans_mutex;
  std::set<std::size_t> spans_seen;
  auto info = decode_spans_parallel(
      path.string(), options, threads, [&](std::size_t span, std::int64_t first, AudioView audio) {
        {
          const std::lock_guard lock(spans_mutex);
          spans_seen.insert(span);
        }
        const auto at = static_cast<std::size_t>(first);
        if (at + audio.num_frames > parallel.num_frames()) {
          return Result<void>(make_error(Errc::internal, "span past the end"));
        }
        for (int c = 0; c < audio.num_channels; ++c) {
          std::memcpy(parallel.channel(c) + at, audio[c], audio.num_frames * sizeof(float));
        }
        for (std::size_t i = 0; i < audio.num_frames; ++i) ++written[at + i];
        return Result<void>();
      });
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(info->num_frames, static_cast<std::int64_t>(serial.num_frames()));
  EXPECT_EQ(spans_seen.size(), static_cast<std::size_t>(threads));
  for (std::size_t i = 0; i < written.size(); ++i) ASSERT_EQ(written[i], 1) << i;
  for (int c = 0; c < serial.num_channels(); ++c) {
    EXPECT_EQ(
        std::memcmp(parallel.channel(c), serial.channel(c), serial.num_frames() * sizeof(float)),
        0);
  }
}

TEST(ParallelDecode, SpansAreSampleExactAgainstSerialDecode) {
  const TempDir dir("parallel");
  // 20 s so that three spans fit; VBR and mono from the lame CLI as well.
  const AudioBuffer chirp = make_chirp(44100, 2, 20.0, 40, 16000, 0.6f);
  encode_mp3(dir / "cbr.mp3", chirp, 44100);
  write_sndfile(dir / "chirp.wav", chirp, 44100);
  run_lame("-V 2", dir / "chirp.wav", dir / "vbr.mp3");
  run_lame("-m m -b 96 --resample 48", dir / "chirp.wav", dir / "mono48.mp3");
  for (const char* name : {"cbr.mp3", "vbr.mp3", "mono48.mp3"}) {
    SCOPED_TRACE(name);
    expect_parallel_equals_serial(dir / name, DecodeOptions{}, 2);
    expect_parallel_equals_serial(dir / name, DecodeOptions{}, 3);
    expect_parallel_equals_serial(dir / name, DecodeOptions{4, true}, 2);
  }
  expect_parallel_equals_serial(dir / "chirp.wav", DecodeOptions{}, 2);
}

TEST(ParallelDecode, CallbackErrorStopsAndIsReturned) {
  const TempDir dir("parallel_error");
  encode_mp3(dir / "a.mp3", make_sine(44100, 2, 10.0, 440, 0.5f), 44100);
  auto info = decode_spans_parallel(
      (dir / "a.mp3").string(), {}, 2, [](std::size_t, std::int64_t first, AudioView) {
        if (first > 100000) {
          return Result<void>(make_error(Errc::io_error, "disk full"));
        }
        return Result<void>();
      });
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.error().code, Errc::io_error);
  EXPECT_EQ(info.error().message, "disk full");
}

}  // namespace
}  // namespace namix
