// `namix feed URL [--limit N] [--json] [--allow-private-urls]`: the latest
// items of a podcast's RSS feed, with what a mix can take from each.
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>

#include "app/command.h"
#include "app/exit_code.h"
#include "feed/feed.h"
#include "feed/feed_json.h"
#include "feed/feed_time.h"
#include "feed/item_selection.h"
#include "net/episode_documents.h"

namespace namix {
namespace {

struct FeedOptions {
  std::string url;
  int limit = 10;
  bool json = false;
  bool allow_private_urls = false;
};

// "3:11:25", "59:30", or "-" when the feed gives none.
std::string clock_text(const std::optional<double>& seconds) {
  if (!seconds) return "-";
  const long total = std::lround(*seconds);
  char text[32];
  if (total >= 3600) {
    std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", total / 3600, total / 60 % 60, total % 60);
  } else {
    std::snprintf(text, sizeof text, "%ld:%02ld", total / 60, total % 60);
  }
  return text;
}

// A title on one table row: line breaks and tabs in it become spaces.
std::string one_line(std::string text) {
  for (char& c : text)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  return text;
}

void print_listing(const Feed& feed, std::size_t limit) {
  const auto items = latest_items(feed, limit);
  std::printf("%s: %zu items, the latest %zu:\n",
              one_line(feed.title.empty() ? feed.url : feed.title).c_str(), feed.items.size(),
              items.size());
  std::printf("%7s  %-10s  %8s  %-10s  %-8s  %s\n", "episode", "date", "duration", "transcript",
              "chapters", "title");
  for (const FeedItem* item : items) {
    const FeedTranscript* transcript = choose_transcript(item->transcripts);
    const std::string episode = item->episode ? std::to_string(*item->episode) : "-";
    const std::string date = item->published ? format_iso8601(*item->published).substr(0, 10) : "-";
    const std::string transcript_text =
        transcript ? std::string(transcript_format_name(transcript->format))
                   : (item->transcripts.empty() ? "-" : "other");
    std::printf("%7s  %-10s  %8s  %-10s  %-8s  %s%s\n", episode.c_str(), date.c_str(),
                clock_text(item->duration_s).c_str(), transcript_text.c_str(),
                item->chapters ? "yes" : "-", one_line(item->title).c_str(),
                item->enclosure ? "" : " (no audio)");
  }
}

int run(const FeedOptions& o) {
  if (o.limit < 1) {
    return report_error(make_error(Errc::invalid_argument, "--limit must be at least 1 (got " +
                                                               std::to_string(o.limit) + ")"));
  }
  FetchOptions fetch_options;
  fetch_options.allow_private_urls = o.allow_private_urls;
  auto feed = fetch_feed(o.url, fetch_options);
  if (!feed.ok()) return report_error(feed.error());
  const auto limit = static_cast<std::size_t>(o.limit);
  if (o.json) {
    std::cout << feed_listing_json(*feed, limit).dump(2) << "\n";
  } else {
    print_listing(*feed, limit);
  }
  return kExitOk;
}

std::function<int()> add_feed(CLI::App& app) {
  auto o = std::make_shared<FeedOptions>();
  CLI::App* cmd = app.add_subcommand(
      "feed",
      "List a podcast RSS feed's latest items: episode, date, duration, transcript, "
      "chapters");
  cmd->add_option("url", o->url, "The feed's http(s) URL")->required();
  cmd->add_option("--limit", o->limit, "How many of the latest items to list")
      ->capture_default_str();
  cmd->add_flag("--json", o->json, "Print JSON instead of a table");
  cmd->add_flag("--allow-private-urls", o->allow_private_urls,
                "Allow loopback, private and link-local addresses (refused by default, as in "
                "namix serve)");
  return [cmd, o]() -> int {
    if (!cmd->parsed()) return -1;
    return run(*o);
  };
}

}  // namespace
NAMIX_REGISTER_COMMAND(feed, add_feed);
}  // namespace namix
