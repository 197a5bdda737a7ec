// Loading the theme catalogue the same way in every command: the shipped
// themes, then the user's directory (--themes-dir, else NAMIX_USER_THEMES).
#pragma once

#include <string>

#include "select/theme.h"

namespace namix {

inline Result<ThemeCatalog> load_theme_catalog(const std::string& extra_dir) {
  auto catalog = ThemeCatalog::load_dir(default_themes_dir());
  if (!catalog.ok()) return catalog.error();
  if (!extra_dir.empty()) {
    if (auto added = catalog->add_dir(extra_dir); !added.ok()) return added.error();
  }
  return catalog;
}

}  // namespace namix
