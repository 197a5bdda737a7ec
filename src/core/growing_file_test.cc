#include "core/growing_file.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>
#include <vector>

#include "core/scoped_temp_file.h"

namespace namix {
namespace {

// The download's own temporary file: unbuffered writes, so a byte counted by
// GrowingFile is already visible to pread().
ScopedTempFile temp_file() {
  auto file =
      ScopedTempFile::create(std::filesystem::temp_directory_path().string(), "namix-growing-test");
  EXPECT_TRUE(file.ok());
  return std::move(file.value());
}

std::vector<std::uint8_t> pattern(std::size_t n) {
  std::vector<std::uint8_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>((i * 131) >> 3);
  return v;
}

Result<std::vector<std::uint8_t>> read_all(ByteSource& source) {
  std::vector<std::uint8_t> got;
  std::vector<std::uint8_t> buf(777);
  for (;;) {
    auto n = source.read(buf);
    if (!n) return n.error();
    if (*n == 0) return got;
    got.insert(got.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*n));
  }
}

TEST(GrowingFile, ReaderSeesEveryByteWhileTheWriterIsStillWriting) {
  ScopedTempFile sink = temp_file();
  GrowingFile file(sink, sink.path());
  auto reader = file.open_reader();
  ASSERT_TRUE(reader.ok());
  const auto data = pattern(50'000);
  std::thread writer([&] {
    for (std::size_t at = 0; at < data.size(); at += 5'000) {
      ASSERT_TRUE(file.write(std::span(data).subspan(at, 5'000)).ok());
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    // Give the reader time to catch up before the end is announced, so the
    // test shows reading overlapped writing.
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    file.finish({});
  });
  auto got = read_all(**reader);
  writer.join();
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ(*got, data);
  EXPECT_EQ(file.size(), data.size());
  EXPECT_TRUE(file.wait_finished().ok());
}

TEST(GrowingFile, AWriterErrorReachesTheReaderInsteadOfAShortStream) {
  ScopedTempFile sink = temp_file();
  GrowingFile file(sink, sink.path());
  auto reader = file.open_reader();
  ASSERT_TRUE(reader.ok());
  const auto data = pattern(1000);
  std::thread writer([&] {
    ASSERT_TRUE(file.write(data).ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    file.finish(make_error(Errc::upstream_timeout, "the upstream stalled"));
  });
  auto got = read_all(**reader);
  writer.join();
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code, Errc::upstream_timeout);
  EXPECT_EQ(file.wait_finished().error().code, Errc::upstream_timeout);
}

TEST(GrowingFile, CancelWakesABlockedReaderAndFailsTheNextWrite) {
  ScopedTempFile sink = temp_file();
  GrowingFile file(sink, sink.path());
  auto reader = file.open_reader();
  ASSERT_TRUE(reader.ok());
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    file.cancel("the mix gave up");
  });
  std::vector<std::uint8_t> buf(10);
  auto n = (*reader)->read(buf);  // blocks: nothing written yet
  canceller.join();
  ASSERT_FALSE(n.ok());
  EXPECT_NE(n.error().message.find("gave up"), std::string::npos);
  EXPECT_FALSE(file.write(pattern(10)).ok());
  EXPECT_TRUE(file.finished());
}

TEST(GrowingFile, EndOfAFinishedFileIsZero) {
  ScopedTempFile sink = temp_file();
  GrowingFile file(sink, sink.path());
  ASSERT_TRUE(file.write(pattern(10)).ok());
  file.finish({});
  auto reader = file.open_reader();
  ASSERT_TRUE(reader.ok());
  auto got = read_all(**reader);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->size(), 10u);
}

}  // namespace
}  // namespace namix
