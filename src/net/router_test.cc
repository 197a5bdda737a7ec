// The router's HTTP mapping: methods, routes, API keys, admission, CORS and
// the status and message of each kind of bad request. The mixer is a fake
// that writes a few bytes: what is tested is the HTTP surface, not the mix.
#include "net/router.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <limits>
#include <memory>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/version.h"
#include "net/http_error.h"
#include "net/mix_service.h"

namespace namix {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// The first bytes of an MP3 with an ID3 tag: enough for the upload check.
const std::string kAudioBytes = std::string("ID3\x04\0\0\0\0\0\0", 10) + std::string(512, '\x55');

std::string upload_body(const std::string& boundary, const json& fields) {
  std::string body;
  for (const auto& [name, value] : fields.items()) {
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" +
            value.get<std::string>() + "\r\n";
  }
  body += "--" + boundary +
          "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"NA-1779.mp3\"\r\n"
          "Content-Type: audio/mpeg\r\n\r\n" +
          kAudioBytes + "\r\n--" + boundary + "--\r\n";
  return body;
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    dir_ = fs::temp_directory_path() /
           ("namix_router_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(dir_);
    auto storage = LocalStorage::open({(dir_ / "store").string(), "router-test-key", ""});
    ASSERT_TRUE(storage.ok()) << storage.error().message;
    storage_ = std::move(*storage);
    auto themes = ThemeCatalog::load_dir(NAMIX_SHIPPED_THEMES_DIR);
    ASSERT_TRUE(themes.ok()) << themes.error().message;
    themes_ = std::make_unique<ThemeCatalog>(std::move(*themes));
  }

  void TearDown() override {
    router_.reset();
    service_.reset();
    fs::remove_all(dir_);
  }

  // Throttling is off unless a test sets it: the others send many requests.
  static RouterOptions unthrottled() {
    RouterOptions options;
    options.throttle.rate_per_minute = 0.0;
    return options;
  }

  // `min_free_bytes`: 0 keeps the disk check from depending on the host's free space.
  void start(RouterOptions router_options = unthrottled(), std::uint64_t min_free_bytes = 0,
             std::chrono::seconds job_expiry_interval = ServiceOptions{}.job_expiry_interval) {
    ServiceOptions options;
    options.data_dir = (dir_ / "data").string();
    options.min_free_bytes = min_free_bytes;
    options.job_expiry_interval = job_expiry_interval;
    options.workers = 1;
    options.max_queued = 2;
    service_ = std::make_unique<MixService>(options, *storage_, *themes_, fake_mixer(), metrics_);
    router_ = std::make_unique<Router>(std::move(router_options), *service_, *storage_,
                                       storage_.get(), *themes_, metrics_, nullptr);
  }

  // Writes the upload's bytes as "the mix" and reports what it was asked for.
  static MixRunner fake_mixer() {
    return [](const MixRequest& request, ByteSink& out) -> Result<MixReport> {
      NAMIX_TRY(out.write(
          {reinterpret_cast<const std::uint8_t*>(kAudioBytes.data()), kAudioBytes.size()}));
      MixReport report;
      report.theme_name = request.theme->name;
      report.episode_number = request.episode_number;
      report.target_s = request.target_s;
      report.mp3_quality = request.mp3_quality;
      report.file_size_bytes = kAudioBytes.size();
      return report;
    };
  }

  HttpResponse call(const std::string& method, const std::string& path, std::string body = "",
                    HeaderMap headers = {}, std::map<std::string, std::string> query = {}) {
    HttpRequest request;
    request.method = method;
    request.path = path;
    request.body = std::move(body);
    request.headers = std::move(headers);
    request.query = std::move(query);
    request.remote_addr = "192.0.2.7";
    return router_->handle(request);
  }

  HttpResponse post_json(const std::string& path, const json& body, HeaderMap headers = {}) {
    headers["Content-Type"] = "application/json";
    return call("POST", path, body.dump(), std::move(headers));
  }

  HttpResponse post_upload(const std::string& path, const json& fields) {
    const std::string boundary = "namix-test-boundary";
    return call("POST", path, upload_body(boundary, fields),
                {{"Content-Type", "multipart/form-data; boundary=" + boundary}});
  }

  static json good_order() {
    return {{"episode_url", "https://example.com/NA-1779.mp3"},
            {"theme", "Best Of"},
            {"target_duration", 60}};
  }

  fs::path dir_;
  std::unique_ptr<LocalStorage> storage_;
  std::unique_ptr<ThemeCatalog> themes_;
  Metrics metrics_;
  std::unique_ptr<MixService> service_;
  std::unique_ptr<Router> router_;
};

// The error JSON's code and message, checked against the status.
json error_of(const HttpResponse& r, int status, const std::string& code) {
  EXPECT_EQ(r.status, status) << r.body;
  const json body = json::parse(r.body, nullptr, false);
  EXPECT_TRUE(body.is_object()) << r.body;
  if (!body.is_object()) return json::object();
  EXPECT_EQ(body.value("status", ""), "error");
  EXPECT_TRUE(body.contains("session_id"));
  EXPECT_EQ(body["error"].value("code", ""), code) << r.body;
  return body["error"];
}

std::string message_of(const HttpResponse& r, int status, const std::string& code) {
  return error_of(r, status, code).value("message", "");
}

TEST_F(RouterTest, WrongMethodIs405WithAllow) {
  start();
  const struct {
    const char* method;
    const char* path;
    const char* allow;
  } cases[] = {{"POST", "/health", "GET"},
               {"DELETE", "/mix/themes", "GET"},
               {"GET", "/mix/professional", "POST"},
               {"PUT", "/mix/jobs", "POST"},
               {"POST", "/mix/jobs/20261129T132400Z-1a2b3c4d", "GET"},
               {"POST", "/files/mixes/a.mp3", "GET, HEAD"},
               {"PUT", "/subscriptions", "GET, POST"},
               {"POST", "/subscriptions/na", "GET, DELETE"},
               {"POST", "/feeds/na/best-of.xml", "GET, HEAD"},
               {"DELETE", "/published/na/best-of/a.mp3", "GET, HEAD"}};
  for (const auto& c : cases) {
    const HttpResponse r = call(c.method, c.path);
    EXPECT_NE(message_of(r, 405, "invalid_argument").find("is not allowed on"), std::string::npos)
        << c.method << " " << c.path;
    EXPECT_EQ(r.headers.count("Allow") ? r.headers.at("Allow") : "", c.allow) << c.path;
  }
}

// Answers every follow route with what it was handed, so the test sees the
// router's dispatch: the method and key checks, and the rest of the path.
class EchoFollowApi final : public FollowApi {
 public:
  HttpResponse subscriptions(const HttpRequest& request) override {
    return echo("subscriptions", request, "");
  }
  HttpResponse subscription(const HttpRequest& request, const std::string& rest) override {
    return echo("subscription", request, rest);
  }
  HttpResponse podcast_feed(const HttpRequest& request, const std::string& rest) override {
    return echo("podcast_feed", request, rest);
  }
  HttpResponse published_file(const HttpRequest& request, const std::string& rest) override {
    return echo("published_file", request, rest);
  }

