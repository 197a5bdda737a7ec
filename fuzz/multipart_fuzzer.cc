// multipart/form-data uploads as the router receives them from either
// transport. Input: the Content-Type header value on the first line, the
// body after it.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "net/multipart.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t newline = input.find('\n');
  if (newline == std::string_view::npos) return 0;
  const auto boundary = namix::multipart_boundary(input.substr(0, newline));
  if (!boundary) return 0;
  const std::string_view body = input.substr(newline + 1);
  auto parts = namix::parse_multipart(body, *boundary);
  if (!parts.ok()) return 0;
  for (const namix::FormPart& part : *parts) {
    // Parts are views into the body, never past it.
    NAMIX_FUZZ_CHECK(part.data.empty() ||
                     (part.data.data() >= body.data() &&
                      part.data.data() + part.data.size() <= body.data() + body.size()));
  }
  return 0;
}
