#include "store/s3_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "core/ascii_text.h"
#include "store/s3_xml.h"

namespace namix {
namespace {

constexpr std::string_view kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

std::string env_or(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::string(value) : fallback;
}

std::string trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(first, last - first + 1));
}

// "2026-11-29T13:30:00.000Z" (XML listings).
std::int64_t parse_iso8601(const std::string& text) {
  std::tm tm{};
  if (strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm) == nullptr) return 0;
  return static_cast<std::int64_t>(timegm(&tm));
}

// "Sun, 29 Nov 2026 13:30:00 GMT" (Last-Modified header).
std::int64_t parse_http_date(const std::string& text) {
  std::tm tm{};
  if (strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S", &tm) == nullptr) return 0;
  return static_cast<std::int64_t>(timegm(&tm));
}

std::uint64_t to_u64(const std::optional<std::string>& text) {
  if (!text) return 0;
  return std::strtoull(text->c_str(), nullptr, 10);
}

int to_int(const std::optional<std::string>& text) {
  if (!text) return 0;
  return static_cast<int>(std::strtol(text->c_str(), nullptr, 10));
}

std::string unquote(std::string text) {
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"')
    return text.substr(1, text.size() - 2);
  return text;
}

void global_curl_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::size_t append_body(char* data, std::size_t size, std::size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

std::size_t append_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* headers = static_cast<std::map<std::string, std::string>*>(user);
  const std::string_view line(data, size * count);
  const auto colon = line.find(':');
  if (colon != std::string_view::npos)
    (*headers)[ascii_lower(line.substr(0, colon))] = trim(line.substr(colon + 1));
  else if (line.rfind("HTTP/", 0) == 0)
    headers->clear();  // a new response (after 100 Continue or a retry inside curl)
  return size * count;
}

}  // namespace

// ---------------------------------------------------------------- config

Result<S3Config> S3Config::from_environment(const std::string& endpoint_override,
                                            const std::string& region_override) {
  auto credentials = AwsCredentials::from_environment();
  if (!credentials) return credentials.error();
  S3Config config;
  config.credentials = std::move(*credentials);
  config.region = !region_override.empty()
                      ? region_override
                      : env_or("AWS_REGION", env_or("AWS_DEFAULT_REGION", "us-east-1"));
  config.endpoint =
      !endpoint_override.empty() ? endpoint_override : env_or("NAMIX_S3_ENDPOINT", "");
  while (!config.endpoint.empty() && config.endpoint.back() == '/') config.endpoint.pop_back();
  if (!config.endpoint.empty() && config.endpoint.rfind("http://", 0) != 0 &&
      config.endpoint.rfind("https://", 0) != 0)
    return make_error(Errc::invalid_argument,
                      "S3 endpoint '" + quoted_input(config.endpoint) +
                          "' must start with http:// or https:// (e.g. http://127.0.0.1:7480)");
  return config;
}

// ---------------------------------------------------------------- errors

namespace {
bool is_throttling_code(const std::string& code) {
  return code == "SlowDown" || code == "Throttling" || code == "ThrottlingException" ||
         code == "RequestLimitExceeded" || code == "TooManyRequestsException" ||
         code == "RequestThrottled";
}

// The store has no room: Ceph RGW's user or bucket quota (403 QuotaExceeded)
// or a store that answers 507 Insufficient Storage (MinIO's
// XMinioStorageFull). Asking again at once does not help.
bool is_full_storage(int http_status, const std::string& code) {
  return http_status == 507 || code == "QuotaExceeded";
}
}  // namespace

bool S3Error::retryable() const {
  if (is_full_storage(http_status, code)) return false;
  if (http_status == 0) return true;  // connection refused, reset, timeout
  if (http_status >= 500 || http_status == 429) return true;
  return is_throttling_code(code) || code == "RequestTimeout" || code == "InternalError" ||
         code == "ServiceUnavailable";
}

