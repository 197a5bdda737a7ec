// Fetching an episode over http(s) for a mix, safely for any URL a user sends:
// only http/https, redirects followed by hand (each hop checked again), the
// peer address checked at connect time (so DNS rebinding cannot slip a
// private address in after a check), a size cap, timeouts, and the first
// bytes sniffed for audio before anything is decoded.
//
// The body goes to any ByteSink; the service passes a GrowingFile over a
// temporary file, so the mix decodes the episode while it downloads.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

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

// Downloads `url` into `out`. Errors: invalid_argument (bad URL), forbidden
// (refused address or scheme), upstream_failed (HTTP error status, DNS,
// connection refused, too many redirects), upstream_timeout, too_large,
// not_audio (first bytes are not an audio container), undecodable (empty).
Result<FetchReport> fetch_episode(const std::string& url, const FetchOptions& options,
                                  ByteSink& out);

// True when the first bytes start an ID3 tag, an MPEG audio frame, a RIFF
// WAVE, FLAC or Ogg stream. Needs at least 4 bytes (12 for RIFF).
bool looks_like_audio(std::string_view first_bytes);

}  // namespace namix
