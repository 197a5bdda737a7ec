// s3://bucket/key-or-prefix, as given to --storage, --out and `namix s3`.
#pragma once

#include <string>
#include <string_view>

#include "core/error.h"

namespace namix {

struct S3Location {
  std::string bucket;
  std::string key;  // may be empty (whole bucket) or a prefix ending in '/'

  std::string to_string() const { return "s3://" + bucket + (key.empty() ? "" : "/" + key); }
};

bool is_s3_url(std::string_view text);
// invalid_argument for anything that is not s3://BUCKET[/KEY] with a valid
// bucket name (3-63 characters: a-z 0-9 . -, starting and ending alphanumeric).
Result<S3Location> parse_s3_url(std::string_view text);

}  // namespace namix