Errc S3Error::errc() const {
  if (is_full_storage(http_status, code)) return Errc::storage_full;
  if (retryable()) return Errc::unavailable;
  if (code == "NoSuchKey" || code == "NoSuchBucket" || code == "NoSuchUpload" ||
      code == "NoSuchLifecycleConfiguration" || http_status == 404)
    return Errc::not_found;
  if (http_status == 401 || http_status == 403) return Errc::forbidden;
  if (http_status == 400) return Errc::invalid_argument;
  return Errc::io_error;
}

Error S3Error::to_error(std::string_view operation) const {
  std::string text = "S3 " + std::string(operation) + " failed: ";
  if (http_status == 0) {
    text += code + ": " + message;
  } else {
    text += std::to_string(http_status) + " " + code;
    if (!message.empty()) text += ": " + message;
  }
  switch (errc()) {
    case Errc::unavailable:
      text += " (storage unavailable; check that the S3 endpoint is up and try again)";
      break;
    case Errc::forbidden:
      text +=
          " (check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, the region and the bucket policy)";
      break;
    default:
      break;
  }
  return make_error(errc(), text);
}

std::optional<S3Error> parse_s3_error(int http_status, std::string_view body) {
  // Bodies that are not XML at all (a proxy's HTML page, HEAD's empty body)
  // hold no error document.
  auto doc = XmlDocument::parse(body);
  if (!doc.ok()) return std::nullopt;
  const auto error = s3xml::elements(doc->root(), "Error");
  if (error.empty()) return std::nullopt;
  S3Error out;
  out.http_status = http_status;
  out.code = s3xml::text(error.front(), "Code").value_or("UnknownError");
  out.message = s3xml::text(error.front(), "Message").value_or("");
  out.request_id = s3xml::text(error.front(), "RequestId").value_or("");
  return out;
}

// ---------------------------------------------------------------- lifecycle XML

std::string lifecycle_to_xml(const std::vector<S3LifecycleRule>& rules) {
  std::string xml =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
      "<LifecycleConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
  for (const auto& rule : rules) {
    xml += "<Rule><ID>" + s3xml::escape(rule.id) + "</ID>";
    xml += "<Filter><Prefix>" + s3xml::escape(rule.prefix) + "</Prefix></Filter>";
    xml += std::string("<Status>") + (rule.enabled ? "Enabled" : "Disabled") + "</Status>";
    if (rule.transition_days > 0)
      xml += "<Transition><Days>" + std::to_string(rule.transition_days) + "</Days><StorageClass>" +
             s3xml::escape(rule.transition_storage_class) + "</StorageClass></Transition>";
    if (rule.expiration_days > 0)
      xml += "<Expiration><Days>" + std::to_string(rule.expiration_days) + "</Days></Expiration>";
    if (rule.abort_incomplete_multipart_days > 0)
      xml += "<AbortIncompleteMultipartUpload><DaysAfterInitiation>" +
             std::to_string(rule.abort_incomplete_multipart_days) +
             "</DaysAfterInitiation></AbortIncompleteMultipartUpload>";
    xml += "</Rule>";
  }
  xml += "</LifecycleConfiguration>";
  return xml;
}

