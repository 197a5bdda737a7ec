#include "net/mix_order.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>

#include "core/ascii_text.h"
#include "net/fetch.h"
#include "net/jobs.h"
#include "net/multipart.h"

namespace namix {
namespace {

using nlohmann::json;

// The fields of an order as they were sent. A JSON body's values keep their
// JSON types; a form's fields are all text, so where a field takes a number,
// text that reads as a number is that number.
class SentFields {
 public:
  SentFields(const json& fields, bool form) : fields_(fields), form_(form) {}

  // Present and not null.
  bool has(const char* name) const {
    auto it = fields_.find(name);
    return it != fields_.end() && !it->is_null();
  }

  // A text field: "" when absent, unless it is `required`.
  Result<std::string> text(const char* name, bool required) const {
    if (!has(name)) {
      if (required) {
        return make_error(Errc::invalid_argument, std::string("missing field '") + name + "'");
      }
      return std::string();
    }
    const json& value = fields_.at(name);
    if (!value.is_string()) {
      return make_error(Errc::invalid_argument, std::string("field '") + name +
                                                    "' must be a string, not " + value.type_name());
    }
    return value.get<std::string>();
  }

  // A field that takes a number (or a word such as "full"); null when absent.
  json number_or_word(const char* name) const {
    if (!has(name)) return nullptr;
    const json& value = fields_.at(name);
    if (form_ && value.is_string()) {
      if (auto number = number_in_text(value.get_ref<const std::string&>())) return *number;
    }
    return value;
  }

 private:
  const json& fields_;
  bool form_;
};

bool valid_session_id(const std::string& s) {
  if (s.empty() || s.size() > 128) return false;
  return std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == ':';
  });
}

std::string whole_number(double x) { return std::to_string(static_cast<int>(x)); }

Result<std::optional<double>> read_target_duration(const SentFields& sent,
                                                   const OrderLimits& limits) {
  if (!sent.has("target_duration")) {
    return make_error(
        Errc::invalid_argument,
        "missing field 'target_duration' (seconds, or \"full\" for the whole episode)");
  }
  const json value = sent.number_or_word("target_duration");
  const std::string range = "target_duration must be a number of seconds from " +
                            whole_number(limits.min_target_s) + " to " +
                            whole_number(limits.max_target_s) + ", or \"full\"";
  if (value.is_string()) {
    if (ascii_lower(value.get<std::string>()) == "full") return std::optional<double>();
    return make_error(Errc::invalid_argument, range + " (got the string \"" +
                                                  quoted_input(value.get<std::string>()) + "\")");
  }
  if (!value.is_number()) {
    return make_error(Errc::invalid_argument,
                      range + " (got " + std::string(value.type_name()) + ")");
  }
  const double s = value.get<double>();
  if (!std::isfinite(s) || s < limits.min_target_s || s > limits.max_target_s) {
    return make_error(Errc::invalid_argument, range + " (got " + value.dump() + ")");
  }
  return std::optional<double>(s);
}

Result<std::optional<double>> read_target_lufs(const SentFields& sent, const OrderLimits& limits) {
  if (!sent.has("target_lufs")) return std::optional<double>();
  const json value = sent.number_or_word("target_lufs");
  if (!value.is_number() || value.get<double>() < limits.min_target_lufs ||
      value.get<double>() > limits.max_target_lufs) {
    return make_error(Errc::invalid_argument, "target_lufs must be a number from " +
                                                  whole_number(limits.min_target_lufs) + " to " +
                                                  whole_number(limits.max_target_lufs));
  }
  return std::optional<double>(value.get<double>());
}

Result<int> read_mp3_quality(const SentFields& sent) {
  if (!sent.has("mp3_quality")) return kDefaultMp3Quality;
  const json value = sent.number_or_word("mp3_quality");
  // The error quotes what was sent when it is not a number at all.
  return checked_mp3_quality(value.is_number() ? value.get<double>() : std::nan(""), "mp3_quality",
                             value.is_number() ? "" : value.dump());
}

// The longest `about` a request may send: a sentence or two of subject.
constexpr std::size_t kMaxAboutBytes = 1000;

