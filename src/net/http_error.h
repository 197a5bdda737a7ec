// The one place an Error becomes what an HTTP client sees: the status code,
// and the error JSON every route, transport and job record shares:
//   {"status": "error", "error": {"code", "message"}, "session_id"}
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "net/http_types.h"

namespace namix {

int http_status(Errc code);

// `code` is an errc_name, or a transport's own code where no Errc fits
// ("deadline", "response_too_large" from the Lambda adapter).
nlohmann::json error_json(std::string_view code, std::string_view message,
                          std::string_view session_id = "");
nlohmann::json error_json(const Error& error, std::string_view session_id = "");

HttpResponse json_response(int status, const nlohmann::json& body);
// The error JSON with http_status(error.code), or `status` when it is not 0;
// storage_full and unavailable add a Retry-After (a caller may set its own).
HttpResponse error_response(const Error& error, std::string_view session_id = "", int status = 0);

}  // namespace namix