Result<std::vector<S3LifecycleRule>> lifecycle_from_xml(std::string_view xml) {
  auto doc = s3xml::parse(xml, "GetBucketLifecycleConfiguration");
  if (!doc.ok()) return doc.error();
  std::vector<S3LifecycleRule> rules;
  for (XmlElement element : s3xml::elements(doc->root(), "Rule")) {
    S3LifecycleRule rule;
    rule.id = s3xml::text(element, "ID").value_or("");
    // <Filter><Prefix> (current) or a rule-level <Prefix> (older documents).
    rule.prefix = s3xml::text(element, "Prefix").value_or("");
    rule.enabled = s3xml::text(element, "Status").value_or("") == "Enabled";
    if (auto expiration = s3xml::elements(element, "Expiration"); !expiration.empty())
      rule.expiration_days = to_int(s3xml::text(expiration.front(), "Days"));
    if (auto transition = s3xml::elements(element, "Transition"); !transition.empty()) {
      rule.transition_days = to_int(s3xml::text(transition.front(), "Days"));
      rule.transition_storage_class = s3xml::text(transition.front(), "StorageClass").value_or("");
    }
    if (auto abort = s3xml::elements(element, "AbortIncompleteMultipartUpload"); !abort.empty())
      rule.abort_incomplete_multipart_days =
          to_int(s3xml::text(abort.front(), "DaysAfterInitiation"));
    rules.push_back(std::move(rule));
  }
  return rules;
}

// ---------------------------------------------------------------- transport

struct S3Client::Request {
  std::string method;
  std::string bucket;
  std::string key;
  NameValueList query;
  NameValueList headers;  // signed, besides host / x-amz-*
  std::string_view body;
  bool error_document_in_200 = false;  // CompleteMultipartUpload
  // Conditional writes: a failed precondition is an answer, not an error.
  bool precondition_is_answer = false;
};

