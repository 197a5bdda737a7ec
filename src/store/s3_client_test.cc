// The parts of the S3 client that need no server: addressing, error
// documents, lifecycle XML, s3:// URLs. The server side is tests/s3/.
#include "store/s3_client.h"

#include <gtest/gtest.h>

#include "store/s3_url.h"
#include "store/s3_xml.h"

namespace namix {
namespace {

S3Config example_config(std::string endpoint = "", std::string region = "us-east-1") {
  S3Config config;
  config.credentials = {"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
  config.region = std::move(region);
  config.endpoint = std::move(endpoint);
  return config;
}

TEST(S3Addressing, VirtualHostedOnAwsPathStyleOnCustomEndpoints) {
  S3Client aws(example_config("", "eu-west-1"));
  auto t = aws.target("examplebucket", "mixes/1/a b.mp3");
  EXPECT_EQ(t.base_url, "https://examplebucket.s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(t.path, "/mixes/1/a b.mp3");
  // Dotted bucket names break TLS wildcard certificates: path style.
  t = aws.target("my.bucket", "k");
  EXPECT_EQ(t.host, "s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(t.path, "/my.bucket/k");

  S3Client rgw(example_config("http://127.0.0.1:7480"));
  t = rgw.target("namix", "mixes/x.mp3");
  EXPECT_EQ(t.base_url, "http://127.0.0.1:7480");
  EXPECT_EQ(t.host, "127.0.0.1:7480");
  EXPECT_EQ(t.path, "/namix/mixes/x.mp3");
}

TEST(S3Presign, ReproducesTheS3ReferenceExampleUrl) {
  // Amazon S3 API reference, "Authenticating Requests: Using Query
  // Parameters": GET examplebucket/test.txt, 86400 s, 20130524T000000Z.
  S3Client client(example_config());
  const auto at = parse_amz_datetime("20130524T000000Z");
  ASSERT_TRUE(at.ok());
  EXPECT_EQ(client.presign_get("examplebucket", "test.txt", std::chrono::hours(24), *at),
            "https://examplebucket.s3.amazonaws.com/test.txt"
            "?X-Amz-Algorithm=AWS4-HMAC-SHA256"
            "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
            "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
            "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
}

TEST(S3Errors, ErrorDocumentBecomesTypedError) {
  const auto parsed =
      parse_s3_error(404,
                     "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>NoSuchKey</Code>"
                     "<Message>The specified key does not exist.</Message><Key>a&amp;b</Key>"
                     "<RequestId>4442587FB7D0A2F9</RequestId></Error>");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->code, "NoSuchKey");
  EXPECT_EQ(parsed->message, "The specified key does not exist.");
  EXPECT_EQ(parsed->request_id, "4442587FB7D0A2F9");
  EXPECT_EQ(parsed->errc(), Errc::not_found);
  EXPECT_FALSE(parsed->retryable());
  const Error e = parsed->to_error("GetObject b/k");
  EXPECT_EQ(e.message, "S3 GetObject b/k failed: 404 NoSuchKey: The specified key does not exist.");
  EXPECT_FALSE(parse_s3_error(200, "<ListBucketResult/>").has_value());
}

TEST(S3Errors, StatusAndCodeMapToErrc) {
  EXPECT_EQ((S3Error{0, "NetworkError", "refused", ""}.errc()), Errc::unavailable);
  EXPECT_EQ((S3Error{503, "SlowDown", "", ""}.errc()), Errc::unavailable);
  EXPECT_EQ((S3Error{500, "InternalError", "", ""}.errc()), Errc::unavailable);
  EXPECT_EQ((S3Error{400, "RequestTimeout", "", ""}.errc()), Errc::unavailable);
  EXPECT_EQ((S3Error{403, "SignatureDoesNotMatch", "", ""}.errc()), Errc::forbidden);
  EXPECT_EQ((S3Error{403, "AccessDenied", "", ""}.errc()), Errc::forbidden);
  EXPECT_EQ((S3Error{404, "NoSuchBucket", "", ""}.errc()), Errc::not_found);
  EXPECT_EQ((S3Error{400, "InvalidArgument", "", ""}.errc()), Errc::invalid_argument);
  // A store with no room: a full disk is not retried and not the caller's fault.
  for (const S3Error& full :
       {S3Error{403, "QuotaExceeded", "", ""}, S3Error{507, "XMinioStorageFull", "", ""}}) {
    EXPECT_EQ(full.errc(), Errc::storage_full) << full.code;
    EXPECT_FALSE(full.retryable()) << full.code;
  }
  EXPECT_EQ((S3Error{409, "BucketNotEmpty", "", ""}.errc()), Errc::io_error);
  EXPECT_TRUE((S3Error{0, "Timeout", "", ""}.retryable()));
  EXPECT_TRUE((S3Error{400, "Throttling", "", ""}.retryable()));
  EXPECT_FALSE((S3Error{403, "AccessDenied", "", ""}.retryable()));
}

TEST(S3Lifecycle, XmlRoundTripIncludingOlderRuleLevelPrefix) {
  const std::vector<S3LifecycleRule> rules = {
      {"temp-expires", "temp/", true, 7, 0, "", 0},
      {"mixes-to-glacier", "mixes/", true, 0, 90, "GLACIER", 0},
      {"abort-incomplete-uploads", "", true, 0, 0, "", 1},
  };
  const auto round_trip = lifecycle_from_xml(lifecycle_to_xml(rules));
  ASSERT_TRUE(round_trip.ok()) << round_trip.error().message;
  EXPECT_EQ(*round_trip, rules);
  const auto old_style = lifecycle_from_xml(
      "<LifecycleConfiguration><Rule><ID>r</ID><Prefix>logs/</Prefix><Status>Disabled</Status>"
      "<Expiration><Days>3</Days></Expiration></Rule></LifecycleConfiguration>");
  ASSERT_TRUE(old_style.ok());
  ASSERT_EQ(old_style->size(), 1u);
  EXPECT_EQ((*old_style)[0].prefix, "logs/");
  EXPECT_FALSE((*old_style)[0].enabled);
  EXPECT_EQ((*old_style)[0].expiration_days, 3);
  const auto garbage = lifecycle_from_xml("<html><body>502 Bad Gateway</html>");
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.error().code, Errc::io_error);
  EXPECT_EQ(garbage.error().message,
            "S3 GetBucketLifecycleConfiguration answered a body that is not well-formed XML "
            "(line 1, column 30: mismatched tag); check that the endpoint speaks the S3 API");
}

TEST(S3Xml, ElementsTextAndEntities) {
  const auto doc = s3xml::parse(
      "<R xmlns='http://s3.amazonaws.com/doc/2006-03-01/'><Contents><Key>a&lt;1&gt;&#233;</Key>"
      "</Contents><Contents><Key/></Contents><KeyCount>2</KeyCount><x:Key xmlns:x='urn:x'/></R>",
      "ListObjectsV2 b");
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  const auto contents = s3xml::elements(doc->root(), "Contents");
  ASSERT_EQ(contents.size(), 2u);
  EXPECT_EQ(s3xml::text(contents[0], "Key").value_or("?"), "a<1>\xC3\xA9");
  EXPECT_EQ(s3xml::text(contents[1], "Key").value_or("?"), "");
  // <Key> must match neither <KeyCount> nor a Key in another namespace.
  EXPECT_EQ(s3xml::elements(doc->root(), "Key").size(), 2u);
  EXPECT_EQ(s3xml::escape("a&<\"'>"), "a&amp;&lt;&quot;&apos;&gt;");
}

TEST(S3Url, ParsesBucketAndKeyAndRejectsBadBuckets) {
  auto location = parse_s3_url("s3://namix-mixes/prod/mixes/");
  ASSERT_TRUE(location.ok());
  EXPECT_EQ(location->bucket, "namix-mixes");
  EXPECT_EQ(location->key, "prod/mixes/");
  location = parse_s3_url("s3://namix");
  ASSERT_TRUE(location.ok());
  EXPECT_EQ(location->key, "");
  EXPECT_FALSE(parse_s3_url("s3://ab/k").ok());
  EXPECT_FALSE(parse_s3_url("s3://Upper/k").ok());
  EXPECT_FALSE(parse_s3_url("/srv/data").ok());
  EXPECT_EQ(parse_s3_url("s3://ab/k").error().code, Errc::invalid_argument);
}

}  // namespace
}  // namespace namix

// ---------------------------------------------------------------------------
// Behaviour RGW cannot be made to show on demand (errors inside a 200,
// throttling, 5xx bursts), against a loopback server that answers canned
// responses in order and records what it got.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <deque>
#include <mutex>
#include <thread>

namespace namix {
namespace {

class CannedS3Server {
 public:
  struct Canned {
    int status;  // 0: accept, then send nothing
    std::string body;
  };
  struct Received {
    std::string request_line;
    std::string headers;
    std::string body;
  };