 private:
  static HttpResponse echo(const char* route, const HttpRequest& request, const std::string& rest) {
    return json_response(200, {{"route", route}, {"method", request.method}, {"rest", rest}});
  }
};

TEST_F(RouterTest, FollowRoutesNeedTheKeyButFeedsAndPublishedFilesAreOpen) {
  EchoFollowApi follow;
  RouterOptions options = unthrottled();
  options.api_keys = {"key-one"};
  options.follow = &follow;
  start(options);
  const HeaderMap key = {{"x-api-key", "key-one"}};
  message_of(call("GET", "/subscriptions"), 401, "unauthorized");
  message_of(call("DELETE", "/subscriptions/na"), 401, "unauthorized");
  const auto routed = [&](const std::string& method, const std::string& path, const HeaderMap& h) {
    const HttpResponse r = call(method, path, "", h);
    EXPECT_EQ(r.status, 200) << method << " " << path << ": " << r.body;
    return nlohmann::json::parse(r.body, nullptr, false);
  };
  EXPECT_EQ(routed("POST", "/subscriptions", key)["route"], "subscriptions");
  auto j = routed("DELETE", "/subscriptions/na", key);
  EXPECT_EQ(j["route"], "subscription");
  EXPECT_EQ(j["rest"], "na");
  EXPECT_EQ(routed("GET", "/subscriptions/na/deliveries", key)["rest"], "na/deliveries");
  // Podcast apps send no API key.
  j = routed("GET", "/feeds/na/best-of.xml", {});
  EXPECT_EQ(j["route"], "podcast_feed");
  EXPECT_EQ(j["rest"], "na/best-of.xml");
  j = routed("HEAD", "/published/na/best-of/abc.mp3", {});
  EXPECT_EQ(j["route"], "published_file");
  EXPECT_EQ(j["rest"], "na/best-of/abc.mp3");
}

TEST_F(RouterTest, FollowRoutesAre404WhenTheServerFollowsNothing) {
  start();
  for (const char* path : {"/subscriptions", "/subscriptions/na", "/feeds/na/best-of.xml"}) {
    EXPECT_NE(message_of(call("GET", path), 404, "not_found").find("does not follow any feed"),
              std::string::npos)
        << path;
  }
}

TEST_F(RouterTest, UnknownRoutesAre404) {
  start();
  EXPECT_NE(message_of(call("GET", "/mix/remix"), 404, "not_found").find("no route /mix/remix"),
            std::string::npos);
  EXPECT_NE(message_of(call("POST", "/upload"), 404, "not_found").find("no route POST /upload"),
            std::string::npos);
  // Without a web directory there is no page either.
  EXPECT_NE(message_of(call("GET", "/index.html"), 404, "not_found").find("no page"),
            std::string::npos);
}

TEST_F(RouterTest, ApiKeyMissingIs401WrongIs403) {
  RouterOptions options = unthrottled();
  options.api_keys = {"key-one"};
  start(options);
  message_of(call("GET", "/mix/history"), 401, "unauthorized");
  message_of(call("GET", "/mix/history", "", {{"X-Api-Key", "key-two"}}), 403, "forbidden");
  EXPECT_EQ(call("GET", "/mix/history", "", {{"x-api-key", "key-one"}}).status, 200);
  message_of(post_json("/mix/jobs", good_order()), 401, "unauthorized");
  // Health, themes and CORS stay open.
  EXPECT_EQ(call("GET", "/health").status, 200);
  EXPECT_EQ(call("GET", "/mix/themes").status, 200);
  EXPECT_EQ(call("OPTIONS", "/mix/history").status, 204);
}

TEST_F(RouterTest, ThrottledMixIs429WithRetryAfter) {
  RouterOptions options;
  options.throttle = {1.0, 1.0};  // one mix a minute, one at once
  start(options);
  // The first is admitted (and then refused for its body); the second is not.
  message_of(post_json("/mix/professional", {{"theme", "Best Of"}}), 400, "invalid_argument");
  const HttpResponse r = post_json("/mix/professional", good_order());
  EXPECT_NE(message_of(r, 429, "throttled").find("too many mixes"), std::string::npos);
  ASSERT_TRUE(r.headers.count("Retry-After"));
  const int wait_s = std::stoi(r.headers.at("Retry-After"));
  EXPECT_GE(wait_s, 1);
  EXPECT_LE(wait_s, 60);
  // Reading is not throttled.
  EXPECT_EQ(call("GET", "/mix/themes").status, 200);
}

TEST_F(RouterTest, DrainingRefusesMixesWith503AndHealthSaysSo) {
  start();
  service_->begin_drain();
  for (const char* path : {"/mix/professional", "/mix/jobs"}) {
    const HttpResponse r = post_json(path, good_order());
    EXPECT_NE(message_of(r, 503, "unavailable").find("shutting down"), std::string::npos);
    EXPECT_EQ(r.headers.count("Retry-After") ? r.headers.at("Retry-After") : "", "5");
  }
  const HttpResponse health = call("GET", "/health");
  EXPECT_EQ(health.status, 503);
  EXPECT_EQ(json::parse(health.body).value("status", ""), "draining");
  EXPECT_EQ(call("GET", "/mix/health").status, 503);
}

TEST_F(RouterTest, BadJsonIs400) {
  start();
  const HeaderMap json_type = {{"Content-Type", "application/json"}};
  EXPECT_NE(message_of(call("POST", "/mix/professional", "{\"theme\": ", json_type), 400,
                       "invalid_argument")
                .find("not valid JSON"),
            std::string::npos);
  EXPECT_NE(message_of(call("POST", "/mix/jobs", "[1, 2]", json_type), 400, "invalid_argument")
                .find("must be an object"),
            std::string::npos);
  const std::string big(70 * 1024, ' ');
  message_of(call("POST", "/mix/jobs", big, json_type), 413, "too_large");
}

TEST_F(RouterTest, BadFieldsAre400WithWhatWasWrong) {
  start();
  const auto with = [](const char* field, json value) {
    json order = good_order();
    if (value.is_null()) {
      order.erase(field);
    } else {
      order[field] = std::move(value);
    }
    return order;
  };
  const struct {
    json body;
    const char* says;
  } cases[] = {
      {with("theme", "Jazz Hands"), "unknown theme 'Jazz Hands'; valid themes: "},
      {with("theme", nullptr), "missing field 'theme'"},
      {with("theme", 5), "field 'theme' must be a string, not number"},
      {with("target_duration", nullptr), "missing field 'target_duration'"},
      {with("target_duration", 1), "target_duration must be a number of seconds from 5 to 21600"},
      {with("target_duration", "ninety"), "(got the string \"ninety\")"},
      {with("target_duration", true), "(got boolean)"},
      {with("target_lufs", -50), "target_lufs must be a number from -40 to -5"},
      {with("target_lufs", "loud"), "target_lufs must be a number from -40 to -5"},
      {with("mp3_quality", 11), "mp3_quality must be a whole number from 0"},
      {with("mp3_quality", "7"), "got \"7\""},
      {with("episode_url", "ftp://example.com/a.mp3"), "only http:// and https://"},
      {with("episode_url", nullptr), "missing field 'episode_url'"},
      {with("session_id", "has spaces"), "session_id must be 1-128 letters"},
  };
  for (const auto& c : cases) {
    for (const char* path : {"/mix/professional", "/mix/jobs"}) {
      const std::string message = message_of(post_json(path, c.body), 400, "invalid_argument");
      EXPECT_NE(message.find(c.says), std::string::npos)
          << path << " " << c.body.dump() << " -> " << message;
    }
  }
  // The unknown theme's message lists the valid ones.
  const std::string listed =
      message_of(post_json("/mix/jobs", with("theme", "Jazz Hands")), 400, "invalid_argument");
  for (const auto& theme : themes_->themes())
    EXPECT_NE(listed.find(theme.name), std::string::npos) << theme.name;
}

TEST_F(RouterTest, UploadsAreCheckedLikeJsonBodies) {
  start();
  EXPECT_NE(message_of(post_upload("/mix/jobs", {{"theme", "Best Of"}, {"target_duration", "2"}}),
                       400, "invalid_argument")
                .find("target_duration must be a number of seconds from 5"),
            std::string::npos);
  EXPECT_NE(message_of(post_upload("/mix/jobs", {{"theme", "Best Of"},
                                                 {"target_duration", "60"},
                                                 {"target_lufs", "-41"}}),
                       400, "invalid_argument")
                .find("target_lufs must be a number from -40 to -5"),
            std::string::npos);
  EXPECT_NE(message_of(post_upload("/mix/jobs", {{"theme", "Best Of"},
                                                 {"target_duration", "60"},
                                                 {"episode_url", "https://example.com/a.mp3"}}),
                       400, "invalid_argument")
                .find("not both"),
            std::string::npos);
}

TEST_F(RouterTest, PreflightAnswersCorsOnEveryPath) {
  start();
  for (const char* path : {"/mix/professional", "/mix/jobs/anything", "/nowhere"}) {
    const HttpResponse r = call("OPTIONS", path);
    EXPECT_EQ(r.status, 204) << path;
    EXPECT_EQ(r.headers.at("Access-Control-Allow-Origin"), "*");
    EXPECT_EQ(r.headers.at("Access-Control-Allow-Methods"), "GET, HEAD, POST, DELETE, OPTIONS");
    EXPECT_EQ(r.headers.at("Access-Control-Allow-Headers"),
              "Content-Type, X-Api-Key, Authorization");
    EXPECT_EQ(r.headers.at("Access-Control-Max-Age"), "86400");
    EXPECT_TRUE(r.body.empty());
  }
  // Every answer, errors included, carries CORS and a request id.
  const HttpResponse error = call("GET", "/mix/remix");
  EXPECT_EQ(error.headers.at("Access-Control-Allow-Origin"), "*");
  EXPECT_EQ(error.headers.at("X-Request-Id").rfind("req-", 0), 0u);
}

TEST_F(RouterTest, FilesNeedAValidSignature) {
  start();
  const std::string key = "mixes/1779/best-of/a.mp3";
  ASSERT_TRUE(storage_->put(
      key, {reinterpret_cast<const std::uint8_t*>(kAudioBytes.data()), kAudioBytes.size()},
      "audio/mpeg"));
  auto link = storage_->download_url(key, std::chrono::seconds(60));
  ASSERT_TRUE(link.ok());
  const std::string expires =
      link->substr(link->find("expires=") + 8, link->find("&sig=") - link->find("expires=") - 8);
  const std::string sig = link->substr(link->find("&sig=") + 5);
  const HttpResponse good =
      call("GET", "/files/" + key, "", {}, {{"expires", expires}, {"sig", sig}});
  EXPECT_EQ(good.status, 200);
  EXPECT_EQ(good.headers.at("Content-Type"), "audio/mpeg");
  EXPECT_EQ(good.headers.at("Content-Length"), std::to_string(kAudioBytes.size()));
  EXPECT_FALSE(good.body_file.empty());
  std::string forged = sig;
  forged[0] = forged[0] == '0' ? '1' : '0';
  message_of(call("GET", "/files/" + key, "", {}, {{"expires", expires}, {"sig", forged}}), 403,
             "forbidden");
  message_of(call("GET", "/files/" + key), 403, "forbidden");
  message_of(call("GET", "/files/" + key, "", {}, {{"expires", "1000"}, {"sig", sig}}), 403,
             "forbidden");
}

TEST_F(RouterTest, FeedListingChecksItsQueryAndIsThrottledLikeMixes) {
  RouterOptions options;
  options.throttle = {1.0, 2.0};  // one a minute, two at once
  start(options);
  EXPECT_NE(message_of(call("GET", "/feed"), 400, "invalid_argument").find("?url="),
            std::string::npos);
  // The address policy holds: loopback is refused (no --allow-private-urls).
  const HttpResponse refused = call("GET", "/feed", "", {}, {{"url", "http://127.0.0.1:9/rss"}});
  message_of(refused, 403, "forbidden");
  const HttpResponse throttled =
      call("GET", "/feed", "", {}, {{"url", "https://example.com/rss.xml"}});
  message_of(throttled, 429, "throttled");
  EXPECT_EQ(call("POST", "/feed").status, 405);
}

TEST_F(RouterTest, UnknownJobIs404) {
  start();
  EXPECT_NE(message_of(call("GET", "/mix/jobs/20261129T132400Z-1a2b3c4d"), 404, "not_found")
                .find("20261129T132400Z-1a2b3c4d"),
            std::string::npos);
  message_of(call("GET", "/mix/jobs/../../etc/passwd"), 404, "not_found");
  message_of(call("GET", "/mix/jobs/"), 404, "not_found");
}

TEST_F(RouterTest, HealthIs200WithVersionAndUptime) {
  start();
  const HttpResponse r = call("GET", "/health");
  EXPECT_EQ(r.status, 200);
  const json body = json::parse(r.body);
  EXPECT_EQ(body.value("status", ""), "healthy");
  EXPECT_EQ(body.value("service", ""), "namix");
  EXPECT_EQ(body.value("version", ""), std::string(kNamixVersion));
  EXPECT_TRUE(body["timestamp"].is_string());
  EXPECT_TRUE(body["uptime_s"].is_number());
  EXPECT_GE(body["uptime_s"].get<double>(), 0.0);

  const HttpResponse mix = call("GET", "/mix/health");
  EXPECT_EQ(mix.status, 200) << mix.body;
  const json components = json::parse(mix.body)["components"];
  for (const char* name : {"decoder", "encoder", "storage", "disk", "themes", "mixer"})
    EXPECT_EQ(components[name].value("state", ""), "ok") << name;
  EXPECT_GT(components["disk"].value("free_mb", 0), 0);
  // An open probe: no path of the server's in it.
  EXPECT_EQ(mix.body.find(dir_.string()), std::string::npos) << mix.body;
}

TEST_F(RouterTest, ADiskBelowTheFreeSpaceFloorIsDegraded) {
  start(unthrottled(), std::numeric_limits<std::uint64_t>::max() / 2);
  const HttpResponse mix = call("GET", "/mix/health");
  EXPECT_EQ(mix.status, 503) << mix.body;
  const json body = json::parse(mix.body);
  EXPECT_EQ(body.value("status", ""), "degraded");
  const json disk = body["components"]["disk"];
  EXPECT_EQ(disk.value("state", ""), "failed");
  EXPECT_NE(disk.value("detail", "").find("MiB free"), std::string::npos) << disk.dump();
  EXPECT_EQ(mix.body.find(dir_.string()), std::string::npos) << mix.body;
}

TEST_F(RouterTest, AtStartAnMp3WithoutItsResultJsonIsRemoved) {
  // A server killed between storing a mix's MP3 and its JSON leaves the MP3
  // in no history; the next one to start removes it, and only it.
  const auto bytes = [](const std::string& text) {
    return std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(text.data()),
                                         text.size());
  };
  ASSERT_TRUE(storage_->put("mixes/1779/best-of/cut.mp3", bytes("ID3"), "audio/mpeg").ok());
  ASSERT_TRUE(storage_->put("mixes/1779/best-of/whole.mp3", bytes("ID3"), "audio/mpeg").ok());
  ASSERT_TRUE(storage_->put("mixes/1779/best-of/whole.json", bytes("{}"), "application/json").ok());
  start();
  ASSERT_TRUE(service_->recover_jobs().ok());
  EXPECT_EQ(storage_->head("mixes/1779/best-of/cut.mp3").error().code, Errc::not_found);
  EXPECT_TRUE(storage_->head("mixes/1779/best-of/whole.mp3").ok());
  EXPECT_TRUE(storage_->head("mixes/1779/best-of/whole.json").ok());
}

