#include "store/s3_url.h"

#include <cctype>

namespace namix {

bool is_s3_url(std::string_view text) { return text.substr(0, 5) == "s3://"; }

Result<S3Location> parse_s3_url(std::string_view text) {
  if (!is_s3_url(text))
    return make_error(Errc::invalid_argument,
                      "'" + quoted_input(text) + "' is not an S3 URL: use s3://BUCKET/KEY");
  const std::string_view rest = text.substr(5);
  const std::size_t slash = rest.find('/');
  S3Location location;
  location.bucket = std::string(rest.substr(0, slash));
  if (slash != std::string_view::npos) location.key = std::string(rest.substr(slash + 1));
  const std::string& b = location.bucket;
  bool valid = b.size() >= 3 && b.size() <= 63 &&
               std::isalnum(static_cast<unsigned char>(b.front())) &&
               std::isalnum(static_cast<unsigned char>(b.back()));
  for (char c : b)
    valid = valid && (std::islower(static_cast<unsigned char>(c)) ||
                      std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-');
  if (!valid)
    return make_error(Errc::invalid_argument,
                      "invalid bucket name '" + quoted_input(b) + "' in " + quoted_input(text) +
                          ": use 3-63 lower-case letters, digits, '.' or '-'");
  return location;
}

}  // namespace namix