struct S3Client::Response {
  long status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;

  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct S3Client::CurlPool {
  std::mutex mutex;
  std::vector<CURL*> idle;

  CURL* acquire() {
    {
      std::lock_guard lock(mutex);
      if (!idle.empty()) {
        CURL* handle = idle.back();
        idle.pop_back();
        return handle;
      }
    }
    return curl_easy_init();
  }
  // Reset keeps the handle's live connections, so the next request reuses them.
  void release(CURL* handle) {
    curl_easy_reset(handle);
    std::lock_guard lock(mutex);
    idle.push_back(handle);
  }
  ~CurlPool() {
    for (CURL* handle : idle) curl_easy_cleanup(handle);
  }
};

S3Client::S3Client(S3Config config)
    : config_(std::move(config)), pool_(std::make_unique<CurlPool>()) {
  global_curl_init();
}

S3Client::~S3Client() = default;

S3Client::Target S3Client::target(const std::string& bucket, const std::string& key) const {
  Target t;
  const std::string key_path = "/" + key;
  if (!config_.endpoint.empty()) {
    t.base_url = config_.endpoint;
    const auto scheme_end = t.base_url.find("://");
    const auto host_start = scheme_end == std::string::npos ? 0 : scheme_end + 3;
    const auto host_end = t.base_url.find('/', host_start);
    t.host = t.base_url.substr(host_start, host_end - host_start);
    t.base_url = t.base_url.substr(0, host_end);
    t.path = bucket.empty() ? "/" : "/" + bucket + (key.empty() ? "" : key_path);
    return t;
  }
  // us-east-1 keeps the global endpoint, which is also what AWS's own
  // presigning examples use.
  const std::string s3_host = config_.region == "us-east-1"
                                  ? "s3.amazonaws.com"
                                  : "s3." + config_.region + ".amazonaws.com";
  if (bucket.empty() || bucket.find('.') != std::string::npos) {
    t.host = s3_host;
    t.path = bucket.empty() ? "/" : "/" + bucket + (key.empty() ? "" : key_path);
  } else {
    t.host = bucket + "." + s3_host;
    t.path = key_path;
  }
  t.base_url = "https://" + t.host;
  return t;
}

Result<S3Client::Response> S3Client::send_once(const Request& request, S3Error& error) {
  const Target t = target(request.bucket, request.key);
  const std::string payload_hash =
      request.body.empty() ? std::string(kEmptySha256) : sha256_hex(request.body);
  SignableRequest signable;
  signable.method = request.method;
  signable.path = t.path;
  signable.query = request.query;
  signable.payload_sha256 = payload_hash;
  signable.headers = request.headers;
  signable.headers.emplace_back("Host", t.host);
  signable.headers.emplace_back("x-amz-content-sha256", payload_hash);
  const std::string amz_date = format_amz_datetime(std::chrono::system_clock::now());
  signable.headers.emplace_back("x-amz-date", amz_date);
  if (config_.credentials.temporary())
    signable.headers.emplace_back("x-amz-security-token", config_.credentials.session_token);
  const Signature sig =
      sign_request(signable, config_.credentials, {config_.region, "s3", amz_date});

  std::string url = t.base_url + uri_encode(t.path, true);
  if (!request.query.empty()) url += "?" + canonical_query_string(request.query);

  curl_slist* header_list = nullptr;
  bool has_content_type = false;
  for (const auto& [name, value] : signable.headers) {
    header_list = curl_slist_append(header_list, (name + ": " + value).c_str());
    has_content_type = has_content_type || ascii_lower(name) == "content-type";
  }
  header_list = curl_slist_append(header_list, ("Authorization: " + sig.authorization).c_str());
  header_list = curl_slist_append(header_list, "Expect:");  // no 100-continue round trip
  if (!has_content_type) header_list = curl_slist_append(header_list, "Content-Type:");

  CURL* handle = pool_->acquire();
  Response response;
  char curl_message[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, header_list);
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, curl_message);
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(config_.connect_timeout.count()));
  curl_easy_setopt(handle, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(handle, CURLOPT_LOW_SPEED_TIME,
                   static_cast<long>(config_.stall_timeout.count()));
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, append_header);
  curl_easy_setopt(handle, CURLOPT_HEADERDATA, &response.headers);
  if (request.method == "HEAD") {
    curl_easy_setopt(handle, CURLOPT_NOBODY, 1L);
  } else if (request.method == "GET") {
    curl_easy_setopt(handle, CURLOPT_HTTPGET, 1L);
  } else if (request.method == "DELETE") {
    curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, "DELETE");
  } else {  // PUT, POST: the body straight from memory, no copy
    curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    curl_easy_setopt(handle, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
  }
  const CURLcode rc = curl_easy_perform(handle);
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &response.status);
  pool_->release(handle);
  curl_slist_free_all(header_list);

  if (rc != CURLE_OK) {
    error = S3Error{0, rc == CURLE_OPERATION_TIMEDOUT ? "Timeout" : "NetworkError",
                    std::string(curl_message[0] != '\0' ? curl_message : curl_easy_strerror(rc)) +
                        " (" + t.base_url + ")",
                    ""};
    return error.to_error("");
  }
  const int status = static_cast<int>(response.status);
  if (status >= 200 && status < 300) {
    if (request.error_document_in_200) {
      // CompleteMultipartUpload answers 200 at once and may still fail while
      // assembling; the failure is then an <Error> document in the body.
      if (auto embedded = parse_s3_error(status, response.body)) {
        error = *embedded;
        if (error.code == "InternalError") error.http_status = 500;
        return error.to_error("");
      }
    }
    return response;
  }
  if (request.precondition_is_answer && (status == 412 || status == 409)) return response;
  if (auto parsed = parse_s3_error(status, response.body)) {
    error = *parsed;
  } else {
    // HEAD responses carry no body; name the status.
    error = S3Error{status, status == 404 ? "NotFound" : "HTTP" + std::to_string(status), "", ""};
  }
  return error.to_error("");
}

Result<S3Client::Response> S3Client::send(const Request& request, std::string_view operation) {
  thread_local std::mt19937 random{std::random_device{}()};
  const int attempts = std::max(1, config_.retry.max_attempts);
  for (int attempt = 0;; ++attempt) {
    S3Error error;
    auto response = send_once(request, error);
    if (response) return response;
    if (!error.retryable() || attempt + 1 >= attempts) {
      std::string what = std::string(operation) + " " + request.bucket;
      if (!request.key.empty()) what += "/" + request.key;
      Error out = error.to_error(what);
      if (attempt > 0) out.message += " [after " + std::to_string(attempt + 1) + " attempts]";
      return out;
    }
    // Exponential backoff with full jitter (AWS Architecture Blog, "Exponential
    // Backoff And Jitter"): spreads retries of many clients hitting one outage.
    const auto cap = std::min<std::int64_t>(config_.retry.max_delay.count(),
                                            config_.retry.base_delay.count() << attempt);
    std::uniform_int_distribution<std::int64_t> pick(0, std::max<std::int64_t>(cap, 1));
    std::this_thread::sleep_for(std::chrono::milliseconds(pick(random)));
  }
}