// The episode's words: transcript_url or a `transcript` file (a form part,
// or its text in a job's record), chapters_url or a `chapters` file, and
// `about`. Files are read here, so a bad one is refused before the mix.
Result<void> read_words(const SentFields& sent, MixOrder& order) {
  auto url = sent.text("transcript_url", false);
  if (!url) return url.error();
  if (!url->empty())
    NAMIX_TRY(check_document_url(*url, "transcript_url", DocumentKind::transcript));
  order.transcript_url = *url;
  auto text = sent.text("transcript", false);
  if (!text) return text.error();
  if (sent.has("transcript")) {
    if (!url->empty()) {
      return make_error(Errc::invalid_argument,
                        "send either a transcript file or transcript_url, not both");
    }
    auto parsed = parse_transcript(*text, "the transcript file");
    if (!parsed) return parsed.error();
    order.transcript = std::make_shared<const Transcript>(std::move(*parsed));
    order.transcript_text = std::move(*text);
  }
  auto chapters_url = sent.text("chapters_url", false);
  if (!chapters_url) return chapters_url.error();
  if (!chapters_url->empty()) {
    NAMIX_TRY(check_document_url(*chapters_url, "chapters_url", DocumentKind::chapters));
  }
  order.chapters_url = *chapters_url;
  auto chapters = sent.text("chapters", false);
  if (!chapters) return chapters.error();
  if (sent.has("chapters")) {
    if (!chapters_url->empty()) {
      return make_error(Errc::invalid_argument,
                        "send either a chapters file or chapters_url, not both");
    }
    auto parsed = parse_chapters(*chapters, "the chapters file");
    if (!parsed) return parsed.error();
    order.chapters = std::make_shared<const Chapters>(std::move(*parsed));
    order.chapters_text = std::move(*chapters);
  }
  auto about = sent.text("about", false);
  if (!about) return about.error();
  if (about->size() > kMaxAboutBytes) {
    return make_error(Errc::invalid_argument, "about is longer than " +
                                                  std::to_string(kMaxAboutBytes) +
                                                  " bytes; describe the subject in a sentence");
  }
  order.about = *about;
  const auto from_feed =
      sent.has("words_from_feed") ? sent.number_or_word("words_from_feed") : nlohmann::json(false);
  order.words_from_feed = from_feed.is_boolean() && from_feed.get<bool>();
  // A feed's own transcript is known only once the feed is read.
  const bool has_transcript =
      order.transcript != nullptr || !order.transcript_url.empty() || !order.feed_url.empty();
  NAMIX_TRY(check_about_has_transcript(order.about, has_transcript));
  return {};
}

// Every field of an order but its episode, in the order they are checked; the
// episode comes first, as episode_number falls back to its name. A new field
// is read here and written back in MixOrder::to_json().
Result<void> read_fields(const SentFields& sent, const ThemeCatalog& themes,
                         const OrderLimits& limits, MixOrder& order) {
  auto session = sent.text("session_id", false);
  if (!session) return session.error();
  if (!session->empty() && !valid_session_id(*session)) {
    return make_error(Errc::invalid_argument,
                      "session_id must be 1-128 letters, digits, '-', '_', '.' or ':'");
  }
  order.session_id = *session;
  auto theme_name = sent.text("theme", true);
  if (!theme_name) return theme_name.error();
  auto theme = themes.find(*theme_name);
  if (!theme) return theme.error();
  order.theme = *theme;
  auto target = read_target_duration(sent, limits);
  if (!target) return target.error();
  order.target_s = *target;
  auto lufs = read_target_lufs(sent, limits);
  if (!lufs) return lufs.error();
  order.target_lufs = *lufs;
  auto quality = read_mp3_quality(sent);
  if (!quality) return quality.error();
  order.mp3_quality = *quality;
  auto episode = sent.text("episode_number", false);
  if (!episode) return episode.error();
  order.episode_number =
      !episode->empty() ? *episode
                        : episode_number_from_name(order.episode_url.empty() ? order.upload_name
                                                                             : order.episode_url);
  return read_words(sent, order);
}

// The episode by URL: episode_url, or feed_url (+ item).
Result<void> read_episode_url(const SentFields& sent, MixOrder& order) {
  if (sent.has("feed_url")) {
    if (sent.has("episode_url")) {
      return make_error(Errc::invalid_argument, "send either episode_url or feed_url, not both");
    }
    auto feed = sent.text("feed_url", true);
    if (!feed) return feed.error();
    NAMIX_TRY(check_document_url(*feed, "feed_url", DocumentKind::feed));
    auto item = sent.text("item", false);
    if (!item) return item.error();
    if (item->size() > 200) {
      return make_error(Errc::invalid_argument,
                        "item must be \"latest\", an item's GUID or an episode number");
    }
    order.feed_url = *feed;
    order.item = item->empty() ? "latest" : *item;
    return {};
  }
  if (!sent.has("episode_url")) {
    return make_error(Errc::invalid_argument,
                      "missing field 'episode_url' (or 'feed_url' to mix a feed's episode)");
  }
  auto url = sent.text("episode_url", true);
  if (!url) return url.error();
  NAMIX_TRY(check_episode_url(*url));
  order.episode_url = *url;
  return {};
}

Result<MixOrder> parse_json_order(const HttpRequest& request, const ThemeCatalog& themes,
                                  const OrderLimits& limits) {
  if (request.body.size() > limits.max_json_bytes) {
    return make_error(Errc::too_large, "the JSON body is larger than " +
                                           std::to_string(limits.max_json_bytes / 1024) +
                                           " KiB; send the episode as episode_url or an upload");
  }
  const json body = json::parse(request.body, nullptr, false);
  if (body.is_discarded()) {
    return make_error(Errc::invalid_argument,
                      "the body is not valid JSON; send {\"episode_url\": ..., \"theme\": ..., "
                      "\"target_duration\": ...} with Content-Type: application/json");
  }
  if (!body.is_object()) {
    return make_error(Errc::invalid_argument, "the JSON body must be an object");
  }
  const SentFields sent(body, false);
  MixOrder order;
  NAMIX_TRY(read_episode_url(sent, order));
  NAMIX_TRY(read_fields(sent, themes, limits, order));
  return order;
}

