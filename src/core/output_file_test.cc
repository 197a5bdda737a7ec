#include "core/output_file.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "core/test_dir.h"

namespace namix {
namespace {

namespace fs = std::filesystem;

using testing::fresh_dir;

std::vector<char> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_with_patch(OutputFile& out) {
  ASSERT_TRUE(out.write(std::vector<std::uint8_t>{1, 2, 3, 4, 5}).ok());
  ASSERT_TRUE(out.write_at(0, std::vector<std::uint8_t>{9}).ok());
  EXPECT_EQ(out.size(), 5u);
}

// Standard output pointed somewhere else for the life of this object.
class StdoutRedirect {
 public:
  explicit StdoutRedirect(int fd) : saved_(::dup(STDOUT_FILENO)) {
    std::fflush(stdout);
    ::dup2(fd, STDOUT_FILENO);
  }
  ~StdoutRedirect() {
    std::fflush(stdout);
    ::dup2(saved_, STDOUT_FILENO);
    ::close(saved_);
  }

 private:
  int saved_;
};

TEST(OutputFile, ARegularFileIsReplacedWholeOnCommit) {
  const fs::path dir = fresh_dir("namix_output_file_regular");
  std::ofstream(dir / "mix.mp3") << "old";
  auto out = OutputFile::open((dir / "mix.mp3").string(), "--out");
  ASSERT_TRUE(out.ok()) << out.error().message;
  write_with_patch(*out);
  EXPECT_EQ(read_file(dir / "mix.mp3"), (std::vector<char>{'o', 'l', 'd'}));
  ASSERT_TRUE(out->commit().ok());
  EXPECT_EQ(read_file(dir / "mix.mp3"), (std::vector<char>{9, 2, 3, 4, 5}));
  EXPECT_EQ(out->destination(), fs::absolute(dir / "mix.mp3").string());
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
  fs::remove_all(dir);
}

TEST(OutputFile, ASymbolicLinkStaysAndItsTargetIsReplaced) {
  const fs::path dir = fresh_dir("namix_output_file_link");
  std::ofstream(dir / "target.mp3") << "old";
  fs::create_symlink("target.mp3", dir / "link.mp3");
  auto out = OutputFile::open((dir / "link.mp3").string(), "--out");
  ASSERT_TRUE(out.ok()) << out.error().message;
  write_with_patch(*out);
  ASSERT_TRUE(out->commit().ok());
  EXPECT_TRUE(fs::is_symlink(dir / "link.mp3"));
  EXPECT_EQ(read_file(dir / "target.mp3"), (std::vector<char>{9, 2, 3, 4, 5}));
  fs::remove_all(dir);
}

TEST(OutputFile, ALinkToNothingIsRefused) {
  const fs::path dir = fresh_dir("namix_output_file_dangling");
  fs::create_symlink("missing/target.mp3", dir / "link.mp3");
  auto out = OutputFile::open((dir / "link.mp3").string(), "--out");
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.error().message.find("symbolic link to nothing"), std::string::npos);
  EXPECT_TRUE(fs::is_symlink(dir / "link.mp3"));
  fs::remove_all(dir);
}

TEST(OutputFile, ASocketIsRefused) {
  const fs::path dir = fresh_dir("namix_output_file_socket");
  const fs::path path = dir / "mix.sock";
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  ASSERT_EQ(::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr), 0);
  auto out = OutputFile::open(path.string(), "--out");
  ::close(fd);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, Errc::invalid_argument);
  EXPECT_NE(out.error().message.find("--out " + path.string() + " is a socket"), std::string::npos)
      << out.error().message;
  fs::remove_all(dir);
}

TEST(OutputFile, AMissingDirectoryFailsAtOpen) {
  auto out = OutputFile::open("/nonexistent-namix-dir/result.json", "--json");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, Errc::io_error);
}

TEST(OutputFile, DashIsStandardOutputWrittenOnlyOnCommit) {
  int pipe_fds[2];
  ASSERT_EQ(::pipe2(pipe_fds, O_NONBLOCK), 0);
  std::vector<char> got(16);
  ssize_t before_commit = 0;
  ssize_t after_commit = 0;
  {
    StdoutRedirect redirect(pipe_fds[1]);
    auto out = OutputFile::open("-", "--out");
    ASSERT_TRUE(out.ok()) << out.error().message;
    EXPECT_TRUE(out->to_stdout());
    write_with_patch(*out);
    before_commit = ::read(pipe_fds[0], got.data(), got.size());
    ASSERT_TRUE(out->commit().ok());
    after_commit = ::read(pipe_fds[0], got.data(), got.size());
  }
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
  EXPECT_EQ(before_commit, -1) << "bytes reached standard output before commit";
  ASSERT_EQ(after_commit, 5);
  got.resize(5);
  EXPECT_EQ(got, (std::vector<char>{9, 2, 3, 4, 5}));
}

TEST(OutputFile, DashOnATerminalIsRefused) {
  const int terminal = ::posix_openpt(O_RDWR | O_NOCTTY);
  if (terminal < 0 || ::grantpt(terminal) != 0 || ::unlockpt(terminal) != 0) {
    GTEST_SKIP() << "no pseudo-terminal here";
  }
  const int replica = ::open(::ptsname(terminal), O_RDWR | O_NOCTTY);
  ASSERT_GE(replica, 0);
  {
    StdoutRedirect redirect(replica);
    auto out = OutputFile::open("-", "--out");
    ASSERT_FALSE(out.ok());
    EXPECT_NE(out.error().message.find("terminal"), std::string::npos);
  }
  ::close(replica);
  ::close(terminal);
}

}  // namespace
}  // namespace namix
