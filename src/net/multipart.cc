#include "net/multipart.h"

#include <algorithm>

#include "core/ascii_text.h"

namespace namix {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// The value of `param` in a header like `form-data; name="file"; filename="a.mp3"`;
// quoted values may hold ';' and backslash-escaped quotes.
std::optional<std::string> header_param(std::string_view header, std::string_view param) {
  std::size_t pos = header.find(';');
  while (pos != std::string_view::npos && pos < header.size()) {
    ++pos;  // past ';'
    while (pos < header.size() && (header[pos] == ' ' || header[pos] == '\t')) ++pos;
    const std::size_t eq = header.find('=', pos);
    if (eq == std::string_view::npos) return std::nullopt;
    const std::string key = ascii_lower(trim(header.substr(pos, eq - pos)));
    std::size_t i = eq + 1;
    std::string value;
    if (i < header.size() && header[i] == '"') {
      for (++i; i < header.size() && header[i] != '"'; ++i) {
        if (header[i] == '\\' && i + 1 < header.size()) ++i;
        value.push_back(header[i]);
      }
      if (i >= header.size()) return std::nullopt;  // unterminated quote
      ++i;
    } else {
      const std::size_t end = std::min(header.find(';', i), header.size());
      value = std::string(trim(header.substr(i, end - i)));
      i = end;
    }
    if (key == param) return value;
    pos = header.find(';', i);
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> multipart_boundary(std::string_view content_type) {
  if (ascii_lower(trim(content_type.substr(0, content_type.find(';')))) != "multipart/form-data") {
    return std::nullopt;
  }
  auto b = header_param(content_type, "boundary");
  if (!b || b->empty() || b->size() > 70) return std::nullopt;
  return b;
}

Result<std::vector<FormPart>> parse_multipart(std::string_view body, const std::string& boundary) {
  const auto malformed = [](const std::string& why) {
    return make_error(Errc::invalid_argument,
                      "malformed multipart/form-data body (" + why +
                          "); send fields and a 'file' part as a browser form does");
  };
  const std::string delimiter = "--" + boundary;
  std::size_t pos = body.find(delimiter);
  if (pos == std::string_view::npos) return malformed("boundary not found");
  std::vector<FormPart> parts;
  for (;;) {
    pos += delimiter.size();
    if (body.substr(pos, 2) == "--") return parts;  // closing delimiter
    if (body.substr(pos, 2) != "\r\n") return malformed("no line break after a boundary");
    pos += 2;
    const std::size_t headers_end = body.find("\r\n\r\n", pos);
    if (headers_end == std::string_view::npos) return malformed("part headers not terminated");
    FormPart part;
    std::string_view headers = body.substr(pos, headers_end - pos);
    while (!headers.empty()) {
      const std::size_t eol = std::min(headers.find("\r\n"), headers.size());
      const std::string_view line = headers.substr(0, eol);
      headers.remove_prefix(std::min(headers.size(), eol + 2));
      const auto colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      const std::string name = ascii_lower(trim(line.substr(0, colon)));
      const std::string_view value = trim(line.substr(colon + 1));
      if (name == "content-disposition") {
        part.name = header_param(value, "name").value_or("");
        part.filename = header_param(value, "filename");
      } else if (name == "content-type") {
        part.content_type = std::string(value);
      }
    }
    const std::size_t data_start = headers_end + 4;
    const std::size_t next = body.find("\r\n" + delimiter, data_start);
    if (next == std::string_view::npos) return malformed("part not terminated by the boundary");
    part.data = body.substr(data_start, next - data_start);
    if (part.name.empty()) return malformed("a part has no name");
    parts.push_back(std::move(part));
    pos = next + 2;
  }
}

}  // namespace namix
