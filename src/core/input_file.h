// The checks every input file named by a user goes through before it is
// opened, with the messages they get.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"

namespace namix {

// The size of the regular file at `path`. Errc::not_found when nothing is
// there; Errc::unreadable when it cannot be examined, is a directory (the
// message then ending with `give`, what to give instead, e.g. "give an MP3,
// WAV or FLAC file") or is not a regular file (a FIFO, a device, a socket):
// nothing is opened, so nothing waits for a writer.
Result<std::uint64_t> input_file_size(const std::string& path, std::string_view give);

}  // namespace namix
