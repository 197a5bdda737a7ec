// fetch_document() against a real HTTP server on a loopback port
// (cpp-httplib, the library namix serve uses): redirects, conditional GET,
// size caps, the address policy, timeouts and error statuses.
#include <httplib.h>

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "net/fetch.h"

namespace namix {
namespace {

constexpr const char* kFeed =
    "<?xml version='1.0'?><rss version='2.0'><channel><title>T</title></channel></rss>";
constexpr const char* kEtag = "\"v1-abc\"";
constexpr const char* kLastModified = "Sun, 12 Nov 2023 21:41:17 GMT";

class DocumentServer : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Get("/feed.xml", [](const httplib::Request& req, httplib::Response& res) {
      if (req.get_header_value("If-None-Match") == kEtag ||
          req.get_header_value("If-Modified-Since") == kLastModified) {
        res.status = 304;
        return;
      }
      res.set_header("ETag", kEtag);
      res.set_header("Last-Modified", kLastModified);
      res.set_content(kFeed, "application/rss+xml; charset=utf-8");
    });
    server_.Get("/moved", [](const httplib::Request&, httplib::Response& res) {
      res.set_redirect("/feed.xml", 301);
    });
    server_.Get("/loop", [](const httplib::Request&, httplib::Response& res) {
      res.set_redirect("/loop", 302);
    });
    server_.Get("/to-file", [](const httplib::Request&, httplib::Response& res) {
      res.set_redirect("file:///etc/passwd", 302);
    });
    server_.Post("/hook", [this](const httplib::Request& req, httplib::Response& res) {
      posted_body_ = req.body;
      posted_signature_ = req.get_header_value("X-Test-Signature");
      res.status = 204;
    });
    server_.Post("/hook-down", [](const httplib::Request&, httplib::Response& res) {
      res.status = 503;
      res.set_content(std::string(200 * 1024, 'x'), "text/plain");
    });
    server_.Post("/hook-moved", [](const httplib::Request&, httplib::Response& res) {
      res.set_redirect("/hook", 307);
    });
    server_.Get("/missing", [](const httplib::Request&, httplib::Response& res) {
      res.status = 404;
      res.set_content("not here", "text/plain");
    });
    server_.Get("/empty", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("", "application/rss+xml");
    });
    server_.Get("/slow", [](const httplib::Request&, httplib::Response& res) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2500));
      res.set_content(kFeed, "application/rss+xml");
    });
    server_.Get(R"(/bytes/(\d+))", [](const httplib::Request& req, httplib::Response& res) {
      const std::size_t n = std::stoull(req.matches[1]);
      // Streamed without a Content-Length, so the cap must hold while reading.
      res.set_chunked_content_provider(
          "text/plain", [n, sent = std::size_t{0}](std::size_t, httplib::DataSink& sink) mutable {
            const std::string block(64 * 1024, 'x');
            if (sent >= n) {
              sink.done();
              return true;
            }
            const std::size_t k = std::min(block.size(), n - sent);
            sent += k;
            return sink.write(block.data(), k);
          });
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() does nothing to a server whose accept loop has not started yet.
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    options_.allow_private_urls = true;
  }
  std::string posted_body_;
  std::string posted_signature_;
  void TearDown() override {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }

  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  Result<FetchedDocument> fetch(const std::string& path, DocumentKind kind = DocumentKind::feed) {
    DocumentRequest request;
    request.url = url(path);
    request.kind = kind;
    return fetch_document(request, options_);
  }

  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  FetchOptions options_;
};

TEST_F(DocumentServer, ReturnsTheBodyAndItsValidators) {
  auto doc = fetch("/feed.xml");
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  EXPECT_FALSE(doc->not_modified);
  EXPECT_EQ(doc->body, kFeed);
  EXPECT_EQ(doc->content_type, "application/rss+xml; charset=utf-8");
  EXPECT_EQ(doc->etag, kEtag);
  EXPECT_EQ(doc->last_modified, kLastModified);
  EXPECT_EQ(doc->report.final_url, url("/feed.xml"));
  EXPECT_EQ(doc->report.peer_address, "127.0.0.1");
  EXPECT_EQ(doc->report.bytes, std::string(kFeed).size());
  EXPECT_EQ(doc->report.redirects, 0);
}

TEST_F(DocumentServer, FollowsRedirectsAndReportsTheFinalUrl) {
  auto doc = fetch("/moved");
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  EXPECT_EQ(doc->body, kFeed);
  EXPECT_EQ(doc->report.final_url, url("/feed.xml"));
  EXPECT_EQ(doc->report.redirects, 1);

  auto loop = fetch("/loop");
  ASSERT_FALSE(loop.ok());
  EXPECT_EQ(loop.error().code, Errc::upstream_failed);
  EXPECT_EQ(loop.error().message, "the feed URL redirected more than 5 times; send the final link");

  auto file = fetch("/to-file");
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.error().code, Errc::forbidden);
  EXPECT_EQ(file.error().message,
            "the feed server redirected to a file URL; only http(s) is followed");
}

