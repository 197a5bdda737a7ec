#include "follow/poll_state.h"

#include <algorithm>
#include <cmath>

#include "feed/item_selection.h"

namespace namix {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxEvents = 30;
// A feed lists at most a few thousand items; forgetting the oldest seen
// ones past this bound keeps the record small. An item that old and still
// in the feed would be mixed again, which the mix ledger then refuses.
constexpr std::size_t kMaxSeen = 5000;
constexpr std::int64_t kMaxBackoffMs = 24LL * 3600 * 1000;

std::int64_t jittered_ms(std::chrono::seconds interval, double factor, double jitter) {
  const double ms = static_cast<double>(interval.count()) * 1000.0 * factor *
                    (1.0 + 0.1 * std::clamp(jitter, -1.0, 1.0));
  return static_cast<std::int64_t>(ms);
}

void forget_oldest_seen(PollState& state) {
  while (state.seen.size() > kMaxSeen) {
    auto oldest =
        std::min_element(state.seen.begin(), state.seen.end(), [](const auto& a, const auto& b) {
          return a.second.first_seen_ms < b.second.first_seen_ms;
        });
    state.seen.erase(oldest);
  }
}

void queue_item(const Subscription& s, const FollowedItem& item, PollState& state) {
  for (const SubscriptionOutput& o : s.outputs) {
    const bool queued =
        std::any_of(state.pending.begin(), state.pending.end(), [&](const PendingMix& p) {
          return p.item.key == item.key && p.output_slug == o.theme->slug;
        });
    if (!queued) state.pending.push_back({item, o.theme->slug});
  }
}

std::string item_name(const FeedItem& item) {
  return "'" + (item.title.empty() ? item.guid : item.title).substr(0, 120) + "'";
}

}  // namespace

void PollState::note(std::string level, std::string message, std::int64_t now_ms) {
  events.push_back({now_ms, std::move(level), std::move(message)});
  if (events.size() > kMaxEvents)
    events.erase(events.begin(),
                 events.begin() + static_cast<std::ptrdiff_t>(events.size() - kMaxEvents));
}

void PollState::drop_pending(const std::string& item_key, const std::string& output_slug) {
  std::erase_if(pending, [&](const PendingMix& p) {
    return p.item.key == item_key && p.output_slug == output_slug;
  });
}

void take_feed(const Subscription& s, const Feed& feed, PollState& state, std::int64_t now_ms,
               double jitter) {
  state.last_poll_ms = state.last_success_ms = now_ms;
  state.next_poll_ms = now_ms + jittered_ms(s.poll_interval, 1.0, jitter);
  state.consecutive_failures = 0;
  state.last_error = nullptr;
  state.items_in_feed = static_cast<int>(feed.items.size());
  state.channel = {feed.title, feed.link, feed.image_url, feed.author, feed.language};

  // Newest first, so a first poll's backfill takes the latest items.
  const std::vector<const FeedItem*> items = latest_items(feed, feed.items.size());
  const bool first = !state.first_poll_done;
  int fresh = 0;
  int backfilled = 0;
  for (const FeedItem* item : items) {
    const auto followed = followed_item(*item);
    if (!followed) {
      const std::string key = item_key_for("no-enclosure:" + item->guid + item->title);
      if (state.seen.emplace(key, SeenItem{"", now_ms}).second) {
        state.note("warn", "item " + item_name(*item) + " has no enclosure: nothing to mix",
                   now_ms);
      }
      continue;
    }
    auto seen = state.seen.find(followed->key);
    if (seen != state.seen.end()) {
      if (seen->second.enclosure_url != followed->enclosure_url) {
        state.note("warn",
                   "item " + item_name(*item) + " was published again with another enclosure (" +
                       followed->enclosure_url.substr(0, 200) +
                       "); its GUID is unchanged, so it is not mixed again",
                   now_ms);
        seen->second.enclosure_url = followed->enclosure_url;
      }
      continue;
    }
    state.seen.emplace(followed->key, SeenItem{followed->enclosure_url, now_ms});
    if (first && backfilled >= s.backfill) continue;
    if (first) ++backfilled;
    queue_item(s, *followed, state);
    ++fresh;
  }
  forget_oldest_seen(state);
  state.first_poll_done = true;
  state.last_outcome = fresh > 0 ? "new_items" : "unchanged";
  if (fresh > 0) {
    state.note("info",
               std::to_string(fresh) + (first ? " item(s) to mix on the first poll (backfill " +
                                                    std::to_string(s.backfill) + ")"
                                              : " new item(s) to mix"),
               now_ms);
  }
}

