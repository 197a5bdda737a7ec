// Themes are data: one TOML file per theme in themes/ (and user themes from
// --themes-dir / NAMIX_THEMES_DIR) saying what to select and how it sounds.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/episode_analysis.h"
#include "core/error.h"
#include "select/processing_stage.h"

namespace namix {

// A phrase that speaks for a theme when a transcript has it ("executive
// producer" for Donation Nation), and how much one occurrence counts.
struct ThemePhrase {
  std::string text;
  double weight = 1.0;
  // The phrase introduces what follows ("roll the tape"): it counts for the
  // next speaker's words, not for its own.
  bool announces = false;
};

// What a theme listens for in the words. Without a transcript, or with no
// phrases, the theme chooses by sound alone.
struct ThemeWords {
  std::vector<ThemePhrase> phrases;
  // Each sentence ending in '!' counts this much: a transcript marks a
  // shouted line so.
  double exclamation_weight = 0.0;
  // 0..1: how far the words outweigh the sound. At 0 they only fill in
  // segment text and matches.
  double weight = 0.0;
  bool empty() const { return phrases.empty() && exclamation_weight <= 0.0; }
};

struct ThemeSelection {
  std::map<BlockKind, double> kind_weights;  // what the theme selects, and how much it wants each
  std::map<BlockKind, double> fallback_weights;  // used when the episode lacks theme material
  bool spread_over_episode = false;              // Best Of: draw on the whole show
  double min_segment_s = 4.0;
  double max_segment_s = 30.0;
  double target_segment_s = 12.0;  // preferred length of one segment when choosing
  double engagement_weight = 0.0;  // 0..1: how much Block::engagement counts in the score
  bool cut_inside_music = false;   // music may be cut anywhere (crossfaded), speech never
  ThemeWords words;
};

struct Theme {
  std::string name;  // "Best Of"
  std::string slug;  // "best-of"
  std::string description;
  ThemeSelection selection;
  std::vector<ProcessingStage> segment_chain;  // per segment, before assembly
  std::vector<ProcessingStage> master_chain;   // on the assembled mix, before loudness + limiter
  double crossfade_s = 0.3;
  double target_lufs = -16.0;
  double true_peak_ceiling_dbtp = -1.0;
  std::string chain_summary() const;  // "HPF 80 Hz → peak 200 Hz +2 dB Q0.7 → …"
};

// Parses one theme file's text; `file` names it in errors ("file: field: reason").
Result<Theme> parse_theme_toml(std::string_view text, const std::string& file);

// "banter", "rant", ... -> BlockKind; nullopt for any other name. Kept in select/
// so that the theme files can be read without the analysis implementation.
std::optional<BlockKind> parse_block_kind(std::string_view name);
const char* kind_name(BlockKind kind);

class ThemeCatalog {
 public:
  // Loads every *.toml in `dir`; a malformed file is an error naming file, field and reason.
  static Result<ThemeCatalog> load_dir(const std::string& dir);
  // Adds (or overrides, by name) the themes of another directory.
  Result<void> add_dir(const std::string& dir);
  // Case-insensitive; the error lists the valid names.
  Result<const Theme*> find(const std::string& name) const;
  const std::vector<Theme>& themes() const { return themes_; }

 private:
  std::vector<Theme> themes_;
};

// The directory holding the shipped themes: $NAMIX_THEMES_DIR if set, else the
// installed/in-tree themes/ directory found relative to the executable.
std::string default_themes_dir();

// The catalog the CLI and the server use: the themes of default_themes_dir()
// plus, when `user_dir` is not empty (--themes-dir), the themes there,
// replacing shipped ones of the same name. A malformed file in either fails.
Result<ThemeCatalog> load_theme_catalog(const std::string& user_dir);

}  // namespace namix
