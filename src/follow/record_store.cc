#include "follow/record_store.h"

namespace namix {

using nlohmann::json;

Result<std::optional<JsonRecord>> read_record(Storage& storage, const std::string& key) {
  auto object = storage.get_versioned(key);
  if (!object) {
    if (object.error().code == Errc::not_found) return std::optional<JsonRecord>();
    return object.error();
  }
  json value = json::parse(object->bytes, nullptr, false);
  if (value.is_discarded() || !value.is_object())
    return make_error(Errc::internal, "the stored record " + key + " is not a JSON object");
  return std::optional<JsonRecord>(JsonRecord{std::move(value), std::move(object->version)});
}

Result<std::optional<std::string>> write_record_if(Storage& storage, const std::string& key,
                                                   const json& value,
                                                   const std::string& expected_version) {
  const std::string text = value.dump();
  return storage.put_if(key, {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()},
                        "application/json", expected_version);
}

Result<json> update_record(Storage& storage, const std::string& key,
                           const std::function<bool(json&)>& change) {
  // Contention is between a handful of pollers; many lost rounds in a row
  // mean something else is wrong.
  constexpr int kRounds = 8;
  for (int round = 0; round < kRounds; ++round) {
    auto current = read_record(storage, key);
    if (!current) return current.error();
    json value = *current ? (*current)->value : json(nullptr);
    if (!change(value)) return value;
    auto written = write_record_if(storage, key, value, *current ? (*current)->version : "");
    if (!written) return written.error();
    if (written->has_value()) return value;
  }
  return make_error(Errc::unavailable,
                    "the record " + key + " kept changing under other writers; retry later");
}

}  // namespace namix
