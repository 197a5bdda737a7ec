// Range headers on /files (RFC 9110 §14): answer_range() for the header
// value against a representation length. Input: the length as 8
// little-endian bytes (lengths up to 2^64 − 1, the edges included), then
// the header value.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "net/byte_range.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 8) return 0;
  std::uint64_t size_bytes = 0;
  for (int i = 7; i >= 0; --i) size_bytes = (size_bytes << 8) | data[i];
  const std::string_view header(reinterpret_cast<const char*>(data) + 8, size - 8);
  const namix::RangeAnswer answer = namix::answer_range(header, size_bytes);
  switch (answer.status) {
    case 200:
      break;
    case 206:
      // A part is never empty and never reaches past the end.
      NAMIX_FUZZ_CHECK(answer.length_bytes > 0);
      NAMIX_FUZZ_CHECK(answer.first_byte < size_bytes);
      NAMIX_FUZZ_CHECK(answer.length_bytes <= size_bytes - answer.first_byte);
      break;
    case 416:
      // Only a representation with bytes can have a range not satisfied.
      NAMIX_FUZZ_CHECK(size_bytes > 0);
      break;
    default:
      NAMIX_FUZZ_CHECK(false && "a status other than 200, 206 or 416");
  }
  return 0;
}
