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
  EXPECT_EQ(lifecycle_from_xml(lifecycle_to_xml(rules)), rules);
  const auto old_style = lifecycle_from_xml(
      "<LifecycleConfiguration><Rule><ID>r</ID><Prefix>logs/</Prefix><Status>Disabled</Status>"
      "<Expiration><Days>3</Days></Expiration></Rule></LifecycleConfiguration>");
  ASSERT_EQ(old_style.size(), 1u);
  EXPECT_EQ(old_style[0].prefix, "logs/");
  EXPECT_FALSE(old_style[0].enabled);
  EXPECT_EQ(old_style[0].expiration_days, 3);
}

TEST(S3Xml, ElementsTextAndEntities) {
  const std::string xml =
      "<R><Contents><Key>a&lt;1&gt;&#233;</Key></Contents><Contents><Key/></Contents>"
      "<KeyCount>2</KeyCount></R>";
  const auto contents = s3xml::elements(xml, "Contents");
  ASSERT_EQ(contents.size(), 2u);
  EXPECT_EQ(s3xml::text(contents[0], "Key").value_or("?"), "a<1>\xC3\xA9");
  EXPECT_EQ(s3xml::text(contents[1], "Key").value_or("?"), "");
  // <Key> must not match <KeyCount>.
  EXPECT_EQ(s3xml::elements(xml, "Key").size(), 2u);
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