  explicit CannedS3Server(std::deque<Canned> replies) : replies_(std::move(replies)) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    listen(fd_, 8);
    thread_ = std::thread([this] { serve(); });
  }
  ~CannedS3Server() {
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
    for (auto& t : hung_) t.join();
  }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<Received> received() {
    std::lock_guard lock(mutex_);
    return received_;
  }

 private:
  void serve() {
    while (true) {
      const int client = accept(fd_, nullptr, nullptr);
      if (client < 0) return;
      std::string data;
      char buffer[65536];
      std::size_t header_end = std::string::npos;
      std::size_t content_length = 0;
      while (true) {
        const ssize_t n = recv(client, buffer, sizeof buffer, 0);
        if (n <= 0) break;
        data.append(buffer, static_cast<std::size_t>(n));
        if (header_end == std::string::npos &&
            (header_end = data.find("\r\n\r\n")) != std::string::npos) {
          std::string lower_headers = data.substr(0, header_end);
          for (char& c : lower_headers)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          const auto at = lower_headers.find("content-length:");
          if (at != std::string::npos) content_length = std::stoul(lower_headers.substr(at + 15));
        }
        if (header_end != std::string::npos && data.size() >= header_end + 4 + content_length)
          break;
      }
      Canned reply{500,
                   "<Error><Code>InternalError</Code><Message>no canned reply</Message></Error>"};
      {
        std::lock_guard lock(mutex_);
        if (header_end != std::string::npos)
          received_.push_back({data.substr(0, data.find("\r\n")), data.substr(0, header_end),
                               data.substr(header_end + 4)});
        if (!replies_.empty()) {
          reply = replies_.front();
          replies_.pop_front();
        }
      }
      if (reply.status == 0) {  // a server that hangs: say nothing for 3 s, keep serving others
        hung_.emplace_back([client] {
          std::this_thread::sleep_for(std::chrono::seconds(3));
          close(client);
        });
        continue;
      }
      const std::string response = "HTTP/1.1 " + std::to_string(reply.status) +
                                   " X\r\nContent-Type: application/xml\r\nETag: \"e\"\r\n"
                                   "Connection: close\r\nContent-Length: " +
                                   std::to_string(reply.body.size()) + "\r\n\r\n" + reply.body;
      send(client, response.data(), response.size(), MSG_NOSIGNAL);
      close(client);
    }
  }

  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
  std::vector<std::thread> hung_;
  std::mutex mutex_;
  std::deque<Canned> replies_;
  std::vector<Received> received_;
};

S3Config canned_config(const CannedS3Server& server) {
  S3Config config = example_config(server.endpoint());
  config.retry.base_delay = std::chrono::milliseconds(1);
  config.retry.max_delay = std::chrono::milliseconds(5);
  return config;
}

const std::vector<S3UploadedPart> kTwoParts = {{1, "a"}, {2, "b"}};

TEST(S3CompleteMultipart, InternalErrorInside200IsRetried) {
  CannedS3Server server({{200,
                          "<?xml version=\"1.0\"?>\n\n<Error><Code>InternalError</Code>"
                          "<Message>We encountered an internal error.</Message></Error>"},
                         {200,
                          "<CompleteMultipartUploadResult><ETag>&quot;abc-2&quot;</ETag>"
                          "</CompleteMultipartUploadResult>"}});
  S3Client client(canned_config(server));
  auto etag = client.complete_multipart_upload("bucket", "k.mp3", "upload-1", kTwoParts);
  ASSERT_TRUE(etag.ok()) << etag.error().message;
  EXPECT_EQ(*etag, "abc-2");
  const auto got = server.received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].request_line, "POST /bucket/k.mp3?uploadId=upload-1 HTTP/1.1");
  EXPECT_NE(got[0].body.find("<PartNumber>2</PartNumber><ETag>\"b\"</ETag>"), std::string::npos);
}

TEST(S3CompleteMultipart, PermanentErrorInside200FailsAtOnce) {
  CannedS3Server server({{200,
                          "<Error><Code>InvalidPart</Code><Message>One or more of the "
                          "specified parts could not be found.</Message></Error>"}});
  S3Client client(canned_config(server));
  auto etag = client.complete_multipart_upload("bucket", "k.mp3", "upload-1", kTwoParts);
  ASSERT_FALSE(etag.ok());
  EXPECT_EQ(etag.error().message,
            "S3 CompleteMultipartUpload bucket/k.mp3 failed: 200 InvalidPart: One or more of the "
            "specified parts could not be found.");
  EXPECT_EQ(server.received().size(), 1u);
}

TEST(S3Retry, ThrottlingAnd5xxAreRetriedThenSucceed) {
  CannedS3Server server({{503,
                          "<Error><Code>SlowDown</Code><Message>Reduce your request rate."
                          "</Message></Error>"},
                         {500, "<Error><Code>InternalError</Code></Error>"},
                         {200, ""}});
  S3Client client(canned_config(server));
  const std::string body = "hello";
  auto etag = client.put_object(
      "bucket", "a b.txt",
      std::span(reinterpret_cast<const std::uint8_t*>(body.data()), body.size()), "text/plain");
  ASSERT_TRUE(etag.ok()) << etag.error().message;
  const auto got = server.received();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[2].request_line, "PUT /bucket/a%20b.txt HTTP/1.1");
  EXPECT_EQ(got[2].body, body);
  // Signed as S3 wants it: payload hash header, credential scope, region.
  EXPECT_NE(got[2].headers.find("x-amz-content-sha256: " + sha256_hex(body)), std::string::npos);
  EXPECT_NE(got[2].headers.find("Credential=AKIAIOSFODNN7EXAMPLE/"), std::string::npos);
  EXPECT_NE(got[2].headers.find("/us-east-1/s3/aws4_request"), std::string::npos);
}

