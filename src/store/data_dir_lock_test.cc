#include "store/data_dir_lock.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "core/test_dir.h"

namespace namix {
namespace {

namespace fs = std::filesystem;

// A data directory that does not exist yet (acquire() makes it).
fs::path fresh_dir(const char* name) {
  fs::path dir = testing::fresh_dir(name);
  fs::remove(dir);
  return dir;
}

TEST(DataDirLock, SecondHolderIsRefusedWithTheFirstOnesName) {
  const fs::path dir = fresh_dir("namix_lock_twice");
  auto first = DataDirLock::acquire(dir.string());
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_TRUE(fs::is_directory(dir));
  // flock() locks belong to an open file description, so a second open in
  // this process conflicts exactly as a second process would.
  auto second = DataDirLock::acquire(dir.string());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, Errc::unavailable);
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  const std::string holder = "pid " + std::to_string(::getpid()) + " on " + host + ", since ";
  EXPECT_NE(second.error().message.find(holder), std::string::npos) << second.error().message;
  EXPECT_NE(second.error().message.find("--data-dir"), std::string::npos);
  fs::remove_all(dir);
}

TEST(DataDirLock, ReleasedWithItsHolder) {
  const fs::path dir = fresh_dir("namix_lock_release");
  {
    auto first = DataDirLock::acquire(dir.string());
    ASSERT_TRUE(first.ok());
  }
  auto again = DataDirLock::acquire(dir.string());
  ASSERT_TRUE(again.ok()) << again.error().message;
  std::ifstream in(again->path());
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str().rfind("pid " + std::to_string(::getpid()) + " on ", 0), 0u) << text.str();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace namix
