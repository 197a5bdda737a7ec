#include "net/body_framing.h"

#include <optional>
#include <string_view>

#include "core/ascii_text.h"

namespace namix {
namespace {

// At most 18 digits: every such number fits in 64 bits.
constexpr std::size_t kMaxLengthDigits = 18;

// The elements of a field's comma-separated list (§5.6.1), trimmed; empty
// elements are dropped.
std::vector<std::string_view> list_elements(std::string_view value) {
  std::vector<std::string_view> out;
  while (true) {
    const auto comma = value.find(',');
    const std::string_view element = trim_whitespace(value.substr(0, comma));
    if (!element.empty()) out.push_back(element);
    if (comma == std::string_view::npos) return out;
    value.remove_prefix(comma + 1);
  }
}

}  // namespace

Result<BodyFraming> body_framing(const std::vector<std::string>& content_lengths,
                                 const std::vector<std::string>& transfer_encodings) {
  std::optional<std::string_view> length;
  for (const std::string& value : content_lengths) {
    const auto elements = list_elements(value);
    if (elements.empty()) {
      return make_error(Errc::invalid_argument,
                        "Content-Length is empty; send the body's size in bytes");
    }
    for (const std::string_view element : elements) {
      if (element.size() > kMaxLengthDigits ||
          element.find_first_not_of("0123456789") != std::string_view::npos) {
        return make_error(Errc::invalid_argument,
                          "Content-Length must be the body's size as a whole number of bytes");
      }
      if (length && *length != element) {
        return make_error(Errc::invalid_argument,
                          "the request has two different Content-Lengths; send one");
      }
      length = element;
    }
  }
  BodyFraming framing;
  if (!transfer_encodings.empty()) {
    if (length) {
      return make_error(Errc::invalid_argument,
                        "the request has both Content-Length and Transfer-Encoding; send one");
    }
    std::vector<std::string_view> codings;
    for (const std::string& value : transfer_encodings) {
      for (const std::string_view coding : list_elements(value)) codings.push_back(coding);
    }
    const bool chunked = codings.size() == 1 && ascii_lower(codings.front()) == "chunked";
    framing.kind = chunked ? BodyFraming::Kind::chunked : BodyFraming::Kind::unsupported_coding;
    return framing;
  }
  if (length) {
    framing.kind = BodyFraming::Kind::length;
    framing.length_bytes = std::stoull(std::string(*length));
  }
  return framing;
}

}  // namespace namix
