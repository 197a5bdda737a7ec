#include "select/theme.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "core/ascii_text.h"
#include "select/loudness_target.h"
#include "select/word_tokens.h"

namespace namix {
namespace {

namespace fs = std::filesystem;

constexpr std::array<std::pair<const char*, BlockKind>, 7> kKindNames = {{
    {"banter", BlockKind::banter},
    {"rant", BlockKind::rant},
    {"clip", BlockKind::clip},
    {"donation", BlockKind::donation},
    {"jingle", BlockKind::jingle},
    {"music", BlockKind::music},
    {"silence", BlockKind::silence},
}};

std::string slug_of(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

std::string format_number(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

// Collects the first problem found, worded "file: field: reason".
class ThemeReader {
 public:
  explicit ThemeReader(std::string file) : file_(std::move(file)) {}

  // `field` is made of the file's own keys, which TOML lets hold anything
  // (a quoted key may be "a\nb"), so it is quoted as user input.
  Error fail(const std::string& field, const std::string& reason) const {
    return make_error(Errc::invalid_argument, file_ + ": " + quoted_input(field) + ": " + reason);
  }

  Result<std::string> string_field(const toml::table& t, const std::string& key,
                                   const std::string& path, bool required) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) {
      if (required) return fail(path, "missing (a string is required)");
      return std::string();
    }
    auto v = n->value_exact<std::string>();
    if (!v) return fail(path, "must be a string");
    if (required && v->empty()) return fail(path, "must not be empty");
    return *v;
  }

  // Integers are accepted where numbers are expected ("ratio = 3").
  Result<std::optional<double>> number_field(const toml::table& t, const std::string& key,
                                             const std::string& path, double min,
                                             double max) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) return std::optional<double>();
    if (!n->is_number()) return fail(path, "must be a number");
    double v = n->value<double>().value_or(0.0);
    if (!std::isfinite(v) || v < min || v > max) {
      return fail(path, "must be between " + format_number(min) + " and " + format_number(max) +
                            " (got " + format_number(v) + ")");
    }
    return std::optional<double>(v);
  }

