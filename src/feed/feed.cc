#include "feed/feed.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

#include "core/ascii_text.h"
#include "core/xml_document.h"
#include "feed/feed_time.h"
#include "feed/media_url.h"

namespace namix {
namespace {

constexpr std::string_view kContentNamespace = "http://purl.org/rss/1.0/modules/content/";
constexpr std::string_view kDublinCoreNamespace = "http://purl.org/dc/elements/1.1/";
constexpr std::string_view kAtomNamespace = "http://www.w3.org/2005/Atom";
constexpr std::string_view kRdfNamespace = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";

// The namespaces a feed's elements are in. Feeds in the wild spell the iTunes
// URI in mixed case (Apple's first documents did) and the Podcasting 2.0 one
// in its older GitHub form (which its specification says clients must also
// accept) or with a trailing slash; the scheme varies too.
enum class Ns { rss, itunes, podcast, content, dublin_core, other };

Ns classify_namespace(std::string_view uri) {
  if (uri.empty()) return Ns::rss;
  if (uri == kContentNamespace) return Ns::content;
  if (uri == kDublinCoreNamespace) return Ns::dublin_core;
  std::string u = ascii_lower(trim_whitespace(uri));
  for (std::string_view scheme : {"https://", "http://"}) {
    if (u.rfind(scheme, 0) == 0) {
      u.erase(0, scheme.size());
      break;
    }
  }
  while (!u.empty() && u.back() == '/') u.pop_back();
  if (u == "www.itunes.com/dtds/podcast-1.0.dtd" || u == "itunes.com/dtds/podcast-1.0.dtd")
    return Ns::itunes;
  if (u == "podcastindex.org/namespace/1.0" ||
      u == "github.com/podcastindex-org/podcast-namespace/blob/main/docs/1.0.md")
    return Ns::podcast;
  return Ns::other;
}

bool named(XmlElement e, Ns ns, std::string_view local) {
  return e.local_name() == local && classify_namespace(e.namespace_uri()) == ns;
}

std::string child_text(XmlElement parent, Ns ns, std::string_view local) {
  for (XmlElement c : parent.children())
    if (named(c, ns, local)) return std::string(trim_whitespace(c.text()));
  return "";
}

std::string attribute_text(XmlElement e, std::string_view name) {
  return std::string(trim_whitespace(e.attribute(name).value_or("")));
}

// The base URL relative references in `e` resolve against: the feed's URL,
// then every xml:base from the root down to `e`, each resolved against the
// one above it.
std::string base_url(XmlElement e, std::string_view feed_url) {
  std::vector<std::string_view> bases;
  for (std::optional<XmlElement> at = e; at; at = at->parent())
    if (auto b = at->attribute("base", kXmlNamespace)) bases.push_back(*b);
  std::string base(feed_url);
  for (auto it = bases.rbegin(); it != bases.rend(); ++it) base = resolve_url(base, *it);
  return base;
}

std::optional<long> leading_number(std::string_view s) {
  long v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end == s.data() || v < 0 || v > 10'000'000) return std::nullopt;
  return v;
}

std::string feed_subject(std::string_view feed_url) {
  if (feed_url.empty()) return "the feed";
  return "the feed at " + std::string(feed_url.substr(0, 200));
}

bool looks_like_html(std::string_view bytes) {
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
  bytes = trim_whitespace(bytes.substr(0, 512));
  const std::string head = ascii_lower(bytes.substr(0, 14));
  return head.rfind("<!doctype html", 0) == 0 || head.rfind("<html", 0) == 0;
}

Result<void> check_root(XmlElement root, const std::string& subject) {
  if (root.is("", "rss")) return {};
  const std::string_view name = root.local_name();
  if (root.is(kAtomNamespace, "feed")) {
    return make_error(Errc::upstream_failed,
                      subject +
                          " is an Atom feed; namix reads RSS 2.0 podcast feeds (what podcast "
                          "directories require): give the show's RSS feed");
  }
  if (root.is(kRdfNamespace, "RDF")) {
    return make_error(Errc::upstream_failed,
                      subject + " is an RSS 1.0 (RDF) feed; namix reads RSS 2.0 podcast feeds");
  }
  if (ascii_lower(name) == "html") {
    return make_error(Errc::upstream_failed,
                      subject +
                          " is an HTML page, not an RSS feed; give the URL of the "
                          "podcast's RSS feed itself");
  }
  return make_error(Errc::upstream_failed,
                    subject + " is XML but not an RSS feed (its root element is <" +
                        std::string(name.substr(0, 40)) + ">); give the podcast's RSS feed URL");
}

FeedEnclosure read_enclosure(XmlElement e, const std::string& base) {
  FeedEnclosure out;
  out.url = resolve_url(base, e.attribute("url").value_or(""));
  out.media_url = strip_measurement_prefixes(out.url);
  out.type = attribute_text(e, "type");
  const std::string length = attribute_text(e, "length");
  std::uint64_t bytes = 0;
  const auto [end, ec] = std::from_chars(length.data(), length.data() + length.size(), bytes);
  if (ec == std::errc() && end == length.data() + length.size()) out.length_bytes = bytes;
  return out;
}

FeedItem read_item(XmlElement item, std::size_t index, std::string_view feed_url) {
  FeedItem out;
  out.index = index;
  const std::string base = base_url(item, feed_url);
  std::string itunes_title;
  std::string content_encoded;
  std::string itunes_summary;
  std::string dc_date;
  std::string itunes_episode;
  std::optional<FeedEnclosure> non_audio_enclosure;
  for (XmlElement c : item.children()) {
    const Ns ns = classify_namespace(c.namespace_uri());
    const std::string_view name = c.local_name();
    const std::string_view text = trim_whitespace(c.text());
    if (ns == Ns::rss) {
      if (name == "title") {
        out.title = text;
      } else if (name == "guid") {
        out.guid = text;
      } else if (name == "link") {
        out.link = resolve_url(base, text);
      } else if (name == "description") {
        out.description = text;
      } else if (name == "pubDate") {
        out.published = parse_rfc822_date(text);
      } else if (name == "enclosure" && c.attribute("url")) {
        // The first audio enclosure; else the first of any type.
        FeedEnclosure e = read_enclosure(c, base_url(c, feed_url));
        if (ascii_lower(e.type).rfind("audio/", 0) == 0 || e.type.empty()) {
          if (!out.enclosure) out.enclosure = std::move(e);
        } else if (!non_audio_enclosure) {
          non_audio_enclosure = std::move(e);
        }
      }
    } else if (ns == Ns::itunes) {
      if (name == "title") {
        itunes_title = text;
      } else if (name == "duration") {
        out.duration_s = parse_itunes_duration(text);
      } else if (name == "episode") {
        itunes_episode = text;
      } else if (name == "summary") {
        itunes_summary = text;
      }
    } else if (ns == Ns::podcast) {
      if (name == "transcript" && c.attribute("url")) {
        FeedTranscript t;
        t.url = resolve_url(base_url(c, feed_url), *c.attribute("url"));
        t.type = attribute_text(c, "type");
        t.language = attribute_text(c, "language");
        t.rel = attribute_text(c, "rel");
        t.format = transcript_format(t.type, t.url);
        out.transcripts.push_back(std::move(t));
      } else if (name == "chapters" && c.attribute("url") && !out.chapters) {
        out.chapters = FeedChapters{resolve_url(base_url(c, feed_url), *c.attribute("url")),
                                    attribute_text(c, "type")};
      }
    } else if (ns == Ns::content && name == "encoded") {
      content_encoded = text;
    } else if (ns == Ns::dublin_core && name == "date") {
      dc_date = text;
    }
  }
  if (out.title.empty()) out.title = itunes_title;
  if (out.description.empty()) out.description = content_encoded;
  if (out.description.empty()) out.description = itunes_summary;
  if (!out.published && !dc_date.empty()) out.published = parse_rfc822_date(dc_date);
  if (!out.enclosure) out.enclosure = std::move(non_audio_enclosure);
  out.episode = leading_number(itunes_episode);
  if (!out.episode) {
    out.episode = episode_number_in_title(out.title);
    out.episode_from_title = out.episode.has_value();
  }
  return out;
}

}  // namespace

