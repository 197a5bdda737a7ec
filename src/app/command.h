// Subcommands register themselves: each cmd_*.cc defines one
// NAMIX_REGISTER_COMMAND, and app/CMakeLists.txt compiles every cmd_*.cc into
// the namix executable, so adding a command touches no shared file.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace namix {

// Exit codes (README, "Exit codes"):
inline constexpr int kExitOk = 0;
inline constexpr int kExitInternal = 1;  // a bug in namix
inline constexpr int kExitUsage = 2;     // bad arguments: duration, theme, options
inline constexpr int kExitInput = 3;     // input missing or unreadable
inline constexpr int kExitNotAudio = 4;  // not audio, truncated, corrupt, too large
inline constexpr int kExitOutput = 5;    // output or storage failed, service unavailable
inline constexpr int kExitNetwork = 6;   // fetching a URL failed or was refused

struct CommandRegistration {
  // Adds the subcommand to `app`; returns the function to run when it was chosen.
  std::function<std::function<int()>(CLI::App& app)> add;
};

std::vector<CommandRegistration>& command_registry();

struct CommandRegistrar {
  explicit CommandRegistrar(CommandRegistration r) { command_registry().push_back(std::move(r)); }
};

}  // namespace namix

#define NAMIX_REGISTER_COMMAND(ident, fn)                        \
  static const ::namix::CommandRegistrar namix_command_##ident { \
    ::namix::CommandRegistration { fn }                          \
  }
