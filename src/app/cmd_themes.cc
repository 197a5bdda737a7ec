// `namix themes [--themes-dir D]`: lists the themes a mix can use, with what
// each selects and how it sounds.
#include <iostream>
#include <memory>

#include "app/command.h"
#include "app/exit_code.h"
#include "select/theme.h"

namespace namix {
namespace {

std::function<int()> add_themes(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("themes", "List the mix themes and their processing chains");
  auto themes_dir = std::make_shared<std::string>();
  cmd->add_option("--themes-dir", *themes_dir,
                  "Directory of extra *.toml themes (override shipped ones by name)");
  return [cmd, themes_dir]() -> int {
    if (!cmd->parsed()) return -1;
    auto catalog = load_theme_catalog(*themes_dir);
    if (!catalog) return report_error(catalog.error());
    for (const Theme& t : catalog->themes()) {
      std::cout << t.name << " (" << t.slug << ")\n"
                << "  " << t.description << "\n"
                << "  chain: " << t.chain_summary() << "\n";
    }
    return kExitOk;
  };
}

}  // namespace
NAMIX_REGISTER_COMMAND(themes, add_themes);
}  // namespace namix