std::optional<long> episode_number_in_title(std::string_view title) {
  const std::string t = ascii_lower(title);
  const auto word_start = [&](std::size_t at) {
    return at == 0 || !std::isalnum(static_cast<unsigned char>(t[at - 1]));
  };
  // "Episode 42", "Ep. 42", "Ep 42", "#42", "No. 42".
  for (std::string_view marker : {"episode", "ep.", "ep", "#", "no."}) {
    for (std::size_t at = t.find(marker); at != std::string::npos; at = t.find(marker, at + 1)) {
      if (marker != "#" && !word_start(at)) continue;
      std::size_t digits = at + marker.size();
      while (digits < t.size() && (t[digits] == ' ' || t[digits] == '#')) ++digits;
      if (digits < t.size() && std::isdigit(static_cast<unsigned char>(t[digits])))
        return leading_number(std::string_view(t).substr(digits));
    }
  }
  // A title that starts with a number: "1612 - Tarted Up", "42: The answer".
  const std::string_view head = trim_whitespace(t);
  std::size_t end = 0;
  while (end < head.size() && std::isdigit(static_cast<unsigned char>(head[end]))) ++end;
  if (end > 0 && (end == head.size() || !std::isalnum(static_cast<unsigned char>(head[end]))))
    return leading_number(head);
  return std::nullopt;
}

