// `namix lambda`: the container image's entry point on AWS Lambda (Runtime
// API loop), and `namix lambda invoke` to queue an asynchronous invocation.
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <thread>

#include <nlohmann/json.hpp>

#include "app/command.h"
#include "app/exit_code.h"
#include "net/lambda_invoke.h"
#include "net/lambda_runtime.h"
#include "store/storage_factory.h"

namespace namix {
namespace {

using nlohmann::json;

// `--diagnostic-echo`: answers every request with what the adapter made of
// it, to check an API Gateway set-up (and to test the adapter) without the
// mixer. /echo/binary answers 256 raw bytes, /echo/throw fails the
// invocation, /echo/sleep?ms=N takes N ms.
HttpResponse echo_handler(const HttpRequest& request) {
  if (request.path == "/echo/throw") throw std::runtime_error("diagnostic failure requested");
  if (request.path == "/echo/binary") {
    std::string bytes(256, '\0');
    for (int i = 0; i < 256; ++i) bytes[static_cast<std::size_t>(i)] = static_cast<char>(i);
    return HttpResponse{200, {{"Content-Type", "application/octet-stream"}}, bytes, "", true};
  }
  if (request.path == "/echo/sleep") {
    auto it = request.query.find("ms");
    const long ms = it == request.query.end() ? 0 : std::strtol(it->second.c_str(), nullptr, 10);
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  }
  json headers = json::object();
  for (const auto& [name, value] : request.headers) headers[name] = value;
  const char* trace = std::getenv("_X_AMZN_TRACE_ID");
  json body{{"method", request.method},
            {"path", request.path},
            {"query", request.query},
            {"headers", headers},
            {"body", request.body},
            {"remote_addr", request.remote_addr},
            {"trace_id", trace != nullptr ? trace : ""}};
  return HttpResponse{200, {{"Content-Type", "application/json"}}, body.dump(), "", false};
}

// Until the API router (ApiService) is merged into this branch, the Lambda
// entry point serves /health and says plainly that the rest is missing.
HttpHandler minimal_api_handler(std::shared_ptr<Storage> storage) {
  return [storage](const HttpRequest& request) {
    if (request.path == "/health")
      return HttpResponse{
          200,
          {{"Content-Type", "application/json"}},
          json{{"status", "ok"}, {"storage", storage ? storage->describe() : std::string("none")}}
              .dump(),
          "",
          false};
    return HttpResponse{501,
                        {{"Content-Type", "application/json"}},
                        json{{"status", "error"},
                             {"error",
                              {{"code", "not_implemented"},
                               {"message", "this build of namix lambda has no API router"}}}}
                            .dump(),
                        "",
                        false};
  };
}

struct LambdaArgs {
  std::string storage;
  std::string s3_endpoint;
  bool echo = false;
  int max_invocations = -1;
  long deadline_margin_ms = 1500;
  std::string invoke_function;
  std::string invoke_payload = "{}";
};

int run_loop(const LambdaArgs& args) {
  const char* api = std::getenv("AWS_LAMBDA_RUNTIME_API");
  if (api == nullptr || *api == '\0')
    return report_error(make_error(Errc::invalid_argument,
                                   "AWS_LAMBDA_RUNTIME_API is not set: `namix lambda` runs inside "
                                   "AWS Lambda (use `namix serve` elsewhere)"));
  LambdaRuntimeClient runtime(api);

  // Start-up: everything that can fail before the first request is reported
  // to /init/error, so Lambda shows it rather than a timeout.
  std::shared_ptr<Storage> storage;
  std::string spec = args.storage;
  if (spec.empty()) {
    if (const char* env = std::getenv("NAMIX_STORAGE")) spec = env;
  }
  if (!spec.empty()) {
    StorageOpenOptions options;
    options.s3_endpoint = args.s3_endpoint;
    options.warnings = &std::cerr;
    auto opened = open_storage(spec, options);
    if (!opened) {
      const Error& error = opened.error();
      if (auto posted = runtime.report_init_error(
              "Runtime.InitError." + std::string(errc_name(error.code)), error.message);
          !posted)
        std::cerr << "namix lambda: " << posted.error().message << "\n";
      return report_error(error);
    }
    storage = std::move(*opened);
  }

  const HttpHandler handler = args.echo ? HttpHandler(echo_handler) : minimal_api_handler(storage);
  LambdaLoopOptions options;
  options.max_invocations = args.max_invocations;
  options.deadline_margin = std::chrono::milliseconds(args.deadline_margin_ms);
  auto ran = run_lambda_loop(runtime, handler, nullptr, options);
  if (!ran) return report_error(ran.error());
  return kExitOk;
}

int run_invoke(const LambdaArgs& args) {
  auto config = LambdaInvokeConfig::from_environment();
  if (!config) return report_error(config.error());
  if (!json::accept(args.invoke_payload))
    return report_error(make_error(Errc::invalid_argument, "--payload is not valid JSON"));
  auto invoked = invoke_lambda_async(*config, args.invoke_function, args.invoke_payload);
  if (!invoked) return report_error(invoked.error());
  std::cout << "queued an asynchronous invocation of " << args.invoke_function << "\n";
  return kExitOk;
}

std::function<int()> add_lambda(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand(
      "lambda", "Run as an AWS Lambda custom runtime (the container image's entry point)");
  auto args = std::make_shared<LambdaArgs>();
  cmd->add_option("--storage", args->storage,
                  "Storage: a directory or s3://BUCKET/PREFIX (default: NAMIX_STORAGE)");
  cmd->add_option("--s3-endpoint", args->s3_endpoint, "S3-compatible endpoint (default: AWS)");
  cmd->add_flag("--diagnostic-echo", args->echo,
                "Answer every request with what the adapter made of it (checks an API Gateway "
                "set-up without the mixer)");
  cmd->add_option("--max-invocations", args->max_invocations,
                  "Exit after this many invocations (default: never)");
  cmd->add_option("--deadline-margin-ms", args->deadline_margin_ms,
                  "Answer this long before Lambda's deadline (default 1500)");

  CLI::App* invoke = cmd->add_subcommand(
      "invoke", "Queue an asynchronous invocation (Invoke API, InvocationType Event)");
  invoke->add_option("function", args->invoke_function, "Function name or ARN")->required();
  invoke->add_option("--payload", args->invoke_payload, "JSON event (default {})");

  return [=]() -> int {
    if (!cmd->parsed()) return -1;
    if (invoke->parsed()) return run_invoke(*args);
    return run_loop(*args);
  };
}

}  // namespace
NAMIX_REGISTER_COMMAND(lambda, add_lambda);
}  // namespace namix
