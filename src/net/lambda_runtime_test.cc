// API Gateway events -> HttpRequest and HttpResponse -> response object.
// The events follow the shapes in the API Gateway Developer Guide ("Lambda
// proxy integration input format" for REST APIs and "payload format version
// 2.0" for HTTP APIs), trimmed to the fields namix reads plus some noise.
#include "net/lambda_runtime.h"

#include <gtest/gtest.h>

#include "store/sigv4.h"

namespace namix {
namespace {

using nlohmann::json;

const char* kRestV1Event = R"({
  "resource": "/{proxy+}", "path": "/mix/history", "httpMethod": "GET",
  "headers": {"Accept": "application/json", "x-api-key": "k1", "X-Forwarded-For": "203.0.113.7"},
  "multiValueHeaders": {"Accept": ["application/json"], "X-Dup": ["a", "b"]},
  "queryStringParameters": {"episode": "12"},
  "multiValueQueryStringParameters": {"episode": ["12"]},
  "pathParameters": {"proxy": "mix/history"}, "stageVariables": null,
  "requestContext": {"resourcePath": "/{proxy+}", "httpMethod": "GET", "stage": "prod",
                     "path": "/prod/mix/history", "identity": {"sourceIp": "203.0.113.7"}},
  "body": null, "isBase64Encoded": false
})";

const char* kHttpV2Event = R"({
  "version": "2.0", "routeKey": "POST /mix/jobs", "rawPath": "/prod/mix/jobs",
  "rawQueryString": "a=1&b=x%20y", "cookies": ["c1=v1", "c2=v2"],
  "headers": {"content-type": "application/json", "x-api-key": "k2"},
  "queryStringParameters": {"a": "1", "b": "x y"},
  "requestContext": {"accountId": "123456789012", "apiId": "api-id", "stage": "prod",
                     "http": {"method": "POST", "path": "/prod/mix/jobs", "protocol": "HTTP/1.1",
                              "sourceIp": "198.51.100.4", "userAgent": "curl/8"},
                     "requestId": "id", "routeKey": "POST /mix/jobs", "timeEpoch": 1583348638390},
  "body": "eyJ0aGVtZSI6InJhbnQifQ==", "isBase64Encoded": true
})";

TEST(ApiGatewayEvent, RestV1) {
  auto converted = request_from_api_gateway_event(json::parse(kRestV1Event));
  ASSERT_TRUE(converted.ok()) << converted.error().message;
  EXPECT_EQ(converted->version, ApiGatewayVersion::rest_v1);
  const HttpRequest& r = converted->request;
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.path, "/mix/history");
  EXPECT_EQ(r.query.at("episode"), "12");
  EXPECT_EQ(r.header("X-API-KEY").value_or(""), "k1");
  EXPECT_EQ(r.header("x-dup").value_or(""), "a,b");
  EXPECT_EQ(r.remote_addr, "203.0.113.7");
  EXPECT_EQ(r.body, "");
}

TEST(ApiGatewayEvent, HttpV2StripsStageDecodesBase64AndJoinsCookies) {
  auto converted = request_from_api_gateway_event(json::parse(kHttpV2Event));
  ASSERT_TRUE(converted.ok()) << converted.error().message;
  EXPECT_EQ(converted->version, ApiGatewayVersion::http_v2);
  const HttpRequest& r = converted->request;
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.path, "/mix/jobs");
  EXPECT_EQ(r.query.at("b"), "x y");
  EXPECT_EQ(r.body, R"({"theme":"rant"})");
  EXPECT_EQ(r.header("cookie").value_or(""), "c1=v1; c2=v2");
  EXPECT_EQ(r.remote_addr, "198.51.100.4");

  json default_stage = json::parse(kHttpV2Event);
  default_stage["requestContext"]["stage"] = "$default";
  default_stage["rawPath"] = "/health";
  default_stage["isBase64Encoded"] = false;
  default_stage["body"] = "plain";
  auto plain = request_from_api_gateway_event(default_stage);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->request.path, "/health");
  EXPECT_EQ(plain->request.body, "plain");
}