  Result<std::optional<bool>> bool_field(const toml::table& t, const std::string& key,
                                         const std::string& path) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) return std::optional<bool>();
    auto v = n->value_exact<bool>();
    if (!v) return fail(path, "must be true or false");
    return std::optional<bool>(*v);
  }

  Result<std::map<BlockKind, double>> kind_table(const toml::table& t, const std::string& key,
                                                 const std::string& path) const {
    std::map<BlockKind, double> out;
    const toml::node* n = t.get(key);
    if (n == nullptr) return out;
    const toml::table* kinds = n->as_table();
    if (kinds == nullptr) return fail(path, "must be a table of kind = weight, e.g. {rant = 1.0}");
    for (const auto& [k, v] : *kinds) {
      std::string kind_key(k.str());
      auto kind = parse_block_kind(kind_key);
      if (!kind) {
        return fail(path + "." + kind_key,
                    "unknown kind (valid: banter, rant, clip, donation, jingle, music, silence)");
      }
      if (!v.is_number()) return fail(path + "." + kind_key, "weight must be a number");
      double w = v.value<double>().value_or(0.0);
      if (!std::isfinite(w) || w < 0.0 || w > 10.0) {
        return fail(path + "." + kind_key,
                    "weight must be between 0 and 10 (got " + format_number(w) + ")");
      }
      out[*kind] = w;
    }
    return out;
  }

  Result<std::vector<ProcessingStage>> chain(const toml::table& t, const std::string& key) const {
    std::vector<ProcessingStage> out;
    const toml::node* n = t.get(key);
    if (n == nullptr) return out;
    const toml::array* arr = n->as_array();
    if (arr == nullptr) return fail(key, "must be an array of tables ([[" + key + "]])");
    for (std::size_t i = 0; i < arr->size(); ++i) {
      std::string path = key + "[" + std::to_string(i) + "]";
      const toml::table* st = (*arr)[i].as_table();
      if (st == nullptr) return fail(path, "must be a table with a type");
      auto type = string_field(*st, "type", path + ".type", true);
      if (!type) return type.error();
      const StageSpec* spec = find_stage_spec(*type);
      if (spec == nullptr) {
        std::string valid;
        for (const auto& s : stage_specs())
          valid += (valid.empty() ? "" : ", ") + std::string(s.name);
        return fail(path + ".type",
                    "unknown stage type '" + quoted_input(*type) + "' (valid: " + valid + ")");
      }
      ProcessingStage stage;
      stage.type = spec->type;
      // A key the stage does not declare is refused, so that a typo
      // ("treshold_db") cannot fall back to a default unheard.
      for (const auto& [k, v] : *st) {
        (void)v;
        std::string_view pk = k.str();
        if (pk == "type" || spec->find(pk) != nullptr) continue;
        std::string valid;
        for (const auto& p : spec->params)
          valid += (valid.empty() ? "" : ", ") + std::string(p.key);
        return fail(path + "." + std::string(pk),
                    "unknown parameter for " + *type + " (valid: " + valid + ")");
      }
      for (const auto& p : spec->params) {
        auto v = number_field(*st, p.key, path + "." + p.key, p.min, p.max);
        if (!v) return v.error();
        if (!*v) {
          if (p.required) return fail(path + "." + p.key, "missing (required for " + *type + ")");
          continue;
        }
        if (p.use == ParamUse::count && std::floor(**v) != **v) {
          return fail(path + "." + p.key,
                      "must be a whole number (got " + format_number(**v) + ")");
        }
        stage.values[p.param] = **v;
      }
      out.push_back(std::move(stage));
    }
    return out;
  }

  // [words]: weight, exclamation_weight and phrases = [{text, weight, announces}].
  Result<ThemeWords> theme_words(const toml::table& root) const {
    ThemeWords out;
    const toml::node* n = root.get("words");
    if (n == nullptr) return out;
    const toml::table* t = n->as_table();
    if (t == nullptr) return fail("words", "must be a table ([words])");
    static const std::set<std::string> keys = {"weight", "exclamation_weight", "phrases"};
    for (const auto& [k, v] : *t) {
      (void)v;
      if (keys.count(std::string(k.str())) == 0) {
        return fail("words." + std::string(k.str()), "unknown field");
      }
    }
    auto weight = number_field(*t, "weight", "words.weight", 0.0, 1.0);
    if (!weight) return weight.error();
    out.weight = weight->value_or(0.5);
    auto exclaimed = number_field(*t, "exclamation_weight", "words.exclamation_weight", 0.0, 10.0);
    if (!exclaimed) return exclaimed.error();
    out.exclamation_weight = exclaimed->value_or(0.0);
    const toml::node* pn = t->get("phrases");
    if (pn == nullptr) return out;
    const toml::array* arr = pn->as_array();
    if (arr == nullptr) {
      return fail("words.phrases", "must be an array of {text = \"...\", weight = 1.0}");
    }
    std::set<std::string> seen;
    for (std::size_t i = 0; i < arr->size(); ++i) {
      const std::string path = "words.phrases[" + std::to_string(i) + "]";
      const toml::table* pt = (*arr)[i].as_table();
      if (pt == nullptr) return fail(path, "must be a table {text = \"...\", weight = 1.0}");
      for (const auto& [k, v] : *pt) {
        (void)v;
        std::string_view pk = k.str();
        if (pk != "text" && pk != "weight" && pk != "announces") {
          return fail(path + "." + std::string(pk),
                      "unknown field (valid: text, weight, announces)");
        }
      }
      ThemePhrase phrase;
      auto text = string_field(*pt, "text", path + ".text", true);
      if (!text) return text.error();
      phrase.text = *text;
      const std::size_t words = selection::phrase_word_count(phrase.text);
      if (words == 0 || words > 8) {
        return fail(path + ".text", "must hold 1 to 8 words of letters or digits (got '" +
                                        quoted_input(phrase.text) + "')");
      }
      if (!seen.insert(ascii_lower(phrase.text)).second) {
        return fail(path + ".text", "'" + quoted_input(phrase.text) + "' is listed twice");
      }
      auto w = number_field(*pt, "weight", path + ".weight", 0.0, 10.0);
      if (!w) return w.error();
      phrase.weight = w->value_or(1.0);
      auto announces = bool_field(*pt, "announces", path + ".announces");
      if (!announces) return announces.error();
      phrase.announces = announces->value_or(false);
      out.phrases.push_back(std::move(phrase));
    }
    return out;
  }

  Result<Theme> read(const toml::table& root) const {
    static const std::set<std::string> top_keys = {"name",         "slug",
                                                   "description",  "crossfade_s",
                                                   "target_lufs",  "true_peak_ceiling_dbtp",
                                                   "selection",    "segment_chain",
                                                   "master_chain", "words"};
    for (const auto& [k, v] : root) {
      (void)v;
      if (top_keys.count(std::string(k.str())) == 0) {
        return fail(std::string(k.str()), "unknown field");
      }
    }
    Theme theme;
    auto name = string_field(root, "name", "name", true);
    if (!name) return name.error();
    theme.name = *name;
    auto slug = string_field(root, "slug", "slug", false);
    if (!slug) return slug.error();
    theme.slug = slug->empty() ? slug_of(theme.name) : *slug;
    if (theme.slug.empty() || theme.slug != slug_of(theme.slug)) {
      return fail("slug", "must be lower-case letters, digits and dashes (got '" +
                              quoted_input(theme.slug) + "')");
    }
    auto description = string_field(root, "description", "description", false);
    if (!description) return description.error();
    theme.description = *description;

    auto crossfade = number_field(root, "crossfade_s", "crossfade_s", 0.0, 5.0);
    if (!crossfade) return crossfade.error();
    if (*crossfade) theme.crossfade_s = **crossfade;
    auto lufs = number_field(root, "target_lufs", "target_lufs", kMinTargetLufs, kMaxTargetLufs);
    if (!lufs) return lufs.error();
    if (*lufs) theme.target_lufs = **lufs;
    auto ceiling =
        number_field(root, "true_peak_ceiling_dbtp", "true_peak_ceiling_dbtp", -12.0, 0.0);
    if (!ceiling) return ceiling.error();
    if (*ceiling) theme.true_peak_ceiling_dbtp = **ceiling;

    const toml::node* sel_node = root.get("selection");
    if (sel_node == nullptr) return fail("selection", "missing (a table with kinds is required)");
    const toml::table* sel = sel_node->as_table();
    if (sel == nullptr) return fail("selection", "must be a table");
    static const std::set<std::string> sel_keys = {
        "kinds",         "fallback",         "spread_over_episode", "min_segment_s",
        "max_segment_s", "target_segment_s", "engagement_weight",   "cut_inside_music"};
    for (const auto& [k, v] : *sel) {
      (void)v;
      if (sel_keys.count(std::string(k.str())) == 0) {
        return fail("selection." + std::string(k.str()), "unknown field");
      }
    }
    ThemeSelection& s = theme.selection;
    auto kinds = kind_table(*sel, "kinds", "selection.kinds");
    if (!kinds) return kinds.error();
    s.kind_weights = *kinds;
    if (std::none_of(s.kind_weights.begin(), s.kind_weights.end(),
                     [](const auto& kw) { return kw.second > 0.0; })) {
      return fail("selection.kinds", "must give at least one kind a weight above 0");
    }
    auto fallback = kind_table(*sel, "fallback", "selection.fallback");
    if (!fallback) return fallback.error();
    s.fallback_weights = *fallback;
    auto spread = bool_field(*sel, "spread_over_episode", "selection.spread_over_episode");
    if (!spread) return spread.error();
    if (*spread) s.spread_over_episode = **spread;
    auto music_cuts = bool_field(*sel, "cut_inside_music", "selection.cut_inside_music");
    if (!music_cuts) return music_cuts.error();
    if (*music_cuts) s.cut_inside_music = **music_cuts;

    struct NumberKey {
      const char* key;
      double min, max;
      double* out;
    };
    NumberKey numbers[] = {
        {"min_segment_s", 0.5, 600.0, &s.min_segment_s},
        {"max_segment_s", 1.0, 3600.0, &s.max_segment_s},
        {"target_segment_s", 1.0, 3600.0, &s.target_segment_s},
        {"engagement_weight", 0.0, 1.0, &s.engagement_weight},
    };
    for (const auto& nk : numbers) {
      auto v = number_field(*sel, nk.key, std::string("selection.") + nk.key, nk.min, nk.max);
      if (!v) return v.error();
      if (*v) *nk.out = **v;
    }
    if (s.min_segment_s > s.max_segment_s) {
      return fail("selection.min_segment_s",
                  "must not exceed max_segment_s (" + format_number(s.max_segment_s) + ")");
    }
    s.target_segment_s = std::clamp(s.target_segment_s, s.min_segment_s, s.max_segment_s);

    auto words = theme_words(root);
    if (!words) return words.error();
    s.words = std::move(*words);

    auto seg_chain = chain(root, "segment_chain");
    if (!seg_chain) return seg_chain.error();
    theme.segment_chain = *seg_chain;
    auto master = chain(root, "master_chain");
    if (!master) return master.error();
    theme.master_chain = *master;
    return theme;
  }

 private:
  std::string file_;
};

