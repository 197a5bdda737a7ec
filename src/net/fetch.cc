#include "net/fetch.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <utility>
#include <vector>

#include "core/ascii_text.h"
#include "core/version.h"
#include "feed/feed.h"
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
  return ascii_lower(scheme.get());
}

// What differs between fetching an episode and a document: the words in
// messages, the caps, the request's extra headers, and whether the first
// bytes must be audio.
struct TransferRules {
  std::string noun;  // "episode", "feed", ...
  bool sniff_audio = false;
  std::uint64_t max_bytes = 0;
  std::chrono::milliseconds total_timeout{0};
  std::string timeout_hint;    // "try a faster mirror or upload the file"
  std::string too_large_hint;  // "send a shorter file"
  std::vector<std::string> request_headers;
  bool accept_not_modified = false;
  // A POST (webhook deliveries): the body to send, and the reply's status,
  // whatever it is, is the answer; redirects are answers too, not followed.
  std::optional<std::string_view> post_body;
};

struct TransferResult {
  long status = 0;
  FetchReport report;
  bool not_modified = false;
  std::string content_type;
  std::string etag;
  std::string last_modified;
};

// State shared with libcurl's callbacks during one hop.
struct Transfer {
  const FetchOptions* options = nullptr;
  const TransferRules* rules = nullptr;
  ByteSink* out = nullptr;
  long status = 0;  // of the latest response head (a 100 Continue is replaced)
  std::string content_type;
  std::string etag;
  std::string last_modified;
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

// The value of `line` when it is the header `name` (case-insensitive).
std::optional<std::string> header_value(std::string_view line, std::string_view name) {
  if (line.size() <= name.size() || line[name.size()] != ':') return std::nullopt;
  for (std::size_t i = 0; i < name.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(line[i])) != name[i]) return std::nullopt;
  return std::string(trim_whitespace(line.substr(name.size() + 1)));
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* userdata) {
  auto* t = static_cast<Transfer*>(userdata);
  const std::string_view line(data, size * count);
  if (line.rfind("HTTP/", 0) == 0) {
    const auto space = line.find(' ');
    t->status = space == std::string_view::npos
                    ? 0
                    : std::atol(std::string(line.substr(space + 1, 3)).c_str());
    t->content_type.clear();
    t->etag.clear();
    t->last_modified.clear();
  } else if (auto v = header_value(line, "content-type")) {
    t->content_type = *v;
  } else if (auto e = header_value(line, "etag")) {
    t->etag = *e;
  } else if (auto m = header_value(line, "last-modified")) {
    t->last_modified = *m;
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
  // Bodies of redirects and error pages are not what was asked for; an error
  // page is not worth waiting for (the status alone decides).
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
  if (t->rules->post_body) return n;  // a receiver's reply is not kept
  if (t->bytes > t->rules->max_bytes) {
    t->too_large = true;
    return 0;
  }
  if (t->rules->sniff_audio && !t->sniffed) {
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

struct CurlSlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

// Fetches `url` into `out` under `rules`, following redirects by hand. The
// URL has been checked by the caller.
Result<TransferResult> transfer(const std::string& url, const FetchOptions& options,
                                const TransferRules& rules, ByteSink& out) {
  global_init_once();
  std::unique_ptr<CURL, CurlEasyDeleter> curl(curl_easy_init());
  if (!curl) return make_error(Errc::internal, "libcurl could not create a transfer");
  std::unique_ptr<curl_slist, CurlSlistDeleter> headers;
  for (const std::string& h : rules.request_headers) {
    curl_slist* appended = curl_slist_append(headers.get(), h.c_str());
    if (appended == nullptr) return make_error(Errc::internal, "out of memory for HTTP headers");
    (void)headers.release();
    headers.reset(appended);
  }
  const std::string& noun = rules.noun;
  const auto started = std::chrono::steady_clock::now();
  TransferResult result;
  std::string current = url;
  const std::string user_agent = "namix/" + std::string(kNamixVersion) + " (+" + noun + " fetch)";

  for (int hop = 0;; ++hop) {
    if (hop > 0) {
      const std::string scheme = url_scheme(current);
      if (scheme != "http" && scheme != "https") {
        return make_error(Errc::forbidden,
                          "the " + noun + " server redirected to a " +
                              (scheme.empty() ? std::string("malformed") : scheme) +
                              " URL; only http(s) is followed");
      }
    }
    Transfer t;
    t.options = &options;
    t.rules = &rules;
    t.out = &out;
    CURL* c = curl.get();
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, current.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    // A proxy would be the peer we check, not the host asked for.
    curl_easy_setopt(c, CURLOPT_PROXY, "");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, user_agent.c_str());
    if (headers) curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    if (rules.post_body) {
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, rules.post_body->data());
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(rules.post_body->size()));
    }
    curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_socket);
    curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &t);
    curl_easy_setopt(c, CURLOPT_PREREQFUNCTION, on_prereq);
    curl_easy_setopt(c, CURLOPT_PREREQDATA, &t);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(rules.max_bytes));
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(options.connect_timeout.count()));
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    const auto remaining = rules.total_timeout - elapsed;
    if (remaining.count() <= 0) {
      return make_error(Errc::upstream_timeout,
                        "fetching the " + noun + " took longer than " +
                            std::to_string(rules.total_timeout.count() / 1000) + " s; " +
                            rules.timeout_hint);
    }
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(remaining.count()));
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME,
                     std::max(1L, static_cast<long>(options.stall_timeout.count() / 1000)));

    const CURLcode rc = curl_easy_perform(c);
    if (t.refused) {
      return make_error(Errc::forbidden,
                        "refusing to fetch the " + noun + ": " + t.refused_detail +
                            " (private and internal addresses are refused; the operator can "
                            "allow them with --allow-private-urls)");
    }
    if (t.too_large || rc == CURLE_FILESIZE_EXCEEDED) {
      return make_error(Errc::too_large, "the " + noun + " is larger than the " +
                                             std::to_string(rules.max_bytes / (1024 * 1024)) +
                                             " MiB download limit; " + rules.too_large_hint);
    }
    if (t.not_audio) {
      return make_error(Errc::not_audio,
                        "the " + noun +
                            " URL did not return audio (the first bytes are not MP3, WAV, "
                            "FLAC or Ogg); check that the link points at the audio file itself");
    }
    if (t.sink_failed) return t.sink_error;
    if (rc == CURLE_OPERATION_TIMEDOUT) {
      return make_error(Errc::upstream_timeout, "the " + noun + " server did not answer in time (" +
                                                    std::string(curl_easy_strerror(rc)) + "); " +
                                                    rules.timeout_hint);
    }
    if (rc == CURLE_COULDNT_RESOLVE_HOST) {
      return make_error(Errc::upstream_failed,
                        "cannot resolve the " + noun + " host; check the URL");
    }
    // Each hop's scheme is checked above, so this is curl refusing an answer
    // that is not HTTP/1.x or 2 (a banner of another protocol reads as HTTP/0.9).
    if (rc == CURLE_UNSUPPORTED_PROTOCOL) {
      return make_error(Errc::upstream_failed, "fetching the " + noun +
                                                   " failed: its server did not answer with "
                                                   "HTTP; check the URL and its port");
    }
    if (rc != CURLE_OK && rc != CURLE_WRITE_ERROR) {
      return make_error(Errc::upstream_failed,
                        "fetching the " + noun + " failed: " + std::string(curl_easy_strerror(rc)));
    }
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (rules.post_body) {
      result.status = status;
      result.report.final_url = current;
      result.report.peer_address = t.peer;
      result.report.elapsed_ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
              .count();
      return result;
    }
    if (is_redirect(status)) {
      char* location = nullptr;
      curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &location);
      if (location == nullptr || *location == '\0') {
        return make_error(Errc::upstream_failed,
                          "the " + noun + " server answered a redirect without a Location");
      }
      if (hop >= options.max_redirects) {
        return make_error(Errc::upstream_failed, "the " + noun + " URL redirected more than " +
                                                     std::to_string(options.max_redirects) +
                                                     " times; send the final link");
      }
      current = location;
      ++result.report.redirects;
      continue;
    }
    const bool not_modified = status == 304 && rules.accept_not_modified;
    if (!not_modified && (status < 200 || status >= 300)) {
      return make_error(Errc::upstream_failed, "the " + noun + " server answered HTTP " +
                                                   std::to_string(status) + " for " +
                                                   quoted_input(current) + "; check the URL");
    }
    if (!not_modified && t.bytes == 0) {
      return make_error(rules.sniff_audio ? Errc::undecodable : Errc::upstream_failed,
                        "the " + noun + " URL returned an empty body");
    }
    if (rules.sniff_audio && !t.sniffed) {
      auto r = sniff(t, true);
      if (!r.ok()) {
        if (t.not_audio) {
          return make_error(Errc::not_audio,
                            "the " + noun +
                                " URL did not return audio; check that the link points "
                                "at the audio file itself");
        }
        return r.error();
      }
    }
    result.status = status;
    result.not_modified = not_modified;
    result.content_type = std::move(t.content_type);
    result.etag = std::move(t.etag);
    result.last_modified = std::move(t.last_modified);
    result.report.final_url = current;
    result.report.peer_address = t.peer;
    result.report.bytes = t.bytes;
    result.report.elapsed_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();
    return result;
  }
}

