// SigV4 canonicalisation on arbitrary requests: path and query encoding,
// header folding, the canonical request and presigned query strings, and
// the encoders' round trips (percent-encoding, base64, X-Amz-Date).
//
// Input: line 1 the method, line 2 the path, then "name=value" query lines
// up to an empty line, then "name: value" header lines.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "store/sigv4.h"

namespace {

std::string_view next_line(std::string_view& text) {
  const std::size_t end = text.find('\n');
  const std::string_view line = text.substr(0, end);
  text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
  return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string_view rest = input;
  namix::SignableRequest request;
  request.method = std::string(next_line(rest));
  request.path = std::string(next_line(rest));
  while (!rest.empty()) {
    const std::string_view line = next_line(rest);
    if (line.empty()) break;
    const std::size_t eq = line.find('=');
    request.query.emplace_back(
        namix::uri_decode(line.substr(0, eq)),
        eq == std::string_view::npos ? std::string() : namix::uri_decode(line.substr(eq + 1)));
  }
  while (!rest.empty()) {
    const std::string_view line = next_line(rest);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    request.headers.emplace_back(std::string(line.substr(0, colon)),
                                 std::string(line.substr(colon + 1)));
  }
  request.headers.emplace_back("Host", "examplebucket.s3.amazonaws.com");
  request.payload_sha256 = namix::sha256_hex(input);

  const namix::AwsCredentials credentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                          size % 2 == 0 ? "" : "session-token"};
  const namix::SigningScope scope{"us-east-1", "s3", "20150830T123600Z"};
  const namix::Signature signature = namix::sign_request(request, credentials, scope);
  NAMIX_FUZZ_CHECK(signature.signature.size() == 64);
  const namix::PresignedQuery presigned =
      namix::presign_request(request, credentials, scope, std::chrono::hours(24));
  NAMIX_FUZZ_CHECK(presigned.query_string.find("X-Amz-Signature=") != std::string::npos);

  // Encoders read back what they wrote.
  for (const bool keep_slash : {false, true}) {
    const std::string encoded = namix::uri_encode(input, keep_slash);
    NAMIX_FUZZ_CHECK(namix::uri_decode(encoded) == input);
  }
  auto decoded = namix::base64_decode(namix::base64_encode(input));
  NAMIX_FUZZ_CHECK(decoded.ok() && *decoded == input);
  (void)namix::base64_decode(input);
  // A date that parses is the date it says.
  if (auto when = namix::parse_amz_datetime(request.method); when.ok()) {
    NAMIX_FUZZ_CHECK(namix::format_amz_datetime(*when) == request.method);
  }
  return 0;
}