// ---------------------------------------------------------------- operations

Result<void> S3Client::create_bucket(const std::string& bucket) {
  Request request{"PUT", bucket, "", {}, {}, {}, false};
  std::string body;
  if (config_.region != "us-east-1" && config_.endpoint.empty()) {
    body =
        "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        "<LocationConstraint>" +
        config_.region + "</LocationConstraint></CreateBucketConfiguration>";
    request.body = body;
  }
  auto response = send(request, "CreateBucket");
  if (!response) return response.error();
  return {};
}

Result<void> S3Client::head_bucket(const std::string& bucket) {
  auto response = send({"HEAD", bucket, "", {}, {}, {}, false}, "HeadBucket");
  if (!response) return response.error();
  return {};
}

Result<std::string> S3Client::put_object(const std::string& bucket, const std::string& key,
                                         std::span<const std::uint8_t> bytes,
                                         const std::string& content_type) {
  Request request{"PUT", bucket, key, {}, {}, {}, false};
  request.body = std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  if (!content_type.empty()) request.headers.emplace_back("Content-Type", content_type);
  auto response = send(request, "PutObject");
  if (!response) return response.error();
  return unquote(response->header("etag"));
}

Result<std::optional<std::string>> S3Client::put_object_if(const std::string& bucket,
                                                           const std::string& key,
                                                           std::span<const std::uint8_t> bytes,
                                                           const std::string& content_type,
                                                           const S3PutCondition& condition) {
  Request request{"PUT", bucket, key, {}, {}, {}, false};
  request.body = std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  if (!content_type.empty()) request.headers.emplace_back("Content-Type", content_type);
  // Unquoted: Ceph RGW compares the header's bytes with the stored ETag,
  // which it keeps without quotes; AWS takes either form.
  if (!condition.if_match.empty()) request.headers.emplace_back("If-Match", condition.if_match);
  if (condition.if_none_match_any) request.headers.emplace_back("If-None-Match", "*");
  request.precondition_is_answer = true;
  auto response = send(request, "PutObject");
  if (!response) return response.error();
  if (response->status == 412 || response->status == 409) return std::optional<std::string>();
  return std::optional<std::string>(unquote(response->header("etag")));
}

Result<S3ObjectHead> S3Client::head_object(const std::string& bucket, const std::string& key) {
  auto response = send({"HEAD", bucket, key, {}, {}, {}, false}, "HeadObject");
  if (!response) return response.error();
  S3ObjectHead head;
  head.size = std::strtoull(response->header("content-length").c_str(), nullptr, 10);
  head.etag = unquote(response->header("etag"));
  head.content_type = response->header("content-type");
  head.last_modified_unix = parse_http_date(response->header("last-modified"));
  return head;
}

Result<std::string> S3Client::get_object(const std::string& bucket, const std::string& key,
                                         std::optional<S3ByteRange> range) {
  Request request{"GET", bucket, key, {}, {}, {}, false};
  if (range)
    request.headers.emplace_back(
        "Range", "bytes=" + std::to_string(range->first) + "-" + std::to_string(range->last));
  auto response = send(request, "GetObject");
  if (!response) return response.error();
  return std::move(response->body);
}

Result<S3Object> S3Client::get_object_with_etag(const std::string& bucket, const std::string& key) {
  auto response = send({"GET", bucket, key, {}, {}, {}, false}, "GetObject");
  if (!response) return response.error();
  return S3Object{std::move(response->body), unquote(response->header("etag"))};
}

