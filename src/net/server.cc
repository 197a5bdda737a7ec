#include "net/server.h"

#include <fcntl.h>
#include <httplib.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "net/body_framing.h"
#include "net/http_error.h"

namespace namix {
namespace {

// A body larger than its cap is still read (and dropped) up to this much
// more, so the client gets its 413 instead of a reset connection.
constexpr std::uint64_t kDrainSlackBytes = 64ull << 20;

HttpRequest to_request(const httplib::Request& in) {
  HttpRequest out;
  out.method = in.method;
  out.path = in.path;
  for (const auto& [k, v] : in.params) out.query.emplace(k, v);  // first value wins
  for (const auto& [k, v] : in.headers) out.headers.emplace(k, v);
  out.remote_addr = in.remote_addr;
  return out;
}

void to_response(HttpResponse&& in, httplib::Response& out) {
  const int fd = in.body_file.empty() ? -1 : ::open(in.body_file.c_str(), O_RDONLY | O_CLOEXEC);
  if (!in.body_file.empty() && fd < 0) {
    in = error_response(make_error(Errc::not_found, "the file is gone; ask for a fresh link"));
    in.headers["Access-Control-Allow-Origin"] = "*";
  }
  out.status = in.status;
  std::string content_type = "application/json";
  for (const auto& [k, v] : in.headers) {
    // httplib writes these itself from the content it sends.
    if (::strcasecmp(k.c_str(), "Content-Type") == 0) {
      content_type = v;
    } else if (::strcasecmp(k.c_str(), "Content-Length") != 0) {
      out.set_header(k, v);
    }
  }
  if (fd >= 0) {
    const auto file_size = static_cast<std::uint64_t>(std::max<off_t>(::lseek(fd, 0, SEEK_END), 0));
    const std::uint64_t offset = std::min(in.body_file_offset, file_size);
    const std::uint64_t length =
        std::min(in.body_file_length.value_or(file_size), file_size - offset);
    if (length == 0) {  // httplib reads a provider of no length until it fails
      ::close(fd);
      out.set_content(std::string(), content_type);
      return;
    }
    out.set_content_provider(
        static_cast<std::size_t>(length), content_type,
        [fd, offset](std::size_t at, std::size_t n, httplib::DataSink& sink) {
          char buf[64 * 1024];
          const ssize_t got =
              ::pread(fd, buf, std::min(n, sizeof buf), static_cast<off_t>(offset + at));
          if (got <= 0) return false;
          return sink.write(buf, static_cast<std::size_t>(got));
        },
        [fd](bool) { ::close(fd); });
    return;
  }
  if (in.body.empty() && in.status == 204) return;
  const auto connection = in.headers.find("Connection");
  if (connection != in.headers.end() && connection->second == "close" && !in.body.empty()) {
    // httplib keeps a connection open after any answer it sends in full, and
    // would read what is left of a refused body as the next request; a
    // provider that reports failure once the whole body is out closes it.
    auto body = std::make_shared<const std::string>(std::move(in.body));
    out.set_content_provider(body->size(), content_type,
                             [body](std::size_t at, std::size_t n, httplib::DataSink& sink) {
                               sink.write(body->data() + at, n);
                               return false;
                             });
    return;
  }
  out.set_content(std::move(in.body), content_type);
}

// The kernel's ceiling on a listening socket's queue of connections not yet
// accepted (net.core.somaxconn; larger requests are cut to it).
int system_listen_backlog() {
  std::ifstream in("/proc/sys/net/core/somaxconn");
  int value = 0;
  if (in >> value && value > 0) return value;
  return SOMAXCONN;
}

// An answer from the transport itself, before the router sees the request.
// The connection is closed after it: whatever of the body was not read
// cannot be told from the next request.
HttpResponse refusal(const Error& error, int status = 0) {
  HttpResponse r = error_response(error, "", status);
  r.headers["Connection"] = "close";
  r.headers["Access-Control-Allow-Origin"] = "*";
  return r;
}

HttpResponse too_large_response(std::uint64_t cap) {
  return refusal(
      make_error(Errc::too_large, "the request body is larger than the " +
                                      std::to_string(cap / (1024 * 1024)) +
                                      " MiB limit; send a smaller file or an episode_url"));
}

std::vector<std::string> header_values(const httplib::Request& req, const char* name) {
  std::vector<std::string> values;
  const auto [first, last] = req.headers.equal_range(name);  // case-insensitive keys
  for (auto it = first; it != last; ++it) values.push_back(it->second);
  return values;
}

// The router answers Range requests itself (net/byte_range.h). httplib
// applies the ranges it parsed once more to whatever is sent (the part
// again, or a JSON error), so they are dropped before it writes. The
// request is httplib's own non-const object, handed to handlers as const.
void leave_ranges_to_the_router(const httplib::Request& req) {
  const_cast<httplib::Request&>(req).ranges.clear();
}

// A connection's bytes in memory: reads from what the client sent, writes
// to what it gets back.
class ConnectionBytes final : public httplib::Stream {
 public:
  explicit ConnectionBytes(std::string_view sent) : sent_(sent) {}
  bool is_readable() const override { return true; }
  bool is_writable() const override { return true; }
  ssize_t read(char* ptr, std::size_t size) override {
    const std::size_t n = std::min(size, sent_.size() - read_);
    std::memcpy(ptr, sent_.data() + read_, n);
    read_ += n;
    return static_cast<ssize_t>(n);
  }
  ssize_t write(const char* ptr, std::size_t size) override {
    received_.append(ptr, size);
    return static_cast<ssize_t>(size);
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = "127.0.0.1";
    port = 40000;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    ip = "127.0.0.1";
    port = 8080;
  }
  socket_t socket() const override { return INVALID_SOCKET; }
  bool ended() const { return read_ == sent_.size(); }
  std::string& received() { return received_; }

