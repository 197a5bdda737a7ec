#include "core/utf8.h"

namespace namix {

std::optional<std::size_t> first_invalid_utf8(std::string_view text) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  std::size_t i = 0;
  while (i < text.size()) {
    const unsigned char c = byte(i);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t extra = 0;
    // The allowed range of the second byte narrows for the lead bytes whose
    // full range would admit overlong forms (E0, F0), surrogates (ED) or code
    // points past U+10FFFF (F4).
    unsigned char second_min = 0x80;
    unsigned char second_max = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      extra = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      extra = 2;
      if (c == 0xE0) second_min = 0xA0;
      if (c == 0xED) second_max = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      extra = 3;
      if (c == 0xF0) second_min = 0x90;
      if (c == 0xF4) second_max = 0x8F;
    } else {
      return i;
    }
    if (i + extra >= text.size()) return i;
    if (byte(i + 1) < second_min || byte(i + 1) > second_max) return i;
    for (std::size_t k = 2; k <= extra; ++k)
      if ((byte(i + k) & 0xC0) != 0x80) return i;
    i += extra + 1;
  }
  return std::nullopt;
}

}  // namespace namix
