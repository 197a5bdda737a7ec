#include "net/lambda_runtime.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <future>
#include <iostream>
#include <mutex>
#include <sstream>

#include "core/utf8.h"
#include "net/http_error.h"
#include "store/sigv4.h"

namespace namix {
namespace {

using nlohmann::json;

std::string string_field(const json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

const json* object_field(const json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end() || !it->is_object()) return nullptr;
  return &*it;
}

// Query strings API Gateway hands over are already decoded, one value per
// name in queryStringParameters (v2 joins repeats with ',').
void copy_query(const json& event, HttpRequest& request) {
  if (const json* query = object_field(event, "queryStringParameters")) {
    for (const auto& [name, value] : query->items())
      if (value.is_string()) request.query[name] = value.get<std::string>();
  }
}

void copy_headers(const json& event, HttpRequest& request) {
  if (const json* headers = object_field(event, "headers")) {
    for (const auto& [name, value] : headers->items())
      if (value.is_string()) request.headers[name] = value.get<std::string>();
  }
  // v1 multiValueHeaders: repeated headers, joined as HTTP would.
  if (const json* multi = object_field(event, "multiValueHeaders")) {
    for (const auto& [name, values] : multi->items()) {
      if (!values.is_array() || values.size() < 2) continue;
      std::string joined;
      for (const auto& v : values) {
        if (!v.is_string()) continue;
        if (!joined.empty()) joined += ",";
        joined += v.get<std::string>();
      }
      request.headers[name] = joined;
    }
  }
}

Result<void> copy_body(const json& event, HttpRequest& request) {
  auto body = event.find("body");
  if (body == event.end() || !body->is_string()) return {};
  const bool base64 = event.value("isBase64Encoded", false);
  if (!base64) {
    request.body = body->get<std::string>();
    return {};
  }
  auto decoded = base64_decode(body->get<std::string>());
  if (!decoded)
    return make_error(Errc::invalid_argument, "API Gateway event body is marked base64 but is not");
  request.body = std::move(*decoded);
  return {};
}

}  // namespace

bool is_api_gateway_event(const json& event) {
  if (!event.is_object()) return false;
  if (event.contains("httpMethod")) return true;  // REST API (v1)
  return string_field(event, "version") == "2.0" && event.contains("requestContext");
}

bool is_scheduled_event(const json& event) {
  if (!event.is_object()) return false;
  if (event.contains("namix_poll")) return true;
  return string_field(event, "source") == "aws.events" &&
         string_field(event, "detail-type") == "Scheduled Event";
}

Result<ApiGatewayRequest> request_from_api_gateway_event(const json& event) {
  if (!is_api_gateway_event(event))
    return make_error(Errc::invalid_argument,
                      "the event is not an API Gateway request (REST v1 or HTTP API 2.0)");
  ApiGatewayRequest out;
  HttpRequest& request = out.request;
  const json* context = object_field(event, "requestContext");
  if (event.contains("httpMethod")) {
    out.version = ApiGatewayVersion::rest_v1;
    request.method = string_field(event, "httpMethod");
    // `path` is the resource path without the stage (REST API).
    request.path = string_field(event, "path");
    if (context != nullptr) {
      if (const json* identity = object_field(*context, "identity"))
        request.remote_addr = string_field(*identity, "sourceIp");
    }
    // multiValueQueryStringParameters carries repeats; the last value wins,
    // as in queryStringParameters.
    copy_query(event, request);
  } else {
    out.version = ApiGatewayVersion::http_v2;
    const json* http = context != nullptr ? object_field(*context, "http") : nullptr;
    if (http == nullptr)
      return make_error(Errc::invalid_argument, "HTTP API event without requestContext.http");
    request.method = string_field(*http, "method");
    request.remote_addr = string_field(*http, "sourceIp");
    // rawPath carries the stage of a named stage ("/prod/mix/jobs"); the
    // router knows routes without it.
    request.path = string_field(event, "rawPath");
    const std::string stage = string_field(*context, "stage");
    if (!stage.empty() && stage != "$default") {
      const std::string prefix = "/" + stage;
      if (request.path == prefix)
        request.path = "/";
      else if (request.path.rfind(prefix + "/", 0) == 0)
        request.path.erase(0, prefix.size());
    }
    copy_query(event, request);
    if (auto cookies = event.find("cookies"); cookies != event.end() && cookies->is_array()) {
      std::string joined;
      for (const auto& c : *cookies) {
        if (!c.is_string()) continue;
        if (!joined.empty()) joined += "; ";
        joined += c.get<std::string>();
      }
      if (!joined.empty()) request.headers["cookie"] = joined;
    }
  }
  copy_headers(event, request);
  if (request.method.empty() || request.path.empty())
    return make_error(Errc::invalid_argument, "API Gateway event without a method or a path");
  NAMIX_TRY(copy_body(event, request));
  return out;
}

json api_gateway_response(const HttpResponse& response) {
  std::string body = response.body;
  if (!response.body_file.empty()) {
    std::ifstream in(response.body_file, std::ios::binary);
    if (!in) {
      return api_gateway_response(
          HttpResponse{500,
                       {{"content-type", "application/json"}},
                       error_json("internal", "the response file could not be read").dump(),
                       "",
                       false});
    }
    // The whole file, or the part a Range asked for.
    in.seekg(static_cast<std::streamoff>(response.body_file_offset));
    if (response.body_file_length) {
      body.resize(static_cast<std::size_t>(*response.body_file_length));
      in.read(body.data(), static_cast<std::streamsize>(body.size()));
      body.resize(static_cast<std::size_t>(std::max<std::streamsize>(in.gcount(), 0)));
    } else {
      std::ostringstream bytes;
      bytes << in.rdbuf();
      body = bytes.str();
    }
  }
  const bool base64 = response.binary || !response.body_file.empty() || !valid_utf8(body);
  if (base64) body = base64_encode(body);
  if (body.size() > kLambdaMaxResponseBytes) {
    return api_gateway_response(HttpResponse{
        502,
        {{"content-type", "application/json"}},
        error_json("response_too_large",
                   "the response is over Lambda's 6 MB limit; download the mix through its "
                   "download_url instead")
            .dump(),
        "",
        false});
  }
  json headers = json::object();
  for (const auto& [name, value] : response.headers) headers[name] = value;
  return json{{"statusCode", response.status},
              {"headers", headers},
              {"body", body},
              {"isBase64Encoded", base64}};
}

// ------------------------------------------------------------ runtime API client

namespace {

std::size_t append_body(char* data, std::size_t size, std::size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

std::size_t append_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* headers = static_cast<HeaderMap*>(user);
  const std::string_view line(data, size * count);
  const auto colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string value(line.substr(colon + 1));
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
      value.pop_back();
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    (*headers)[std::string(line.substr(0, colon))] = value;
  }
  return size * count;
}

}  // namespace