TranscriptFormat transcript_format(std::string_view type, std::string_view url) {
  std::string t = ascii_lower(trim_whitespace(type.substr(0, type.find(';'))));
  if (t.empty()) {
    std::string_view path = url.substr(0, url.find_first_of("?#"));
    const std::size_t dot = path.rfind('.');
    if (dot != std::string_view::npos && path.find('/', dot) == std::string_view::npos) {
      const std::string ext = ascii_lower(path.substr(dot + 1));
      if (ext == "json") return TranscriptFormat::json;
      if (ext == "vtt") return TranscriptFormat::vtt;
      if (ext == "srt") return TranscriptFormat::srt;
    }
    return TranscriptFormat::other;
  }
  if (t == "application/json" || t == "text/json") return TranscriptFormat::json;
  if (t == "text/vtt") return TranscriptFormat::vtt;
  static constexpr std::array<std::string_view, 5> kSrt = {
      "application/x-subrip", "application/srt", "text/srt", "application/x-srt", "text/x-srt"};
  if (std::find(kSrt.begin(), kSrt.end(), t) != kSrt.end()) return TranscriptFormat::srt;
  return TranscriptFormat::other;
}

const FeedTranscript* choose_transcript(const std::vector<FeedTranscript>& transcripts) {
  for (TranscriptFormat wanted :
       {TranscriptFormat::json, TranscriptFormat::vtt, TranscriptFormat::srt}) {
    for (const FeedTranscript& t : transcripts)
      if (t.format == wanted) return &t;
  }
  return nullptr;
}

Result<Feed> parse_feed(std::string_view bytes, std::string_view feed_url) {
  const std::string subject = feed_subject(feed_url);
  if (bytes.size() > kMaxFeedBytes) {
    return make_error(Errc::too_large, subject + " is larger than the " +
                                           std::to_string(kMaxFeedBytes >> 20) +
                                           " MiB limit for feeds; give the episode's URL instead");
  }
  if (looks_like_html(bytes)) {
    return make_error(Errc::upstream_failed,
                      subject +
                          " is an HTML page, not an RSS feed; give the URL of the "
                          "podcast's RSS feed itself");
  }
  XmlLimits limits;
  limits.max_bytes = kMaxFeedBytes;
  auto doc = XmlDocument::parse(bytes, limits);
  if (!doc.ok()) {
    const Errc code = doc.error().code == Errc::too_large ? Errc::too_large : Errc::upstream_failed;
    return make_error(code, subject + " " + doc.error().message +
                                "; it cannot be read as RSS (ask its publisher to fix it, or "
                                "give the episode's URL instead)");
  }
  const XmlElement root = doc->root();
  NAMIX_TRY(check_root(root, subject));
  const auto channel = root.first_child("", "channel");
  if (!channel) {
    return make_error(Errc::upstream_failed,
                      subject + " is RSS without a <channel>; it holds no episodes");
  }

  Feed feed;
  feed.url = feed_url;
  const std::string base = base_url(*channel, feed_url);
  feed.title = child_text(*channel, Ns::rss, "title");
  feed.link = resolve_url(base, child_text(*channel, Ns::rss, "link"));
  feed.language = child_text(*channel, Ns::rss, "language");
  feed.author = child_text(*channel, Ns::itunes, "author");
  std::string image;
  for (XmlElement c : channel->children()) {
    if (named(c, Ns::itunes, "image") && c.attribute("href")) {
      image = resolve_url(base_url(c, feed_url), *c.attribute("href"));
      break;
    }
    if (named(c, Ns::rss, "image") && image.empty())
      image = resolve_url(base_url(c, feed_url), child_text(c, Ns::rss, "url"));
  }
  feed.image_url = image;
  for (XmlElement item : channel->children("", "item"))
    feed.items.push_back(read_item(item, feed.items.size(), feed_url));
  return feed;
}

}  // namespace namix
