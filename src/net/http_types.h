// Transport-neutral HTTP request/response, so the same API router serves
// cpp-httplib (`namix serve`) and API Gateway events (`namix lambda`).
#pragma once

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace namix {

struct CaseInsensitiveLess {
  bool operator()(const std::string& a, const std::string& b) const {
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
      return std::tolower(static_cast<unsigned char>(x)) <
             std::tolower(static_cast<unsigned char>(y));
    });
  }
};

using HeaderMap = std::map<std::string, std::string, CaseInsensitiveLess>;

struct HttpRequest {
  std::string method;                        // "GET", "POST", ...
  std::string path;                          // decoded path, no query: "/mix/jobs/abc"
  std::map<std::string, std::string> query;  // decoded query parameters
  HeaderMap headers;
  std::string body;         // raw body (JSON, or multipart when uploading)
  std::string remote_addr;  // client address, for throttling and logs

  std::optional<std::string> header(const std::string& name) const {
    auto it = headers.find(name);
    if (it == headers.end()) return std::nullopt;
    return it->second;
  }
};

struct HttpResponse {
  int status = 200;
  HeaderMap headers;
  std::string body;
  // When set, the body is this local file (large MP3 downloads); body is empty.
  std::string body_file;
  bool binary = false;  // Lambda adapter base64-encodes binary bodies
  // The part of body_file that is the body (a 206): body_file_length bytes
  // from body_file_offset; no length: to the end of the file.
  std::uint64_t body_file_offset = 0;
  std::optional<std::uint64_t> body_file_length{};
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

// A finite number written as text (a query parameter, a form field), the
// whole text and nothing else; nullopt otherwise.
inline std::optional<double> number_in_text(std::string_view text) {
  double v = 0.0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (ec != std::errc() || ptr != end || !std::isfinite(v)) return std::nullopt;
  return v;
}

}  // namespace namix