// The event an EventBridge schedule rule sends (AWS EventBridge User Guide,
// "Amazon EventBridge events": scheduled events), as Lambda delivers it.
TEST(ScheduledEvent, RecognisesEventBridgeSchedulesAndAHandMadePoll) {
  const json scheduled = json::parse(R"({
    "version": "0", "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
    "detail-type": "Scheduled Event", "source": "aws.events", "account": "123456789012",
    "time": "2026-11-29T06:00:00Z", "region": "us-east-1",
    "resources": ["arn:aws:events:us-east-1:123456789012:rule/namix-prod-poll"], "detail": {}})");
  EXPECT_TRUE(is_scheduled_event(scheduled));
  EXPECT_FALSE(is_api_gateway_event(scheduled));
  EXPECT_TRUE(is_scheduled_event(json::parse(R"({"namix_poll": {}})")));
  json other = scheduled;
  other["detail-type"] = "EC2 Instance State-change Notification";
  other["source"] = "aws.ec2";
  EXPECT_FALSE(is_scheduled_event(other));
  EXPECT_FALSE(is_scheduled_event(json::parse(kHttpV2Event)));
  EXPECT_FALSE(is_scheduled_event(json::parse(R"({"namix_job": {}})")));
  EXPECT_FALSE(is_scheduled_event(json("aws.events")));
}

TEST(ApiGatewayEvent, RejectsOtherEventsAndBadBase64) {
  EXPECT_FALSE(is_api_gateway_event(json::parse(R"({"Records": []})")));
  EXPECT_FALSE(request_from_api_gateway_event(json::parse(R"({"namix_job": {}})")).ok());
  json bad = json::parse(kHttpV2Event);
  bad["body"] = "not base64!";
  auto converted = request_from_api_gateway_event(bad);
  ASSERT_FALSE(converted.ok());
  EXPECT_EQ(converted.error().code, Errc::invalid_argument);
}

TEST(ApiGatewayResponse, TextStaysTextBinaryIsBase64) {
  HttpResponse text{201, {{"Content-Type", "application/json"}}, R"({"job_id":"x"})", "", false};
  json out = api_gateway_response(text);
  EXPECT_EQ(out["statusCode"], 201);
  EXPECT_EQ(out["headers"]["Content-Type"], "application/json");
  EXPECT_EQ(out["body"], R"({"job_id":"x"})");
  EXPECT_EQ(out["isBase64Encoded"], false);

  const std::string bytes("\xff\xfb\x90\x00ID3", 7);
  HttpResponse mp3{200, {{"Content-Type", "audio/mpeg"}}, bytes, "", true};
  out = api_gateway_response(mp3);
  EXPECT_EQ(out["isBase64Encoded"], true);
  EXPECT_EQ(base64_decode(out["body"].get<std::string>()).value(), bytes);

  // Not flagged binary, but not UTF-8 either: must still be encoded.
  HttpResponse unflagged{200, {}, std::string("\xc3\x28", 2), "", false};
  EXPECT_EQ(api_gateway_response(unflagged)["isBase64Encoded"], true);
  HttpResponse utf8{200, {}, "épisode", "", false};
  EXPECT_EQ(api_gateway_response(utf8)["isBase64Encoded"], false);
}

TEST(ApiGatewayResponse, OverTheLambdaLimitBecomesA502) {
  HttpResponse big{200, {}, std::string(kLambdaMaxResponseBytes + 1, 'a'), "", false};
  json out = api_gateway_response(big);
  EXPECT_EQ(out["statusCode"], 502);
  EXPECT_NE(out["body"].get<std::string>().find("response_too_large"), std::string::npos);
}

}  // namespace
}  // namespace namix
