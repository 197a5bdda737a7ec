// The routes of subscriptions (shows followed by their feed, each new
// episode mixed) and of the podcast feeds their mixes are published in.
// The follow stage answers them (src/follow/follow_routes.h); the router
// only checks the method and the API key and hands the request over.
#pragma once

#include <string>

#include "net/http_types.h"

namespace namix {

class FollowApi {
 public:
  virtual ~FollowApi() = default;
  // GET /subscriptions (all of them with their state), POST /subscriptions.
  virtual HttpResponse subscriptions(const HttpRequest& request) = 0;
  // GET or DELETE /subscriptions/{id}, GET /subscriptions/{id}/deliveries;
  // `rest` is what follows "/subscriptions/".
  virtual HttpResponse subscription(const HttpRequest& request, const std::string& rest) = 0;
  // GET /feeds/{subscription}/{theme slug}.xml, open to podcast apps.
  virtual HttpResponse podcast_feed(const HttpRequest& request, const std::string& rest) = 0;
  // GET /published/{subscription}/{theme slug}/{file}: the stable link of a
  // published mix, its transcript or its chapters.
  virtual HttpResponse published_file(const HttpRequest& request, const std::string& rest) = 0;
};

}  // namespace namix