Result<MixOrder> parse_form_order(const HttpRequest& request, const std::string& boundary,
                                  const ThemeCatalog& themes, const OrderLimits& limits,
                                  const std::string& upload_dir) {
  auto parts = parse_multipart(request.body, boundary);
  if (!parts) return parts.error();
  json fields = json::object();
  const FormPart* file = nullptr;
  for (const auto& part : *parts) {
    if (part.name == "file") {
      file = &part;
    } else {
      fields[part.name] = std::string(part.data);
    }
  }
  if (file == nullptr) {
    return make_error(Errc::invalid_argument,
                      "the upload has no 'file' part; send the episode as -F file=@episode.mp3");
  }
  if (fields.contains("episode_url") || fields.contains("feed_url")) {
    return make_error(Errc::invalid_argument,
                      "send either an upload or episode_url/feed_url, not both");
  }
  if (file->data.size() > limits.max_upload_bytes) {
    return make_error(Errc::too_large, "the upload is larger than the " +
                                           std::to_string(limits.max_upload_bytes / (1024 * 1024)) +
                                           " MiB limit");
  }
  if (file->data.empty()) return make_error(Errc::undecodable, "the uploaded file is empty");
  if (!looks_like_audio(file->data.substr(0, 12))) {
    return make_error(Errc::not_audio,
                      "the uploaded file is not audio (expected MP3, WAV, FLAC or Ogg)");
  }
  MixOrder order;
  order.upload_name = std::filesystem::path(file->filename.value_or("upload")).filename().string();
  NAMIX_TRY(read_fields(SentFields(fields, true), themes, limits, order));
  auto temp = ScopedTempFile::create(upload_dir, "upload");
  if (!temp) return temp.error();
  NAMIX_TRY(
      temp->write({reinterpret_cast<const std::uint8_t*>(file->data.data()), file->data.size()}));
  order.upload = std::make_shared<ScopedTempFile>(std::move(*temp));
  return order;
}

}  // namespace

std::string MixOrder::source() const {
  if (!feed_url.empty()) return feed_url;
  return episode_url.empty() ? "upload:" + upload_name : episode_url;
}

MixRequest MixOrder::mix_request() const {
  MixRequest request;
  request.theme = theme;
  request.target_s = target_s;
  request.target_lufs = target_lufs;
  request.mp3_quality = mp3_quality;
  request.episode_number = episode_number;
  if (transcript) request.transcript = *transcript;
  if (chapters) request.chapters = *chapters;
  request.about = about;
  return request;
}

json MixOrder::to_json() const {
  json stored = {{"session_id", session_id},
                 {"theme", theme->name},
                 {"target_duration", target_s ? json(*target_s) : json("full")},
                 {"mp3_quality", mp3_quality},
                 {"episode_number", episode_number}};
  if (target_lufs) stored["target_lufs"] = *target_lufs;
  if (!transcript_url.empty()) stored["transcript_url"] = transcript_url;
  if (!transcript_text.empty()) stored["transcript"] = transcript_text;
  if (!chapters_url.empty()) stored["chapters_url"] = chapters_url;
  if (!chapters_text.empty()) stored["chapters"] = chapters_text;
  if (!about.empty()) stored["about"] = about;
  if (words_from_feed) stored["words_from_feed"] = true;
  if (!feed_url.empty()) {
    stored["feed_url"] = feed_url;
    stored["item"] = item;
  } else if (episode_url.empty()) {
    stored["upload_key"] = upload_key;
    stored["upload_name"] = upload_name;
  } else {
    stored["episode_url"] = episode_url;
  }
  return stored;
}

Result<MixOrder> MixOrder::from_json(const json& stored, const ThemeCatalog& themes,
                                     const OrderLimits& limits) {
  if (!stored.is_object())
    return make_error(Errc::internal, "the stored job order is not a JSON object");
  const SentFields sent(stored, false);
  MixOrder order;
  if (sent.has("upload_key")) {
    auto key = sent.text("upload_key", true);
    if (!key) return key.error();
    auto name = sent.text("upload_name", false);
    if (!name) return name.error();
    order.upload_key = *key;
    order.upload_name = *name;
  } else {
    NAMIX_TRY(read_episode_url(sent, order));
  }
  NAMIX_TRY(read_fields(sent, themes, limits, order));
  return order;
}

Result<MixOrder> parse_mix_order(const HttpRequest& request, const ThemeCatalog& themes,
                                 const OrderLimits& limits, const std::string& upload_dir) {
  const std::string content_type = request.header("content-type").value_or("");
  auto boundary = multipart_boundary(content_type);
  auto order = boundary ? parse_form_order(request, *boundary, themes, limits, upload_dir)
                        : parse_json_order(request, themes, limits);
  if (order && order->session_id.empty()) order->session_id = "sess-" + new_mix_id();
  return order;
}

}  // namespace namix