 private:
  std::string_view sent_;
  std::size_t read_ = 0;
  std::string received_;
};

}  // namespace

// httplib's server, with its one-request step open to answer_connection().
class HttpServer::Transport final : public httplib::Server {
 public:
  using httplib::Server::process_request;
};

HttpServer::HttpServer(Router& router, ServerOptions options)
    : router_(router), options_(std::move(options)), server_(std::make_unique<Transport>()) {
  auto& svr = *server_;
  const std::size_t threads = options_.http_threads;
  svr.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  svr.set_keep_alive_max_count(100);
  svr.set_keep_alive_timeout(5);
  svr.set_read_timeout(30);
  svr.set_write_timeout(120);
  svr.set_tcp_nodelay(true);
  // In place of httplib's SO_REUSEPORT, which lets a second server bind the
  // same port and take half its connections: SO_REUSEADDR restarts at once
  // over connections in TIME_WAIT, and a port in use is an error. The socket
  // is kept to raise its listen backlog after bind().
  svr.set_socket_options([this](int socket_fd) {
    const int yes = 1;
    ::setsockopt(socket_fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    listen_fd_ = socket_fd;
  });
  svr.set_payload_max_length(
      static_cast<std::size_t>(options_.max_upload_bytes + kDrainSlackBytes));

  const auto simple = [this](const httplib::Request& req, httplib::Response& res) {
    leave_ranges_to_the_router(req);
    to_response(router_.handle(to_request(req)), res);
  };
  svr.Get(".*", simple);  // HEAD comes here too; httplib leaves the body out
  svr.Options(".*", simple);
  // Every method that may carry a body reads it here, once its framing is
  // known to be sound: httplib would read a body without a length until the
  // client closes the connection or the read timeout ends.
  const auto with_body = [this](const httplib::Request& req, httplib::Response& res,
                                const httplib::ContentReader& reader) {
    leave_ranges_to_the_router(req);
    to_response(serve_with_body(req, res, reader), res);
  };
  svr.Post(".*", with_body);
  svr.Put(".*", with_body);
  svr.Delete(".*", with_body);
  svr.Patch(".*", with_body);
  // Every status from 400 up passes here, the router's too: those carry CORS
  // headers and are sent as they are. The rest are httplib's own refusals
  // before routing (a malformed request line, a URI too long, a Range it
  // cannot parse), with no body yet.
  svr.set_error_handler([this](const httplib::Request& req, httplib::Response& res) {
    leave_ranges_to_the_router(req);
    if (res.has_header("Access-Control-Allow-Origin")) return;
    // httplib refuses a Range it cannot parse ("bytes=5-3", a number past 64
    // bits) with a bare 416; the router decides what it means instead.
    if (res.status == 416 && (req.method == "GET" || req.method == "HEAD")) {
      to_response(router_.handle(to_request(req)), res);
      return;
    }
    const Errc code = res.status == 413 ? Errc::too_large : Errc::invalid_argument;
    res.set_header("Access-Control-Allow-Origin", "*");
    res.set_content(
        error_json(make_error(code, "the request was refused by the HTTP layer (status " +
                                        std::to_string(res.status) + ")"))
            .dump(),
        "application/json");
  });
}

HttpServer::~HttpServer() = default;

HttpResponse HttpServer::serve_with_body(const httplib::Request& req, httplib::Response& res,
                                         const httplib::ContentReader& reader) {
  auto framing =
      body_framing(header_values(req, "Content-Length"), header_values(req, "Transfer-Encoding"));
  if (!framing) return refusal(framing.error());
  if (framing->kind == BodyFraming::Kind::unsupported_coding) {
    return refusal(make_error(Errc::invalid_argument,
                              "the only Transfer-Encoding understood is chunked; send the body "
                              "with a Content-Length"),
                   501);
  }
  if (framing->kind == BodyFraming::Kind::none) {
    // A POST is how a body is sent: without a length it is a client's mistake.
    if (req.method == "POST") {
      return refusal(make_error(Errc::invalid_argument,
                                "the request has no Content-Length; send the body with one (or "
                                "with Transfer-Encoding: chunked)"),
                     411);
    }
    return router_.handle(to_request(req));
  }
  HttpRequest request = to_request(req);
  const bool multipart = req.is_multipart_form_data();
  const std::uint64_t cap = multipart ? options_.max_upload_bytes + (1u << 20)
                                      : std::max<std::uint64_t>(options_.max_json_bytes, 1u << 20);
  if (framing->kind == BodyFraming::Kind::length && framing->length_bytes > cap + kDrainSlackBytes)
    return too_large_response(cap);
  bool overflow = false;
  bool ok = true;
  if (multipart) {
    // httplib always parses multipart bodies itself; the parts are put
    // back into one body (with our own boundary) for the transport-neutral
    // parser, which is also what API Gateway hands the Lambda adapter.
    std::random_device rd;
    const std::string boundary = "namix" + std::to_string(rd()) + std::to_string(rd());
    std::string& body = request.body;
    bool open_part = false;
    ok = reader(
        [&](const httplib::MultipartFormData& part) {
          if (open_part) body += "\r\n";
          // Quotes and line breaks in names would break the re-framed body.
          const auto clean = [](std::string v) {
            for (char& c : v) {
              if (c == '"' || c == '\r' || c == '\n' || c == '\\') c = '_';
            }
            return v;
          };
          body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" +
                  clean(part.name) + "\"";
          if (!part.filename.empty()) body += "; filename=\"" + clean(part.filename) + "\"";
          body += "\r\n";
          if (!part.content_type.empty()) {
            body += "Content-Type: " + clean(part.content_type) + "\r\n";
          }
          body += "\r\n";
          open_part = true;
          return true;
        },
        [&](const char* data, std::size_t n) {
          if (overflow || body.size() + n > cap) {
            overflow = true;
            std::string().swap(body);
            return true;  // keep reading so the client sees the 413
          }
          body.append(data, n);
          return true;
        });
    if (open_part && !overflow) body += "\r\n";
    if (!overflow) body += "--" + boundary + "--\r\n";
    request.headers["Content-Type"] = "multipart/form-data; boundary=" + boundary;
  } else {
    ok = reader([&](const char* data, std::size_t n) {
      if (overflow || request.body.size() + n > cap) {
        overflow = true;
        std::string().swap(request.body);
        return true;
      }
      request.body.append(data, n);
      return true;
    });
  }
  if (overflow || res.status == 413) return too_large_response(cap);
  if (!ok) {
    return refusal(make_error(Errc::invalid_argument,
                              "the request body could not be read: it ended before its "
                              "Content-Length, or its chunked or multipart framing is malformed"));
  }
  return router_.handle(request);
}

Result<int> HttpServer::bind() {
  int port = options_.port;
  if (port == 0) {
    port = server_->bind_to_any_port(options_.host);
  } else if (!server_->bind_to_port(options_.host, port)) {
    port = -1;
  }
  if (port < 0) {
    return make_error(Errc::unavailable, "cannot listen on " + options_.host + ":" +
                                             std::to_string(options_.port) +
                                             " (in use, or not an address of this machine); pick "
                                             "another --host/--port");
  }
  // httplib listens with a backlog of 5: a burst of new connections beyond
  // it loses its SYNs and retries a second or more later (p99 of /health at
  // 200 connections: 3 s, with timeouts). listen() again raises it in place.
  if (::listen(listen_fd_, system_listen_backlog()) != 0) {
    return make_error(Errc::unavailable, "cannot listen on " + options_.host + ":" +
                                             std::to_string(port) + ": " + std::strerror(errno));
  }
  return port;
}

bool HttpServer::run() { return server_->listen_after_bind(); }

void HttpServer::stop() { server_->stop(); }

std::string HttpServer::answer_connection(std::string_view request_bytes) {
  ConnectionBytes connection(request_bytes);
  bool closed = false;
  // As httplib's keep-alive loop does: request after request until one asks
  // to close, the bytes end, or the keep-alive count is reached.
  constexpr int kMaxRequests = 100;
  for (int i = 0; i < kMaxRequests && !closed && !connection.ended(); ++i) {
    if (!server_->process_request(connection, i + 1 == kMaxRequests, closed, nullptr)) break;
  }
  return std::move(connection.received());
}

}  // namespace namix