LambdaRuntimeClient::LambdaRuntimeClient(std::string runtime_api)
    : base_url_("http://" + std::move(runtime_api) + "/2018-06-01") {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

Result<LambdaRuntimeClient::Reply> LambdaRuntimeClient::exchange(const std::string& method,
                                                                 const std::string& path,
                                                                 const std::string& body,
                                                                 const HeaderMap& headers,
                                                                 bool long_poll) {
  CURL* handle = curl_easy_init();
  if (handle == nullptr) return make_error(Errc::internal, "curl_easy_init failed");
  Reply reply;
  const std::string url = base_url_ + path;
  curl_slist* list = nullptr;
  for (const auto& [name, value] : headers)
    list = curl_slist_append(list, (name + ": " + value).c_str());
  list = curl_slist_append(list, "Expect:");
  curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
  // The next-invocation call may block for as long as the function is idle.
  curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, long_poll ? 0L : 30000L);
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &reply.body);
  curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, append_header);
  curl_easy_setopt(handle, CURLOPT_HEADERDATA, &reply.headers);
  if (method == "POST") {
    curl_easy_setopt(handle, CURLOPT_POST, 1L);
    curl_easy_setopt(handle, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  const CURLcode rc = curl_easy_perform(handle);
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &reply.status);
  curl_slist_free_all(list);
  curl_easy_cleanup(handle);
  if (rc != CURLE_OK)
    return make_error(Errc::unavailable, "Lambda Runtime API " + method + " " + url +
                                             " failed: " + curl_easy_strerror(rc));
  if (reply.status < 200 || reply.status >= 300)
    return make_error(Errc::unavailable, "Lambda Runtime API " + method + " " + url + " answered " +
                                             std::to_string(reply.status) + ": " + reply.body);
  return reply;
}

