// Escaping text for XML documents we write (the SVG picture, S3 request bodies).
#pragma once

#include <string>
#include <string_view>

namespace namix {

// Escapes & < > " ' and drops the control characters XML 1.0 forbids even
// when escaped (all below 0x20 but tab, newline and carriage return).
std::string xml_escape(std::string_view text);

}  // namespace namix
