#include "follow/mix_ledger.h"

#include "follow/claim_owner.h"
#include "follow/record_store.h"

namespace namix {
namespace {

using nlohmann::json;

std::optional<LedgerState> state_from_name(const std::string& name) {
  for (LedgerState s : {LedgerState::mixing, LedgerState::done, LedgerState::failed}) {
    if (name == ledger_state_name(s)) return s;
  }
  return std::nullopt;
}

}  // namespace

std::string_view ledger_state_name(LedgerState state) {
  switch (state) {
    case LedgerState::mixing:
      return "mixing";
    case LedgerState::done:
      return "done";
    case LedgerState::failed:
      return "failed";
  }
  return "failed";
}

json LedgerEntry::to_json() const {
  return {{"subscription", subscription_id},
          {"output", output_slug},
          {"theme", theme},
          {"item", item.to_json()},
          {"state", ledger_state_name(state)},
          {"mix_id", mix_id},
          {"key_stem", key_stem},
          {"attempts", attempts},
          {"owner", owner},
          {"lease_until_ms", lease_until_ms},
          {"started_ms", started_ms},
          {"finished_ms", finished_ms},
          {"error", error},
          {"retry_at_ms", retry_at_ms}};
}

Result<LedgerEntry> LedgerEntry::from_json(const json& j) {
  LedgerEntry e;
  try {
    e.subscription_id = j.at("subscription").get<std::string>();
    e.output_slug = j.at("output").get<std::string>();
    e.theme = j.value("theme", "");
    auto item = FollowedItem::from_json(j.at("item"));
    if (!item) return item.error();
    e.item = std::move(*item);
    auto state = state_from_name(j.at("state").get<std::string>());
    if (!state) return make_error(Errc::internal, "a mix ledger entry has an unknown state");
    e.state = *state;
    e.mix_id = j.at("mix_id").get<std::string>();
    e.key_stem = j.at("key_stem").get<std::string>();
    e.attempts = j.value("attempts", 0);
    e.owner = j.value("owner", "");
    e.lease_until_ms = j.value("lease_until_ms", std::int64_t{0});
    e.started_ms = j.value("started_ms", std::int64_t{0});
    e.finished_ms = j.value("finished_ms", std::int64_t{0});
    e.error = j.value("error", json(nullptr));
    e.retry_at_ms = j.value("retry_at_ms", std::int64_t{0});
  } catch (const json::exception& ex) {
    return make_error(Errc::internal, std::string("a mix ledger entry is malformed: ") + ex.what());
  }
  return e;
}

MixLedger::MixLedger(Storage& storage, std::string owner, std::chrono::milliseconds lease,
                     int max_attempts)
    : storage_(storage), owner_(std::move(owner)), lease_(lease), max_attempts_(max_attempts) {}

std::string MixLedger::key_for(const std::string& subscription_id, const std::string& item_key,
                               const std::string& output_slug) {
  return "follow/state/" + subscription_id + "/mixes/" + item_key + "/" + output_slug + ".json";
}

Result<std::optional<LedgerEntry>> MixLedger::find(const std::string& subscription_id,
                                                   const std::string& item_key,
                                                   const std::string& output_slug) {
  auto record = read_record(storage_, key_for(subscription_id, item_key, output_slug));
  if (!record) return record.error();
  if (!*record) return std::optional<LedgerEntry>();
  auto entry = LedgerEntry::from_json((*record)->value);
  if (!entry) return entry.error();
  return std::optional<LedgerEntry>(std::move(*entry));
}

Result<Claim> MixLedger::claim(const LedgerEntry& fresh, std::int64_t now_ms) {
  const std::string key = key_for(fresh.subscription_id, fresh.item.key, fresh.output_slug);
  // Two rounds: a lost race to create the entry is followed by a look at
  // what the winner wrote.
  for (int round = 0; round < 2; ++round) {
    auto record = read_record(storage_, key);
    if (!record) return record.error();
    Claim claim;
    if (!*record) {
      claim.entry = fresh;
      claim.entry.state = LedgerState::mixing;
      claim.entry.attempts = 1;
    } else {
      auto existing = LedgerEntry::from_json((*record)->value);
      if (!existing) return existing.error();
      claim.entry = std::move(*existing);
      const LedgerEntry& e = claim.entry;
      if (e.state == LedgerState::done) return Claim{ClaimVerdict::done, e, "", false};
      if (e.state == LedgerState::failed) {
        if (e.retry_at_ms == 0 || e.attempts >= max_attempts_)
          return Claim{ClaimVerdict::given_up, e, "", false};
        if (e.retry_at_ms > now_ms) return Claim{ClaimVerdict::waiting, e, "", false};
      } else {  // mixing
        const bool stale = e.lease_until_ms < now_ms || claim_owner_is_gone(e.owner);
        if (!stale || e.owner == owner_) return Claim{ClaimVerdict::busy, e, "", false};
        if (e.attempts >= max_attempts_) {
          // A mix that takes its process down every time is not tried again.
          LedgerEntry failed = e;
          failed.state = LedgerState::failed;
          failed.finished_ms = now_ms;
          failed.retry_at_ms = 0;
          failed.error = {{"code", "unavailable"},
                          {"message", "the mix stopped " + std::to_string(e.attempts) +
                                          " times before it finished (its process died or ran "
                                          "out of time); it is not tried again"}};
          auto written = write_record_if(storage_, key, failed.to_json(), (*record)->version);
          if (!written) return written.error();
          if (written->has_value()) return Claim{ClaimVerdict::given_up, failed, "", false};
          continue;
        }
        claim.taken_over = true;
      }
      claim.entry.state = LedgerState::mixing;
      claim.entry.attempts += 1;
      claim.entry.error = nullptr;
      claim.entry.retry_at_ms = 0;
    }
    claim.entry.owner = owner_;
    claim.entry.started_ms = now_ms;
    claim.entry.lease_until_ms = now_ms + lease_.count();
    auto written =
        write_record_if(storage_, key, claim.entry.to_json(), *record ? (*record)->version : "");
    if (!written) return written.error();
    if (written->has_value()) {
      claim.verdict = ClaimVerdict::mine;
      claim.version = **written;
      return claim;
    }
  }
  // Lost twice: someone else is busy with it right now.
  return Claim{ClaimVerdict::busy, fresh, "", false};
}

Result<bool> MixLedger::settle(const Claim& claim, const LedgerEntry& outcome) {
  const std::string key = key_for(outcome.subscription_id, outcome.item.key, outcome.output_slug);
  auto written = write_record_if(storage_, key, outcome.to_json(), claim.version);
  if (!written) return written.error();
  return written->has_value();
}

}  // namespace namix