std::string stage_summary(const ProcessingStage& st) {
  using P = StageParam;
  auto num = [&](P p) { return format_number(st.value(p)); };
  auto signed_db = [&](P p) {
    double g = st.value(p);
    return (g >= 0 ? "+" : "") + format_number(g) + " dB";
  };
  auto hz = [&](P p) {
    double f = st.value(p);
    if (f >= 1000.0) return format_number(f / 1000.0) + " kHz";
    return format_number(f) + " Hz";
  };
  switch (st.type) {
    case StageType::hpf:
      return "HPF " + hz(P::cutoff_hz);
    case StageType::lpf:
      return "LPF " + hz(P::cutoff_hz);
    case StageType::peaking:
      return "peak " + hz(P::frequency_hz) + " " + signed_db(P::gain_db) + " Q" + num(P::q);
    case StageType::low_shelf:
      return "low shelf " + hz(P::frequency_hz) + " " + signed_db(P::gain_db);
    case StageType::high_shelf:
      return "high shelf " + hz(P::frequency_hz) + " " + signed_db(P::gain_db);
    case StageType::compressor:
      return "compressor " + num(P::threshold_db) + " dB " + num(P::ratio) + ":1";
    case StageType::reverb:
      return "reverb room " + num(P::room_size) + " wet " + num(P::wet);
    case StageType::drive:
      return signed_db(P::gain_db) + " drive";
    case StageType::dehum: {
      double f = st.value(P::fundamental_hz);
      return f > 0 ? "de-hum " + format_number(f) + " Hz" : std::string("de-hum");
    }
    case StageType::leveller:
      return "leveller";
  }
  return st.name();
}

