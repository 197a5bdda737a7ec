// Reading JSON that other programs wrote, leniently and without exceptions:
// the Podcasting 2.0 transcript and JSON chapters readers share it.
//
// Internal to the transcript library.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace namix {

// Parses `text` as JSON; a syntax error, or nesting deeper than any
// transcript or chapters file has (a guard for the parser's recursion), is
// Errc::undecodable naming `display_name`.
Result<nlohmann::json> parse_json_document(std::string_view text, std::string_view display_name);

// A time in seconds given as a number, a numeric string ("12.5") or a clock
// string ("01:02:03.5"); nullopt when missing, of another type, or not a
// finite number.
std::optional<double> json_seconds(const nlohmann::json& object, const char* key);

// A string member, or "" when missing or not a string.
std::string json_string(const nlohmann::json& object, const char* key);

}  // namespace namix