// Collects a document's bytes.
class StringSink final : public ByteSink {
 public:
  Result<void> write(std::span<const std::uint8_t> bytes) override {
    text_.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    return {};
  }
  Result<void> write_at(std::uint64_t offset, std::span<const std::uint8_t> bytes) override {
    assert(offset + bytes.size() <= text_.size());
    std::memcpy(text_.data() + offset, bytes.data(), bytes.size());
    return {};
  }
  std::uint64_t size() const override { return text_.size(); }
  std::string release() { return std::move(text_); }

 private:
  std::string text_;
};

std::string document_noun(DocumentKind kind) {
  switch (kind) {
    case DocumentKind::feed:
      return "feed";
    case DocumentKind::transcript:
      return "transcript";
    case DocumentKind::chapters:
      return "chapters";
  }
  return "document";
}

// invalid_argument unless `url` is an absolute http(s) URL with a host;
// `field` and `link_hint` name it in the message.
Result<void> check_url(const std::string& url, const std::string& field,
                       const std::string& link_hint, const std::string& scheme_hint) {
  std::string host;
  const std::string scheme = url_scheme(url, &host);
  if (scheme.empty()) {
    return make_error(Errc::invalid_argument, field + " '" + quoted_input(url) +
                                                  "' is not an absolute URL; send an http:// or "
                                                  "https:// link to " +
                                                  link_hint);
  }
  if (scheme != "http" && scheme != "https") {
    return make_error(Errc::invalid_argument, field + " uses the " + scheme +
                                                  ":// scheme; only http:// and https:// are "
                                                  "fetched" +
                                                  scheme_hint);
  }
  if (host.empty()) {
    return make_error(Errc::invalid_argument, field + " has no host; send a full link");
  }
  return {};
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
  return check_url(url, "episode_url", "the MP3", " (upload a file instead)");
}

