#include "feed/media_url.h"

#include <algorithm>

#include <gtest/gtest.h>

namespace namix {
namespace {

TEST(ResolveUrl, FollowsRfc3986) {
  // RFC 3986 section 5.4.1 examples, base http://a/b/c/d;p?q.
  const std::string base = "http://a/b/c/d;p?q";
  EXPECT_EQ(resolve_url(base, "g"), "http://a/b/c/g");
  EXPECT_EQ(resolve_url(base, "./g"), "http://a/b/c/g");
  EXPECT_EQ(resolve_url(base, "/g"), "http://a/g");
  EXPECT_EQ(resolve_url(base, "//g"), "http://g/");
  EXPECT_EQ(resolve_url(base, "../../g"), "http://a/g");
  EXPECT_EQ(resolve_url(base, "g?y"), "http://a/b/c/g?y");
  EXPECT_EQ(resolve_url("https://feeds.example.com/show/rss.xml", "ep 1.mp3"),
            "https://feeds.example.com/show/ep%201.mp3");
  EXPECT_EQ(resolve_url("https://x.example/", " https://cdn.example/a.mp3 "),
            "https://cdn.example/a.mp3");
  // Found by fuzz/rss_feed_fuzzer.cc: libcurl decoded a percent-encoded
  // host of the base into a byte that is no UTF-8; the URL keeps it encoded.
  const std::string odd = resolve_url("https:/%cd/", "c");
  EXPECT_TRUE(std::all_of(odd.begin(), odd.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x80;
  })) << odd;
  // Without a usable base a relative reference stays what it is.
  EXPECT_EQ(resolve_url("", "ep.mp3"), "ep.mp3");
  EXPECT_EQ(resolve_url("not a url", "ep.mp3"), "ep.mp3");
}

TEST(UrlFileName, IsThePathsLastSegmentBehindAnyPrefix) {
  EXPECT_EQ(url_file_name("https://host.example/shows/NA-1779.mp3?token=a/b#t=3"), "NA-1779.mp3");
  EXPECT_EQ(url_file_name("https://op3.dev/e/https://host.example/ep.mp3"), "ep.mp3");
  EXPECT_EQ(url_file_name("https://dts.podtrac.com/redirect.mp3/host.example/a/ep2.mp3"),
            "ep2.mp3");
  EXPECT_EQ(url_file_name("https://host.example/"), "");
  EXPECT_EQ(url_file_name("https://host.example"), "");
  EXPECT_EQ(url_file_name("https://host.example?x=/y.mp3"), "");
}

TEST(MeasurementPrefixes, AreRecognisedAndChainsUnwound) {
  EXPECT_EQ(strip_measurement_prefixes("https://op3.dev/e/https://host.example/ep.mp3"),
            "https://host.example/ep.mp3");
  EXPECT_EQ(strip_measurement_prefixes("https://op3.dev/e/host.example/ep.mp3"),
            "https://host.example/ep.mp3");
  EXPECT_EQ(strip_measurement_prefixes("https://op3.dev/e,pg=8c5a7e2b/host.example/a/ep.mp3?x=1"),
            "https://host.example/a/ep.mp3?x=1");
  EXPECT_EQ(strip_measurement_prefixes("https://dts.podtrac.com/redirect.mp3/host.example/ep.mp3"),
            "https://host.example/ep.mp3");
  EXPECT_EQ(strip_measurement_prefixes(
                "http://www.podtrac.com/pts/redirect.mp3/http:/host.example/ep.mp3"),
            "http://host.example/ep.mp3");
  EXPECT_EQ(strip_measurement_prefixes("https://chtbl.com/track/A1B2C/traffic.example.fm/ep.mp3"),
            "https://traffic.example.fm/ep.mp3");
  EXPECT_EQ(
      strip_measurement_prefixes("https://pdst.fm/e/chrt.fm/track/XYZ/dts.podtrac.com/redirect.m4a/"
                                 "cdn.example.net/show/ep.m4a"),
      "https://cdn.example.net/show/ep.m4a");
  // Not a measurement host, or one with no URL in its path: unchanged.
  EXPECT_EQ(strip_measurement_prefixes("https://host.example/e/other.example/ep.mp3"),
            "https://host.example/e/other.example/ep.mp3");
  EXPECT_EQ(strip_measurement_prefixes("https://op3.dev/api/docs"), "https://op3.dev/api/docs");
  EXPECT_EQ(strip_measurement_prefixes("https://notop3.dev/e/host.example/ep.mp3"),
            "https://notop3.dev/e/host.example/ep.mp3");
}

}  // namespace
}  // namespace namix