TEST(S3Retry, GivesUpAfterMaxAttemptsAsUnavailable) {
  CannedS3Server server({{503, "<Error><Code>ServiceUnavailable</Code></Error>"},
                         {503, "<Error><Code>ServiceUnavailable</Code></Error>"},
                         {503, "<Error><Code>ServiceUnavailable</Code></Error>"},
                         {503, "<Error><Code>ServiceUnavailable</Code></Error>"},
                         {200, ""}});
  S3Client client(canned_config(server));
  auto got = client.get_object("bucket", "k");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code, Errc::unavailable);
  EXPECT_NE(got.error().message.find("[after 4 attempts]"), std::string::npos)
      << got.error().message;
  EXPECT_EQ(server.received().size(), 4u);
}

TEST(S3Retry, ClientErrorsAreNotRetried) {
  CannedS3Server server({{403,
                          "<Error><Code>AccessDenied</Code><Message>Access Denied</Message>"
                          "</Error>"},
                         {200, ""}});
  S3Client client(canned_config(server));
  auto got = client.get_object("bucket", "k");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code, Errc::forbidden);
  EXPECT_EQ(server.received().size(), 1u);
}

TEST(S3Retry, AStalledResponseTimesOutAndIsRetried) {
  CannedS3Server server({{0, ""}, {200, "abc"}});
  S3Config config = canned_config(server);
  config.stall_timeout = std::chrono::seconds(1);
  S3Client client(config);
  const auto t0 = std::chrono::steady_clock::now();
  auto got = client.get_object("bucket", "k");
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ(*got, "abc");
  EXPECT_EQ(server.received().size(), 2u);
  EXPECT_GE(seconds, 0.9);  // the stall timeout, not the server's 3 s hang
  EXPECT_LT(seconds, 2.9);
}

}  // namespace
}  // namespace namix