Result<void> check_http_url(const std::string& url, const std::string& field) {
  return check_url(url, field, "it", "");
}

Result<FetchReport> fetch_episode(const std::string& url, const FetchOptions& options,
                                  ByteSink& out) {
  NAMIX_TRY(check_episode_url(url));
  TransferRules rules;
  rules.noun = "episode";
  rules.sniff_audio = true;
  rules.max_bytes = options.max_bytes;
  rules.total_timeout = options.total_timeout;
  rules.timeout_hint = "try a faster mirror or upload the file";
  rules.too_large_hint = "send a shorter file";
  auto r = transfer(url, options, rules, out);
  if (!r.ok()) return r.error();
  return std::move(r->report);
}

Result<PostReply> post_to_url(const PostRequest& request, const FetchOptions& options) {
  NAMIX_TRY(check_url(request.url, "the webhook URL", "the receiver", ""));
  TransferRules rules;
  rules.noun = "webhook receiver";
  rules.max_bytes = options.max_bytes;
  rules.total_timeout = options.total_timeout;
  rules.timeout_hint = "it is retried later";
  rules.request_headers = request.headers;
  rules.post_body = request.body;
  StringSink reply;
  auto r = transfer(request.url, options, rules, reply);
  if (!r.ok()) return r.error();
  return PostReply{r->status, std::move(r->report)};
}

std::uint64_t max_document_bytes(DocumentKind kind) {
  return kind == DocumentKind::feed ? kMaxFeedBytes : std::uint64_t{20} << 20;
}

Result<void> check_document_url(const std::string& url, const std::string& field,
                                DocumentKind kind) {
  return check_url(url, field, "the " + document_noun(kind), "");
}

Result<FetchedDocument> fetch_document(const DocumentRequest& request,
                                       const FetchOptions& options) {
  const std::string noun = document_noun(request.kind);
  NAMIX_TRY(check_url(request.url, "the " + noun + " URL", "the " + noun, ""));
  TransferRules rules;
  rules.noun = noun;
  rules.max_bytes = std::min(options.max_bytes, max_document_bytes(request.kind));
  rules.total_timeout = std::min(options.total_timeout, kDocumentTotalTimeout);
  rules.timeout_hint = "try again later";
  rules.too_large_hint = request.kind == DocumentKind::feed
                             ? "give the episode's URL instead"
                             : "mix without it, or give a smaller file";
  if (!request.if_none_match.empty())
    rules.request_headers.push_back("If-None-Match: " + request.if_none_match);
  if (!request.if_modified_since.empty())
    rules.request_headers.push_back("If-Modified-Since: " + request.if_modified_since);
  rules.accept_not_modified = !rules.request_headers.empty();
  StringSink body;
  auto r = transfer(request.url, options, rules, body);
  if (!r.ok()) return r.error();
  FetchedDocument out;
  out.not_modified = r->not_modified;
  out.body = body.release();
  out.content_type = std::move(r->content_type);
  out.etag = std::move(r->etag);
  out.last_modified = std::move(r->last_modified);
  out.report = std::move(r->report);
  return out;
}

}  // namespace namix
