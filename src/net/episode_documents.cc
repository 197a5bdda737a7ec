#include "net/episode_documents.h"

#include "core/ascii_text.h"

namespace namix {
namespace {

Result<std::string> fetch_body(const std::string& url, DocumentKind kind,
                               const FetchOptions& options) {
  DocumentRequest request;
  request.url = url;
  request.kind = kind;
  auto fetched = fetch_document(request, options);
  if (!fetched.ok()) return fetched.error();
  return std::move(fetched->body);
}

}  // namespace

bool is_http_url(std::string_view text) {
  const std::string head = ascii_lower(text.substr(0, 8));
  return head.rfind("http://", 0) == 0 || head.rfind("https://", 0) == 0;
}

Result<Transcript> read_transcript_source(const std::string& file_or_url,
                                          const FetchOptions& options) {
  if (!is_http_url(file_or_url)) return load_transcript_file(file_or_url);
  auto body = fetch_body(file_or_url, DocumentKind::transcript, options);
  if (!body.ok()) return body.error();
  return parse_transcript(*body, "the transcript URL");
}

Result<Chapters> read_chapters_source(const std::string& file_or_url, const FetchOptions& options) {
  if (!is_http_url(file_or_url)) return load_chapters_file(file_or_url);
  auto body = fetch_body(file_or_url, DocumentKind::chapters, options);
  if (!body.ok()) return body.error();
  return parse_chapters(*body, "the chapters URL");
}

Result<Feed> fetch_feed(const std::string& url, const FetchOptions& options) {
  DocumentRequest request;
  request.url = url;
  request.kind = DocumentKind::feed;
  auto fetched = fetch_document(request, options);
  if (!fetched.ok()) return fetched.error();
  // Relative URLs in the feed are relative to where it was finally served from.
  return parse_feed(fetched->body, fetched->report.final_url);
}

}  // namespace namix
