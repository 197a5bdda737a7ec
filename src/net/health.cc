#include "net/health.h"

#include <lame/lame.h>
#include <mpg123.h>
#include <sys/statvfs.h>

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>

#include "core/version.h"
#include "net/http_error.h"
#include "net/jobs.h"

namespace namix {
namespace {

// What an unprivileged process may still write on the disk holding `dir`.
std::optional<std::uint64_t> free_disk_bytes(const std::string& dir) {
  struct statvfs st {};
  if (::statvfs(dir.c_str(), &st) != 0) return std::nullopt;
  return static_cast<std::uint64_t>(st.f_bavail) * st.f_frsize;
}

}  // namespace

HttpResponse health_response(bool draining, std::chrono::steady_clock::time_point started) {
  const std::string version(kNamixVersion);
  if (draining) {
    return json_response(503, {{"status", "draining"}, {"service", "namix"}, {"version", version}});
  }
  const double uptime_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return json_response(200, {{"status", "healthy"},
                             {"service", "namix"},
                             {"version", version},
                             {"timestamp", iso8601_now()},
                             {"uptime_s", std::round(uptime_s * 10.0) / 10.0}});
}

HttpResponse mix_health_response(const MixService& service, Storage& storage,
                                 const ThemeCatalog& themes) {
  bool healthy = true;
  nlohmann::json components = nlohmann::json::object();
  const auto component = [&](const char* name, bool ok, nlohmann::json detail) {
    detail["state"] = ok ? "ok" : "failed";
    components[name] = std::move(detail);
    healthy = healthy && ok;
  };
  // The decoder: libmpg123 with at least one synthesis backend.
  const char** decoders = mpg123_decoders();
  const bool has_decoder = decoders != nullptr && decoders[0] != nullptr;
  component("decoder", has_decoder,
            {{"library", "libmpg123"}, {"backend", has_decoder ? decoders[0] : ""}});
  component("encoder", get_lame_version() != nullptr,
            {{"library", "LAME"}, {"version", get_lame_version()}, {"bitrate_kbps", 320}});
  auto reachable = storage.check_reachable();
  // A local directory's path is the server's business, not this open probe's.
  component("storage", reachable.ok(),
            {{"backend", storage.bucket() == "local" ? "local directory" : storage.describe()},
             {"detail", reachable.ok() ? "reachable" : reachable.error().message}});
  // Downloads, uploads and (by default) the mixes and job records are
  // written on the data directory's disk; a full one fails every mix.
  const std::uint64_t min_free_mb = service.options().min_free_bytes >> 20;
  if (const auto free_bytes = free_disk_bytes(service.options().data_dir)) {
    const std::uint64_t free_mb = *free_bytes >> 20;
    const bool enough = *free_bytes >= service.options().min_free_bytes;
    component("disk", enough,
              {{"free_mb", free_mb},
               {"min_free_mb", min_free_mb},
               {"detail", enough ? "enough free space"
                                 : "the data directory's disk has " + std::to_string(free_mb) +
                                       " MiB free, under " + std::to_string(min_free_mb) +
                                       " MiB; free some space"}});
  } else {
    component("disk", false,
              {{"min_free_mb", min_free_mb},
               {"detail", "the data directory's free space cannot be read"}});
  }
  nlohmann::json names = nlohmann::json::array();
  for (const auto& t : themes.themes()) names.push_back(t.name);
  component("themes", !themes.themes().empty(), {{"count", themes.themes().size()}});
  const ServiceLoad load = service.load();
  component("mixer", service.has_mixer(),
            {{"workers", load.workers},
             {"running", load.running},
             {"queued", load.queued},
             {"queue_capacity", load.queue_capacity}});
  const bool draining = service.draining();
  return json_response(healthy && !draining ? 200 : 503,
                       {{"status", draining ? "draining" : (healthy ? "healthy" : "degraded")},
                        {"service", "namix-professional-mixer"},
                        {"version", std::string(kNamixVersion)},
                        {"components", components},
                        {"themes_available", names},
                        {"timestamp", iso8601_now()}});
}

}  // namespace namix
