// Theme files: the TOML parser and every field check behind
// parse_theme_toml() (`--themes-dir` and NAMIX_THEMES_DIR read them).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "select/theme.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto theme = namix::parse_theme_toml(text, "fuzz.toml");
  if (!theme.ok()) {
    NAMIX_FUZZ_CHECK(theme.error().message.find('\n') == std::string_view::npos);
    return 0;
  }
  (void)theme->chain_summary();
  return 0;
}
