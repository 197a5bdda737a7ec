#include "net/static_files.h"

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <utility>

#include "core/ascii_text.h"
#include "net/http_error.h"

namespace namix {

namespace fs = std::filesystem;

std::string content_type_for(const std::string& path) {
  static const std::pair<const char*, const char*> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".txt", "text/plain; charset=utf-8"},
      {".map", "application/json"},
      {".woff2", "font/woff2"},
      {".wasm", "application/wasm"},
      {".mp3", "audio/mpeg"},
  };
  const std::string ext = ascii_lower(fs::path(path).extension().string());
  for (const auto& [e, t] : kTypes) {
    if (ext == e) return t;
  }
  return "application/octet-stream";
}

HttpResponse static_file_response(const HttpRequest& request, const std::string& web_dir) {
  const auto not_found = [&] {
    return error_response(make_error(Errc::not_found, "no page " + request.path.substr(0, 200)));
  };
  if (web_dir.empty()) return not_found();
  std::string rel = request.path == "/" ? "index.html" : request.path.substr(1);
  if (!rel.empty() && rel.back() == '/') rel += "index.html";
  // Refuse anything that could leave the web directory before touching the disk.
  if (rel.find('\0') != std::string::npos || rel.find('\\') != std::string::npos)
    return not_found();
  for (const auto& part : fs::path(rel)) {
    if (part == ".." || part == "." || (!part.empty() && part.string()[0] == '.'))
      return not_found();
  }
  std::error_code ec;
  const fs::path root = fs::canonical(web_dir, ec);
  if (ec) return not_found();
  const fs::path file = fs::weakly_canonical(root / rel, ec);
  if (ec) return not_found();
  const auto [root_end, nothing] =
      std::mismatch(root.begin(), root.end(), file.begin(), file.end());
  (void)nothing;
  if (root_end != root.end() || !fs::is_regular_file(file, ec)) return not_found();
  HttpResponse r;
  r.status = 200;
  r.body_file = file.string();
  r.headers["Content-Type"] = content_type_for(file.string());
  r.headers["Content-Length"] = std::to_string(fs::file_size(file, ec));
  r.headers["Cache-Control"] = "no-cache";
  r.binary = content_type_for(file.string()).rfind("text/", 0) != 0;
  return r;
}

}  // namespace namix
