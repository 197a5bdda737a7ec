#include "net/http_error.h"

namespace namix {
namespace {

// A full disk is not the client's fault and passes once an operator frees
// space or old mixes expire; storage that cannot be reached is usually back
// within a restart. Either way the client is told when to ask again.
constexpr int kStorageFullRetryAfterS = 120;
constexpr int kUnavailableRetryAfterS = 30;

}  // namespace

int http_status(Errc code) {
  switch (code) {
    case Errc::invalid_argument:
    case Errc::unreadable:
      return 400;
    case Errc::not_found:
      return 404;
    case Errc::not_audio:
      return 415;
    case Errc::undecodable:
      return 422;
    case Errc::too_large:
      return 413;
    case Errc::unauthorized:
      return 401;
    case Errc::forbidden:
      return 403;
    case Errc::throttled:
      return 429;
    case Errc::upstream_failed:
      return 502;
    case Errc::upstream_timeout:
      return 504;
    case Errc::unavailable:
      return 503;
    case Errc::storage_full:
      return 507;
    case Errc::io_error:
    case Errc::internal:
      return 500;
  }
  return 500;
}

nlohmann::json error_json(std::string_view code, std::string_view message,
                          std::string_view session_id) {
  return {{"status", "error"},
          {"error", {{"code", std::string(code)}, {"message", std::string(message)}}},
          {"session_id", std::string(session_id)}};
}

nlohmann::json error_json(const Error& error, std::string_view session_id) {
  return error_json(errc_name(error.code), error.message, session_id);
}

HttpResponse json_response(int status, const nlohmann::json& body) {
  HttpResponse r;
  r.status = status;
  r.headers["Content-Type"] = "application/json";
  r.body = body.dump();
  return r;
}

HttpResponse error_response(const Error& error, std::string_view session_id, int status) {
  HttpResponse r =
      json_response(status != 0 ? status : http_status(error.code), error_json(error, session_id));
  if (error.code == Errc::storage_full) {
    r.headers["Retry-After"] = std::to_string(kStorageFullRetryAfterS);
  } else if (error.code == Errc::unavailable) {
    r.headers["Retry-After"] = std::to_string(kUnavailableRetryAfterS);
  }
  return r;
}

}  // namespace namix
