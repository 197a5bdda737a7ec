#include "follow/followed_item.h"

#include "store/sigv4.h"

namespace namix {

using nlohmann::json;

std::string item_key_for(const std::string& guid) { return sha256_hex(guid).substr(0, 24); }

std::optional<FollowedItem> followed_item(const FeedItem& item) {
  if (!item.enclosure || item.enclosure->url.empty()) return std::nullopt;
  FollowedItem f;
  f.guid = !item.guid.empty() ? item.guid : item.enclosure->url;
  f.key = item_key_for(f.guid);
  f.title = item.title;
  f.link = item.link;
  if (item.published) f.published_unix = item.published->time_since_epoch().count();
  f.episode = item.episode;
  f.enclosure_url = item.enclosure->url;
  f.enclosure_type = item.enclosure->type;
  if (const FeedTranscript* t = choose_transcript(item.transcripts)) f.transcript_url = t->url;
  if (item.chapters) f.chapters_url = item.chapters->url;
  return f;
}

json FollowedItem::to_json() const {
  json j = {{"guid", guid},
            {"key", key},
            {"title", title},
            {"link", link},
            {"enclosure_url", enclosure_url},
            {"enclosure_type", enclosure_type},
            {"transcript_url", transcript_url},
            {"chapters_url", chapters_url}};
  j["published_unix"] = published_unix ? json(*published_unix) : json(nullptr);
  j["episode"] = episode ? json(*episode) : json(nullptr);
  return j;
}

Result<FollowedItem> FollowedItem::from_json(const json& j) {
  FollowedItem f;
  try {
    f.guid = j.at("guid").get<std::string>();
    f.key = j.at("key").get<std::string>();
    f.title = j.value("title", "");
    f.link = j.value("link", "");
    f.enclosure_url = j.at("enclosure_url").get<std::string>();
    f.enclosure_type = j.value("enclosure_type", "");
    f.transcript_url = j.value("transcript_url", "");
    f.chapters_url = j.value("chapters_url", "");
    if (j.contains("published_unix") && j["published_unix"].is_number_integer())
      f.published_unix = j["published_unix"].get<std::int64_t>();
    if (j.contains("episode") && j["episode"].is_number_integer())
      f.episode = j["episode"].get<long>();
  } catch (const json::exception& e) {
    return make_error(Errc::internal, std::string("a stored feed item is malformed: ") + e.what());
  }
  return f;
}

}  // namespace namix
