// A small S3 client over libcurl, signing every request with SigV4.
//
// Addressing: virtual-hosted (https://BUCKET.s3.REGION.amazonaws.com/KEY) on
// AWS; path style (ENDPOINT/BUCKET/KEY) for a custom endpoint such as Ceph
// RGW or MinIO, and for bucket names with dots (TLS wildcard certificates do
// not cover them). Retries 5xx, throttling and transport failures with
// exponential backoff and full jitter; every request is re-signed per attempt.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "store/sigv4.h"

namespace namix {

struct S3RetryPolicy {
  int max_attempts = 4;  // first try included
  std::chrono::milliseconds base_delay{100};
  std::chrono::milliseconds max_delay{2000};
};

struct S3Config {
  AwsCredentials credentials;
  std::string region = "us-east-1";
  std::string endpoint;  // "" = AWS; else "http://127.0.0.1:7480" (path style)
  S3RetryPolicy retry;
  std::chrono::milliseconds connect_timeout{3000};
  // A transfer slower than 1 byte/s for this long is a timeout; no overall
  // cap, since a large upload on a slow link is legitimate.
  std::chrono::seconds stall_timeout{30};

  // Credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
  // AWS_SESSION_TOKEN; region from the argument, else AWS_REGION, else
  // AWS_DEFAULT_REGION, else us-east-1; endpoint from the argument, else
  // NAMIX_S3_ENDPOINT.
  static Result<S3Config> from_environment(const std::string& endpoint_override = "",
                                           const std::string& region_override = "");
};

// An error document from S3 (<Error><Code>…</Code><Message>…</Message>…),
// or a transport failure (http_status 0, code "NetworkError"/"Timeout").
struct S3Error {
  int http_status = 0;
  std::string code;
  std::string message;
  std::string request_id;

  bool retryable() const;
  Errc errc() const;
  // "S3 PUT bucket/key failed: 503 SlowDown: Please reduce your request rate."
  Error to_error(std::string_view operation) const;
};
// Parses an <Error> document; nullopt when the body holds none.
std::optional<S3Error> parse_s3_error(int http_status, std::string_view body);

struct S3ObjectHead {
  std::uint64_t size = 0;
  std::string etag;
  std::string content_type;
  std::int64_t last_modified_unix = 0;
};

struct S3Object {
  std::string body;
  std::string etag;
};

// The precondition of a conditional PutObject: If-Match (the ETag the
// object must still have) or If-None-Match: * (there must be no object).
struct S3PutCondition {
  std::string if_match;
  bool if_none_match_any = false;
};

struct S3ListedObject {
  std::string key;
  std::uint64_t size = 0;
  std::string etag;
  std::string storage_class;  // STANDARD, GLACIER, ...
  std::int64_t last_modified_unix = 0;
};

struct S3ListPage {
  std::vector<S3ListedObject> objects;
  std::string next_continuation_token;  // empty on the last page
};

struct S3UploadedPart {
  int part_number = 0;
  std::string etag;
};

struct S3MultipartUpload {
  std::string key;
  std::string upload_id;
};

struct S3LifecycleRule {
  std::string id;
  std::string prefix;  // "" = whole bucket
  bool enabled = true;
  int expiration_days = 0;  // 0 = none
  int transition_days = 0;  // 0 = none
  std::string transition_storage_class;
  int abort_incomplete_multipart_days = 0;  // 0 = none

  bool operator==(const S3LifecycleRule&) const = default;
};
std::string lifecycle_to_xml(const std::vector<S3LifecycleRule>& rules);
Result<std::vector<S3LifecycleRule>> lifecycle_from_xml(std::string_view xml);

struct S3ByteRange {
  std::uint64_t first = 0;
  std::uint64_t last = 0;  // inclusive, as in the Range header
};

class S3Client {
 public:
  explicit S3Client(S3Config config);
  ~S3Client();
  S3Client(const S3Client&) = delete;
  S3Client& operator=(const S3Client&) = delete;

  const S3Config& config() const { return config_; }

  Result<void> create_bucket(const std::string& bucket);
  Result<void> head_bucket(const std::string& bucket);

  Result<std::string> put_object(const std::string& bucket, const std::string& key,
                                 std::span<const std::uint8_t> bytes,
                                 const std::string& content_type);  // -> ETag
  // PutObject under a precondition: the new ETag, or nullopt when the server
  // answered 412 Precondition Failed or 409 ConditionalRequestConflict
  // (another writer got there first).
  Result<std::optional<std::string>> put_object_if(const std::string& bucket,
                                                   const std::string& key,
                                                   std::span<const std::uint8_t> bytes,
                                                   const std::string& content_type,
                                                   const S3PutCondition& condition);
  Result<S3ObjectHead> head_object(const std::string& bucket, const std::string& key);
  Result<std::string> get_object(const std::string& bucket, const std::string& key,
                                 std::optional<S3ByteRange> range = std::nullopt);
  // GetObject with the object's ETag.
  Result<S3Object> get_object_with_etag(const std::string& bucket, const std::string& key);
  Result<void> delete_object(const std::string& bucket, const std::string& key);

  Result<S3ListPage> list_objects_page(const std::string& bucket, const std::string& prefix,
                                       const std::string& continuation_token = "",
                                       int max_keys = 1000);
  // Follows continuation tokens to the end.
  Result<std::vector<S3ListedObject>> list_objects(const std::string& bucket,
                                                   const std::string& prefix, int page_size = 1000);

  Result<std::string> create_multipart_upload(const std::string& bucket, const std::string& key,
                                              const std::string& content_type);  // -> UploadId
  Result<std::string> upload_part(const std::string& bucket, const std::string& key,
                                  const std::string& upload_id, int part_number,
                                  std::span<const std::uint8_t> bytes);  // -> ETag
  // Detects the error document S3 may send inside a 200 response.
  Result<std::string> complete_multipart_upload(const std::string& bucket, const std::string& key,
                                                const std::string& upload_id,
                                                const std::vector<S3UploadedPart>& parts);
  Result<void> abort_multipart_upload(const std::string& bucket, const std::string& key,
                                      const std::string& upload_id);
  Result<std::vector<S3MultipartUpload>> list_multipart_uploads(const std::string& bucket,
                                                                const std::string& prefix = "");

  Result<void> put_bucket_lifecycle(const std::string& bucket,
                                    const std::vector<S3LifecycleRule>& rules);
  Result<std::vector<S3LifecycleRule>> get_bucket_lifecycle(const std::string& bucket);

  // A presigned GET URL; `signed_at` fixes the signing time (tests, --at).
  std::string presign_get(const std::string& bucket, const std::string& key,
                          std::chrono::seconds expires_in,
                          std::chrono::system_clock::time_point signed_at) const;

  // The URL and Host for a request (exposed for tests and presigning).
  struct Target {
    std::string base_url;  // scheme://host[:port]
    std::string host;
    std::string path;  // decoded: "/bucket/key" or "/key"
  };
  Target target(const std::string& bucket, const std::string& key) const;

 private:
  struct Response;
  struct Request;
  Result<Response> send(const Request& request, std::string_view operation);
  Result<Response> send_once(const Request& request, S3Error& error);

  S3Config config_;
  struct CurlPool;
  std::unique_ptr<CurlPool> pool_;
};

}  // namespace namix
