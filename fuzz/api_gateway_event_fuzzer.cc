// API Gateway events (REST v1 and HTTP API 2.0) as `namix lambda` receives
// them: the JSON payload, the event turned into an HttpRequest, and a
// response carrying that request's body and headers turned back into the
// response object (base64 for bodies that are not UTF-8).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "fuzz/fuzz_check.h"
#include "net/lambda_runtime.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // As run_lambda_loop() reads the payload: no exceptions, a discarded value on error.
  const nlohmann::json event = nlohmann::json::parse(
      std::string_view(reinterpret_cast<const char*>(data), size), nullptr, false);
  if (event.is_discarded() || !namix::is_api_gateway_event(event)) return 0;
  auto converted = namix::request_from_api_gateway_event(event);
  if (!converted.ok()) return 0;
  const namix::HttpRequest& request = converted->request;
  NAMIX_FUZZ_CHECK(!request.method.empty() && !request.path.empty());
  namix::HttpResponse response;
  response.status = 200;
  response.body = request.body;
  for (const auto& [name, value] : request.headers) response.headers[name] = value;
  const nlohmann::json answer = namix::api_gateway_response(response);
  // What the loop posts back to the Runtime API.
  (void)answer.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
  return 0;
}
