// How a request's body is delimited (RFC 9112 §6), checked before any of it
// is read: a body whose end cannot be known is refused at once instead of
// being read until the client gives up.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/error.h"

namespace namix {

struct BodyFraming {
  enum class Kind {
    none,                // neither Content-Length nor Transfer-Encoding: no body (§6.3)
    length,              // Content-Length: length_bytes
    chunked,             // Transfer-Encoding: chunked
    unsupported_coding,  // a transfer coding other than chunked: 501 (§6.1)
  };
  Kind kind = Kind::none;
  std::uint64_t length_bytes = 0;
};

// From every value of the request's Content-Length and Transfer-Encoding
// fields, as received. invalid_argument (400) for a Content-Length that is
// not a number of bytes ("-1", "1e3"), values that disagree ("5" and "7":
// which one ends the body?), or a Content-Length beside a Transfer-Encoding
// (§6.1: both are how requests are smuggled past a proxy).
Result<BodyFraming> body_framing(const std::vector<std::string>& content_lengths,
                                 const std::vector<std::string>& transfer_encodings);

}  // namespace namix
