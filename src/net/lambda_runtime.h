// The AWS Lambda custom runtime in the namix binary (`namix lambda`): the
// Runtime API loop, API Gateway events (REST API v1 and HTTP API 2.0) turned
// into HttpRequest for the same router as `namix serve`, and the response
// object back. Protocol: AWS Lambda Developer Guide, "Using the Lambda
// runtime API for custom runtimes" (API version 2018-06-01).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "net/http_types.h"

namespace namix {

// ------------------------------------------------------------ events

enum class ApiGatewayVersion { rest_v1, http_v2 };

struct ApiGatewayRequest {
  ApiGatewayVersion version = ApiGatewayVersion::rest_v1;
  HttpRequest request;
};

bool is_api_gateway_event(const nlohmann::json& event);
// invalid_argument for an event that is neither v1 nor v2, or whose base64
// body does not decode.
Result<ApiGatewayRequest> request_from_api_gateway_event(const nlohmann::json& event);

// Lambda's synchronous response payload limit (6 MB); the encoded response
// must stay under it.
inline constexpr std::size_t kLambdaMaxResponseBytes = 6 * 1000 * 1000;

// The response object API Gateway expects: statusCode, headers, body,
// isBase64Encoded (binary bodies, and bodies that are not UTF-8). A body_file
// is read and sent inline; anything over the payload limit becomes a 502
// JSON error that points at the download link instead.
nlohmann::json api_gateway_response(const HttpResponse& response);

// ------------------------------------------------------------ runtime API

struct LambdaInvocation {
  std::string request_id;        // Lambda-Runtime-Aws-Request-Id
  std::int64_t deadline_ms = 0;  // Lambda-Runtime-Deadline-Ms (Unix ms)
  std::string trace_id;          // Lambda-Runtime-Trace-Id
  std::string function_arn;      // Lambda-Runtime-Invoked-Function-Arn
  std::string event;             // the payload, JSON text
};

class LambdaRuntimeClient {
 public:
  // `runtime_api` is AWS_LAMBDA_RUNTIME_API: "host:port".
  explicit LambdaRuntimeClient(std::string runtime_api);

  // Long-polls for the next invocation (no timeout: Lambda freezes us here).
  Result<LambdaInvocation> next();
  Result<void> respond(const std::string& request_id, const std::string& payload);
  // Lambda-Runtime-Function-Error-Type: `error_type`; body {errorMessage, errorType, stackTrace}.
  Result<void> report_error(const std::string& request_id, const std::string& error_type,
                            const std::string& message);
  Result<void> report_init_error(const std::string& error_type, const std::string& message);

 private:
  struct Reply {
    long status = 0;
    HeaderMap headers;
    std::string body;
  };
  Result<Reply> exchange(const std::string& method, const std::string& path,
                         const std::string& body, const HeaderMap& headers, bool long_poll);

  std::string base_url_;
};

// ------------------------------------------------------------ the loop

struct LambdaLoopOptions {
  // Answer this long before Lambda's deadline, so the client gets a clean
  // error rather than a killed invocation.
  std::chrono::milliseconds deadline_margin{1500};
  // API Gateway cuts a synchronous request at 30 s whatever the function's
  // timeout (which is long, for asynchronous jobs); API requests are answered
  // within this budget minus the margin.
  std::chrono::milliseconds api_gateway_timeout{30000};
  // Stop after this many invocations (tests); < 0 = forever.
  int max_invocations = -1;
};

// Events that are not API Gateway requests: `{"namix_job": {...}}`, the
// asynchronous self-invocation that runs a /mix/jobs job (see lambda_invoke.h).
// Returns an error to fail the invocation.
using LambdaJobHandler = std::function<Result<void>(const nlohmann::json& job)>;

// An EventBridge schedule's event ({"source": "aws.events", "detail-type":
// "Scheduled Event", ...}), or {"namix_poll": {}} sent by hand: one poll
// round of the subscriptions. The handler gets the time (Unix ms) by which
// it must have answered and returns a report for the response payload.
using LambdaScheduleHandler = std::function<Result<nlohmann::json>(std::int64_t answer_by_ms)>;
bool is_scheduled_event(const nlohmann::json& event);

// What the loop does with each kind of event; a null handler refuses its
// events (the invocation fails with a message saying so).
struct LambdaHandlers {
  HttpHandler api;
  LambdaJobHandler job;
  LambdaScheduleHandler schedule;
};

// Header the handler finds the invocation deadline in (Unix ms), so long
// work can refuse early and point to /mix/jobs.
inline constexpr const char* kDeadlineHeader = "x-namix-deadline-ms";

// Runs next -> handler -> respond until max_invocations or a Runtime API
// failure (returned: Lambda restarts the sandbox).
Result<void> run_lambda_loop(LambdaRuntimeClient& runtime, const LambdaHandlers& handlers,
                             const LambdaLoopOptions& options = {});

}  // namespace namix
