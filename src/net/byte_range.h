// Range requests on files (RFC 9110 §14): which bytes of a representation a
// GET with a Range header gets, decided by a pure function of the header
// and the representation's length, and applied to a file response.
#pragma once

#include <cstdint>
#include <string_view>

#include "net/http_types.h"

namespace namix {

struct RangeAnswer {
  // 200: the whole representation (no Range, or one that is ignored);
  // 206: the part [first_byte, first_byte + length_bytes); 416: none of it.
  int status = 200;
  std::uint64_t first_byte = 0;
  std::uint64_t length_bytes = 0;
};

// The answer to `range_header` (the field's value) for `size_bytes` bytes:
// - one range in "bytes": 206, clamped to the end ("0-99999999" of a
//   1000-byte file is 0-999; "-500" is the last 500 bytes);
// - a range that starts at or after the end, or a suffix of 0 bytes: 416;
// - another unit, a malformed header, a range whose last byte comes before
//   its first, or an empty representation: the Range is ignored (200);
// - more than one range: ignored too, as §14.2 allows. Sending overlapping
//   or many parts as multipart/byteranges would let a few bytes of request
//   ask for a mix many times over.
RangeAnswer answer_range(std::string_view range_header, std::uint64_t size_bytes);

// A 200 response whose body is a file, answering a GET: with a Range header
// (and no If-Range that differs from its Last-Modified) it becomes a 206 with
// Content-Range and the part, or a 416 with "Content-Range: bytes */size".
// Every file response says Accept-Ranges: bytes.
void apply_range_request(const HttpRequest& request, HttpResponse& response);

}  // namespace namix
