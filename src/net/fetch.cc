#include "net/fetch.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>
#include <random>
#include <utility>

#include "net/address_policy.h"

namespace namix {
namespace {

void global_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct CurlUrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
struct CurlEasyDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct CurlFreeDeleter {
  void operator()(char* p) const { curl_free(p); }
};

// The scheme (lower case) of an absolute URL, or an empty string; `host`
// gets the host part (empty when there is none).
std::string url_scheme(const std::string& url, std::string* host = nullptr) {
  std::unique_ptr<CURLU, CurlUrlDeleter> u(curl_url());
  if (!u ||
      curl_url_set(u.get(), CURLUPART_URL, url.c_str(), CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK) {
    return "";
  }
  char* raw = nullptr;
  if (curl_url_get(u.get(), CURLUPART_SCHEME, &raw, 0) != CURLUE_OK) return "";
  std::unique_ptr<char, CurlFreeDeleter> scheme(raw);
  raw = nullptr;
  if (host != nullptr) {
    host->clear();
    if (curl_url_get(u.get(), CURLUPART_HOST, &raw, 0) == CURLUE_OK) {
      std::unique_ptr<char, CurlFreeDeleter> host_part(raw);
      *host = host_part.get();
    }
  }
  std::string s = scheme.get();
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// State shared with libcurl's callbacks during one hop.
struct Transfer {
  const FetchOptions* options = nullptr;
  ByteSink* out = nullptr;
  long status = 0;  // of the latest response head (a 100 Continue is replaced)
  bool refused = false;
  std::string refused_detail;
  std::string peer;
  bool peer_checked = false;
  std::string first_bytes;  // until sniffed
  bool sniffed = false;
  bool not_audio = false;
  bool too_large = false;
  std::uint64_t bytes = 0;
  Error sink_error;
  bool sink_failed = false;
};

curl_socket_t open_socket(void* clientp, curlsocktype purpose, curl_sockaddr* address) {
  auto* t = static_cast<Transfer*>(clientp);
  (void)purpose;
  const AddressClass cls = classify_address(&address->addr);
  if (!t->options->allow_private_urls && cls != AddressClass::public_unicast) {
    t->refused = true;
    t->refused_detail = address_to_string(&address->addr) + " is a " +
                        std::string(address_class_name(cls)) + " address";
    return CURL_SOCKET_BAD;
  }
  return ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

bool is_redirect(long status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* userdata) {
  auto* t = static_cast<Transfer*>(userdata);
  const std::string_view line(data, size * count);
  if (line.rfind("HTTP/", 0) == 0) {
    const auto space = line.find(' ');
    t->status = space == std::string_view::npos
                    ? 0
                    : std::atol(std::string(line.substr(space + 1, 3)).c_str());
  }
  return size * count;
}

Result<void> sniff(Transfer& t, bool at_end) {
  if (t.sniffed) return {};
  if (t.first_bytes.size() < 12 && !at_end) return {};
  t.sniffed = true;
  if (!looks_like_audio(t.first_bytes)) {
    t.not_audio = true;
    return make_error(Errc::not_audio, "");
  }
  auto r = t.out->write(
      {reinterpret_cast<const std::uint8_t*>(t.first_bytes.data()), t.first_bytes.size()});
  std::string().swap(t.first_bytes);
  return r;
}

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* userdata) {
  auto* t = static_cast<Transfer*>(userdata);
  const std::size_t n = size * count;
  // Bodies of redirects and error pages are not the episode; an error page
  // is not worth waiting for (the status alone decides).
  if (t->status >= 400) return 0;
  if (t->status < 200 || t->status >= 300) return n;
  if (!t->peer_checked) {
    // Belt and braces next to open_socket(): a reused connection must also
    // have gone to an allowed peer before its bytes are taken.
    t->peer_checked = true;
    if (!t->options->allow_private_urls) {
      auto cls = classify_address(t->peer);
      if (!cls || *cls != AddressClass::public_unicast) {
        t->refused = true;
        t->refused_detail = t->peer + " is not a public address";
        return 0;
      }
    }
  }
  t->bytes += n;
  if (t->bytes > t->options->max_bytes) {
    t->too_large = true;
    return 0;
  }
  if (!t->sniffed) {
    t->first_bytes.append(data, n);
    auto r = sniff(*t, false);
    if (!r.ok()) {
      if (!t->not_audio) {
        t->sink_failed = true;
        t->sink_error = r.error();
      }
      return 0;
    }
    return n;
  }
  auto r = t->out->write({reinterpret_cast<const std::uint8_t*>(data), n});
  if (!r.ok()) {
    t->sink_failed = true;
    t->sink_error = r.error();
    return 0;
  }
  return n;
}

// Called by libcurl after connecting and before sending the request.
int on_prereq(void* clientp, char* conn_primary_ip, char* conn_local_ip, int conn_primary_port,
              int conn_local_port) {
  (void)conn_local_ip;
  (void)conn_primary_port;
  (void)conn_local_port;
  auto* t = static_cast<Transfer*>(clientp);
  t->peer = conn_primary_ip;
  if (!t->options->allow_private_urls) {
    auto cls = classify_address(t->peer);
    if (!cls || *cls != AddressClass::public_unicast) {
      t->refused = true;
      t->refused_detail =
          t->peer + " is a " + std::string(cls ? address_class_name(*cls) : "unknown") + " address";
      return CURL_PREREQFUNC_ABORT;
    }
  }
  return CURL_PREREQFUNC_OK;
}

}  // namespace

bool looks_like_audio(std::string_view b) {
  const auto u = [&](std::size_t i) { return static_cast<unsigned char>(b[i]); };
  if (b.size() >= 3 && b.substr(0, 3) == "ID3") return true;
  if (b.size() >= 2 && u(0) == 0xff && (u(1) & 0xe0) == 0xe0 && (u(1) & 0x06) != 0) {
    return true;  // MPEG audio frame sync with a valid layer
  }
  if (b.size() >= 12 && b.substr(0, 4) == "RIFF" && b.substr(8, 4) == "WAVE") return true;
  if (b.size() >= 4 && (b.substr(0, 4) == "fLaC" || b.substr(0, 4) == "OggS")) return true;
  return false;
}

Result<void> check_episode_url(const std::string& url) {
  std::string host;
  const std::string scheme = url_scheme(url, &host);
  if (scheme.empty()) {
    return make_error(Errc::invalid_argument, "episode_url '" + url.substr(0, 200) +
                                                  "' is not an absolute URL; send an http:// or "
                                                  "https:// link to the MP3");
  }
  if (scheme != "http" && scheme != "https") {
    return make_error(Errc::invalid_argument, "episode_url uses the " + scheme +
                                                  ":// scheme; only http:// and https:// are "
                                                  "fetched (upload a file instead)");
  }
  if (host.empty()) {
    return make_error(Errc::invalid_argument, "episode_url has no host; send a full link");
  }
  return {};
}

Result<FetchReport> fetch_episode(const std::string& url, const FetchOptions& options,
                                  ByteSink& out) {
  NAMIX_TRY(check_episode_url(url));
  global_init_once();
  std::unique_ptr<CURL, CurlEasyDeleter> curl(curl_easy_init());
  if (!curl) return make_error(Errc::internal, "libcurl could not create a transfer");
  const auto started = std::chrono::steady_clock::now();
  FetchReport report;
  std::string current = url;

  for (int hop = 0;; ++hop) {
    if (hop > 0) {
      const std::string scheme = url_scheme(current);
      if (scheme != "http" && scheme != "https") {
        return make_error(Errc::forbidden,
                          "the episode server redirected to a " +
                              (scheme.empty() ? std::string("malformed") : scheme) +
                              " URL; only http(s) is followed");
      }
    }
    Transfer t;
    t.options = &options;
    t.out = &out;
    CURL* c = curl.get();
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, current.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    // A proxy would be the peer we check, not the episode host.
    curl_easy_setopt(c, CURLOPT_PROXY, "");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "namix/0.1 (+episode fetch)");
    curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_socket);
    curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &t);
    curl_easy_setopt(c, CURLOPT_PREREQFUNCTION, on_prereq);
    curl_easy_setopt(c, CURLOPT_PREREQDATA, &t);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options.max_bytes));
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(options.connect_timeout.count()));
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    const auto remaining = options.total_timeout - elapsed;
    if (remaining.count() <= 0) {
      return make_error(Errc::upstream_timeout,
                        "fetching the episode took longer than " +
                            std::to_string(options.total_timeout.count() / 1000) +
                            " s; try a faster mirror or upload the file");
    }
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(remaining.count()));
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME,
                     std::max(1L, static_cast<long>(options.stall_timeout.count() / 1000)));

    const CURLcode rc = curl_easy_perform(c);
    if (t.refused) {
      return make_error(Errc::forbidden,
                        "refusing to fetch the episode: " + t.refused_detail +
                            " (private and internal addresses are refused; the operator can "
                            "allow them with --allow-private-urls)");
    }
    if (t.too_large || rc == CURLE_FILESIZE_EXCEEDED) {
      return make_error(Errc::too_large, "the episode is larger than the " +
                                             std::to_string(options.max_bytes / (1024 * 1024)) +
                                             " MiB download limit; send a shorter file");
    }
    if (t.not_audio) {
      return make_error(Errc::not_audio,
                        "the episode URL did not return audio (the first bytes are not MP3, WAV, "
                        "FLAC or Ogg); check that the link points at the audio file itself");
    }
    if (t.sink_failed) return t.sink_error;
    if (rc == CURLE_OPERATION_TIMEDOUT) {
      return make_error(Errc::upstream_timeout, "the episode server did not answer in time (" +
                                                    std::string(curl_easy_strerror(rc)) +
                                                    "); try again later or upload the file");
    }
    if (rc == CURLE_COULDNT_RESOLVE_HOST) {
      return make_error(Errc::upstream_failed, "cannot resolve the episode host; check the URL");
    }
    if (rc == CURLE_UNSUPPORTED_PROTOCOL) {
      return make_error(Errc::forbidden, "only http(s) URLs are fetched");
    }
    if (rc != CURLE_OK && rc != CURLE_WRITE_ERROR) {
      return make_error(Errc::upstream_failed,
                        "fetching the episode failed: " + std::string(curl_easy_strerror(rc)));
    }
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (is_redirect(status)) {
      char* location = nullptr;
      curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &location);
      if (location == nullptr || *location == '\0') {
        return make_error(Errc::upstream_failed,
                          "the episode server answered a redirect without a Location");
      }
      if (hop >= options.max_redirects) {
        return make_error(Errc::upstream_failed, "the episode URL redirected more than " +
                                                     std::to_string(options.max_redirects) +
                                                     " times; send the final link");
      }
      current = location;
      ++report.redirects;
      continue;
    }
    if (status < 200 || status >= 300) {
      return make_error(Errc::upstream_failed, "the episode server answered HTTP " +
                                                   std::to_string(status) + " for " +
                                                   current.substr(0, 200) + "; check the URL");
    }
    if (t.bytes == 0) {
      return make_error(Errc::undecodable, "the episode URL returned an empty body");
    }
    if (!t.sniffed) {
      auto r = sniff(t, true);
      if (!r.ok()) {
        if (t.not_audio) {
          return make_error(Errc::not_audio,
                            "the episode URL did not return audio; check that the link points "
                            "at the audio file itself");
        }
        return r.error();
      }
    }
    report.final_url = current;
    report.peer_address = t.peer;
    report.bytes = t.bytes;
    report.elapsed_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();
    return report;
  }
}

}  // namespace namix
