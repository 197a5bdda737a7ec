#include "follow/follow_routes.h"

#include <algorithm>

#include "net/http_error.h"
#include "store/sigv4.h"

namespace namix {
namespace {

using nlohmann::json;

// The published files redirect to a download link made for each request;
// an hour is long enough to fetch an episode over a slow connection.
constexpr std::chrono::seconds kRedirectLinkTtl{3600};
constexpr std::size_t kMaxSubscriptionBytes = 64 * 1024;
constexpr std::size_t kDeliveriesShown = 50;

Error no_subscription(const std::string& id) {
  return make_error(Errc::not_found,
                    "no subscription '" + id.substr(0, 60) + "' (GET /subscriptions lists them)");
}

// "a/b/c" -> {"a", "b", "c"}.
std::vector<std::string> path_parts(const std::string& rest) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= rest.size()) {
    const std::size_t end = std::min(rest.find('/', start), rest.size());
    parts.push_back(rest.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

}  // namespace

FollowRoutes::FollowRoutes(Follower& follower, SubscriptionBook& book, WebhookCourier& courier,
                           Storage& storage)
    : follower_(follower), book_(book), courier_(courier), storage_(storage) {}

PublishedLinks FollowRoutes::links_for(const HttpRequest& request) const {
  PublishedLinks links = follower_.links();
  if (links.server_base.empty()) {
    const std::string proto = request.header("x-forwarded-proto").value_or("http");
    links.server_base =
        (proto == "https" ? "https://" : "http://") + request.header("host").value_or("localhost");
  }
  return links;
}

HttpResponse FollowRoutes::subscriptions(const HttpRequest& request) {
  if (request.method == "POST") {
    if (request.body.size() > kMaxSubscriptionBytes)
      return error_response(
          make_error(Errc::too_large, "a subscription is at most 64 KiB of JSON"));
    const json fields = json::parse(request.body, nullptr, false);
    if (fields.is_discarded())
      return error_response(make_error(Errc::invalid_argument,
                                       "the body is not JSON; send {\"id\", \"feed_url\", "
                                       "\"outputs\": [{\"theme\", \"duration\"}]}"));
    auto added = book_.add(fields);
    if (!added) return error_response(added.error());
    follower_.poke();
    auto shown = follower_.describe(*added);
    if (!shown) return error_response(shown.error());
    HttpResponse r = json_response(201, {{"status", "success"}, {"subscription", *shown}});
    r.headers["Location"] = "/subscriptions/" + added->id;
    return r;
  }
  json list = json::array();
  for (const Subscription& s : book_.all()) {
    auto shown = follower_.describe(s);
    if (!shown) return error_response(shown.error());
    list.push_back(std::move(*shown));
  }
  return json_response(200,
                       {{"status", "success"}, {"count", list.size()}, {"subscriptions", list}});
}

HttpResponse FollowRoutes::subscription(const HttpRequest& request, const std::string& rest) {
  const auto parts = path_parts(rest);
  const std::string& id = parts[0];
  auto s = book_.find(id);
  if (!s) return error_response(no_subscription(id));
  if (parts.size() == 2 && parts[1] == "deliveries") {
    if (request.method == "DELETE")
      return error_response(
          make_error(Errc::invalid_argument, "the delivery log cannot be deleted"), "", 405);
    auto log = courier_.log(id, kDeliveriesShown);
    if (!log) return error_response(log.error());
    return json_response(200, {{"status", "success"}, {"subscription", id}, {"deliveries", *log}});
  }
  if (parts.size() != 1)
    return error_response(make_error(Errc::not_found, "no route " + request.path));
  if (request.method == "DELETE") {
    if (auto removed = book_.remove(id); !removed) return error_response(removed.error());
    (void)follower_.forget(id);
    return json_response(200, {{"status", "deleted"}, {"id", id}});
  }
  auto shown = follower_.describe(*s);
  if (!shown) return error_response(shown.error());
  return json_response(200, {{"status", "success"}, {"subscription", *shown}});
}

HttpResponse FollowRoutes::podcast_feed(const HttpRequest& request, const std::string& rest) {
  const auto parts = path_parts(rest);
  const auto refuse = [&] {
    return error_response(make_error(
        Errc::not_found, "no podcast feed at " + request.path.substr(0, 120) +
                             " (GET /subscriptions lists each output's podcast_feed_url)"));
  };
  if (parts.size() != 2 || parts[1].size() <= 4 || parts[1].substr(parts[1].size() - 4) != ".xml")
    return refuse();
  auto s = book_.find(parts[0]);
  if (!s) return refuse();
  const SubscriptionOutput* output = s->output(parts[1].substr(0, parts[1].size() - 4));
  if (output == nullptr) return refuse();
  auto state = follower_.poll_state(s->id);
  if (!state) return error_response(state.error());
  auto mixes = follower_.feeds().list(s->id, output->theme->slug);
  if (!mixes) return error_response(mixes.error());
  // The newest mix dates the feed, so an unchanged feed is byte for byte the
  // same and apps polling it get 304s.
  std::int64_t newest_ms = mixes->empty() ? state->last_success_ms : 0;
  for (const PublishedMix& m : *mixes) newest_ms = std::max(newest_ms, m.mixed_ms);
  const std::string xml =
      render_podcast_feed(*s, *output, state->channel, *mixes, links_for(request),
                          std::chrono::sys_seconds(std::chrono::seconds(newest_ms / 1000)));
  const std::string etag = "\"" + sha256_hex(xml).substr(0, 32) + "\"";
  HttpResponse r;
  r.headers["ETag"] = etag;
  r.headers["Cache-Control"] = "public, max-age=60";
  if (request.header("if-none-match").value_or("") == etag) {
    r.status = 304;
    return r;
  }
  r.status = 200;
  r.headers["Content-Type"] = "application/rss+xml; charset=utf-8";
  r.body = xml;
  return r;
}

HttpResponse FollowRoutes::published_file(const HttpRequest& request, const std::string& rest) {
  const auto parts = path_parts(rest);
  const auto refuse = [&] {
    return error_response(
        make_error(Errc::not_found, "nothing is published at " + request.path.substr(0, 160)));
  };
  if (parts.size() != 3) return refuse();
  auto s = book_.find(parts[0]);
  if (!s || s->output(parts[1]) == nullptr) return refuse();
  auto mixes = follower_.feeds().list(s->id, parts[1]);
  if (!mixes) return error_response(mixes.error());
  auto key = published_file_key(*mixes, parts[2]);
  if (!key) return error_response(key.error());
  auto url = storage_.download_url(*key, kRedirectLinkTtl);
  if (!url) return error_response(url.error());
  HttpResponse r;
  r.status = 302;
  r.headers["Location"] = *url;
  r.headers["Cache-Control"] = "no-store";
  return r;
}

}  // namespace namix
