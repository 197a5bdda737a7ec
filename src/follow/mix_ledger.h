// The record that makes each new item mixed exactly once per output, across
// restarts, crashes and overlapping pollers: one entry per (subscription,
// item, output), claimed with a conditional write before the mix starts and
// settled after it. Only the writer whose claim lands mixes; a claim whose
// owner died (same machine, process gone) or whose lease ran out (another
// machine) is taken over under the same mix id, so a mix that was stored
// before the crash is found again instead of being made twice.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "follow/followed_item.h"
#include "store/storage.h"

namespace namix {

enum class LedgerState { mixing, done, failed };

struct LedgerEntry {
  std::string subscription_id;
  std::string output_slug;
  std::string theme;  // the theme's name, for people
  FollowedItem item;
  LedgerState state = LedgerState::mixing;
  std::string mix_id;
  std::string key_stem;  // where the mix is stored: {key_stem}.mp3 and .json
  int attempts = 0;      // mixes started
  std::string owner;     // claim_owner.h
  std::int64_t lease_until_ms = 0;
  std::int64_t started_ms = 0;
  std::int64_t finished_ms = 0;
  nlohmann::json error;          // {code, message} of the last failure, or null
  std::int64_t retry_at_ms = 0;  // a failed entry: when to try again; 0: never

  nlohmann::json to_json() const;
  static Result<LedgerEntry> from_json(const nlohmann::json& j);
};

enum class ClaimVerdict {
  mine,      // this process mixes it now
  done,      // mixed already
  busy,      // another live process is mixing it
  waiting,   // failed; the next try is not due yet
  given_up,  // failed for good
};

struct Claim {
  ClaimVerdict verdict = ClaimVerdict::busy;
  LedgerEntry entry;
  std::string version;      // of the entry as claimed, for settle()
  bool taken_over = false;  // a previous owner's claim was taken over
};

class MixLedger {
 public:
  MixLedger(Storage& storage, std::string owner, std::chrono::milliseconds lease, int max_attempts);

  static std::string key_for(const std::string& subscription_id, const std::string& item_key,
                             const std::string& output_slug);

  // Claims `fresh` (subscription, output, theme, item, a new mix id and its
  // key stem) at `now_ms`, or says why not.
  Result<Claim> claim(const LedgerEntry& fresh, std::int64_t now_ms);
  // Writes the claim's outcome while the claim still holds: false when
  // another process took it over meanwhile (its outcome stands).
  Result<bool> settle(const Claim& claim, const LedgerEntry& outcome);
  Result<std::optional<LedgerEntry>> find(const std::string& subscription_id,
                                          const std::string& item_key,
                                          const std::string& output_slug);

 private:
  Storage& storage_;
  std::string owner_;
  std::chrono::milliseconds lease_;
  int max_attempts_;
};

std::string_view ledger_state_name(LedgerState state);

}  // namespace namix
