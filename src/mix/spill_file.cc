#include "mix/spill_file.h"

#include <sys/types.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace namix {

SpillFile::~SpillFile() {
  if (fd_ >= 0) ::close(fd_);
}

Result<void> SpillFile::open() {
  std::error_code ec;
  dir_ = std::filesystem::temp_directory_path(ec).string();
  if (ec) {
    return make_error(Errc::io_error, "no temporary directory for the mix (" + ec.message() +
                                          "); set TMPDIR to a writable directory");
  }
  std::string templ = dir_ + "/namix-mix-XXXXXX";
  fd_ = ::mkstemp(templ.data());
  // The messages name TMPDIR, not its path: a server's paths are its own.
  if (fd_ < 0) {
    return make_error(write_failure_code(errno),
                      std::string("cannot create a temporary file in TMPDIR: ") +
                          std::strerror(errno) + "; set TMPDIR to a writable directory");
  }
  ::unlink(templ.c_str());
  return {};
}

Result<void> SpillFile::write_at(std::size_t first, AudioView block, std::vector<float>& scratch) {
  assert(block.num_channels == kChannels);
  scratch.resize(2 * block.num_frames);
  const float* l = block[0];
  const float* r = block[1];
  for (std::size_t i = 0; i < block.num_frames; ++i) {
    scratch[2 * i] = l[i];
    scratch[2 * i + 1] = r[i];
  }
  const char* p = reinterpret_cast<const char*>(scratch.data());
  std::size_t len = scratch.size() * sizeof(float);
  auto offset = static_cast<off_t>(2 * first * sizeof(float));
  while (len > 0) {
    const ssize_t w = ::pwrite(fd_, p, len, offset);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return io_failure("write");
    p += w;
    len -= static_cast<std::size_t>(w);
    offset += static_cast<off_t>(w);
  }
  return {};
}

Result<std::size_t> SpillFile::read_at(std::size_t first, AudioView block,
                                       std::vector<float>& scratch) const {
  assert(block.num_channels == kChannels);
  scratch.resize(2 * block.num_frames);
  char* bytes = reinterpret_cast<char*>(scratch.data());
  const std::size_t want = 2 * block.num_frames * sizeof(float);
  const auto offset = static_cast<off_t>(2 * first * sizeof(float));
  std::size_t got = 0;
  while (got < want) {
    const ssize_t r = ::pread(fd_, bytes + got, want - got, offset + static_cast<off_t>(got));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return io_failure("read");
    if (r == 0) break;
    got += static_cast<std::size_t>(r);
  }
  const std::size_t n = got / (2 * sizeof(float));
  const float* in = scratch.data();
  for (std::size_t i = 0; i < n; ++i) {
    block[0][i] = in[2 * i];
    block[1][i] = in[2 * i + 1];
  }
  return n;
}

Error SpillFile::io_failure(const char* what) const {
  return make_error(write_failure_code(errno),
                    std::string("cannot ") + what +
                        " the temporary mix in TMPDIR: " + std::strerror(errno) +
                        " (it needs 1.3 GB per hour of episode; set TMPDIR to a disk with room)");
}

}  // namespace namix
