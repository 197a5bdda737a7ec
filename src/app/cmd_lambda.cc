// `namix lambda`: the container image's entry point on AWS Lambda (Runtime
// API loop), and `namix lambda invoke` to queue an asynchronous invocation.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <thread>

#include <nlohmann/json.hpp>

#include "app/command.h"
#include "app/exit_code.h"
#include "follow/follow_stack.h"
#include "mix/pipeline.h"
#include "net/lambda_invoke.h"
#include "net/lambda_runtime.h"
#include "net/metrics.h"
#include "net/mix_service.h"
#include "net/router.h"
#include "select/theme.h"
#include "store/local_storage.h"
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

struct LambdaArgs {
  std::string storage;
  std::string themes_dir;
  std::string s3_endpoint;
  bool echo = false;
  int max_invocations = -1;
  long deadline_margin_ms = 1500;
  std::string invoke_function;
  std::string invoke_payload = "{}";
  std::string subscriptions_file;
  std::string public_url;
  std::string public_base_url;
  bool allow_private_urls = false;
  int min_poll_interval_s = 60;
};

// A flag's value, else the environment variable's (a container image sets
// the latter).
std::string flag_or_env(const std::string& flag, const char* name) {
  if (!flag.empty()) return flag;
  const char* value = std::getenv(name);
  return value != nullptr ? std::string(value) : std::string();
}

