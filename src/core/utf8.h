// UTF-8 validity (RFC 3629): no overlong forms, no surrogates, nothing
// above U+10FFFF, no truncated sequence.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace namix {

// Offset of the first byte that starts a broken sequence, or nullopt when
// all of `text` is valid UTF-8.
std::optional<std::size_t> first_invalid_utf8(std::string_view text);

inline bool valid_utf8(std::string_view text) { return !first_invalid_utf8(text).has_value(); }

}  // namespace namix
