#include "follow/follower.h"

#include <algorithm>
#include <cmath>
#include <iostream>
#include <random>

#include "feed/feed_time.h"
#include "follow/claim_owner.h"
#include "follow/record_store.h"
#include "mix/pipeline.h"
#include "net/http_error.h"
#include "net/jobs.h"
#include "net/mix_execution.h"

namespace namix {
namespace {

using nlohmann::json;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string iso_ms(std::int64_t ms) {
  return ms > 0 ? format_iso8601(std::chrono::sys_seconds(std::chrono::seconds(ms / 1000))) : "";
}

double jitter() {
  thread_local std::mt19937 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(-1.0, 1.0)(rng);
}

json duration_json(const SubscriptionOutput& o) {
  return o.target_s ? json(*o.target_s) : json("full");
}

// Failures worth another try: the episode's server, the network, the
// storage or a full queue; the rest (not audio, corrupt, too long) would
// fail the same way again.
bool worth_retrying(Errc code) {
  return code == Errc::upstream_failed || code == Errc::upstream_timeout ||
         code == Errc::unavailable || code == Errc::io_error || code == Errc::internal;
}

// The item's published transcript and chapters join the order as the
// feed's: one that cannot be read is a warning in the result, and the mix
// is then chosen by sound alone.
void attach_transcript_and_chapters(const FollowedItem& item, MixOrder& order) {
  order.transcript_url = item.transcript_url;
  order.chapters_url = item.chapters_url;
  order.words_from_feed = true;
}

MixOrder order_for(const Subscription& s, const SubscriptionOutput& output,
                   const FollowedItem& item) {
  MixOrder order;
  order.session_id = "follow:" + s.id + ":" + item.key;
  order.theme = output.theme;
  order.target_s = output.target_s;
  order.episode_url = item.enclosure_url;
  order.episode_number =
      item.episode ? std::to_string(*item.episode) : episode_number_from_name(item.enclosure_url);
  attach_transcript_and_chapters(item, order);
  return order;
}

}  // namespace

struct Follower::RoundTally {
  int polled = 0;
  int poll_failures = 0;
  int mixed = 0;
  int failed = 0;
  int deferred = 0;
  std::int64_t next_due_ms = 0;
  void due_at(std::int64_t ms) {
    if (ms > 0 && (next_due_ms == 0 || ms < next_due_ms)) next_due_ms = ms;
  }
};

Follower::Follower(FollowOptions options, Storage& storage, MixService& mixer,
                   SubscriptionBook& book, WebhookCourier& courier)
    : options_(std::move(options)),
      storage_(storage),
      mixer_(mixer),
      book_(book),
      courier_(courier),
      ledger_(storage, this_claim_owner(), options_.lease, options_.max_mix_attempts),
      feeds_(storage) {}

Follower::~Follower() { stop(); }

std::string Follower::poll_state_key(const std::string& subscription_id) {
  return "follow/state/" + subscription_id + "/poll.json";
}

void Follower::log(const std::string& level, const std::string& message, const json& fields) {
  json line = {{"ts", iso8601_now()}, {"level", level}, {"msg", message}};
  for (const auto& [k, v] : fields.items()) line[k] = v;
  std::cerr << line.dump() << "\n" << std::flush;
}

Result<PollState> Follower::poll_state(const std::string& subscription_id) {
  auto record = read_record(storage_, poll_state_key(subscription_id));
  if (!record) return record.error();
  if (!*record) return PollState{};
  return PollState::from_json((*record)->value);
}

Result<void> Follower::forget(const std::string& subscription_id) {
  return storage_.remove(poll_state_key(subscription_id));
}

void Follower::update_state(const std::string& subscription_id,
                            const std::function<void(PollState&)>& change) {
  auto updated = update_record(storage_, poll_state_key(subscription_id), [&](json& j) {
    auto state = j.is_object() ? PollState::from_json(j) : Result<PollState>(PollState{});
    if (!state) return false;
    change(*state);
    j = state->to_json();
    return true;
  });
  if (!updated)
    log("error", "subscription state not stored",
        {{"subscription", subscription_id}, {"error", updated.error().message}});
}

void Follower::poll(const Subscription& s, std::int64_t now, RoundTally& tally) {
  auto state = poll_state(s.id);
  if (!state) {
    log("error", "subscription state unreadable",
        {{"subscription", s.id}, {"error", state.error().message}});
    return;
  }
  if (state->next_poll_ms > now) {
    tally.due_at(state->next_poll_ms);
    return;
  }
  ++tally.polled;
  DocumentRequest request;
  request.url = s.feed_url;
  request.kind = DocumentKind::feed;
  request.if_none_match = state->etag;
  request.if_modified_since = state->last_modified;
  auto fetched = fetch_document(request, options_.fetch);
  Result<Feed> feed = make_error(Errc::internal, "");
  if (fetched && !fetched->not_modified)
    feed = parse_feed(fetched->body, fetched->report.final_url);
  const double j = jitter();
  std::int64_t next = 0;
  update_state(s.id, [&](PollState& st) {
    if (!fetched) {
      take_failure(s, fetched.error(), st, now, j);
    } else if (fetched->not_modified) {
      take_not_modified(s, st, now, j);
    } else if (!feed) {
      take_failure(s, feed.error(), st, now, j);
    } else {
      take_feed(s, *feed, st, now, j);
      // Validators of a document that read well only: after garbage the next
      // poll must fetch the whole feed again.
      st.etag = fetched->etag;
      st.last_modified = fetched->last_modified;
    }
    next = st.next_poll_ms;
  });
  tally.due_at(next);
  const Error* failure = !fetched                            ? &fetched.error()
                         : (!fetched->not_modified && !feed) ? &feed.error()
                                                             : nullptr;
  if (failure != nullptr) {
    ++tally.poll_failures;
    log("warn", "poll failed",
        {{"subscription", s.id}, {"code", errc_name(failure->code)}, {"error", failure->message}});
  }
}

void Follower::make_mixes(const Subscription& s, std::int64_t answer_by_ms, RoundTally& tally) {
  auto state = poll_state(s.id);
  if (!state) return;
  for (const PendingMix& pending : state->pending) {
    if (stopping_.load()) return;
    if (answer_by_ms > 0 && now_ms() + options_.time_for_a_mix.count() > answer_by_ms) {
      ++tally.deferred;
      continue;
    }
    make_mix(s, pending, tally);
  }
}

void Follower::make_mix(const Subscription& s, const PendingMix& pending, RoundTally& tally) {
  const SubscriptionOutput* output = s.output(pending.output_slug);
  const auto drop = [&] {
    update_state(s.id,
                 [&](PollState& st) { st.drop_pending(pending.item.key, pending.output_slug); });
  };
  if (output == nullptr) {  // the output was removed from the subscription
    drop();
    return;
  }
  MixOrder order = order_for(s, *output, pending.item);
  LedgerEntry fresh;
  fresh.subscription_id = s.id;
  fresh.output_slug = output->theme->slug;
  fresh.theme = output->theme->name;
  fresh.item = pending.item;
  fresh.mix_id = new_mix_id();
  fresh.key_stem = mix_key_stem(order, fresh.mix_id);
  const std::int64_t now = now_ms();
  auto claim = ledger_.claim(fresh, now);
  if (!claim) {
    log("error", "mix ledger unreadable",
        {{"subscription", s.id}, {"error", claim.error().message}});
    return;
  }
  switch (claim->verdict) {
    case ClaimVerdict::done:
    case ClaimVerdict::given_up:
      drop();
      return;
    case ClaimVerdict::busy:
    case ClaimVerdict::waiting:
      tally.due_at(claim->entry.retry_at_ms);
      return;
    case ClaimVerdict::mine:
      break;
  }
  const std::string& mix_id = claim->entry.mix_id;
  if (claim->taken_over) {
    // The previous owner died. If its mix was stored whole (the result JSON
    // is written last), it stands; otherwise it is made again under the
    // same id, overwriting whatever part of it was stored.
    log("info", "taking over an interrupted mix",
        {{"subscription", s.id}, {"item", pending.item.title}, {"mix_id", mix_id}});
    if (auto stored = storage_.get(claim->entry.key_stem + ".json")) {
      const json result = json::parse(*stored, nullptr, false);
      if (!result.is_discarded() && result.is_object()) {
        finish(s, *output, *claim, result, tally);
        return;
      }
    }
  }
  log("info", "mixing",
      {{"subscription", s.id},
       {"item", pending.item.title},
       {"theme", output->theme->name},
       {"mix_id", mix_id},
       {"attempt", claim->entry.attempts}});
  auto answer = mixer_.mix_now(std::move(order), mix_id);
  if (!answer.value && answer.retry_after_s > 0) {
    // Refused before it started (queue full, shutting down): no attempt spent.
    LedgerEntry waiting = claim->entry;
    waiting.state = LedgerState::failed;
    waiting.attempts -= 1;
    waiting.error = {{"code", std::string(errc_name(answer.value.error().code))},
                     {"message", answer.value.error().message}};
    waiting.retry_at_ms = now_ms() + answer.retry_after_s * 1000LL;
    (void)ledger_.settle(*claim, waiting);
    tally.due_at(waiting.retry_at_ms);
    return;
  }
  if (!answer.value) {
    fail(s, *output, *claim, answer.value.error(), tally);
    return;
  }
  finish(s, *output, *claim, *answer.value, tally);
}

void Follower::finish(const Subscription& s, const SubscriptionOutput& output, const Claim& claim,
                      const json& result, RoundTally& tally) {
  const LedgerEntry& entry = claim.entry;
  const std::int64_t now = now_ms();
  // Publish and notify before settling: each step may be repeated after a
  // crash (the feed replaces the item, the deliveries' ids are the mix's),
  // and the settled entry is what says all of them happened.
  auto published = published_mix_from_result(entry.item, entry.theme, result, now);
  if (!published) {
    fail(s, output, claim, published.error(), tally);
    return;
  }
  if (auto added = feeds_.add(s.id, entry.output_slug, *published); !added) {
    log("error", "published feed not stored",
        {{"subscription", s.id}, {"error", added.error().message}});
    return;  // the claim lapses and a later round finishes it from the stored result
  }
  json mix = {{"mix_id", published->mix_id},
              {"session_id", result.value("session_id", "")},
              {"message", result.value("message", "")},
              {"mix_metadata", result.value("mix_metadata", json::object())},
              {"warnings", result.value("warnings", json::array())},
              {"download",
               {{"url", options_.links.file_url(s.id, entry.output_slug, *published, kMp3Suffix)},
                {"s3_key", published->mp3_key},
                {"signed_url", result.value("download", json::object()).value("url", "")}}}};
  json downloads = json::object();
  if (!published->transcript_key.empty())
    downloads["transcript_vtt"] = {
        {"url", options_.links.file_url(s.id, entry.output_slug, *published, kTranscriptSuffix)},
        {"s3_key", published->transcript_key}};
  if (!published->chapters_key.empty())
    downloads["chapters"] = {
        {"url", options_.links.file_url(s.id, entry.output_slug, *published, kChaptersSuffix)},
        {"s3_key", published->chapters_key}};
  mix["downloads"] = downloads;
  notify(s, output, entry, "mix.finished", {{"mix", mix}});
  LedgerEntry done = entry;
  done.state = LedgerState::done;
  done.finished_ms = now;
  done.error = nullptr;
  auto settled = ledger_.settle(claim, done);
  if (!settled || !*settled) {
    log("warn", "mix finished but its claim was taken over",
        {{"subscription", s.id}, {"mix_id", entry.mix_id}});
    return;
  }
  ++tally.mixed;
  update_state(s.id, [&](PollState& st) {
    st.drop_pending(entry.item.key, entry.output_slug);
    st.note("info", "mixed '" + entry.item.title.substr(0, 120) + "' as " + entry.theme, now);
  });
  log("info", "mix published",
      {{"subscription", s.id},
       {"item", entry.item.title},
       {"theme", entry.theme},
       {"mix_id", entry.mix_id}});
}

void Follower::fail(const Subscription& s, const SubscriptionOutput& output, const Claim& claim,
                    const Error& error, RoundTally& tally) {
  const std::int64_t now = now_ms();
  LedgerEntry failed = claim.entry;
  failed.state = LedgerState::failed;
  failed.finished_ms = now;
  failed.error = {{"code", std::string(errc_name(error.code))}, {"message", error.message}};
  const bool again = worth_retrying(error.code) && failed.attempts < options_.max_mix_attempts;
  // The next try after one poll interval, doubling: the episode's server
  // gets time to come back.
  failed.retry_at_ms =
      again ? now + s.poll_interval.count() * 1000LL * (1LL << std::min(failed.attempts - 1, 6))
            : 0;
  notify(s, output, failed, "mix.failed", {{"error", failed.error}, {"will_retry", again}});
  auto settled = ledger_.settle(claim, failed);
  if (!settled || !*settled) return;
  ++tally.failed;
  tally.due_at(failed.retry_at_ms);
  update_state(s.id, [&](PollState& st) {
    if (!again) st.drop_pending(failed.item.key, failed.output_slug);
    st.note("error",
            "mixing '" + failed.item.title.substr(0, 120) + "' as " + failed.theme +
                " failed (attempt " + std::to_string(failed.attempts) +
                (again ? ", will retry" : ", giving up") + "): " + error.message,
            now);
  });
  log("warn", "mix failed",
      {{"subscription", s.id},
       {"item", failed.item.title},
       {"error", error.message},
       {"will_retry", again}});
}

void Follower::notify(const Subscription& s, const SubscriptionOutput& output,
                      const LedgerEntry& entry, const std::string& event, const json& detail) {
  for (std::size_t i = 0; i < s.webhooks.size(); ++i) {
    WebhookDelivery d;
    // The same mix and attempt always gives the same id: enqueue() keeps one.
    d.id = entry.mix_id +
           (event == "mix.finished" ? "-finished" : "-failed" + std::to_string(entry.attempts)) +
           "-" + std::to_string(i);
    d.subscription_id = s.id;
    d.url = s.webhooks[i].url;
    d.event = event;
    d.created_ms = d.next_attempt_ms = now_ms();
    json body = {{"event", event},
                 {"delivery_id", d.id},
                 {"created_at", iso8601_now()},
                 {"subscription", {{"id", s.id}, {"feed_url", s.feed_url}}},
                 {"item",
                  {{"guid", entry.item.guid},
                   {"title", entry.item.title},
                   {"link", entry.item.link},
                   {"episode", entry.item.episode ? json(*entry.item.episode) : json(nullptr)},
                   {"enclosure_url", entry.item.enclosure_url}}},
                 {"output",
                  {{"theme", output.theme->name},
                   {"theme_slug", output.theme->slug},
                   {"duration", duration_json(output)},
                   {"podcast_feed_url", options_.links.feed_url(s.id, output.theme->slug)}}},
                 {"attempt", entry.attempts}};
    for (const auto& [k, v] : detail.items()) body[k] = v;
    d.body = body.dump();
    if (auto queued = courier_.enqueue(d); !queued)
      log("error", "webhook delivery not stored",
          {{"subscription", s.id}, {"error", queued.error().message}});
  }
}

json Follower::run_round(std::int64_t answer_by_ms) {
  RoundTally tally;
  std::vector<std::string> skipped;
  if (auto reloaded = book_.reload_stored(&skipped); !reloaded)
    log("error", "stored subscriptions unreadable", {{"error", reloaded.error().message}});
  for (const std::string& why : skipped) log("warn", "stored subscription skipped", {{"why", why}});
  const auto subscriptions = book_.all();
  for (const Subscription& s : subscriptions) {
    if (stopping_.load()) break;
    poll(s, now_ms(), tally);
    make_mixes(s, answer_by_ms, tally);
  }
  {
    std::lock_guard lock(mutex_);
    next_due_ms_ = tally.next_due_ms;
  }
  return {{"subscriptions", subscriptions.size()},
          {"polled", tally.polled},
          {"poll_failures", tally.poll_failures},
          {"mixed", tally.mixed},
          {"failed", tally.failed},
          {"deferred", tally.deferred}};
}

void Follower::start() {
  thread_ = std::thread([this] {
    while (!stopping_.load()) {
      run_round(0);
      std::unique_lock lock(mutex_);
      const std::int64_t now = now_ms();
      const std::int64_t wait_ms =
          next_due_ms_ > 0 ? std::clamp<std::int64_t>(next_due_ms_ - now, 20, 60'000) : 60'000;
      wake_.wait_for(lock, std::chrono::milliseconds(wait_ms),
                     [&] { return stopping_.load() || poked_; });
      poked_ = false;
    }
  });
}

void Follower::begin_stop() {
  stopping_.store(true);
  wake_.notify_all();
}

void Follower::stop() {
  begin_stop();
  if (thread_.joinable()) thread_.join();
}

void Follower::poke() {
  {
    std::lock_guard lock(mutex_);
    poked_ = true;
  }
  wake_.notify_all();
}

Result<json> Follower::describe(const Subscription& s) {
  auto state = poll_state(s.id);
  if (!state) return state.error();
  json j = s.to_json(false);
  j["origin"] = s.origin == SubscriptionOrigin::file ? "file" : "api";
  j["status"] = state->last_outcome.empty()       ? "waiting"
                : state->consecutive_failures > 0 ? "failing"
                                                  : "ok";
  j["last_poll"] = {{"at", iso_ms(state->last_poll_ms)},
                    {"outcome", state->last_outcome},
                    {"items_in_feed", state->items_in_feed},
                    {"error", state->last_error}};
  j["last_success_at"] = iso_ms(state->last_success_ms);
  j["next_poll_at"] = iso_ms(state->next_poll_ms);
  j["consecutive_failures"] = state->consecutive_failures;
  j["show"] = {{"title", state->channel.title},
               {"link", state->channel.link},
               {"image_url", state->channel.image_url}};
  json outputs = json::array();
  for (const SubscriptionOutput& o : s.outputs) {
    json mixes = json::array();
    auto published = feeds_.list(s.id, o.theme->slug);
    if (published) {
      for (const PublishedMix& m : *published) {
        if (mixes.size() >= 20) break;
        json shown = {{"item_title", m.item.title},
                      {"item_guid", m.item.guid},
                      {"episode", m.item.episode ? json(*m.item.episode) : json(nullptr)},
                      {"mix_id", m.mix_id},
                      {"mixed_at", iso_ms(m.mixed_ms)},
                      {"duration_s", m.duration_s},
                      {"segments", m.segments.size()},
                      {"url", options_.links.file_url(s.id, o.theme->slug, m, kMp3Suffix)}};
        if (!m.transcript_key.empty())
          shown["transcript_url"] =
              options_.links.file_url(s.id, o.theme->slug, m, kTranscriptSuffix);
        if (!m.chapters_key.empty())
          shown["chapters_url"] = options_.links.file_url(s.id, o.theme->slug, m, kChaptersSuffix);
        mixes.push_back(std::move(shown));
      }
    }
    outputs.push_back({{"theme", o.theme->name},
                       {"theme_slug", o.theme->slug},
                       {"duration", duration_json(o)},
                       {"podcast_feed_url", options_.links.feed_url(s.id, o.theme->slug)},
                       {"mixes", mixes}});
  }
  j["outputs"] = outputs;
  json pending = json::array();
  for (const PendingMix& p : state->pending) {
    json shown = {{"item_title", p.item.title},
                  {"item_guid", p.item.guid},
                  {"theme_slug", p.output_slug},
                  {"state", "queued"}};
    if (auto entry = ledger_.find(s.id, p.item.key, p.output_slug); entry && *entry) {
      shown["state"] = std::string(ledger_state_name((*entry)->state));
      shown["attempts"] = (*entry)->attempts;
      shown["error"] = (*entry)->error;
      shown["retry_at"] = iso_ms((*entry)->retry_at_ms);
    }
    pending.push_back(std::move(shown));
  }
  j["pending"] = pending;
  json events = json::array();
  for (auto it = state->events.rbegin(); it != state->events.rend(); ++it)
    events.push_back({{"at", iso_ms(it->at_ms)}, {"level", it->level}, {"message", it->message}});
  j["events"] = events;
  return j;
}

}  // namespace namix
