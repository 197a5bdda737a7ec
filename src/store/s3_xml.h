// S3's XML: responses are read with the one XML reader (core/xml_document.h),
// request bodies are written with escaped text.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/xml_document.h"

namespace namix::s3xml {

// Parses a response body. Errors are io_error, naming `operation`: "S3
// ListObjectsV2 answered a body that is not well-formed XML (...)".
Result<XmlDocument> parse(std::string_view body, std::string_view operation);

// `scope` and every element below it named `name`, in document order, not
// descending into a match (a <Prefix> inside <Filter> of one <Rule> is found
// from that rule). All elements of an S3 document share one namespace (S3's,
// or none in error documents), so `name` is matched in scope's namespace.
std::vector<XmlElement> elements(XmlElement scope, std::string_view name);
// Text of the first of elements(scope, name), if there is one.
std::optional<std::string> text(XmlElement scope, std::string_view name);

std::string escape(std::string_view text);

}  // namespace namix::s3xml
