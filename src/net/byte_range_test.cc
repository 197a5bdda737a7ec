// Range requests, against RFC 9110 §14.1.2's examples (a representation of
// 10000 bytes) and the cases a hostile client sends.
#include "net/byte_range.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>

namespace namix {
namespace {

struct Case {
  const char* header;
  int status;
  std::uint64_t first_byte;
  std::uint64_t length_bytes;
};

void expect(const Case& c, std::uint64_t size_bytes) {
  const RangeAnswer a = answer_range(c.header, size_bytes);
  EXPECT_EQ(a.status, c.status) << c.header << " of " << size_bytes;
  if (a.status == 206 && c.status == 206) {
    EXPECT_EQ(a.first_byte, c.first_byte) << c.header;
    EXPECT_EQ(a.length_bytes, c.length_bytes) << c.header;
  }
}

TEST(ByteRange, TheRfcsExamples) {
  // §14.1.2, for a 10000-byte representation.
  for (const Case& c : {Case{"bytes=0-499", 206, 0, 500}, Case{"bytes=500-999", 206, 500, 500},
                        Case{"bytes=-500", 206, 9500, 500}, Case{"bytes=9500-", 206, 9500, 500},
                        Case{"bytes=0-0", 206, 0, 1}, Case{"bytes=-1", 206, 9999, 1},
                        Case{"bytes=9999-", 206, 9999, 1}}) {
    expect(c, 10000);
  }
}

TEST(ByteRange, RangesPastTheEndAreClamped) {
  const std::uint64_t size = 1196702;  // the mix the hostile run used
  expect({"bytes=0-99999999", 206, 0, size}, size);
  expect({"bytes=100-18446744073709551615", 206, 100, size - 100}, size);
  expect({"bytes=0-99999999999999999999999999", 206, 0, size}, size);  // past 64 bits
  expect({"bytes=-99999999", 206, 0, size}, size);  // a suffix longer than the file: all of it
}

TEST(ByteRange, NothingSatisfiableIs416) {
  expect({"bytes=-0", 416, 0, 0}, 1196702);  // a suffix of no bytes
  expect({"bytes=1196702-", 416, 0, 0}, 1196702);
  expect({"bytes=99999999-", 416, 0, 0}, 1196702);
  expect({"bytes=99999999999999999999999999-", 416, 0, 0}, 1196702);
}

TEST(ByteRange, MalformedOrOtherUnitsAreIgnored) {
  for (const char* header :
       {"", "bytes", "bytes=", "bytes=-", "bytes=abc", "bytes=5-3", "bytes=1-2-3", "bytes=+1-2",
        "bytes=0x10-", "bytes = 0-5", "items=0-5", "bytes=0-5;x", "bytes=\xff-", "=0-5"}) {
    expect({header, 200, 0, 0}, 10000);
  }
  expect({"BYTES=0-4", 206, 0, 5}, 10000);      // the unit is case-insensitive
  expect({"bytes= 0-4 , ", 206, 0, 5}, 10000);  // list whitespace, empty elements
}

TEST(ByteRange, MoreThanOneRangeIsIgnored) {
  // Overlapping parts would send a file many times over for a short header.
  for (const char* header : {"bytes=0-,0-,0-", "bytes=0-1,2-3", "bytes=0-0,-1", "bytes=-0,-0"}) {
    expect({header, 200, 0, 0}, 10000);
  }
}

TEST(ByteRange, AnEmptyFileIsSentWhole) { expect({"bytes=0-", 200, 0, 0}, 0); }

class ApplyRange : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    file_ = std::filesystem::temp_directory_path() /
            ("namix_byte_range_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::ofstream(file_, std::ios::binary) << std::string(1000, 'x');
  }
  void TearDown() override { std::filesystem::remove(file_); }

  HttpResponse answer(const std::string& method, HeaderMap headers) {
    HttpRequest request;
    request.method = method;
    request.headers = std::move(headers);
    HttpResponse response;
    response.body_file = file_.string();
    response.headers["Content-Length"] = "1000";
    apply_range_request(request, response);
    return response;
  }

  std::filesystem::path file_;
};

TEST_F(ApplyRange, APartIs206WithItsRangeAndLength) {
  const HttpResponse r = answer("GET", {{"Range", "bytes=0-99999999"}});
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(r.headers.at("Content-Range"), "bytes 0-999/1000");
  EXPECT_EQ(r.headers.at("Content-Length"), "1000");
  EXPECT_EQ(r.body_file_offset, 0u);
  EXPECT_EQ(r.body_file_length, 1000u);
  const HttpResponse tail = answer("GET", {{"range", "bytes=-10"}});
  EXPECT_EQ(tail.headers.at("Content-Range"), "bytes 990-999/1000");
  EXPECT_EQ(tail.headers.at("Content-Length"), "10");
  EXPECT_EQ(tail.body_file_offset, 990u);
  EXPECT_EQ(tail.headers.at("Accept-Ranges"), "bytes");
}

TEST_F(ApplyRange, Unsatisfiable416SaysTheLengthOnce) {
  const HttpResponse r = answer("GET", {{"Range", "bytes=-0"}});
  EXPECT_EQ(r.status, 416);
  EXPECT_EQ(r.headers.at("Content-Range"), "bytes */1000");
  EXPECT_TRUE(r.body_file.empty());
  EXPECT_NE(r.body.find("1000 bytes"), std::string::npos) << r.body;
}

TEST_F(ApplyRange, HeadAndStaleIfRangeGetTheWholeFile) {
  const HttpResponse head = answer("HEAD", {{"Range", "bytes=0-9"}});
  EXPECT_EQ(head.status, 200);
  EXPECT_FALSE(head.headers.count("Content-Range"));
  EXPECT_FALSE(head.body_file_length.has_value());
  const std::string modified = head.headers.at("Last-Modified");
  EXPECT_EQ(modified.substr(modified.size() - 4), " GMT");
  const HttpResponse stale =
      answer("GET", {{"Range", "bytes=0-9"}, {"If-Range", "Sun, 06 Nov 1994 08:49:37 GMT"}});
  EXPECT_EQ(stale.status, 200);
  const HttpResponse etag = answer("GET", {{"Range", "bytes=0-9"}, {"If-Range", "\"abc\""}});
  EXPECT_EQ(etag.status, 200);
  const HttpResponse same = answer("GET", {{"Range", "bytes=0-9"}, {"If-Range", modified}});
  EXPECT_EQ(same.status, 206);
}

}  // namespace
}  // namespace namix