Result<LambdaInvocation> LambdaRuntimeClient::next() {
  auto reply = exchange("GET", "/runtime/invocation/next", "", {}, true);
  if (!reply) return reply.error();
  LambdaInvocation invocation;
  auto header = [&](const char* name) {
    auto it = reply->headers.find(name);
    return it == reply->headers.end() ? std::string() : it->second;
  };
  invocation.request_id = header("Lambda-Runtime-Aws-Request-Id");
  invocation.deadline_ms = std::strtoll(header("Lambda-Runtime-Deadline-Ms").c_str(), nullptr, 10);
  invocation.trace_id = header("Lambda-Runtime-Trace-Id");
  invocation.function_arn = header("Lambda-Runtime-Invoked-Function-Arn");
  invocation.event = std::move(reply->body);
  if (invocation.request_id.empty())
    return make_error(
        Errc::unavailable,
        "Lambda Runtime API gave an invocation without Lambda-Runtime-Aws-Request-Id");
  return invocation;
}

Result<void> LambdaRuntimeClient::respond(const std::string& request_id,
                                          const std::string& payload) {
  auto reply = exchange("POST", "/runtime/invocation/" + request_id + "/response", payload,
                        {{"Content-Type", "application/json"}}, false);
  if (!reply) return reply.error();
  return {};
}

Result<void> LambdaRuntimeClient::report_error(const std::string& request_id,
                                               const std::string& error_type,
                                               const std::string& message) {
  const json body{
      {"errorMessage", message}, {"errorType", error_type}, {"stackTrace", json::array()}};
  auto reply = exchange(
      "POST", "/runtime/invocation/" + request_id + "/error", body.dump(),
      {{"Content-Type", "application/json"}, {"Lambda-Runtime-Function-Error-Type", error_type}},
      false);
  if (!reply) return reply.error();
  return {};
}

Result<void> LambdaRuntimeClient::report_init_error(const std::string& error_type,
                                                    const std::string& message) {
  const json body{
      {"errorMessage", message}, {"errorType", error_type}, {"stackTrace", json::array()}};
  auto reply = exchange(
      "POST", "/runtime/init/error", body.dump(),
      {{"Content-Type", "application/json"}, {"Lambda-Runtime-Function-Error-Type", error_type}},
      false);
  if (!reply) return reply.error();
  return {};
}

// ------------------------------------------------------------ the loop

namespace {

std::int64_t now_unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Runs `work` on its own thread and waits until `deadline_ms` at most; the
// work cannot be cancelled, so on timeout the caller answers first and the
// future's destructor waits for the work to end before the next invocation.
template <typename T>
std::optional<T> run_until(std::future<T>& future, std::int64_t deadline_ms) {
  {
    const auto left =
        std::chrono::milliseconds(std::max<std::int64_t>(0, deadline_ms - now_unix_ms()));
    if (future.wait_for(left) != std::future_status::ready) return std::nullopt;
  }
  return future.get();
}

struct Outcome {
  bool ok = true;
  std::string payload;     // response JSON when ok
  std::string error_type;  // else
  std::string message;
};

// On timeout the still-running handler is left in `straggler`, which the
// loop waits on only after the timeout answer is posted.
Outcome handle_api_request(const json& event, const HttpHandler& handler, std::int64_t answer_by_ms,
                           std::future<Outcome>& straggler) {
  auto converted = request_from_api_gateway_event(event);
  if (!converted) return {false, "", "Runtime.InvalidEvent", converted.error().message};
  HttpRequest request = std::move(converted->request);
  if (answer_by_ms > 0) request.headers[kDeadlineHeader] = std::to_string(answer_by_ms);
  auto future = std::async(std::launch::async, [&handler, request]() -> Outcome {
    try {
      return {true, api_gateway_response(handler(request)).dump(), "", ""};
    } catch (const std::exception& e) {
      return {false, "", "Runtime.HandlerException", std::string("handler threw: ") + e.what()};
    }
  });
  if (auto done = run_until(future, answer_by_ms)) return *done;
  const HttpResponse timeout{
      504,
      {{"content-type", "application/json"}},
      error_json("deadline",
                 "this request needs more time than the function's timeout allows; submit long "
                 "mixes to POST /mix/jobs and poll GET /mix/jobs/{id}")
          .dump(),
      "",
      false};
  straggler = std::move(future);
  return Outcome{true, api_gateway_response(timeout).dump(), "", ""};
}

}  // namespace

