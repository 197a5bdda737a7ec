// For tests: an empty directory of the test's own under the system's temp
// directory, named after the test and the process (tests run in parallel).
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>

namespace namix::testing {

inline std::filesystem::path fresh_dir(const std::string& name) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / (name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace namix::testing
