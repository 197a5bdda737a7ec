// The follow stage's state as JSON records in the storage (a directory or a
// bucket), written with compare-and-swap (Storage::put_if) so that two
// processes sharing the storage, such as overlapping Lambda invocations,
// never both win a change: the loser reads the record again and retries.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "store/storage.h"

namespace namix {

struct JsonRecord {
  nlohmann::json value;
  std::string version;
};

// The record under `key`; nullopt when there is none; internal when it is
// not a JSON object.
Result<std::optional<JsonRecord>> read_record(Storage& storage, const std::string& key);

// Writes `value` while the record is still at `expected_version` ("" = only
// while absent): the new version, or nullopt when another writer changed it.
Result<std::optional<std::string>> write_record_if(Storage& storage, const std::string& key,
                                                   const nlohmann::json& value,
                                                   const std::string& expected_version);

// Read, change, write back until it sticks. `change` gets the record (null
// when there is none) and returns false to leave it as it is. The record as
// written (or left); unavailable when other writers keep winning.
Result<nlohmann::json> update_record(Storage& storage, const std::string& key,
                                     const std::function<bool(nlohmann::json&)>& change);

}  // namespace namix