Result<void> S3Client::delete_object(const std::string& bucket, const std::string& key) {
  auto response = send({"DELETE", bucket, key, {}, {}, {}, false}, "DeleteObject");
  if (!response) return response.error();
  return {};
}

Result<S3ListPage> S3Client::list_objects_page(const std::string& bucket, const std::string& prefix,
                                               const std::string& continuation_token,
                                               int max_keys) {
  Request request{"GET", bucket, "", {}, {}, {}, false};
  request.query = {{"list-type", "2"}, {"max-keys", std::to_string(max_keys)}};
  if (!prefix.empty()) request.query.emplace_back("prefix", prefix);
  if (!continuation_token.empty())
    request.query.emplace_back("continuation-token", continuation_token);
  auto response = send(request, "ListObjectsV2");
  if (!response) return response.error();
  auto doc = s3xml::parse(response->body, "ListObjectsV2 " + bucket);
  if (!doc.ok()) return doc.error();
  const XmlElement result = doc->root();
  S3ListPage page;
  for (XmlElement contents : s3xml::elements(result, "Contents")) {
    S3ListedObject object;
    object.key = s3xml::text(contents, "Key").value_or("");
    object.size = to_u64(s3xml::text(contents, "Size"));
    object.etag = unquote(s3xml::text(contents, "ETag").value_or(""));
    object.storage_class = s3xml::text(contents, "StorageClass").value_or("STANDARD");
    object.last_modified_unix = parse_iso8601(s3xml::text(contents, "LastModified").value_or(""));
    page.objects.push_back(std::move(object));
  }
  if (s3xml::text(result, "IsTruncated").value_or("false") == "true") {
    page.next_continuation_token = s3xml::text(result, "NextContinuationToken").value_or("");
    if (page.next_continuation_token.empty())
      return make_error(Errc::io_error, "S3 ListObjectsV2 " + bucket +
                                            " returned a truncated page without a continuation "
                                            "token; the endpoint does not speak ListObjectsV2");
  }
  return page;
}

Result<std::vector<S3ListedObject>> S3Client::list_objects(const std::string& bucket,
                                                           const std::string& prefix,
                                                           int page_size) {
  std::vector<S3ListedObject> all;
  std::string token;
  do {
    auto page = list_objects_page(bucket, prefix, token, page_size);
    if (!page) return page.error();
    all.insert(all.end(), std::make_move_iterator(page->objects.begin()),
               std::make_move_iterator(page->objects.end()));
    token = page->next_continuation_token;
  } while (!token.empty());
  return all;
}

Result<std::string> S3Client::create_multipart_upload(const std::string& bucket,
                                                      const std::string& key,
                                                      const std::string& content_type) {
  Request request{"POST", bucket, key, {{"uploads", ""}}, {}, {}, false};
  if (!content_type.empty()) request.headers.emplace_back("Content-Type", content_type);
  auto response = send(request, "CreateMultipartUpload");
  if (!response) return response.error();
  auto doc = s3xml::parse(response->body, "CreateMultipartUpload " + bucket + "/" + key);
  if (!doc.ok()) return doc.error();
  auto upload_id = s3xml::text(doc->root(), "UploadId");
  if (!upload_id || upload_id->empty())
    return make_error(Errc::io_error, "S3 CreateMultipartUpload " + bucket + "/" + key +
                                          " answered without an UploadId");
  return *upload_id;
}

Result<std::string> S3Client::upload_part(const std::string& bucket, const std::string& key,
                                          const std::string& upload_id, int part_number,
                                          std::span<const std::uint8_t> bytes) {
  Request request{
      "PUT", bucket, key,  {{"partNumber", std::to_string(part_number)}, {"uploadId", upload_id}},
      {},    {},     false};
  request.body = std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  auto response = send(request, "UploadPart " + std::to_string(part_number));
  if (!response) return response.error();
  return unquote(response->header("etag"));
}

