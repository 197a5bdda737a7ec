#include "net/read_routes.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <optional>
#include <string_view>
#include <vector>

#include "core/ascii_text.h"
#include "feed/feed_json.h"
#include "net/episode_documents.h"
#include "net/http_error.h"
#include "net/mix_execution.h"
#include "net/static_files.h"

namespace namix {

namespace {

// A mix's result JSON, "{id}.json": the files beside it ("{id}.vtt",
// "{id}.transcript.json", "{id}.chapters.json") are not mixes.
bool is_result_key(const std::string& key) {
  const std::string name = std::filesystem::path(key).filename().string();
  return name.size() > 5 && name.find('.') == name.size() - 5 &&
         name.compare(name.size() - 5, 5, ".json") == 0;
}

// EPISODE/THEME/ID, each of letters, digits, '-' and '_': the only shape a
// stored mix's key takes below mixes/, so nothing else is ever looked up.
bool is_mix_path(std::string_view path) {
  int parts = 0;
  std::size_t part_size = 0;
  for (char c : path) {
    if (c == '/') {
      if (part_size == 0) return false;
      ++parts;
      part_size = 0;
    } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') {
      if (++part_size > 64) return false;
    } else {
      return false;
    }
  }
  return parts == 2 && part_size > 0;
}

// Stored links expire: a fresh one for the MP3 beside the JSON and for each
// of its other downloads (transcript, chapters) still in storage.
void refresh_links(nlohmann::json& result, Storage& storage, std::chrono::seconds link_ttl,
                   const std::string& mp3_key) {
  const auto refresh = [&](nlohmann::json& link, const std::string& key) {
    if (!link.is_object() || key.empty() || !storage.head(key).ok()) return;
    auto url = storage.download_url(key, link_ttl);
    if (url) link["url"] = *url;
  };
  if (result.contains("download")) refresh(result["download"], mp3_key);
  if (result.contains("downloads") && result["downloads"].is_object()) {
    for (auto& [name, link] : result["downloads"].items()) {
      (void)name;
      if (link.is_object() && link.contains("s3_key") && link["s3_key"].is_string())
        refresh(link, link["s3_key"].get<std::string>());
    }
  }
}

// The result JSON stored at `json_key` with fresh links and its "mix_key";
// nothing when it is gone or not a result.
std::optional<nlohmann::json> stored_result(const std::string& json_key, Storage& storage,
                                            std::chrono::seconds link_ttl) {
  auto text = storage.get(json_key);
  if (!text) return std::nullopt;
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  const std::string mp3_key = json_key.substr(0, json_key.size() - 5) + ".mp3";
  refresh_links(j, storage, link_ttl, mp3_key);
  j["mix_key"] = mp3_key;
  return j;
}

}  // namespace

HttpResponse themes_response(const ThemeCatalog& themes) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& t : themes.themes()) {
    list.push_back({{"name", t.name},
                    {"slug", t.slug},
                    {"description", t.description},
                    {"processing_chain", t.chain_summary()},
                    {"target_lufs", t.target_lufs},
                    {"true_peak_ceiling_dbtp", t.true_peak_ceiling_dbtp}});
  }
  return json_response(200, {{"status", "success"}, {"count", list.size()}, {"themes", list}});
}

HttpResponse metrics_response(const HttpRequest& request, const Metrics& metrics) {
  auto format = request.query.find("format");
  if (format != request.query.end() && ascii_lower(format->second) == "emf") {
    return json_response(200, metrics.emf_document());
  }
  if (format != request.query.end() && ascii_lower(format->second) != "prometheus") {
    return error_response(make_error(Errc::invalid_argument,
                                     "unknown metrics format '" + format->second +
                                         "'; use format=emf or leave it out for Prometheus text"));
  }
  HttpResponse r;
  r.headers["Content-Type"] = "text/plain; version=0.0.4; charset=utf-8";
  r.body = metrics.prometheus_text();
  return r;
}

