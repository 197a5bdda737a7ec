// An item of a followed feed as the follow stage keeps it: enough to mix it
// (enclosure, transcript, chapters, episode number) and to publish the mix
// (title, link, date), under a key that names it in storage.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "feed/feed.h"

namespace namix {

struct FollowedItem {
  std::string guid;  // the item's guid, else its enclosure URL (what apps use then)
  std::string key;   // 24 hex digits of SHA-256(guid): a storage-safe name
  std::string title;
  std::string link;
  std::optional<std::int64_t> published_unix;
  std::optional<long> episode;
  std::string enclosure_url;
  std::string enclosure_type;
  std::string transcript_url;  // the transcript a mix would use (choose_transcript)
  std::string chapters_url;

  nlohmann::json to_json() const;
  static Result<FollowedItem> from_json(const nlohmann::json& j);
};

// nullopt for an item without an enclosure: there is nothing to mix.
std::optional<FollowedItem> followed_item(const FeedItem& item);

// The key of an identity (a guid, an enclosure URL).
std::string item_key_for(const std::string& guid);

}  // namespace namix