void take_not_modified(const Subscription& s, PollState& state, std::int64_t now_ms,
                       double jitter) {
  state.last_poll_ms = state.last_success_ms = now_ms;
  state.next_poll_ms = now_ms + jittered_ms(s.poll_interval, 1.0, jitter);
  state.consecutive_failures = 0;
  state.last_error = nullptr;
  state.last_outcome = "not_modified";
}

void take_failure(const Subscription& s, const Error& error, PollState& state, std::int64_t now_ms,
                  double jitter) {
  state.last_poll_ms = now_ms;
  ++state.consecutive_failures;
  const double factor = std::pow(2.0, std::min(state.consecutive_failures, 4));
  state.next_poll_ms =
      now_ms + std::min(jittered_ms(s.poll_interval, factor, jitter), kMaxBackoffMs);
  state.last_outcome = "failed";
  // One event per new kind of failure; a feed down for a day is one line.
  if (!state.last_error.is_object() || state.last_error.value("message", "") != error.message)
    state.note("error", "poll failed: " + error.message, now_ms);
  state.last_error = {{"code", std::string(errc_name(error.code))}, {"message", error.message}};
}

json PollState::to_json() const {
  json seen_json = json::object();
  for (const auto& [key, item] : seen)
    seen_json[key] = {{"enclosure_url", item.enclosure_url}, {"first_seen_ms", item.first_seen_ms}};
  json pending_json = json::array();
  for (const PendingMix& p : pending)
    pending_json.push_back({{"item", p.item.to_json()}, {"output", p.output_slug}});
  json events_json = json::array();
  for (const FollowEvent& e : events)
    events_json.push_back({{"at_ms", e.at_ms}, {"level", e.level}, {"message", e.message}});
  json j = {{"etag", etag},
            {"last_modified", last_modified},
            {"first_poll_done", first_poll_done},
            {"last_poll_ms", last_poll_ms},
            {"last_success_ms", last_success_ms},
            {"next_poll_ms", next_poll_ms},
            {"last_outcome", last_outcome},
            {"consecutive_failures", consecutive_failures},
            {"items_in_feed", items_in_feed},
            {"channel",
             {{"title", channel.title},
              {"link", channel.link},
              {"image_url", channel.image_url},
              {"author", channel.author},
              {"language", channel.language}}},
            {"seen", seen_json},
            {"pending", pending_json},
            {"events", events_json},
            {"last_error", last_error}};
  return j;
}

Result<PollState> PollState::from_json(const json& j) {
  PollState s;
  try {
    s.etag = j.value("etag", "");
    s.last_modified = j.value("last_modified", "");
    s.first_poll_done = j.value("first_poll_done", false);
    s.last_poll_ms = j.value("last_poll_ms", std::int64_t{0});
    s.last_success_ms = j.value("last_success_ms", std::int64_t{0});
    s.next_poll_ms = j.value("next_poll_ms", std::int64_t{0});
    s.last_outcome = j.value("last_outcome", "");
    s.consecutive_failures = j.value("consecutive_failures", 0);
    s.items_in_feed = j.value("items_in_feed", 0);
    if (j.contains("last_error") && j["last_error"].is_object()) s.last_error = j["last_error"];
    const json channel = j.value("channel", json::object());
    s.channel = {channel.value("title", ""), channel.value("link", ""),
                 channel.value("image_url", ""), channel.value("author", ""),
                 channel.value("language", "")};
    // Named, not iterated as a temporary: items() does not keep it alive.
    const json seen_json = j.value("seen", json::object());
    for (const auto& [key, item] : seen_json.items())
      s.seen[key] = {item.value("enclosure_url", ""), item.value("first_seen_ms", std::int64_t{0})};
    for (const json& p : j.value("pending", json::array())) {
      auto item = FollowedItem::from_json(p.at("item"));
      if (!item) return item.error();
      s.pending.push_back({std::move(*item), p.at("output").get<std::string>()});
    }
    for (const json& e : j.value("events", json::array()))
      s.events.push_back(
          {e.value("at_ms", std::int64_t{0}), e.value("level", ""), e.value("message", "")});
  } catch (const json::exception& e) {
    return make_error(Errc::internal, std::string("a stored poll state is malformed: ") + e.what());
  }
  return s;
}

}  // namespace namix
