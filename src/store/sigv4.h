// AWS Signature Version 4: one signer for S3 (header-signed requests and
// presigned GET URLs) and for the Lambda Invoke API.
//
// Paths are signed literally (each byte outside the unreserved set is
// percent-encoded once, '/' kept): S3 keys are not normalised, so
// "a/./b" and "a//b" are distinct keys and must be signed as written.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"

namespace namix {

struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // set for temporary (STS) credentials

  bool temporary() const { return !session_token.empty(); }
  // AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN.
  static Result<AwsCredentials> from_environment();
};

using NameValueList = std::vector<std::pair<std::string, std::string>>;

// A request as the signer sees it. Query names/values are decoded; headers may
// repeat (joined with ',' in order, as the suite's duplicate-key case wants).
struct SignableRequest {
  std::string method;
  std::string path = "/";  // decoded, literal
  NameValueList query;
  NameValueList headers;  // must contain Host
  // Hex SHA-256 of the body, or "UNSIGNED-PAYLOAD".
  std::string payload_sha256;
};

struct SigningScope {
  std::string region;
  std::string service;       // "s3", "lambda"
  std::string amz_datetime;  // YYYYMMDDTHHMMSSZ
};

// Every intermediate step, so tests can compare each against the suite.
struct Signature {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signed_headers;
  std::string signature;      // hex
  std::string authorization;  // the Authorization header value
};

Signature sign_request(const SignableRequest& request, const AwsCredentials& credentials,
                       const SigningScope& scope);

// Adds the X-Amz-* query parameters of a presigned URL to `request.query`
// (X-Amz-Security-Token included and signed for temporary credentials), signs
// only the Host header with UNSIGNED-PAYLOAD, and returns the canonical query
// string with X-Amz-Signature appended, ready to follow '?'.
struct PresignedQuery {
  Signature signature;
  std::string query_string;
};
PresignedQuery presign_request(SignableRequest request, const AwsCredentials& credentials,
                               const SigningScope& scope, std::chrono::seconds expires_in);

// Building blocks, shared with the S3 client.
std::string sha256_hex(std::string_view bytes);
std::string sha256_hex(std::span<const std::uint8_t> bytes);
std::string hmac_sha256(std::string_view key, std::string_view message);  // raw bytes
std::string hex_encode(std::string_view raw);
std::string md5_base64(std::string_view bytes);  // Content-MD5
std::string base64_encode(std::string_view raw);
Result<std::string> base64_decode(std::string_view text);
// RFC 3986 percent-encoding of everything but A-Z a-z 0-9 - . _ ~ (and '/'
// when keep_slash), upper-case hex, as SigV4 requires.
std::string uri_encode(std::string_view text, bool keep_slash);
std::string uri_decode(std::string_view text);
// name=value pairs encoded and sorted as SigV4 wants; also what goes on the wire.
std::string canonical_query_string(const NameValueList& query);

std::string format_amz_datetime(std::chrono::system_clock::time_point when);
// Parses YYYYMMDDTHHMMSSZ; invalid_argument otherwise.
Result<std::chrono::system_clock::time_point> parse_amz_datetime(std::string_view text);

}  // namespace namix
