// An episode named by its podcast feed: the feed is fetched, the item
// chosen ("latest", a GUID or an episode number), and from it come the
// enclosure to mix, the transcript (JSON before WebVTT before SubRip) and
// chapters it publishes, and its number, title and date for tags, storage
// keys and the result's "source".
#pragma once

#include <string>
#include <vector>

#include "core/error.h"
#include "mix/pipeline.h"
#include "net/fetch.h"

namespace namix {

// The item of the feed at `feed_url` that `item` names, as an EpisodeSource.
// Errors: fetch_document()'s; upstream_failed (exit 6, HTTP 502) when the
// feed is not RSS, the item has no enclosure, or the feed has no such item.
Result<EpisodeSource> resolve_feed_episode(const std::string& feed_url, const std::string& item,
                                           const FetchOptions& options);

// The transcript and chapters a feed item publishes, read for a mix. They
// are optional to the mix: one that cannot be fetched or read is a warning
// ("the feed's transcript could not be used: ..."), and the mix goes on
// without it. `want_transcript` false skips the transcript (the user gave
// their own).
struct FeedWords {
  std::optional<Transcript> transcript;
  std::optional<Chapters> chapters;
  std::vector<std::string> warnings;
};
FeedWords read_feed_words(const EpisodeSource& source, bool want_transcript,
                          const FetchOptions& options);

}  // namespace namix
