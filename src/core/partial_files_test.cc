#include "core/partial_files.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <vector>

#include "core/atomic_file.h"
#include "core/test_dir.h"

namespace namix {
namespace {

namespace fs = std::filesystem;

using testing::fresh_dir;

TEST(PartialFiles, AProcessHasEndedOnceReapedAndNeverWhileAlive) {
  EXPECT_FALSE(process_has_ended(::getpid()));
  EXPECT_TRUE(process_has_ended(0)) << "0 names no process";
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ASSERT_GT(child, 0);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(process_has_ended(child));
}

TEST(PartialFiles, AnAtomicFileIsRegisteredUntilCommitted) {
  const fs::path dir = fresh_dir("namix_partial_registry");
  auto kept = AtomicFile::create((dir / "kept.bin").string());
  auto dropped = AtomicFile::create((dir / "dropped.bin").string());
  ASSERT_TRUE(kept.ok() && dropped.ok());
  ASSERT_TRUE(kept->commit().ok());
  EXPECT_TRUE(fs::exists(dropped->temp_path()));
  EXPECT_EQ(remove_partial_files(), 1u);
  EXPECT_FALSE(fs::exists(dropped->temp_path()));
  EXPECT_TRUE(fs::exists(dir / "kept.bin"));
  fs::remove_all(dir);
}

void interrupted_while_writing(const fs::path& dir, int signal_number) {
  exit_on_signals_leaving_no_partial_files("the test was", "nothing left");
  auto file = AtomicFile::create((dir / "out.bin").string());
  if (!file.ok() || !file->write(std::vector<std::uint8_t>(4096, 7)).ok()) std::_Exit(2);
  ::kill(::getpid(), signal_number);
  ::pause();  // the signal thread ends the process
  std::_Exit(3);
}

TEST(PartialFilesDeathTest, SigintAndSigtermExitWithoutTheTemporaryFile) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const fs::path dir = fresh_dir("namix_partial_signal");
  EXPECT_EXIT(interrupted_while_writing(dir, SIGINT), ::testing::ExitedWithCode(130),
              "namix: the test was interrupted by SIGINT; nothing left");
  EXPECT_EXIT(interrupted_while_writing(dir, SIGTERM), ::testing::ExitedWithCode(143),
              "interrupted by SIGTERM");
  EXPECT_TRUE(fs::is_empty(dir));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace namix
