// Fetching over http(s), safely for any URL a user sends: only http/https,
// redirects followed by hand (each hop checked again), the peer address
// checked at connect time (so DNS rebinding cannot slip a private address in
// after a check), a size cap and timeouts. Episodes and documents (feeds,
// transcripts, chapters) go through the same transfer; an episode's first
// bytes are sniffed for audio before anything is decoded.
//
// An episode's body goes to any ByteSink; the service passes a GrowingFile
// over a temporary file, so the mix decodes the episode while it downloads.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/byte_sink.h"
#include "core/error.h"
#include "core/scoped_temp_file.h"

namespace namix {

struct FetchOptions {
  bool allow_private_urls = false;
  std::uint64_t max_bytes = std::uint64_t{1} << 30;  // 1 GiB: a 3 h episode at 320 kbps is 432 MB
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds total_timeout{600'000};
  std::chrono::milliseconds stall_timeout{30'000};  // no byte at all for this long
  int max_redirects = 5;
};

struct FetchReport {
  std::string final_url;     // after redirects
  std::string peer_address;  // the address the body came from
  std::uint64_t bytes = 0;
  int redirects = 0;
  double elapsed_ms = 0.0;
};

// invalid_argument unless `url` is an absolute http(s) URL with a host.
Result<void> check_episode_url(const std::string& url);
// The same check for any other URL a user gives; `field` names it in the
// message ("feed_url", "the webhook URL").
Result<void> check_http_url(const std::string& url, const std::string& field);

// Downloads `url` into `out`. Errors: invalid_argument (bad URL), forbidden
// (refused address or scheme), upstream_failed (HTTP error status, DNS,
// connection refused, too many redirects), upstream_timeout, too_large,
// not_audio (first bytes are not an audio container), undecodable (empty).
Result<FetchReport> fetch_episode(const std::string& url, const FetchOptions& options,
                                  ByteSink& out);

// What a document is, for its size cap and for messages.
enum class DocumentKind { feed, transcript, chapters };

struct DocumentRequest {
  std::string url;
  DocumentKind kind = DocumentKind::feed;
  // Conditional GET: validators from an earlier fetch of the same URL.
  std::string if_none_match;      // its ETag
  std::string if_modified_since;  // its Last-Modified
};

struct FetchedDocument {
  bool not_modified = false;  // 304: the validators still hold; body is empty
  std::string body;
  std::string content_type;
  std::string etag;
  std::string last_modified;
  FetchReport report;  // final_url (after redirects) is the base of relative URLs in the body
};

// invalid_argument unless `url` is an absolute http(s) URL with a host;
// the message names it as `field` ("transcript_url").
Result<void> check_document_url(const std::string& url, const std::string& field,
                                DocumentKind kind);

// A feed may be large (decades of show notes); transcripts and chapters
// stay well under 20 MiB even for a 3-hour show with word timings.
std::uint64_t max_document_bytes(DocumentKind kind);
// Documents are small: a fetch that takes longer than this has stalled.
inline constexpr std::chrono::milliseconds kDocumentTotalTimeout{120'000};

// Fetches a feed, transcript or chapters file under the same address policy,
// redirect rule and stall and connect timeouts as an episode, capped at
// max_document_bytes(kind) (or options.max_bytes if smaller) and
// kDocumentTotalTimeout (or options.total_timeout if shorter). Nothing is
// sniffed: the caller parses the body. Errors: invalid_argument (bad URL),
// forbidden, upstream_failed (HTTP error status, DNS, refused, too many
// redirects, empty body), upstream_timeout, too_large.
Result<FetchedDocument> fetch_document(const DocumentRequest& request, const FetchOptions& options);

// A POST to a URL a user gave (a webhook receiver).
struct PostRequest {
  std::string url;
  std::string body;
  std::vector<std::string> headers;  // "Name: value"
};

struct PostReply {
  long status = 0;  // the receiver's HTTP status, whatever it is; its body is dropped
  FetchReport report;
};

// POSTs `request.body` under the same address policy and connect and stall
// timeouts as a fetch, within options.total_timeout. Redirects are not
// followed: a receiver answers where it is, and its status (a redirect or
// an error included) is the reply. Errors are for a request that got no
// status: invalid_argument (bad URL), forbidden (refused address),
// upstream_failed (DNS, refused, reset), upstream_timeout.
Result<PostReply> post_to_url(const PostRequest& request, const FetchOptions& options);

// True when the first bytes start an ID3 tag, an MPEG audio frame, a RIFF
// WAVE, FLAC or Ogg stream. Needs at least 4 bytes (12 for RIFF).
bool looks_like_audio(std::string_view first_bytes);

}  // namespace namix
