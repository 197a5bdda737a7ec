// A mix order: what to mix and how. POST /mix/professional and /mix/jobs send
// it as a JSON body or as a multipart/form-data upload; a job handed to
// another instance keeps it in its record. All three are read by one parser,
// field by field, so a field is read, checked and stored in one place
// (mix_order.cc: read_fields() and MixOrder::to_json()).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "codec/mp3_encoder.h"
#include "core/error.h"
#include "core/scoped_temp_file.h"
#include "mix/pipeline.h"
#include "net/http_types.h"
#include "select/loudness_target.h"
#include "select/theme.h"

namespace namix {

// What a request may ask for; outside these it is a 400 (or 413).
struct OrderLimits {
  double min_target_s = 5.0;
  double max_target_s = 6 * 3600.0;
  double min_target_lufs = kMinTargetLufs;  // the CLI's and the themes' range too
  double max_target_lufs = kMaxTargetLufs;
  std::size_t max_json_bytes = 64 * 1024;
  std::uint64_t max_upload_bytes = std::uint64_t{1} << 30;
};

struct MixOrder {
  std::string session_id;
  const Theme* theme = nullptr;
  std::optional<double> target_s;        // nullopt: the whole episode ("full")
  std::optional<double> target_lufs;     // nullopt: the theme's
  int mp3_quality = kDefaultMp3Quality;  // LAME -q
  std::string episode_number;            // may be empty: "unknown" in storage keys
  // The episode: a URL to fetch, or an upload in a temporary file. A stored
  // order names the storage key its upload waits under instead.
  std::string episode_url;
  // Or the podcast feed that names it, and which item ("latest", a GUID or
  // an episode number): resolved when the mix starts.
  std::string feed_url;
  std::string item;
  std::shared_ptr<ScopedTempFile> upload;
  std::string upload_name;
  std::string upload_key;
  // The episode's words: URLs fetched when the mix starts, or files sent
  // with the order (kept as their text for a job's record, and as read).
  std::string transcript_url;
  std::string chapters_url;
  std::string transcript_text;
  std::string chapters_text;
  std::shared_ptr<const Transcript> transcript;
  std::shared_ptr<const Chapters> chapters;
  std::string about;  // needs a transcript
  // The URLs are a feed's, optional to the mix: one that cannot be read is
  // a warning and the mix goes on without it (a user's own is an error).
  bool words_from_feed = false;

  // The episode URL, the feed URL, or "upload:<file name>".
  std::string source() const;
  // The pipeline's request for this order; the caller adds its input.
  MixRequest mix_request() const;
  // The order in the request's own fields, for a job record. An upload must
  // be in storage first: the record names it by upload_key.
  nlohmann::json to_json() const;
  // An order stored by to_json(), checked as a request is. The upload, if
  // any, is still in storage (upload_key); `upload` is empty.
  static Result<MixOrder> from_json(const nlohmann::json& stored, const ThemeCatalog& themes,
                                    const OrderLimits& limits);
};

// The order in a POST body: JSON, or multipart/form-data with the episode in
// a `file` part (and the transcript or chapters, if sent, in `transcript`
// and `chapters` parts) (written to a temporary file in `upload_dir`). A request
// without a session_id is given a new one.
Result<MixOrder> parse_mix_order(const HttpRequest& request, const ThemeCatalog& themes,
                                 const OrderLimits& limits, const std::string& upload_dir);

}  // namespace namix
