// A podcast's RSS 2.0 feed with the iTunes and Podcasting 2.0 namespaces:
// what namix takes from it to mix an episode (enclosure, transcripts,
// chapters, episode number, title, date) and to list the latest items.
//
// parse_feed() is a pure function of the bytes: no I/O, no clock, no
// locale. Atom and RSS 1.0 (RDF) feeds are refused with a message that says
// so: podcast directories require RSS 2.0, so podcast feeds are RSS.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/transcript_format.h"

namespace namix {

// 32 MiB: the largest podcast feeds (decades of daily episodes with full
// show notes) stay under 20 MB.
inline constexpr std::size_t kMaxFeedBytes = std::size_t{32} << 20;

inline constexpr std::string_view kItunesNamespace = "http://www.itunes.com/dtds/podcast-1.0.dtd";
inline constexpr std::string_view kPodcastNamespace = "https://podcastindex.org/namespace/1.0";

struct FeedTranscript {
  std::string url;   // absolute when the feed's URL was
  std::string type;  // as published, e.g. "application/x-subrip"
  std::string language;
  std::string rel;  // "captions" or ""
  TranscriptFormat format = TranscriptFormat::other;
};

struct FeedChapters {
  std::string url;
  std::string type;  // application/json+chapters
};

struct FeedEnclosure {
  std::string url;                 // the URL to fetch, measurement prefixes kept
  std::string media_url;           // the same without them (names the file)
  std::uint64_t length_bytes = 0;  // 0 when not given
  std::string type;                // e.g. audio/mpeg
};

struct FeedItem {
  std::size_t index = 0;  // position in the document, 0 first
  std::string title;
  std::string guid;
  std::string link;
  std::string description;  // as published (often HTML)
  std::optional<std::chrono::sys_seconds> published;
  std::optional<FeedEnclosure> enclosure;
  std::optional<double> duration_s;  // itunes:duration
  // itunes:episode; else a number the title gives ("1612 - Tarted Up",
  // "Episode 42: ...", "#245").
  std::optional<long> episode;
  bool episode_from_title = false;
  std::vector<FeedTranscript> transcripts;  // every podcast:transcript, in order
  std::optional<FeedChapters> chapters;
};

struct Feed {
  std::string url;  // where it was read from (the base of relative URLs)
  std::string title;
  std::string link;
  std::string image_url;  // itunes:image, else <image><url>
  std::string author;     // itunes:author
  std::string language;
  std::vector<FeedItem> items;  // in document order
};

// Reads an RSS feed. `feed_url` resolves relative URLs (after any xml:base)
// and names the feed in messages. Errors: too_large over kMaxFeedBytes;
// upstream_failed for anything that makes it no usable RSS feed (HTML, Atom,
// not well-formed XML, broken UTF-8, entity declarations, external
// entities); the message says what was wrong and what to do.
Result<Feed> parse_feed(std::string_view bytes, std::string_view feed_url);

// The episode number a title gives: "Episode 42", "Ep. 42", "#42", "No. 42",
// or a number the title starts with ("1612 - Tarted Up").
std::optional<long> episode_number_in_title(std::string_view title);

// The format a transcript's MIME type names (case and parameters ignored);
// a transcript without a type is judged by the URL's file extension.
TranscriptFormat transcript_format(std::string_view type, std::string_view url);

// The transcript namix reads best: JSON (it names speakers and can be
// word-level), then WebVTT, then SRT; the first in document order among
// equals. nullptr when none is in one of those formats.
const FeedTranscript* choose_transcript(const std::vector<FeedTranscript>& transcripts);

}  // namespace namix
