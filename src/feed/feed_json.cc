#include "feed/feed_json.h"

#include "feed/feed_time.h"
#include "feed/item_selection.h"

namespace namix {
namespace {

using nlohmann::json;

json transcript_json(const FeedTranscript& t) {
  return {{"url", t.url},
          {"type", t.type},
          {"format", transcript_format_name(t.format)},
          {"language", t.language},
          {"rel", t.rel}};
}

json item_json(const FeedItem& item) {
  json out = {{"guid", item.guid}, {"title", item.title}, {"link", item.link}};
  out["episode"] = item.episode ? json(*item.episode) : json(nullptr);
  out["published"] = item.published ? json(format_iso8601(*item.published)) : json(nullptr);
  out["duration_s"] = item.duration_s ? json(*item.duration_s) : json(nullptr);
  if (item.enclosure) {
    out["enclosure"] = {{"url", item.enclosure->url},
                        {"media_url", item.enclosure->media_url},
                        {"length_bytes", item.enclosure->length_bytes},
                        {"type", item.enclosure->type}};
  } else {
    out["enclosure"] = nullptr;
  }
  const FeedTranscript* chosen = choose_transcript(item.transcripts);
  out["transcript"] = chosen ? transcript_json(*chosen) : json(nullptr);
  out["transcripts"] = json::array();
  for (const FeedTranscript& t : item.transcripts) out["transcripts"].push_back(transcript_json(t));
  out["chapters"] = item.chapters ? json{{"url", item.chapters->url}, {"type", item.chapters->type}}
                                  : json(nullptr);
  return out;
}

}  // namespace

json feed_listing_json(const Feed& feed, std::size_t limit) {
  json items = json::array();
  for (const FeedItem* item : latest_items(feed, limit)) items.push_back(item_json(*item));
  return {{"feed",
           {{"url", feed.url},
            {"title", feed.title},
            {"link", feed.link},
            {"image_url", feed.image_url},
            {"author", feed.author},
            {"item_count", feed.items.size()}}},
          {"items", std::move(items)}};
}

}  // namespace namix