Result<Theme> load_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return make_error(Errc::unreadable, path.string() + ": cannot be read; check its permissions");
  }
  std::stringstream buf;
  buf << in.rdbuf();
  return parse_theme_toml(buf.str(), path.string());
}

Result<std::vector<Theme>> load_themes_in(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return make_error(Errc::not_found, "themes directory '" + dir +
                                           "' does not exist; pass --themes-dir or set "
                                           "NAMIX_THEMES_DIR to a directory of *.toml themes");
  }
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".toml") files.push_back(entry.path());
  }
  if (ec) return make_error(Errc::unreadable, "themes directory '" + dir + "' cannot be listed");
  std::sort(files.begin(), files.end());
  std::vector<Theme> themes;
  for (const auto& f : files) {
    auto theme = load_file(f);
    if (!theme) return theme.error();
    for (const auto& t : themes) {
      if (ascii_lower(t.name) == ascii_lower(theme->name) || t.slug == theme->slug) {
        return make_error(Errc::invalid_argument, f.string() + ": name: theme '" + theme->name +
                                                      "' is defined twice in " + dir +
                                                      "; rename one of them");
      }
    }
    themes.push_back(std::move(*theme));
  }
  return themes;
}

}  // namespace

std::optional<BlockKind> parse_block_kind(std::string_view name) {
  for (const auto& [n, k] : kKindNames) {
    if (name == n) return k;
  }
  return std::nullopt;
}

