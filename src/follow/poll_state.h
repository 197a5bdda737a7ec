// What the follow stage knows about one subscription's feed between polls:
// the validators of the last fetch (conditional GET), the outcome and the
// back-off, the items already seen (so each is mixed once, and a changed
// enclosure is noticed), the mixes still to make, and a short log of what
// happened. take_feed() and take_failure() are the whole policy, pure
// functions of their inputs; feed_poll.h does the fetching.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "feed/feed.h"
#include "follow/followed_item.h"
#include "follow/subscription.h"

namespace namix {

struct FollowEvent {
  std::int64_t at_ms = 0;
  std::string level;  // "info", "warn", "error"
  std::string message;
};

// A mix to make: an item for one output (by theme slug).
struct PendingMix {
  FollowedItem item;
  std::string output_slug;
};

// The show's channel, for the published feeds' own.
struct ChannelInfo {
  std::string title;
  std::string link;
  std::string image_url;
  std::string author;
  std::string language;
};

struct SeenItem {
  std::string enclosure_url;  // as last seen
  std::int64_t first_seen_ms = 0;
};

struct PollState {
  std::string etag;
  std::string last_modified;
  bool first_poll_done = false;
  std::int64_t last_poll_ms = 0;
  std::int64_t last_success_ms = 0;
  std::int64_t next_poll_ms = 0;  // 0: at once
  // "new_items", "unchanged", "not_modified", "failed"; "" before the first poll.
  std::string last_outcome;
  nlohmann::json last_error;  // {code, message} of the last failed poll, null after a good one
  int consecutive_failures = 0;
  int items_in_feed = 0;
  ChannelInfo channel;
  std::map<std::string, SeenItem> seen;  // by item key
  std::vector<PendingMix> pending;
  std::vector<FollowEvent> events;  // oldest first

  void note(std::string level, std::string message, std::int64_t now_ms);
  void drop_pending(const std::string& item_key, const std::string& output_slug);

  nlohmann::json to_json() const;
  static Result<PollState> from_json(const nlohmann::json& j);
};

// A feed read without error: new items (never seen) are queued for every
// output; on the first poll only the latest `backfill` items are, and the
// rest are marked seen. An item seen before with another enclosure URL (the
// same GUID re-published) is noted, not mixed again. Items without an
// enclosure are noted once. The next poll is an interval (with `jitter`, in
// -1..1, as a tenth of it either way) after `now_ms`.
void take_feed(const Subscription& subscription, const Feed& feed, PollState& state,
               std::int64_t now_ms, double jitter);
// A 304 Not Modified: nothing changed but the time of the next poll.
void take_not_modified(const Subscription& subscription, PollState& state, std::int64_t now_ms,
                       double jitter);
// A failed poll: the error is noted and the next poll backs off, the
// interval doubling with each failure in a row up to 16 intervals (at most
// a day), so a feed that is down is not hammered and one that is back is
// read again soon.
void take_failure(const Subscription& subscription, const Error& error, PollState& state,
                  std::int64_t now_ms, double jitter);

}  // namespace namix
