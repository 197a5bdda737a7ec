#include "net/feed_episode.h"

#include "feed/feed.h"
#include "feed/feed_time.h"
#include "feed/item_selection.h"
#include "net/episode_documents.h"

namespace namix {

Result<EpisodeSource> resolve_feed_episode(const std::string& feed_url, const std::string& item,
                                           const FetchOptions& options) {
  auto feed = fetch_feed(feed_url, options);
  if (!feed.ok()) return feed.error();
  auto chosen = select_episode(*feed, item);
  if (!chosen.ok()) {
    // The feed lacks what was asked of it: the feed's answer, not a bad request.
    if (chosen.error().code == Errc::invalid_argument) {
      return make_error(Errc::upstream_failed, chosen.error().message);
    }
    return chosen.error();
  }
  const FeedItem& it = **chosen;
  EpisodeSource source;
  source.feed_url = feed_url;
  source.item_guid = it.guid;
  if (it.episode) source.episode = std::to_string(*it.episode);
  source.title = it.title;
  if (it.published) source.published = format_iso8601(*it.published);
  source.episode_url = it.enclosure->url;
  source.media_url = it.enclosure->media_url;
  if (const FeedTranscript* transcript = choose_transcript(it.transcripts)) {
    source.transcript_url = transcript->url;
  }
  if (it.chapters) source.chapters_url = it.chapters->url;
  return source;
}

FeedWords read_feed_words(const EpisodeSource& source, bool want_transcript,
                          const FetchOptions& options) {
  FeedWords words;
  if (want_transcript && !source.transcript_url.empty()) {
    auto transcript = read_transcript_source(source.transcript_url, options);
    if (transcript.ok()) {
      words.transcript = std::move(*transcript);
    } else {
      words.warnings.push_back("the feed's transcript could not be used (" +
                               transcript.error().message + "); mixed by sound alone");
    }
  }
  if (!source.chapters_url.empty()) {
    auto chapters = read_chapters_source(source.chapters_url, options);
    if (chapters.ok()) {
      words.chapters = std::move(*chapters);
    } else {
      words.warnings.push_back("the feed's chapters could not be used (" +
                               chapters.error().message + ")");
    }
  }
  return words;
}

}  // namespace namix
