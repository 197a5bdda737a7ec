// The URLs in a feed: relative references resolved, and the measurement
// prefixes that podcast hosts chain in front of enclosure URLs recognised.
#pragma once

#include <string>
#include <string_view>

namespace namix {

// `reference` resolved against `base` (RFC 3986 section 5). An absolute
// reference comes back as it is (but trimmed); so does any reference when
// `base` is not an absolute URL.
std::string resolve_url(std::string_view base, std::string_view reference);

// The URL a measurement redirect leads to: op3.dev/e/, podtrac's
// redirect.mp3/, chartable's track/ID/, podsights, podscribe, claritas,
// Spotify's prefix and the like put the next URL (with or without its
// scheme) into their own path, and may be chained. Returns `url` itself
// when it starts with no known prefix. The prefixed URL stays the one to
// fetch (the host counts the download); this one names the file.
std::string strip_measurement_prefixes(std::string_view url);

// The name of the file `url` fetches, for tags and messages: the last
// segment of its path once measurement prefixes are stripped, without the
// query or fragment. Empty when the path names none ("https://host/").
std::string url_file_name(std::string_view url);

}  // namespace namix