TEST_F(RouterTest, JobRecordsOlderThanAWeekAreRemovedAtStartAndAfterAJob) {
  // A finished job's record, last written 8 days ago, as `id`.
  const auto put_old_record = [&](const std::string& id) {
    JobRecord record;
    record.job_id = id;
    record.state = JobState::done;
    const std::string text = record.to_json().dump();
    ASSERT_TRUE(storage_
                    ->put(JobStore::key_for(id),
                          {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()},
                          "application/json")
                    .ok());
    fs::last_write_time(dir_ / "store" / JobStore::key_for(id),
                        fs::file_time_type::clock::now() - std::chrono::hours(8 * 24));
  };
  put_old_record("20261101T000000Z-0000000a");
  start(unthrottled(), 0, /*job_expiry_interval=*/std::chrono::seconds(0));
  ASSERT_TRUE(service_->recover_jobs().ok());
  EXPECT_EQ(call("GET", "/mix/jobs/20261101T000000Z-0000000a").status, 404);

  // While serving, the first job to end after the interval sweeps again.
  put_old_record("20261102T000000Z-0000000b");
  const HttpResponse r =
      post_upload("/mix/jobs", {{"theme", "Best Of"}, {"target_duration", "full"}});
  ASSERT_EQ(r.status, 202) << r.body;
  const std::string job_id = json::parse(r.body).value("job_id", "");
  service_->wait_until_idle();
  EXPECT_EQ(storage_->head(JobStore::key_for("20261102T000000Z-0000000b")).error().code,
            Errc::not_found);
  const HttpResponse fresh = call("GET", "/mix/jobs/" + job_id);
  ASSERT_EQ(fresh.status, 200) << fresh.body;
  EXPECT_EQ(json::parse(fresh.body).value("state", ""), "done");
}

