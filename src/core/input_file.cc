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
  return static_cast<std::uint64_t>(st.st_size);
}

}  // namespace namix
