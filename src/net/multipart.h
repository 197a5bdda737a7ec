// multipart/form-data bodies (RFC 7578) for uploads. The body arrives whole
// from either transport (cpp-httplib or an API Gateway event), so parts are
// views into it rather than copies.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace namix {

struct FormPart {
  std::string name;
  std::optional<std::string> filename;  // set for file fields
  std::string content_type;
  std::string_view data;  // into the parsed body
};

// The boundary of a "multipart/form-data; boundary=..." header, if it is one.
std::optional<std::string> multipart_boundary(std::string_view content_type);

// invalid_argument when the body does not follow the boundary structure.
Result<std::vector<FormPart>> parse_multipart(std::string_view body, const std::string& boundary);

}  // namespace namix
