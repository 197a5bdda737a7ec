#include "publish/podcast_feed.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

#include "feed/feed.h"
#include "feed/feed_time.h"
#include "publish/xml_writer.h"

namespace namix {
namespace {

constexpr std::string_view kAtomNamespace = "http://www.w3.org/2005/Atom";

// Seconds with up to three decimals and no trailing zeros: "12.5", "30".
std::string decimal_seconds(double s) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", std::max(0.0, s));
  std::string out = text;
  while (out.back() == '0') out.pop_back();
  if (out.back() == '.') out.pop_back();
  return out;
}

void write_channel_head(XmlWriter& xml, const PodcastChannel& channel) {
  xml.element("title", channel.title);
  xml.element("link", channel.link.empty() ? channel.self_url : channel.link);
  xml.element("description", channel.description);
  if (!channel.language.empty()) xml.element("language", channel.language);
  if (!channel.generator.empty()) xml.element("generator", channel.generator);
  xml.element("lastBuildDate", format_rfc822_date(channel.last_build));
  xml.empty("atom:link",
            {{"href", channel.self_url}, {"rel", "self"}, {"type", "application/rss+xml"}});
  xml.element("podcast:guid", podcast_guid(channel.self_url));
  if (!channel.author.empty()) xml.element("itunes:author", channel.author);
  if (!channel.image_url.empty()) {
    xml.empty("itunes:image", {{"href", channel.image_url}});
    xml.open("image");
    xml.element("url", channel.image_url);
    xml.element("title", channel.title);
    xml.element("link", channel.link.empty() ? channel.self_url : channel.link);
    xml.close();
  }
  xml.empty("itunes:category", {{"text", channel.category}});
  xml.element("itunes:explicit", channel.explicit_content ? "true" : "false");
  xml.element("itunes:type", "episodic");
}

void write_item(XmlWriter& xml, const PodcastEpisode& e, bool explicit_content) {
  xml.open("item");
  xml.element("title", e.title);
  xml.element("description", e.description);
  if (!e.link.empty()) xml.element("link", e.link);
  xml.element("guid", e.guid, {{"isPermaLink", "false"}});
  xml.element("pubDate", format_rfc822_date(e.published));
  const std::string length = std::to_string(e.enclosure_bytes);
  xml.empty("enclosure",
            {{"url", e.enclosure_url}, {"length", length}, {"type", e.enclosure_type}});
  xml.element("itunes:duration", itunes_duration(e.duration_s));
  if (e.episode && *e.episode > 0) xml.element("itunes:episode", std::to_string(*e.episode));
  xml.element("itunes:explicit", explicit_content ? "true" : "false");
  if (e.transcript) {
    xml.empty("podcast:transcript", {{"url", e.transcript->url}, {"type", e.transcript->type}});
  }
  if (e.chapters) {
    xml.empty("podcast:chapters", {{"url", e.chapters->url}, {"type", e.chapters->type}});
  }
  if (e.soundbite) {
    const std::string start = decimal_seconds(e.soundbite->start_s);
    const std::string duration = decimal_seconds(e.soundbite->duration_s);
    xml.element("podcast:soundbite", e.soundbite->title,
                {{"startTime", start}, {"duration", duration}});
  }
  xml.close();
}

}  // namespace

const std::vector<std::string_view>& apple_podcast_categories() {
  // Apple Podcasts Connect, "Podcast categories" (top level).
  static const std::vector<std::string_view> kCategories = {"Arts",
                                                            "Business",
                                                            "Comedy",
                                                            "Education",
                                                            "Fiction",
                                                            "Government",
                                                            "Health & Fitness",
                                                            "History",
                                                            "Kids & Family",
                                                            "Leisure",
                                                            "Music",
                                                            "News",
                                                            "Religion & Spirituality",
                                                            "Science",
                                                            "Society & Culture",
                                                            "Sports",
                                                            "Technology",
                                                            "True Crime",
                                                            "TV & Film"};
  return kCategories;
}

bool is_apple_podcast_category(std::string_view category) {
  const auto& all = apple_podcast_categories();
  return std::find(all.begin(), all.end(), category) != all.end();
}

std::string podcast_guid(std::string_view feed_url) {
  std::string_view name = feed_url;
  if (const auto scheme = name.find("://"); scheme != std::string_view::npos)
    name.remove_prefix(scheme + 3);
  while (!name.empty() && name.back() == '/') name.remove_suffix(1);
  // RFC 4122 section 4.3: SHA-1 over the namespace's 16 bytes and the name.
  static constexpr std::array<unsigned char, 16> kNamespace = {0xea, 0xd4, 0xc2, 0x36, 0xbf, 0x58,
                                                               0x58, 0xc6, 0xa2, 0xc6, 0xa6, 0xb2,
                                                               0x8d, 0x12, 0x8c, 0xb6};
  std::string input(kNamespace.begin(), kNamespace.end());
  input.append(name);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  EVP_Digest(input.data(), input.size(), digest, &digest_len, EVP_sha1(), nullptr);
  digest[6] = static_cast<unsigned char>((digest[6] & 0x0f) | 0x50);  // version 5
  digest[8] = static_cast<unsigned char>((digest[8] & 0x3f) | 0x80);  // RFC 4122 variant
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 0xf];
  }
  return out;
}

std::string itunes_duration(double seconds) {
  return std::to_string(static_cast<long>(std::lround(std::max(0.0, seconds))));
}

std::string write_podcast_feed(const PodcastChannel& channel,
                               const std::vector<PodcastEpisode>& episodes) {
  XmlWriter xml;
  xml.open("rss", {{"version", "2.0"},
                   {"xmlns:itunes", kItunesNamespace},
                   {"xmlns:podcast", kPodcastNamespace},
                   {"xmlns:atom", kAtomNamespace}});
  xml.open("channel");
  write_channel_head(xml, channel);
  for (const PodcastEpisode& e : episodes) write_item(xml, e, channel.explicit_content);
  xml.close();
  xml.close();
  return std::move(xml).finish();
}

}  // namespace namix
