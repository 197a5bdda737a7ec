// Each output of a subscription published as a podcast: the index of its
// mixes (one stored record per output, updated with compare-and-swap as
// mixes finish), the stable links of their files, and the RSS document
// rendered from them for GET /feeds/{subscription}/{theme slug}.xml.
//
// Links never expire: a published feed outlives any signature. Files are
// linked either at {public_base_url}/{storage key} (a CDN or a public
// bucket in front of the storage) or at the server's own
// /published/{subscription}/{theme slug}/{item key}{suffix}, which
// answers with a redirect to a fresh signed or presigned download link.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "follow/followed_item.h"
#include "follow/poll_state.h"
#include "follow/subscription.h"
#include "publish/mix_episode.h"
#include "store/storage.h"

namespace namix {

struct PublishedMix {
  FollowedItem item;
  std::string mix_id;
  std::string theme;
  std::string mp3_key;
  std::uint64_t mp3_bytes = 0;
  double duration_s = 0.0;
  std::int64_t mixed_ms = 0;
  std::string transcript_key;  // the mix's WebVTT transcript, when it has one
  std::string chapters_key;    // its JSON chapters, when stored
  std::vector<MixSegment> segments;

  nlohmann::json to_json() const;
  static Result<PublishedMix> from_json(const nlohmann::json& j);
};

// A finished mix's result JSON as its published episode: the MP3's key and
// size, the duration, the segments, and the transcript and chapters keys
// of "downloads" when the mix has them.
Result<PublishedMix> published_mix_from_result(const FollowedItem& item, const std::string& theme,
                                               const nlohmann::json& result, std::int64_t mixed_ms);

// The published files and the names they go by in links.
inline constexpr std::string_view kMp3Suffix = ".mp3";
inline constexpr std::string_view kTranscriptSuffix = ".vtt";
inline constexpr std::string_view kChaptersSuffix = ".chapters.json";

struct PublishedLinks {
  std::string server_base;      // "https://namix.example.com", no trailing '/'
  std::string public_base_url;  // set: files at {public_base_url}/{storage key}

  std::string feed_url(const std::string& subscription_id, const std::string& slug) const;
  std::string file_url(const std::string& subscription_id, const std::string& slug,
                       const PublishedMix& mix, std::string_view suffix) const;
};

class PublishedFeeds {
 public:
  explicit PublishedFeeds(Storage& storage) : storage_(storage) {}

  static std::string key_for(const std::string& subscription_id, const std::string& slug);
  // Adds the mix (replacing one of the same item), newest item first.
  Result<void> add(const std::string& subscription_id, const std::string& slug,
                   const PublishedMix& mix);
  // Newest first; empty when nothing is published yet.
  Result<std::vector<PublishedMix>> list(const std::string& subscription_id,
                                         const std::string& slug);

 private:
  Storage& storage_;
};

// The storage key a published file name ("{item key}.mp3", ".vtt",
// ".chapters.json") stands for; not_found when no such file is published.
Result<std::string> published_file_key(const std::vector<PublishedMix>& mixes,
                                       std::string_view file_name);

// The RSS 2.0 document of one output: the show's channel (the
// subscription's title and image first), one item per mix.
std::string render_podcast_feed(const Subscription& subscription, const SubscriptionOutput& output,
                                const ChannelInfo& show, const std::vector<PublishedMix>& mixes,
                                const PublishedLinks& links, std::chrono::sys_seconds now);

}  // namespace namix
