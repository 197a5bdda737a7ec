// Just enough XML for S3's responses and requests. S3 answers with small,
// generated documents (no CDATA, no comments, no namespace prefixes on the
// elements we read), so element lookup by name is all we need and spares a
// parser dependency.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace namix::s3xml {

// Inner XML of every <tag ...>...</tag> (or empty for <tag/>) in document
// order, not descending into a match (a <Prefix> inside <Filter> of one
// <Rule> is found by searching that rule's inner XML).
std::vector<std::string_view> elements(std::string_view xml, std::string_view tag);
// Entity-decoded text of the first <tag>, if present.
std::optional<std::string> text(std::string_view xml, std::string_view tag);
std::string escape(std::string_view text);
std::string unescape(std::string_view text);

}  // namespace namix::s3xml