Result<std::string> S3Client::complete_multipart_upload(const std::string& bucket,
                                                        const std::string& key,
                                                        const std::string& upload_id,
                                                        const std::vector<S3UploadedPart>& parts) {
  std::string body = "<CompleteMultipartUpload>";
  for (const auto& part : parts)
    body += "<Part><PartNumber>" + std::to_string(part.part_number) + "</PartNumber><ETag>\"" +
            s3xml::escape(part.etag) + "\"</ETag></Part>";
  body += "</CompleteMultipartUpload>";
  Request request{"POST", bucket, key, {{"uploadId", upload_id}}, {}, body, true};
  request.headers.emplace_back("Content-Type", "application/xml");
  auto response = send(request, "CompleteMultipartUpload");
  if (!response) return response.error();
  auto doc = s3xml::parse(response->body, "CompleteMultipartUpload " + bucket + "/" + key);
  if (!doc.ok()) return doc.error();
  return unquote(s3xml::text(doc->root(), "ETag").value_or(""));
}

Result<void> S3Client::abort_multipart_upload(const std::string& bucket, const std::string& key,
                                              const std::string& upload_id) {
  auto response = send({"DELETE", bucket, key, {{"uploadId", upload_id}}, {}, {}, false},
                       "AbortMultipartUpload");
  if (!response) return response.error();
  return {};
}

Result<std::vector<S3MultipartUpload>> S3Client::list_multipart_uploads(const std::string& bucket,
                                                                        const std::string& prefix) {
  Request request{"GET", bucket, "", {{"uploads", ""}}, {}, {}, false};
  if (!prefix.empty()) request.query.emplace_back("prefix", prefix);
  auto response = send(request, "ListMultipartUploads");
  if (!response) return response.error();
  auto doc = s3xml::parse(response->body, "ListMultipartUploads " + bucket);
  if (!doc.ok()) return doc.error();
  std::vector<S3MultipartUpload> uploads;
  for (XmlElement upload : s3xml::elements(doc->root(), "Upload"))
    uploads.push_back(
        {s3xml::text(upload, "Key").value_or(""), s3xml::text(upload, "UploadId").value_or("")});
  return uploads;
}

Result<void> S3Client::put_bucket_lifecycle(const std::string& bucket,
                                            const std::vector<S3LifecycleRule>& rules) {
  const std::string body = lifecycle_to_xml(rules);
  Request request{"PUT", bucket, "", {{"lifecycle", ""}}, {}, body, false};
  // S3 refuses a lifecycle configuration without an integrity header.
  request.headers.emplace_back("Content-MD5", md5_base64(body));
  request.headers.emplace_back("Content-Type", "application/xml");
  auto response = send(request, "PutBucketLifecycleConfiguration");
  if (!response) return response.error();
  return {};
}

Result<std::vector<S3LifecycleRule>> S3Client::get_bucket_lifecycle(const std::string& bucket) {
  auto response = send({"GET", bucket, "", {{"lifecycle", ""}}, {}, {}, false},
                       "GetBucketLifecycleConfiguration");
  if (!response) return response.error();
  return lifecycle_from_xml(response->body);
}

std::string S3Client::presign_get(const std::string& bucket, const std::string& key,
                                  std::chrono::seconds expires_in,
                                  std::chrono::system_clock::time_point signed_at) const {
  const Target t = target(bucket, key);
  SignableRequest request;
  request.method = "GET";
  request.path = t.path;
  request.headers = {{"host", t.host}};
  const PresignedQuery presigned =
      presign_request(request, config_.credentials,
                      {config_.region, "s3", format_amz_datetime(signed_at)}, expires_in);
  return t.base_url + uri_encode(t.path, true) + "?" + presigned.query_string;
}

}  // namespace namix