HttpResponse history_response(const HttpRequest& request, Storage& storage,
                              std::chrono::seconds link_ttl) {
  std::string prefix = "mixes/";
  auto episode = request.query.find("episode");
  if (episode != request.query.end()) {
    const std::string segment = episode_key_segment(episode->second);
    if (segment != episode->second) {
      return error_response(
          make_error(Errc::invalid_argument, "episode must be an episode number such as 1779"));
    }
    prefix += segment + "/";
  }
  std::size_t limit = 50;
  auto limit_it = request.query.find("limit");
  if (limit_it != request.query.end()) {
    auto n = number_in_text(limit_it->second);
    if (!n || *n < 1 || *n > 1000 || std::floor(*n) != *n) {
      return error_response(make_error(Errc::invalid_argument, "limit must be 1..1000"));
    }
    limit = static_cast<std::size_t>(*n);
  }
  auto listed = storage.list(prefix);
  if (!listed) return error_response(listed.error());
  std::vector<ObjectInfo> results;
  for (const auto& info : *listed) {
    if (is_result_key(info.key)) results.push_back(info);
  }
  // Keys end in {id}.json and ids start with a UTC timestamp; newest first.
  std::sort(results.begin(), results.end(), [](const ObjectInfo& a, const ObjectInfo& b) {
    return std::filesystem::path(a.key).filename() > std::filesystem::path(b.key).filename();
  });
  nlohmann::json mixes = nlohmann::json::array();
  for (const auto& info : results) {
    if (mixes.size() >= limit) break;
    auto j = stored_result(info.key, storage, link_ttl);
    if (!j) continue;  // removed meanwhile, or not a result
    mixes.push_back(std::move(*j));
  }
  return json_response(200, {{"status", "success"}, {"count", mixes.size()}, {"mixes", mixes}});
}

HttpResponse stored_result_response(const std::string& mix_path, Storage& storage,
                                    std::chrono::seconds link_ttl) {
  const auto refuse = [&] {
    return error_response(make_error(
        Errc::not_found, "no stored mix '" + mix_path.substr(0, 100) +
                             "'; give EPISODE/THEME/ID as the mix_key of GET /mix/history has it"));
  };
  if (!is_mix_path(mix_path)) return refuse();
  auto j = stored_result("mixes/" + mix_path + ".json", storage, link_ttl);
  if (!j) return refuse();
  return json_response(200, *j);
}

HttpResponse feed_response(const HttpRequest& request, const FetchOptions& fetch) {
  auto url = request.query.find("url");
  if (url == request.query.end() || url->second.empty()) {
    return error_response(
        make_error(Errc::invalid_argument, "missing ?url= : give the podcast feed's http(s) URL"));
  }
  std::size_t limit = 10;
  auto limit_it = request.query.find("limit");
  if (limit_it != request.query.end()) {
    auto n = number_in_text(limit_it->second);
    if (!n || *n < 1 || *n > 50 || std::floor(*n) != *n) {
      return error_response(make_error(Errc::invalid_argument, "limit must be 1..50"));
    }
    limit = static_cast<std::size_t>(*n);
  }
  auto feed = fetch_feed(url->second, fetch);
  if (!feed) return error_response(feed.error());
  return json_response(200, feed_listing_json(*feed, limit));
}

HttpResponse job_status_response(const std::string& job_id, MixService& service) {
  auto status = service.job_status(job_id);
  if (!status) return error_response(status.error());
  return json_response(200, *status);
}

HttpResponse signed_file_response(const HttpRequest& request, const std::string& key,
                                  Storage& storage, const LocalStorage* local_files) {
  if (local_files == nullptr) {
    return error_response(
        make_error(Errc::not_found, "this server stores mixes in " + storage.describe() +
                                        "; use the presigned URL from the result"));
  }
  const auto q = [&](const char* name) {
    auto it = request.query.find(name);
    return it == request.query.end() ? std::string() : it->second;
  };
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  auto verified = local_files->verify_download(key, q("expires"), q("sig"), now);
  if (!verified) return error_response(verified.error());
  auto info = storage.head(key);
  if (!info) return error_response(info.error());
  auto path = local_files->path_for(key);
  if (!path) return error_response(path.error());
  HttpResponse r;
  r.status = 200;
  r.body_file = *path;
  r.binary = true;
  r.headers["Content-Type"] = content_type_for(key);
  r.headers["Content-Length"] = std::to_string(info->size);
  r.headers["Content-Disposition"] =
      "attachment; filename=\"" + std::filesystem::path(key).filename().string() + "\"";
  r.headers["Cache-Control"] = "private, max-age=3600";
  return r;
}

}  // namespace namix
