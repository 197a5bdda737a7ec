// `namix serve`'s transport: cpp-httplib with a fixed number of connection
// threads, turning each request into an HttpRequest for the Router.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/error.h"
#include "net/router.h"

namespace httplib {
class ContentReader;
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace namix {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port (tests)
  std::size_t http_threads = 256;
  std::uint64_t max_upload_bytes = std::uint64_t{1} << 30;
  std::size_t max_json_bytes = 64 * 1024;
};

class HttpServer {
 public:
  HttpServer(Router& router, ServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds the listening socket with the system's largest backlog (SO_REUSEADDR,
  // not SO_REUSEPORT: a port another server holds is an error); returns the
  // port (useful with port 0).
  Result<int> bind();
  // Serves until stop(); returns false when the listener failed.
  bool run();
  void stop();

  // The bytes sent back to a connection that carried `request_bytes` and
  // then ended: every request on it answered in turn, as on a socket. The
  // transport end to end without one (the raw-request fuzzer).
  std::string answer_connection(std::string_view request_bytes);

 private:
  class Transport;

  // A request that may carry a body (POST, PUT, PATCH, DELETE): its framing
  // checked, its body read within the caps, then routed.
  HttpResponse serve_with_body(const httplib::Request& req, httplib::Response& res,
                               const httplib::ContentReader& reader);

  Router& router_;
  ServerOptions options_;
  std::unique_ptr<Transport> server_;
  int listen_fd_ = -1;  // the socket bind() made
};

}  // namespace namix