TEST_F(DocumentServer, ConditionalGetReportsNotModified) {
  DocumentRequest request;
  request.url = url("/moved");
  request.if_none_match = kEtag;
  auto doc = fetch_document(request, options_);
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  EXPECT_TRUE(doc->not_modified);
  EXPECT_TRUE(doc->body.empty());
  EXPECT_EQ(doc->report.final_url, url("/feed.xml"));

  request.if_none_match = "\"stale\"";
  doc = fetch_document(request, options_);
  ASSERT_TRUE(doc.ok());
  EXPECT_FALSE(doc->not_modified);
  EXPECT_EQ(doc->body, kFeed);

  request.if_none_match.clear();
  request.if_modified_since = kLastModified;
  doc = fetch_document(request, options_);
  ASSERT_TRUE(doc.ok());
  EXPECT_TRUE(doc->not_modified);
}

TEST_F(DocumentServer, CapsSizeByKind) {
  // 21 MiB: a feed may be that large, a transcript may not.
  const std::string path = "/bytes/" + std::to_string(21u << 20);
  auto feed = fetch(path, DocumentKind::feed);
  ASSERT_TRUE(feed.ok()) << feed.error().message;
  EXPECT_EQ(feed->body.size(), 21u << 20);

  auto transcript = fetch(path, DocumentKind::transcript);
  ASSERT_FALSE(transcript.ok());
  EXPECT_EQ(transcript.error().code, Errc::too_large);
  EXPECT_EQ(transcript.error().message,
            "the transcript is larger than the 20 MiB download limit; mix without it, or give a "
            "smaller file");

  auto huge_feed = fetch("/bytes/" + std::to_string(50'000'000), DocumentKind::feed);
  ASSERT_FALSE(huge_feed.ok());
  EXPECT_EQ(huge_feed.error().code, Errc::too_large);
  EXPECT_EQ(huge_feed.error().message,
            "the feed is larger than the 32 MiB download limit; give the episode's URL instead");

  // The operator's smaller cap wins.
  options_.max_bytes = 1 << 20;
  auto chapters = fetch("/bytes/" + std::to_string(2u << 20), DocumentKind::chapters);
  ASSERT_FALSE(chapters.ok());
  EXPECT_EQ(chapters.error().code, Errc::too_large);
}

TEST_F(DocumentServer, RefusesLoopbackUnlessPrivateUrlsAreAllowed) {
  options_.allow_private_urls = false;
  auto doc = fetch("/feed.xml");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.error().code, Errc::forbidden);
  EXPECT_EQ(doc.error().message,
            "refusing to fetch the feed: 127.0.0.1 is a loopback address (private and internal "
            "addresses are refused; the operator can allow them with --allow-private-urls)");
}

TEST_F(DocumentServer, NamesErrorStatusesEmptyBodiesAndBadUrls) {
  auto missing = fetch("/missing", DocumentKind::chapters);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, Errc::upstream_failed);
  EXPECT_EQ(missing.error().message,
            "the chapters server answered HTTP 404 for " + url("/missing") + "; check the URL");

  auto empty = fetch("/empty");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, Errc::upstream_failed);
  EXPECT_EQ(empty.error().message, "the feed URL returned an empty body");

  // A document is never sniffed for audio: a text body is fine.
  EXPECT_TRUE(fetch("/bytes/10", DocumentKind::transcript).ok());

  DocumentRequest request;
  request.url = "file:///etc/passwd";
  auto file = fetch_document(request, options_);
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.error().code, Errc::invalid_argument);
  EXPECT_EQ(file.error().message,
            "the feed URL uses the file:// scheme; only http:// and https:// are fetched");
  request.url = "feeds.example.com/rss";
  EXPECT_EQ(fetch_document(request, options_).error().code, Errc::invalid_argument);
}

TEST_F(DocumentServer, TimesOut) {
  options_.total_timeout = std::chrono::milliseconds(800);
  const auto started = std::chrono::steady_clock::now();
  auto doc = fetch("/slow");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.error().code, Errc::upstream_timeout);
  EXPECT_EQ(doc.error().message.rfind("the feed server did not answer in time", 0), 0u)
      << doc.error().message;
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(2000));
}

TEST_F(DocumentServer, PostsAWebhookAndReportsTheReceiversStatus) {
  PostRequest post{url("/hook"), R"({"event":"mix.finished"})", {"X-Test-Signature: t=1,v1=ab"}};
  auto reply = post_to_url(post, options_);
  ASSERT_TRUE(reply.ok()) << reply.error().message;
  EXPECT_EQ(reply->status, 204);
  EXPECT_EQ(posted_body_, post.body);
  EXPECT_EQ(posted_signature_, "t=1,v1=ab");

  // An error status, with a large body, is a reply and not an error.
  post.url = url("/hook-down");
  reply = post_to_url(post, options_);
  ASSERT_TRUE(reply.ok()) << reply.error().message;
  EXPECT_EQ(reply->status, 503);
  // Redirects are not followed: the receiver answers where it is.
  post.url = url("/hook-moved");
  reply = post_to_url(post, options_);
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->status, 307);
}

TEST_F(DocumentServer, WebhooksObeyTheAddressPolicy) {
  FetchOptions strict;
  auto refused = post_to_url({url("/hook"), "{}", {}}, strict);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, Errc::forbidden);
  EXPECT_TRUE(posted_body_.empty()) << "nothing may reach a refused address";
  auto bad = post_to_url({"ftp://example.com/x", "{}", {}}, options_);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, Errc::invalid_argument);
  // Nothing listens on the port after the server stops: no status at all.
  const std::string gone = url("/hook");
  server_.stop();
  thread_.join();
  auto down = post_to_url({gone, "{}", {}}, options_);
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.error().code, Errc::upstream_failed);
}

}  // namespace
}  // namespace namix