Result<void> run_lambda_loop(LambdaRuntimeClient& runtime, const LambdaHandlers& handlers,
                             const LambdaLoopOptions& options) {
  for (int served = 0; options.max_invocations < 0 || served < options.max_invocations; ++served) {
    auto invocation = runtime.next();
    if (!invocation) return invocation.error();
    // X-Ray reads the trace id from the environment (AWS Lambda custom runtime contract).
    if (invocation->trace_id.empty())
      unsetenv("_X_AMZN_TRACE_ID");
    else
      setenv("_X_AMZN_TRACE_ID", invocation->trace_id.c_str(), 1);
    const std::int64_t received_ms = now_unix_ms();
    std::int64_t answer_by_ms = received_ms + options.api_gateway_timeout.count();
    if (invocation->deadline_ms > 0) answer_by_ms = std::min(answer_by_ms, invocation->deadline_ms);
    answer_by_ms -= options.deadline_margin.count();

    Outcome outcome;
    std::future<Outcome> straggler;
    json event = json::parse(invocation->event, nullptr, false);
    if (event.is_discarded()) {
      outcome = {false, "", "Runtime.InvalidEvent", "the event is not JSON"};
    } else if (is_api_gateway_event(event)) {
      outcome = handle_api_request(event, handlers.api, answer_by_ms, straggler);
    } else if (event.is_object() && event.contains("namix_job")) {
      if (!handlers.job) {
        outcome = {false, "", "Runtime.NoJobHandler", "this function does not run mix jobs"};
      } else {
        Result<void> ran = handlers.job(event["namix_job"]);
        outcome = ran ? Outcome{true, json{{"status", "done"}}.dump(), "", ""}
                      : Outcome{false, "", "Runtime.JobFailed", ran.error().message};
      }
    } else if (is_scheduled_event(event)) {
      // A poll round may use the whole invocation, not API Gateway's 30 s.
      const std::int64_t round_by_ms =
          (invocation->deadline_ms > 0 ? invocation->deadline_ms
                                       : received_ms + options.api_gateway_timeout.count()) -
          options.deadline_margin.count();
      if (!handlers.schedule) {
        outcome = {false, "", "Runtime.NoScheduleHandler",
                   "this function follows no subscriptions"};
      } else {
        Result<json> report = handlers.schedule(round_by_ms);
        outcome = report ? Outcome{true, report->dump(), "", ""}
                         : Outcome{false, "", "Runtime.PollFailed", report.error().message};
      }
    } else {
      outcome = {false, "", "Runtime.InvalidEvent",
                 "unknown event: expected an API Gateway request, a namix_job or a schedule"};
    }

    Result<void> posted = outcome.ok ? runtime.respond(invocation->request_id, outcome.payload)
                                     : runtime.report_error(invocation->request_id,
                                                            outcome.error_type, outcome.message);
    if (straggler.valid()) {
      std::cerr << "namix lambda: invocation " << invocation->request_id
                << " answered 504 at its deadline; waiting for the handler to finish\n";
      straggler.wait();
    }
    if (!posted) return posted.error();
    if (!outcome.ok)
      std::cerr << "namix lambda: invocation " << invocation->request_id
                << " failed: " << outcome.error_type << ": " << outcome.message << "\n";
  }
  return {};
}

}  // namespace namix
