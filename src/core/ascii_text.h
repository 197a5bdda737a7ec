// ASCII case and whitespace, for protocol text (headers, MIME types, XML
// names and values) where locale rules must not apply.
#pragma once

#include <cctype>
#include <string>
#include <string_view>

namespace namix {

// Only A-Z change: every other byte, UTF-8 included, passes through.
inline std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// `s` without leading and trailing spaces, tabs, CR and LF.
inline std::string_view trim_whitespace(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace namix
