#include "mix/spill_file.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/audio_buffer.h"

namespace namix {
namespace {

// Points TMPDIR at `dir` for one test and puts the old value back after.
class TmpdirOverride {
 public:
  explicit TmpdirOverride(const std::string& dir) {
    if (const char* old = std::getenv("TMPDIR")) old_ = old;
    ::setenv("TMPDIR", dir.c_str(), 1);
  }
  ~TmpdirOverride() {
    if (old_) {
      ::setenv("TMPDIR", old_->c_str(), 1);
    } else {
      ::unsetenv("TMPDIR");
    }
  }

 private:
  std::optional<std::string> old_;
};

// A fresh, empty directory under the system's temporary directory.
std::filesystem::path fresh_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

float sample_at(int channel, std::size_t frame) {
  return static_cast<float>(frame) * (channel == 0 ? 1.0f : -0.5f) + 0.25f;
}

// Two threads write alternate blocks (out of order within each thread); a
// read from anywhere gives back exactly what was written, and one that
// runs past the end stops there.
TEST(SpillFile, ReadsBackWhatTwoThreadsWrote) {
  const auto dir = fresh_dir("namix-spill-file-test");
  const TmpdirOverride tmpdir(dir.string());
  SpillFile spill;
  ASSERT_TRUE(spill.open().ok());
  // Unlinked at once: nothing is left to clean up, whatever happens next.
  EXPECT_TRUE(std::filesystem::is_empty(dir));

  constexpr std::size_t kBlock = 1000, kBlocks = 9, kFrames = kBlock * kBlocks;
  auto writer = [&](std::size_t parity) {
    AudioBuffer block(2, kBlock);
    std::vector<float> scratch;
    for (std::size_t b = kBlocks; b-- > 0;) {
      if (b % 2 != parity) continue;
      for (int c = 0; c < 2; ++c)
        for (std::size_t i = 0; i < kBlock; ++i) block.channel(c)[i] = sample_at(c, b * kBlock + i);
      ASSERT_TRUE(spill.write_at(b * kBlock, block.view(), scratch).ok());
    }
  };
  std::thread other(writer, 1);
  writer(0);
  other.join();
  spill.set_frames(kFrames);
  EXPECT_EQ(spill.frames(), kFrames);

  AudioBuffer back(2, 2500);
  std::vector<float> scratch;
  auto got = spill.read_at(1234, back.view(), scratch);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(*got, 2500u);
  for (int c = 0; c < 2; ++c)
    for (std::size_t i = 0; i < 2500; ++i) ASSERT_EQ(back.channel(c)[i], sample_at(c, 1234 + i));

  got = spill.read_at(kFrames - 100, back.view(), scratch);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, 100u);
  for (std::size_t i = 0; i < 100; ++i)
    EXPECT_EQ(back.channel(1)[i], sample_at(1, kFrames - 100 + i));
  got = spill.read_at(kFrames, back.view(), scratch);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, 0u);
  std::filesystem::remove_all(dir);
}

TEST(SpillFile, MissingTemporaryDirectoryIsAnErrorThatSaysWhatToSet) {
  const TmpdirOverride tmpdir("/nonexistent/namix-spill-file-test");
  SpillFile spill;
  auto opened = spill.open();
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, Errc::io_error);
  EXPECT_NE(opened.error().message.find("set TMPDIR"), std::string::npos) << opened.error().message;
}

}  // namespace
}  // namespace namix
