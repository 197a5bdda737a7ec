// The HTTP routes of the follow stage, behind the router's method and key
// checks (net/follow_api.h): subscriptions (list, add, show, delete, the
// webhook delivery log), the published podcast feeds and their files.
#pragma once

#include <string>

#include "follow/follower.h"
#include "follow/subscription_book.h"
#include "follow/webhooks.h"
#include "net/follow_api.h"
#include "store/storage.h"

namespace namix {

class FollowRoutes final : public FollowApi {
 public:
  FollowRoutes(Follower& follower, SubscriptionBook& book, WebhookCourier& courier,
               Storage& storage);

  HttpResponse subscriptions(const HttpRequest& request) override;
  HttpResponse subscription(const HttpRequest& request, const std::string& rest) override;
  HttpResponse podcast_feed(const HttpRequest& request, const std::string& rest) override;
  HttpResponse published_file(const HttpRequest& request, const std::string& rest) override;

 private:
  // The links of feeds and files: the configured ones, else this request's host.
  PublishedLinks links_for(const HttpRequest& request) const;

  Follower& follower_;
  SubscriptionBook& book_;
  WebhookCourier& courier_;
  Storage& storage_;
};

}  // namespace namix
