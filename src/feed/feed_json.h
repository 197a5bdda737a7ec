// A feed's latest items as JSON, for `namix feed --json` and the service.
#pragma once

#include <cstddef>

#include <nlohmann/json.hpp>

#include "feed/feed.h"

namespace namix {

// {"feed": {url, title, link, image_url, author}, "items": [{episode, guid,
// title, published (ISO 8601 UTC or null), duration_s, link, enclosure
// {url, media_url, length_bytes, type} | null, transcript (the one
// choose_transcript() picks: {url, type, format, language}) | null,
// transcripts (all of them), chapters {url, type} | null}]}, newest first,
// at most `limit` items.
nlohmann::json feed_listing_json(const Feed& feed, std::size_t limit);

}  // namespace namix
