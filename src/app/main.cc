// namix: the command-line entry point. Subcommands live in cmd_*.cc.
#include <iostream>

#include "app/command.h"
#include "app/exit_code.h"

namespace namix {

std::vector<CommandRegistration>& command_registry() {
  static std::vector<CommandRegistration> registry;
  return registry;
}

int exit_code_for(Errc code) {
  switch (code) {
    case Errc::invalid_argument:
      return kExitUsage;
    case Errc::not_found:
    case Errc::unreadable:
      return kExitInput;
    case Errc::not_audio:
    case Errc::undecodable:
    case Errc::too_large:
      return kExitNotAudio;
    case Errc::unavailable:
    case Errc::storage_full:
    case Errc::io_error:
      return kExitOutput;
    case Errc::unauthorized:
    case Errc::forbidden:
    case Errc::throttled:
    case Errc::upstream_failed:
    case Errc::upstream_timeout:
      return kExitNetwork;
    case Errc::internal:
      return kExitInternal;
  }
  return kExitInternal;
}

int report_error(const Error& error) {
  std::cerr << "namix: " << error.message << "\n";
  return exit_code_for(error.code);
}

}  // namespace namix

int main(int argc, char** argv) {
  CLI::App app{"namix: automatic podcast mixer"};
  app.require_subcommand(1);
  std::vector<std::function<int()>> runners;
  for (auto& registration : namix::command_registry()) runners.push_back(registration.add(app));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : namix::kExitUsage;
  }
  for (std::size_t i = 0; i < runners.size(); ++i) {
    if (app.get_subcommands().empty()) break;
    if (runners[i]) {
      // Each registration returns a runner that checks whether its own
      // subcommand was chosen and returns -1 when it was not.
      const int rc = runners[i]();
      if (rc >= 0) return rc;
    }
  }
  return namix::kExitUsage;
}
