// A podcast's RSS 2.0 feed with the iTunes and Podcasting 2.0 namespaces,
// written from plain values: what podcast apps and directories read
// (Apple's required tags, enclosures with length and type, permanent guids,
// RFC 822 dates) plus podcast:transcript, podcast:chapters and
// podcast:soundbite. A pure function of its arguments: no clock, no I/O.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace namix {

struct PodcastChannel {
  std::string title;
  std::string link;               // the show's web page
  std::string description;        // plain text
  std::string language;           // e.g. "en-us"; empty: left out
  std::string author;             // itunes:author; empty: left out
  std::string image_url;          // itunes:image and <image>; empty: left out
  std::string category = "News";  // one of Apple's top-level categories
  bool explicit_content = false;
  std::string self_url;  // where this feed is served (atom:link rel="self")
  std::string generator;
  std::chrono::sys_seconds last_build{};
};

struct PodcastLink {
  std::string url;
  std::string type;  // MIME type
};

struct PodcastSoundbite {
  double start_s = 0.0;  // in the episode's audio
  double duration_s = 0.0;
  std::string title;
};

struct PodcastEpisode {
  std::string guid;  // never a URL here: written with isPermaLink="false"
  std::string title;
  std::string description;  // HTML, escaped into the element's text
  std::string link;         // may be empty
  std::chrono::sys_seconds published{};
  std::string enclosure_url;
  std::uint64_t enclosure_bytes = 0;
  std::string enclosure_type = "audio/mpeg";
  double duration_s = 0.0;
  std::optional<long> episode;  // itunes:episode
  std::optional<PodcastLink> transcript;
  std::optional<PodcastLink> chapters;
  std::optional<PodcastSoundbite> soundbite;
};

// Apple Podcasts' top-level categories, exactly as they must be spelt.
const std::vector<std::string_view>& apple_podcast_categories();
bool is_apple_podcast_category(std::string_view category);

// podcast:guid of a feed: the UUIDv5 of its URL without the scheme and
// trailing slashes, in the Podcasting 2.0 namespace's UUID
// (ead4c236-bf58-58c6-a2c6-a6b28d128cb6).
std::string podcast_guid(std::string_view feed_url);

// itunes:duration as whole seconds, the form Apple recommends.
std::string itunes_duration(double seconds);

// The feed document, items in the order given (newest first, as apps expect).
std::string write_podcast_feed(const PodcastChannel& channel,
                               const std::vector<PodcastEpisode>& episodes);

}  // namespace namix
