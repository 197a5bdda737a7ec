#include "feed/media_url.h"

#include <curl/curl.h>

#include <array>
#include <cctype>
#include <memory>

#include "core/ascii_text.h"

namespace namix {
namespace {

struct CurlUrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
struct CurlFreeDeleter {
  void operator()(char* p) const { curl_free(p); }
};

// Feeds put the odd raw space into URLs; libcurl's parser refuses them.
std::string encode_spaces(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == ' ') {
      out += "%20";
    } else {
      out += c;
    }
  }
  return out;
}

bool has_scheme(std::string_view url) {
  const std::size_t colon = url.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  for (std::size_t i = 0; i < colon; ++i) {
    const char c = url[i];
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.')
      return false;
  }
  return std::isalpha(static_cast<unsigned char>(url[0])) != 0;
}

// Hosts whose only job is to count a download and redirect to the URL
// written into their path (https://op3.dev/e/https://host/ep.mp3,
// https://dts.podtrac.com/redirect.mp3/host/ep.mp3,
// https://chtbl.com/track/ID/host/ep.mp3). Subdomains count too.
constexpr std::array<std::string_view, 17> kMeasurementHosts = {
    "op3.dev",    "podtrac.com",     "chtbl.com", "chrt.fm",  "pdst.fm",
    "pdcn.co",    "pdcds.co",        "pdrl.fm",   "pscrb.fm", "podscribe.com",
    "arttrk.com", "claritaspod.com", "mgln.ai",   "swap.fm",  "prfx.byspotify.com",
    "gum.fm",     "podderapp.com"};

bool is_measurement_host(std::string_view host) {
  for (std::string_view m : kMeasurementHosts) {
    if (host == m) return true;
    if (host.size() > m.size() && host.substr(host.size() - m.size()) == m &&
        host[host.size() - m.size() - 1] == '.')
      return true;
  }
  return false;
}

// A path segment that is the host of the next URL: it has a dot and ends in
// an alphabetic top-level domain ("traffic.megaphone.fm"), and is not one of
// the trackers' own file-like segments ("redirect.mp3", "redirect.aac").
bool looks_like_host(std::string_view segment) {
  const std::size_t dot = segment.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 2 > segment.size()) return false;
  if (ascii_lower(segment).rfind("redirect.", 0) == 0) return false;
  for (char c : segment.substr(dot + 1))
    if (!std::isalpha(static_cast<unsigned char>(c))) return false;
  return true;
}

// The URL the measurement prefix of `url` leads to, or "" when `url` has none.
std::string strip_one_prefix(std::string_view url) {
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return "";
  const std::string scheme = ascii_lower(url.substr(0, scheme_end));
  const std::size_t host_start = scheme_end + 3;
  const std::size_t path_start = url.find('/', host_start);
  if (path_start == std::string_view::npos) return "";
  std::string host = ascii_lower(url.substr(host_start, path_start - host_start));
  if (const std::size_t port = host.find(':'); port != std::string::npos) host.resize(port);
  if (!is_measurement_host(host)) return "";
  const std::string_view path = url.substr(path_start + 1);
  // The next URL with its scheme: "https://host/…", or with one slash
  // squeezed out by a path normaliser, "https:/host/…".
  for (std::size_t at = 0; at < path.size(); at = path.find('/', at) + 1) {
    const std::string_view rest = path.substr(at);
    const std::string rest_lower = ascii_lower(rest.substr(0, 8));
    for (std::string_view s : {std::string_view("https:/"), std::string_view("http:/")}) {
      if (rest_lower.rfind(s, 0) == 0) {
        std::string_view after = rest.substr(s.size());
        if (!after.empty() && after.front() == '/') after.remove_prefix(1);
        return std::string(s) + "/" + std::string(after);
      }
    }
    const std::string_view segment = rest.substr(0, rest.find('/'));
    if (looks_like_host(segment)) return scheme + "://" + std::string(rest);
    if (path.find('/', at) == std::string_view::npos) break;
  }
  return "";
}

}  // namespace

std::string resolve_url(std::string_view base, std::string_view reference) {
  const std::string ref = encode_spaces(trim_whitespace(reference));
  if (ref.empty() || has_scheme(ref)) return ref;
  std::unique_ptr<CURLU, CurlUrlDeleter> u(curl_url());
  const std::string base_url = encode_spaces(trim_whitespace(base));
  if (!u || base_url.empty() ||
      curl_url_set(u.get(), CURLUPART_URL, base_url.c_str(), 0) != CURLUE_OK)
    return ref;
  // Setting a relative URL on a handle that holds one resolves it.
  if (curl_url_set(u.get(), CURLUPART_URL, ref.c_str(), 0) != CURLUE_OK) return ref;
  char* raw = nullptr;
  // libcurl keeps a percent-encoded host ("https://%cd/") decoded, as raw
  // bytes that are no UTF-8 and no URL; CURLU_URLENCODE encodes it again.
  if (curl_url_get(u.get(), CURLUPART_URL, &raw, CURLU_URLENCODE) != CURLUE_OK) return ref;
  std::unique_ptr<char, CurlFreeDeleter> resolved(raw);
  return resolved.get();
}

std::string strip_measurement_prefixes(std::string_view url) {
  std::string current(trim_whitespace(url));
  // Each hop strips one prefix; a chain longer than this is not a real one.
  for (int hop = 0; hop < 8; ++hop) {
    std::string next = strip_one_prefix(current);
    if (next.empty()) break;
    current = std::move(next);
  }
  return current;
}

std::string url_file_name(std::string_view url) {
  const std::string stripped = strip_measurement_prefixes(url);
  const std::string path = stripped.substr(0, stripped.find_first_of("?#"));
  const std::size_t authority = path.find("://");
  const std::size_t slash = path.rfind('/');
  // "https://host" has no path; its last '/' belongs to "://".
  if (slash == std::string::npos || (authority != std::string::npos && slash <= authority + 2))
    return "";
  return path.substr(slash + 1);
}

}  // namespace namix
