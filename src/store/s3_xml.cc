#include "store/s3_xml.h"

#include "core/xml_text.h"

#include <cstdlib>

namespace namix::s3xml {
namespace {

// Position of the next start tag named `tag` at or after `from` (the '<').
std::size_t find_start(std::string_view xml, std::string_view tag, std::size_t from) {
  while (true) {
    const std::size_t lt = xml.find('<', from);
    if (lt == std::string_view::npos) return lt;
    if (xml.compare(lt + 1, tag.size(), tag) == 0 && lt + 1 + tag.size() < xml.size()) {
      const char after = xml[lt + 1 + tag.size()];
      if (after == '>' || after == ' ' || after == '/' || after == '\t' || after == '\n' ||
          after == '\r')
        return lt;
    }
    from = lt + 1;
  }
}

}  // namespace

std::vector<std::string_view> elements(std::string_view xml, std::string_view tag) {
  std::vector<std::string_view> out;
  const std::string close = "</" + std::string(tag) + ">";
  std::size_t pos = 0;
  while ((pos = find_start(xml, tag, pos)) != std::string_view::npos) {
    const std::size_t gt = xml.find('>', pos);
    if (gt == std::string_view::npos) break;
    if (xml[gt - 1] == '/') {  // <tag/>
      out.emplace_back();
      pos = gt + 1;
      continue;
    }
    // Same-named elements do not nest in S3's documents, so the next close tag ends this one.
    const std::size_t end = xml.find(close, gt + 1);
    if (end == std::string_view::npos) break;
    out.push_back(xml.substr(gt + 1, end - gt - 1));
    pos = end + close.size();
  }
  return out;
}

std::optional<std::string> text(std::string_view xml, std::string_view tag) {
  const auto found = elements(xml, tag);
  if (found.empty()) return std::nullopt;
  return unescape(found.front());
}

std::string escape(std::string_view text) { return xml_escape(text); }

std::string unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') {
      out.push_back(text[i]);
      continue;
    }
    const std::size_t semi = text.find(';', i);
    if (semi == std::string_view::npos || semi - i > 10) {
      out.push_back('&');
      continue;
    }
    const std::string_view entity = text.substr(i + 1, semi - i - 1);
    if (entity == "amp") {
      out.push_back('&');
    } else if (entity == "lt") {
      out.push_back('<');
    } else if (entity == "gt") {
      out.push_back('>');
    } else if (entity == "quot") {
      out.push_back('"');
    } else if (entity == "apos") {
      out.push_back('\'');
    } else if (!entity.empty() && entity[0] == '#') {
      const bool hex = entity.size() > 1 && (entity[1] == 'x' || entity[1] == 'X');
      const std::string digits(entity.substr(hex ? 2 : 1));
      const unsigned long cp = std::strtoul(digits.c_str(), nullptr, hex ? 16 : 10);
      // UTF-8 encode the code point.
      if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
      } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
      } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
      } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
      }
    } else {
      out.append(text.substr(i, semi - i + 1));
    }
    i = semi;
  }
  return out;
}

}  // namespace namix::s3xml