const char* kind_name(BlockKind kind) {
  for (const auto& [n, k] : kKindNames) {
    if (k == kind) return n;
  }
  return "unknown";
}

Result<Theme> parse_theme_toml(std::string_view text, const std::string& file) {
  ThemeReader reader(file);
  toml::table root;
  try {
    root = toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    // toml++ quotes the text it stopped at, line breaks included.
    return make_error(Errc::invalid_argument, file + ":" + std::to_string(where.line) +
                                                  ": syntax: " + quoted_input(e.description()));
  }
  return reader.read(root);
}

std::string Theme::chain_summary() const {
  std::string out;
  for (const auto* chain : {&segment_chain, &master_chain}) {
    for (const auto& st : *chain) {
      if (!out.empty()) out += " → ";
      out += stage_summary(st);
    }
  }
  if (!out.empty()) out += " → ";
  out += "loudness " + format_number(target_lufs) + " LUFS → limiter " +
         format_number(true_peak_ceiling_dbtp) + " dBTP";
  return out;
}

Result<ThemeCatalog> ThemeCatalog::load_dir(const std::string& dir) {
  auto themes = load_themes_in(dir);
  if (!themes) return themes.error();
  if (themes->empty()) {
    return make_error(Errc::not_found,
                      "themes directory '" + dir + "' holds no *.toml theme files");
  }
  ThemeCatalog catalog;
  catalog.themes_ = std::move(*themes);
  return catalog;
}

Result<void> ThemeCatalog::add_dir(const std::string& dir) {
  auto themes = load_themes_in(dir);
  if (!themes) return themes.error();
  for (auto& t : *themes) {
    auto same = std::find_if(themes_.begin(), themes_.end(), [&](const Theme& have) {
      return ascii_lower(have.name) == ascii_lower(t.name) || have.slug == t.slug;
    });
    if (same != themes_.end()) {
      *same = std::move(t);
    } else {
      themes_.push_back(std::move(t));
    }
  }
  return {};
}

Result<const Theme*> ThemeCatalog::find(const std::string& name) const {
  std::string want = ascii_lower(name);
  for (const auto& t : themes_) {
    if (ascii_lower(t.name) == want || t.slug == want) return &t;
  }
  std::string valid;
  for (const auto& t : themes_) valid += (valid.empty() ? "" : ", ") + t.name;
  return make_error(Errc::invalid_argument,
                    "unknown theme '" + quoted_input(name) + "'; valid themes: " + valid);
}

std::string default_themes_dir() {
  if (const char* env = std::getenv("NAMIX_THEMES_DIR"); env != nullptr && *env != '\0') {
    return env;
  }
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    // build/src/app/namix -> <repo>/themes; <prefix>/bin/namix -> <prefix>/share/namix/themes
    for (const fs::path& candidate :
         {exe.parent_path() / "../../../themes", exe.parent_path() / "../share/namix/themes"}) {
      if (fs::is_directory(candidate, ec)) return candidate.lexically_normal().string();
    }
  }
  return "/usr/share/namix/themes";
}

Result<ThemeCatalog> load_theme_catalog(const std::string& user_dir) {
  auto catalog = ThemeCatalog::load_dir(default_themes_dir());
  if (!catalog) {
    // An install without shipped themes still works from a user directory.
    if (catalog.error().code != Errc::not_found || user_dir.empty()) return catalog.error();
    return ThemeCatalog::load_dir(user_dir);
  }
  if (!user_dir.empty()) NAMIX_TRY(catalog->add_dir(user_dir));
  return catalog;
}

}  // namespace namix
