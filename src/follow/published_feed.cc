#include "follow/published_feed.h"

#include <algorithm>
#include <cmath>

#include "core/version.h"
#include "follow/record_store.h"
#include "publish/podcast_feed.h"

namespace namix {
namespace {

using nlohmann::json;

// Podcast apps read the newest few hundred items; older mixes stay in
// storage and in /mix/history.
constexpr std::size_t kMaxPublished = 500;

std::string storage_key_in(const json& result, const char* download) {
  auto downloads = result.find("downloads");
  if (downloads == result.end() || !downloads->is_object()) return "";
  auto entry = downloads->find(download);
  if (entry == downloads->end() || !entry->is_object()) return "";
  return entry->value("s3_key", "");
}

std::string duration_words(const SubscriptionOutput& output) {
  if (!output.target_s) return "the whole episode";
  return std::to_string(static_cast<long>(std::lround(*output.target_s))) + " s";
}

std::int64_t sort_time_ms(const PublishedMix& m) {
  return m.item.published_unix ? *m.item.published_unix * 1000 : m.mixed_ms;
}

}  // namespace

json PublishedMix::to_json() const {
  return {{"item", item.to_json()},
          {"mix_id", mix_id},
          {"theme", theme},
          {"mp3_key", mp3_key},
          {"mp3_bytes", mp3_bytes},
          {"duration_s", duration_s},
          {"mixed_ms", mixed_ms},
          {"transcript_key", transcript_key},
          {"chapters_key", chapters_key},
          {"segments", mix_segments_json(segments)}};
}

Result<PublishedMix> PublishedMix::from_json(const json& j) {
  PublishedMix m;
  try {
    auto item = FollowedItem::from_json(j.at("item"));
    if (!item) return item.error();
    m.item = std::move(*item);
    m.mix_id = j.at("mix_id").get<std::string>();
    m.theme = j.value("theme", "");
    m.mp3_key = j.at("mp3_key").get<std::string>();
    m.mp3_bytes = j.value("mp3_bytes", std::uint64_t{0});
    m.duration_s = j.value("duration_s", 0.0);
    m.mixed_ms = j.value("mixed_ms", std::int64_t{0});
    m.transcript_key = j.value("transcript_key", "");
    m.chapters_key = j.value("chapters_key", "");
    m.segments = mix_segments_from_result(j.value("segments", json::array()));
  } catch (const json::exception& e) {
    return make_error(Errc::internal, std::string("a published mix is malformed: ") + e.what());
  }
  return m;
}

Result<PublishedMix> published_mix_from_result(const FollowedItem& item, const std::string& theme,
                                               const json& result, std::int64_t mixed_ms) {
  PublishedMix m;
  m.item = item;
  m.theme = theme;
  m.mixed_ms = mixed_ms;
  try {
    m.mix_id = result.at("mix_id").get<std::string>();
    m.mp3_key = result.at("download").at("s3_key").get<std::string>();
    const json& meta = result.at("mix_metadata");
    m.mp3_bytes = meta.at("file_size_bytes").get<std::uint64_t>();
    m.duration_s = meta.at("duration_actual").get<double>();
  } catch (const json::exception& e) {
    return make_error(
        Errc::internal,
        std::string("the mix's result JSON lacks what a feed item needs: ") + e.what());
  }
  m.transcript_key = storage_key_in(result, "transcript_vtt");
  m.chapters_key = storage_key_in(result, "chapters");
  m.segments = mix_segments_from_result(result.value("segments", json::array()));
  return m;
}

std::string PublishedLinks::feed_url(const std::string& subscription_id,
                                     const std::string& slug) const {
  return server_base + "/feeds/" + subscription_id + "/" + slug + ".xml";
}

std::string PublishedLinks::file_url(const std::string& subscription_id, const std::string& slug,
                                     const PublishedMix& mix, std::string_view suffix) const {
  if (!public_base_url.empty()) {
    const std::string& key = suffix == kMp3Suffix          ? mix.mp3_key
                             : suffix == kTranscriptSuffix ? mix.transcript_key
                                                           : mix.chapters_key;
    return public_base_url + "/" + key;
  }
  return server_base + "/published/" + subscription_id + "/" + slug + "/" + mix.item.key +
         std::string(suffix);
}

std::string PublishedFeeds::key_for(const std::string& subscription_id, const std::string& slug) {
  return "follow/state/" + subscription_id + "/published/" + slug + ".json";
}

Result<void> PublishedFeeds::add(const std::string& subscription_id, const std::string& slug,
                                 const PublishedMix& mix) {
  auto updated = update_record(storage_, key_for(subscription_id, slug), [&](json& record) {
    if (!record.is_object()) record = {{"mixes", json::array()}};
    std::vector<json> mixes;
    for (const json& m : record.value("mixes", json::array())) {
      if (m.value("item", json::object()).value("key", "") != mix.item.key) mixes.push_back(m);
    }
    mixes.push_back(mix.to_json());
    std::stable_sort(mixes.begin(), mixes.end(), [](const json& a, const json& b) {
      const auto time = [](const json& m) {
        const json& item = m.at("item");
        return item["published_unix"].is_number_integer()
                   ? item["published_unix"].get<std::int64_t>() * 1000
                   : m.value("mixed_ms", std::int64_t{0});
      };
      return time(a) > time(b);
    });
    if (mixes.size() > kMaxPublished) mixes.resize(kMaxPublished);
    record["mixes"] = mixes;
    return true;
  });
  if (!updated) return updated.error();
  return {};
}

Result<std::vector<PublishedMix>> PublishedFeeds::list(const std::string& subscription_id,
                                                       const std::string& slug) {
  auto record = read_record(storage_, key_for(subscription_id, slug));
  if (!record) return record.error();
  std::vector<PublishedMix> out;
  if (!*record) return out;
  for (const json& m : (*record)->value.value("mixes", json::array())) {
    auto mix = PublishedMix::from_json(m);
    if (!mix) return mix.error();
    out.push_back(std::move(*mix));
  }
  std::stable_sort(out.begin(), out.end(), [](const PublishedMix& a, const PublishedMix& b) {
    return sort_time_ms(a) > sort_time_ms(b);
  });
  return out;
}

Result<std::string> published_file_key(const std::vector<PublishedMix>& mixes,
                                       std::string_view file_name) {
  for (const PublishedMix& m : mixes) {
    if (file_name.rfind(m.item.key, 0) != 0) continue;
    const std::string_view suffix = file_name.substr(m.item.key.size());
    const std::string& key = suffix == kMp3Suffix          ? m.mp3_key
                             : suffix == kTranscriptSuffix ? m.transcript_key
                             : suffix == kChaptersSuffix   ? m.chapters_key
                                                           : std::string();
    if (!key.empty()) return key;
  }
  return make_error(Errc::not_found,
                    "no published file '" + std::string(file_name.substr(0, 80)) +
                        "' (the feed's enclosure, transcript and chapters links name them)");
}

std::string render_podcast_feed(const Subscription& s, const SubscriptionOutput& output,
                                const ChannelInfo& show, const std::vector<PublishedMix>& mixes,
                                const PublishedLinks& links, std::chrono::sys_seconds now) {
  const std::string& slug = output.theme->slug;
  const std::string show_title = !s.title.empty()      ? s.title
                                 : !show.title.empty() ? show.title
                                                       : s.id;
  PodcastChannel channel;
  channel.title = show_title + " \u2014 " + output.theme->name;
  channel.link = show.link;
  channel.description = output.theme->name + " (" + duration_words(output) +
                        ") of every new episode of " + show_title + ", mixed by namix from " +
                        s.feed_url + ". " + output.theme->description;
  channel.language = show.language;
  channel.author = show.author;
  channel.image_url = !s.image_url.empty() ? s.image_url : show.image_url;
  channel.category = s.category;
  channel.explicit_content = s.explicit_content;
  channel.self_url = links.feed_url(s.id, slug);
  channel.generator = "namix " + std::string(kNamixVersion);
  channel.last_build = now;

  std::vector<PodcastEpisode> episodes;
  for (const PublishedMix& m : mixes) {
    PodcastEpisode e;
    e.guid = "namix:" + s.id + ":" + slug + ":" + m.item.key;
    const std::string item_title = m.item.title.empty() ? m.item.guid : m.item.title;
    e.title = item_title + " \u2014 " + output.theme->name;
    e.description = segments_description(output.theme->name + " of \u201c" + item_title +
                                             "\u201d: " + std::to_string(m.segments.size()) +
                                             " segment(s), " + clock_text(m.duration_s) + ".",
                                         m.segments);
    e.link = m.item.link;
    e.published = std::chrono::sys_seconds(
        std::chrono::seconds(m.item.published_unix ? *m.item.published_unix : m.mixed_ms / 1000));
    e.enclosure_url = links.file_url(s.id, slug, m, kMp3Suffix);
    e.enclosure_bytes = m.mp3_bytes;
    e.enclosure_type = "audio/mpeg";
    e.duration_s = m.duration_s;
    e.episode = m.item.episode;
    if (!m.transcript_key.empty())
      e.transcript = PodcastLink{links.file_url(s.id, slug, m, kTranscriptSuffix), "text/vtt"};
    if (!m.chapters_key.empty())
      e.chapters =
          PodcastLink{links.file_url(s.id, slug, m, kChaptersSuffix), "application/json+chapters"};
    e.soundbite = strongest_soundbite(m.segments, m.duration_s);
    episodes.push_back(std::move(e));
  }
  return write_podcast_feed(channel, episodes);
}

}  // namespace namix