TEST_F(RouterTest, AnUploadIsMixedStoredAndListed) {
  start();
  const HttpResponse r = post_upload(
      "/mix/professional",
      {{"theme", "best of"}, {"target_duration", "90"}, {"session_id", "sess-router-test"}});
  ASSERT_EQ(r.status, 200) << r.body;
  const json result = json::parse(r.body);
  EXPECT_EQ(result.value("status", ""), "success");
  EXPECT_EQ(result.value("session_id", ""), "sess-router-test");
  EXPECT_EQ(result["mix_metadata"].value("theme", ""), "Best Of");
  EXPECT_EQ(result["mix_metadata"].value("episode_number", ""), "1779");  // from the file name
  const HttpResponse history = call("GET", "/mix/history", "", {}, {{"episode", "1779"}});
  ASSERT_EQ(history.status, 200);
  const json listed = json::parse(history.body);
  ASSERT_EQ(listed.value("count", 0), 1);
  EXPECT_EQ(listed["mixes"][0].value("mix_id", ""), result.value("mix_id", ""));
}

TEST_F(RouterTest, OneStoredMixIsServedByItsKeyWithFreshLinks) {
  start();
  const HttpResponse r =
      post_upload("/mix/professional", {{"theme", "Best Of"}, {"target_duration", "90"}});
  ASSERT_EQ(r.status, 200) << r.body;
  const json result = json::parse(r.body);
  const std::string mix_path = "1779/best-of/" + result.value("mix_id", "");
  const std::string stem = "mixes/" + mix_path;
  const auto put_text = [&](const std::string& key, const std::string& text) {
    return storage_->put(key, {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()},
                         "application/json");
  };
  // A chapters file and its link beside the mix, as every stored mix has.
  ASSERT_TRUE(put_text(stem + ".chapters.json", R"({"version":"1.2.0","chapters":[]})").ok());
  json stored = json::parse(*storage_->get(stem + ".json"));
  stored["downloads"]["chapters"] = {{"url", "expired"}, {"s3_key", stem + ".chapters.json"}};
  ASSERT_TRUE(put_text(stem + ".json", stored.dump()).ok());

  const HttpResponse one = call("GET", "/mix/history/" + mix_path);
  ASSERT_EQ(one.status, 200) << one.body;
  const json reopened = json::parse(one.body);
  EXPECT_EQ(reopened.value("mix_id", ""), result.value("mix_id", ""));
  EXPECT_EQ(reopened.value("mix_key", ""), stem + ".mp3");
  const std::string chapters_url = reopened["downloads"]["chapters"].value("url", "");
  EXPECT_EQ(chapters_url.rfind("/files/" + stem + ".chapters.json?", 0), 0u) << chapters_url;

  // The chapters file is not a mix of its own in the history.
  const json listed = json::parse(call("GET", "/mix/history").body);
  EXPECT_EQ(listed.value("count", 0), 1) << listed.dump();

  for (const std::string& bad : std::vector<std::string>{
           "1779/best-of", "1779/best-of/" + result.value("mix_id", "") + "/x", "../best-of/x",
           "1779//x", "1779/best-of/x.chapters", "1779/best-of/no-such-mix"}) {
    const HttpResponse refused = call("GET", "/mix/history/" + bad);
    EXPECT_EQ(refused.status, 404) << bad;
    EXPECT_EQ(refused.body.find(dir_.string()), std::string::npos) << refused.body;
  }
}

