#include "core/atomic_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "core/test_dir.h"

namespace namix {
namespace {

namespace fs = std::filesystem;

using testing::fresh_dir;

TEST(AtomicFile, CommitRenamesIntoPlaceWithPatchedBytes) {
  const fs::path dir = fresh_dir("namix_atomic_commit");
  auto file = AtomicFile::create((dir / "out.bin").string());
  ASSERT_TRUE(file.ok());
  const std::vector<std::uint8_t> bytes = {1, 2, 3, 4, 5};
  ASSERT_TRUE(file->write(bytes).ok());
  const std::vector<std::uint8_t> patch = {9, 9};
  ASSERT_TRUE(file->write_at(1, patch).ok());
  EXPECT_FALSE(fs::exists(dir / "out.bin"));
  ASSERT_TRUE(file->commit().ok());
  std::ifstream in(dir / "out.bin", std::ios::binary);
  std::vector<char> got((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(got, (std::vector<char>{1, 9, 9, 4, 5}));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
}

TEST(AtomicFile, AbandonedFileLeavesNothing) {
  const fs::path dir = fresh_dir("namix_atomic_abandon");
  {
    auto file = AtomicFile::create((dir / "out.bin").string());
    ASSERT_TRUE(file.ok());
    ASSERT_TRUE(file->write(std::vector<std::uint8_t>(1000, 7)).ok());
  }
  EXPECT_TRUE(fs::is_empty(dir));
}

TEST(AtomicFile, MissingDirectoryIsAClearError) {
  auto file = AtomicFile::create("/nonexistent-namix-dir/out.bin");
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.error().code, Errc::io_error);
  EXPECT_NE(file.error().message.find("/nonexistent-namix-dir/out.bin"), std::string::npos);
}

TEST(AtomicFile, MessagesNameTheFileAsTheCallerDoes) {
  auto file = AtomicFile::create("/nonexistent-namix-dir/out.bin", "mixes/1/a.mp3");
  ASSERT_FALSE(file.ok());
  EXPECT_NE(file.error().message.find("mixes/1/a.mp3"), std::string::npos);
  EXPECT_EQ(file.error().message.find("nonexistent-namix-dir"), std::string::npos)
      << file.error().message;
}

TEST(WriteFailureCode, AFullDiskOrQuotaIsStorageFull) {
  EXPECT_EQ(write_failure_code(ENOSPC), Errc::storage_full);
  EXPECT_EQ(write_failure_code(EDQUOT), Errc::storage_full);
  EXPECT_EQ(write_failure_code(EIO), Errc::io_error);
  EXPECT_EQ(write_failure_code(EACCES, Errc::unavailable), Errc::unavailable);
  EXPECT_EQ(errc_name(Errc::storage_full), "storage_full");
}

}  // namespace
}  // namespace namix