int run_loop(const LambdaArgs& args) {
  const char* runtime_api = std::getenv("AWS_LAMBDA_RUNTIME_API");
  if (runtime_api == nullptr || *runtime_api == '\0')
    return report_error(make_error(Errc::invalid_argument,
                                   "AWS_LAMBDA_RUNTIME_API is not set: `namix lambda` runs inside "
                                   "AWS Lambda (use `namix serve` elsewhere)"));
  LambdaRuntimeClient runtime(runtime_api);

  // Start-up: everything that can fail before the first request is reported
  // to /init/error, so Lambda shows it rather than a timeout.
  auto init_failed = [&runtime](const Error& error) {
    if (auto posted = runtime.report_init_error(
            "Runtime.InitError." + std::string(errc_name(error.code)), error.message);
        !posted)
      std::cerr << "namix lambda: " << posted.error().message << "\n";
    return report_error(error);
  };
  // Lambda's file system is read-only but for /tmp.
  const char* data_dir_env = std::getenv("NAMIX_DATA_DIR");
  const std::string data_dir = data_dir_env != nullptr && *data_dir_env != '\0'
                                   ? std::string(data_dir_env)
                                   : std::string("/tmp/namix");
  std::string spec = args.storage;
  if (spec.empty()) {
    const char* env = std::getenv("NAMIX_STORAGE");
    spec = env != nullptr && *env != '\0' ? std::string(env) : data_dir;
  }
  StorageOpenOptions storage_options;
  storage_options.s3_endpoint = args.s3_endpoint;
  storage_options.warnings = &std::cerr;
  auto opened = open_storage(spec, storage_options);
  if (!opened) return init_failed(opened.error());
  std::unique_ptr<Storage> storage = std::move(*opened);

  if (args.echo) {
    LambdaLoopOptions options;
    options.max_invocations = args.max_invocations;
    options.deadline_margin = std::chrono::milliseconds(args.deadline_margin_ms);
    auto ran = run_lambda_loop(runtime, {HttpHandler(echo_handler), nullptr, nullptr}, options);
    if (!ran) return report_error(ran.error());
    return kExitOk;
  }

  auto catalog = load_theme_catalog(args.themes_dir);
  if (!catalog) return init_failed(catalog.error());
  ServiceOptions service;
  service.data_dir = data_dir;
  service.fetch.allow_private_urls = args.allow_private_urls;
  // One invocation is one request: Lambda never sends a second one while
  // this one runs, so one mixing worker and no queue.
  service.workers = 1;
  service.max_queued = 1;
  // POST /mix/jobs must answer within API Gateway's 30 s and the sandbox is
  // frozen once it has: the mix runs in an asynchronous invocation of this
  // same function, which comes back here as a namix_job event.
  service.hand_off_job = [](const std::string& job_id) { return hand_off_job_to_lambda(job_id); };
  // Only /files links of local storage (a test set-up) go through the API;
  // on S3 the links are presigned.
  auto* local_files = dynamic_cast<LocalStorage*>(storage.get());
  Metrics metrics(&std::cout);  // EMF on stdout: CloudWatch Logs picks it up
  MixService mixer(
      service, *storage, *catalog,
      [](const MixRequest& request, ByteSink& out) { return run_mix(request, out); }, metrics);
  // No recover_jobs() here: other instances may be running jobs right now.
  // Subscriptions are polled by the schedule's events; their state lives in
  // the storage, claimed with conditional writes, so overlapping
  // invocations never mix an item twice.
  FollowStackOptions follow_options;
  follow_options.subscriptions_file =
      flag_or_env(args.subscriptions_file, "NAMIX_SUBSCRIPTIONS_FILE");
  follow_options.rules.themes = &*catalog;
  follow_options.rules.limits = service.limits;
  follow_options.rules.min_poll_interval =
      std::chrono::seconds(std::max(1, args.min_poll_interval_s));
  follow_options.follow.fetch = service.fetch;
  follow_options.follow.links.server_base = flag_or_env(args.public_url, "NAMIX_PUBLIC_URL");
  follow_options.follow.links.public_base_url =
      flag_or_env(args.public_base_url, "NAMIX_PUBLIC_BASE_URL");
  auto follow = FollowStack::open(std::move(follow_options), *storage, mixer);
  if (!follow) return init_failed(follow.error());
  RouterOptions router_options;
  router_options.follow = &(*follow)->routes();
  Router router(router_options, mixer, *storage, local_files, *catalog, metrics, &std::cerr);
  const HttpHandler handler = [&router](const HttpRequest& request) {
    return router.handle(request);
  };
  const LambdaJobHandler job_handler = [&mixer](const json& job) -> Result<void> {
    if (!job.is_object() || !job.contains("job_id") || !job["job_id"].is_string())
      return make_error(Errc::invalid_argument,
                        "a namix_job event needs {\"job_id\": ID} (from POST /mix/jobs)");
    return mixer.run_job(job["job_id"].get<std::string>());
  };
  LambdaLoopOptions options;
  options.max_invocations = args.max_invocations;
  options.deadline_margin = std::chrono::milliseconds(args.deadline_margin_ms);
  const LambdaScheduleHandler schedule_handler =
      [&follow](std::int64_t answer_by_ms) -> Result<json> {
    return (*follow)->run_scheduled_round(answer_by_ms);
  };
  auto ran = run_lambda_loop(runtime, {handler, job_handler, schedule_handler}, options);
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
                  "Storage: a directory or s3://BUCKET/PREFIX (default: NAMIX_STORAGE, else "
                  "NAMIX_DATA_DIR, else /tmp/namix)");
  cmd->add_option("--s3-endpoint", args->s3_endpoint, "S3-compatible endpoint (default: AWS)");
  cmd->add_option("--themes-dir", args->themes_dir,
                  "Directory of extra *.toml themes (default: the shipped ones)");
  cmd->add_flag("--diagnostic-echo", args->echo,
                "Answer every request with what the adapter made of it (checks an API Gateway "
                "set-up without the mixer)");
  cmd->add_flag("--allow-private-urls", args->allow_private_urls,
                "Fetch episodes, feeds and webhooks at loopback/private addresses too (a "
                "function in a VPC that follows an internal feed)")
      ->envname("NAMIX_ALLOW_PRIVATE_URLS");
  cmd->add_option("--max-invocations", args->max_invocations,
                  "Exit after this many invocations (default: never)");
  cmd->add_option("--deadline-margin-ms", args->deadline_margin_ms,
                  "Answer this long before Lambda's deadline (default 1500)");

  cmd->add_option("--subscriptions", args->subscriptions_file,
                  "TOML file of shows to follow, polled on each scheduled event (default: "
                  "NAMIX_SUBSCRIPTIONS_FILE)");
  cmd->add_option("--min-poll-interval", args->min_poll_interval_s,
                  "Shortest poll_interval a subscription may ask for, seconds")
      ->envname("NAMIX_MIN_POLL_INTERVAL_S")
      ->capture_default_str();
  cmd->add_option("--public-url", args->public_url,
                  "Base URL of the API, for published feeds' links (default: NAMIX_PUBLIC_URL, "
                  "else each request's host)");
  cmd->add_option("--public-base-url", args->public_base_url,
                  "Public base URL of the bucket (a CDN or a public-read prefix): published "
                  "feeds link files at URL/KEY (default: NAMIX_PUBLIC_BASE_URL)");

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