TEST_F(RouterTest, AJobIsAcceptedAndRunsToDone) {
  start();
  const HttpResponse r =
      post_upload("/mix/jobs", {{"theme", "Best Of"}, {"target_duration", "full"}});
  ASSERT_EQ(r.status, 202) << r.body;
  const json accepted = json::parse(r.body);
  const std::string job_id = accepted.value("job_id", "");
  EXPECT_EQ(r.headers.at("Location"), "/mix/jobs/" + job_id);
  EXPECT_EQ(accepted.value("status_url", ""), "/mix/jobs/" + job_id);
  json job;
  for (int i = 0; i < 500; ++i) {
    const HttpResponse status = call("GET", "/mix/jobs/" + job_id);
    ASSERT_EQ(status.status, 200);
    job = json::parse(status.body);
    if (job.value("state", "") == "done" || job.value("state", "") == "failed") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(job.value("state", ""), "done") << job.dump();
  EXPECT_FALSE(job.contains("order"));
  EXPECT_EQ(job["result"]["mix_metadata"].value("duration_target", ""), "full");
}

TEST(HttpError, OneShapeAndOneStatusPerCode) {
  const json body = error_json(make_error(Errc::throttled, "slow down"), "sess-1");
  EXPECT_EQ(body, json::parse(R"({"status": "error", "session_id": "sess-1",
                                  "error": {"code": "throttled", "message": "slow down"}})"));
  EXPECT_EQ(error_json("deadline", "late")["session_id"], "");
  EXPECT_EQ(http_status(Errc::invalid_argument), 400);
  EXPECT_EQ(http_status(Errc::unauthorized), 401);
  EXPECT_EQ(http_status(Errc::forbidden), 403);
  EXPECT_EQ(http_status(Errc::not_found), 404);
  EXPECT_EQ(http_status(Errc::too_large), 413);
  EXPECT_EQ(http_status(Errc::not_audio), 415);
  EXPECT_EQ(http_status(Errc::undecodable), 422);
  EXPECT_EQ(http_status(Errc::throttled), 429);
  EXPECT_EQ(http_status(Errc::internal), 500);
  EXPECT_EQ(http_status(Errc::upstream_failed), 502);
  EXPECT_EQ(http_status(Errc::unavailable), 503);
  EXPECT_EQ(http_status(Errc::upstream_timeout), 504);
  EXPECT_EQ(http_status(Errc::storage_full), 507);
  // Neither a full disk nor storage that is down is the client's fault.
  EXPECT_EQ(error_response(make_error(Errc::storage_full, "full")).headers.at("Retry-After"),
            "120");
  EXPECT_EQ(error_response(make_error(Errc::unavailable, "down")).headers.at("Retry-After"), "30");
  EXPECT_EQ(error_response(make_error(Errc::invalid_argument, "bad")).headers.count("Retry-After"),
            0u);
}

}  // namespace
}  // namespace namix
