#include "transcript/json_fields.h"

#include <charconv>
#include <cmath>

#include "core/ascii_text.h"
#include "transcript/cue_text.h"

namespace namix {
namespace {

// Transcripts and chapters nest three levels deep; anything past this is
// not one, and refusing it keeps a hostile document from exhausting the
// stack of a recursive reader.
constexpr int kMaxJsonDepth = 32;

bool nesting_within(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return false;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return true;
}

}  // namespace

Result<nlohmann::json> parse_json_document(std::string_view text, std::string_view display_name) {
  if (!nesting_within(text, kMaxJsonDepth)) {
    return make_error(Errc::undecodable, std::string(display_name) +
                                             " nests JSON deeper than a transcript or chapters "
                                             "file does; check that it is the right file");
  }
  auto doc = nlohmann::json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return make_error(Errc::undecodable,
                      std::string(display_name) + " is not valid JSON; check that it is complete");
  }
  return doc;
}

std::optional<double> json_seconds(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return std::nullopt;
  const auto it = object.find(key);
  if (it == object.end()) return std::nullopt;
  double v = std::nan("");
  if (it->is_number()) {
    v = it->get<double>();
  } else if (it->is_string()) {
    const std::string_view s = trim_whitespace(it->get_ref<const std::string&>());
    if (const auto clock = parse_clock_time(s)) {
      v = *clock;
    } else {
      const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    }
  }
  if (!std::isfinite(v)) return std::nullopt;
  return v;
}

std::string json_string(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return {};
  const auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

}  // namespace namix
