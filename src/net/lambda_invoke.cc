#include "net/lambda_invoke.h"

#include <curl/curl.h>

#include <chrono>
#include <cstdlib>
#include <mutex>
#include <random>
#include <thread>

#include <nlohmann/json.hpp>

namespace namix {
namespace {

std::string env_or(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::string(value) : fallback;
}

std::size_t append_body(char* data, std::size_t size, std::size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

}  // namespace

Result<LambdaInvokeConfig> LambdaInvokeConfig::from_environment() {
  auto credentials = AwsCredentials::from_environment();
  if (!credentials) return credentials.error();
  LambdaInvokeConfig config;
  config.credentials = std::move(*credentials);
  config.region = env_or("AWS_REGION", env_or("AWS_DEFAULT_REGION", "us-east-1"));
  config.endpoint = env_or("NAMIX_LAMBDA_ENDPOINT", "");
  while (!config.endpoint.empty() && config.endpoint.back() == '/') config.endpoint.pop_back();
  return config;
}

Result<void> invoke_lambda_async(const LambdaInvokeConfig& config, const std::string& function_name,
                                 const std::string& payload_json) {
  if (function_name.empty())
    return make_error(Errc::invalid_argument,
                      "no function to invoke: set AWS_LAMBDA_FUNCTION_NAME or give its name");
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });

  const std::string base_url = config.endpoint.empty()
                                   ? "https://lambda." + config.region + ".amazonaws.com"
                                   : config.endpoint;
  const auto scheme_end = base_url.find("://");
  const std::string host = base_url.substr(scheme_end == std::string::npos ? 0 : scheme_end + 3);
  // On the wire the name is encoded once (an ARN's ':' becomes %3A); services
  // other than S3 sign the path encoded a second time, so the signer gets the
  // once-encoded path and encodes it again.
  const std::string wire_path =
      "/2015-03-31/functions/" + uri_encode(function_name, false) + "/invocations";
  const std::string payload_hash = sha256_hex(payload_json);

  thread_local std::mt19937 random{std::random_device{}()};
  const int attempts = std::max(1, config.max_attempts);
  std::string last_problem;
  for (int attempt = 0; attempt < attempts; ++attempt) {
    if (attempt > 0) {
      // Full jitter, as for S3.
      std::uniform_int_distribution<int> pick(0, 100 << attempt);
      std::this_thread::sleep_for(std::chrono::milliseconds(pick(random)));
    }
    const std::string amz_date = format_amz_datetime(std::chrono::system_clock::now());
    SignableRequest request;
    request.method = "POST";
    request.path = wire_path;
    request.payload_sha256 = payload_hash;
    request.headers = {{"Host", host},
                       {"Content-Type", "application/json"},
                       {"X-Amz-Date", amz_date},
                       {"X-Amz-Invocation-Type", "Event"}};
    if (config.credentials.temporary())
      request.headers.emplace_back("X-Amz-Security-Token", config.credentials.session_token);
    const Signature sig =
        sign_request(request, config.credentials, {config.region, "lambda", amz_date});

    curl_slist* list = nullptr;
    for (const auto& [name, value] : request.headers)
      list = curl_slist_append(list, (name + ": " + value).c_str());
    list = curl_slist_append(list, ("Authorization: " + sig.authorization).c_str());
    list = curl_slist_append(list, "Expect:");
    CURL* handle = curl_easy_init();
    std::string body;
    long status = 0;
    const std::string url = base_url + wire_path;
    curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
    curl_easy_setopt(handle, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, 3000L);
    curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, 15000L);
    curl_easy_setopt(handle, CURLOPT_POST, 1L);
    curl_easy_setopt(handle, CURLOPT_POSTFIELDS, payload_json.data());
    curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(payload_json.size()));
    curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, append_body);
    curl_easy_setopt(handle, CURLOPT_WRITEDATA, &body);
    const CURLcode rc = curl_easy_perform(handle);
    curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(handle);
    curl_slist_free_all(list);

    if (rc != CURLE_OK) {
      last_problem = std::string(curl_easy_strerror(rc)) + " (" + base_url + ")";
      continue;
    }
    if (status == 202) return {};
    last_problem = std::to_string(status) + ": " + body;
    if (status == 429 || status >= 500) continue;
    const Errc code = status == 403 || status == 401 ? Errc::forbidden
                      : status == 404                ? Errc::not_found
                                                     : Errc::invalid_argument;
    return make_error(
        code,
        "Lambda Invoke " + function_name + " failed: " + last_problem +
            (code == Errc::forbidden ? " (the role needs lambda:InvokeFunction on itself)" : ""));
  }
  return make_error(Errc::unavailable, "Lambda Invoke " + function_name + " failed after " +
                                           std::to_string(attempts) + " attempts: " + last_problem);
}

bool running_on_lambda() {
  const char* api = std::getenv("AWS_LAMBDA_RUNTIME_API");
  return api != nullptr && *api != '\0';
}

Result<void> hand_off_job_to_lambda(const std::string& job_id) {
  auto config = LambdaInvokeConfig::from_environment();
  if (!config) return config.error();
  // Only the id travels: the request itself sits in the job record in
  // storage, and an async payload is capped at 256 KB.
  const std::string payload = nlohmann::json{{"namix_job", {{"job_id", job_id}}}}.dump();
  return invoke_lambda_async(*config, env_or("AWS_LAMBDA_FUNCTION_NAME", ""), payload);
}

}  // namespace namix
