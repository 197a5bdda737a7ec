#include "core/input_file.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

namespace namix {

Result<std::uint64_t> input_file_size(const std::string& path, std::string_view give) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) {
      return make_error(Errc::not_found, path + " does not exist; check the path");
    }
    return make_error(Errc::unreadable, path + " cannot be read (" + std::strerror(errno) +
                                            "); check its permissions");
  }
  if (S_ISDIR(st.st_mode)) {
    return make_error(Errc::unreadable, path + " is a directory; " + std::string(give));
  }
  // Inputs are read more than once (decoding scans, then seeks and reads
  // spans in parallel), and opening a FIFO would wait for a writer that may
  // never come.
  if (!S_ISREG(st.st_mode)) {
    const char* kind = S_ISFIFO(st.st_mode)   ? "a FIFO (named pipe)"
                       : S_ISCHR(st.st_mode)  ? "a character device"
                       : S_ISSOCK(st.st_mode) ? "a socket"
                                              : "not a regular file";
    return make_error(Errc::unreadable, path + " is " + kind +
                                            ", which cannot be seeked; save it to a file and "
                                            "give that");
  }
  return static_cast<std::uint64_t>(st.st_size);
}

}  // namespace namix
