// An episode's companion documents as a user names them: a transcript or
// chapters file given as a local path or an http(s) URL, and a podcast feed.
// URLs are fetched with fetch_document() (address policy, size cap,
// timeouts); files are read with the same size cap. Both are parsed before
// any audio is decoded, so a bad one fails in milliseconds.
#pragma once

#include <string>
#include <string_view>

#include "core/error.h"
#include "feed/feed.h"
#include "net/fetch.h"
#include "transcript/chapters.h"
#include "transcript/transcript.h"

namespace namix {

// "http://" or "https://" in any case: a URL to fetch, not a file name.
bool is_http_url(std::string_view text);

// The transcript at `file_or_url`. A URL is named "the transcript URL" in
// messages. Errors: those of fetch_document() for a URL, not_found and
// unreadable for a file, undecodable (exit 4, HTTP 422) for what is not a
// transcript.
Result<Transcript> read_transcript_source(const std::string& file_or_url,
                                          const FetchOptions& options);

// The same for JSON chapters ("the chapters URL").
Result<Chapters> read_chapters_source(const std::string& file_or_url, const FetchOptions& options);

// The RSS feed at `url`, its relative URLs resolved against where it was
// finally served from. Errors: fetch_document()'s, and parse_feed()'s.
Result<Feed> fetch_feed(const std::string& url, const FetchOptions& options);

}  // namespace namix
