#include "net/body_framing.h"

#include <gtest/gtest.h>

namespace namix {
namespace {

using Kind = BodyFraming::Kind;

TEST(BodyFraming, NoLengthAndNoCodingIsNoBody) {
  auto f = body_framing({}, {});
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->kind, Kind::none);
}

TEST(BodyFraming, ALengthIsANumberOfBytes) {
  for (const auto& [value, bytes] : std::vector<std::pair<std::string, std::uint64_t>>{
           {"0", 0},
           {"1234", 1234},
           {" 42 ", 42},
           {"007", 7},
           {"999999999999999999", 999999999999999999}}) {
    auto f = body_framing({value}, {});
    ASSERT_TRUE(f.ok()) << value;
    EXPECT_EQ(f->kind, Kind::length);
    EXPECT_EQ(f->length_bytes, bytes) << value;
  }
  // The same length repeated, as a list or as fields, is one length (RFC 9110 §8.6).
  auto repeated = body_framing({"5, 5", "5"}, {});
  ASSERT_TRUE(repeated.ok());
  EXPECT_EQ(repeated->length_bytes, 5u);
}

TEST(BodyFraming, ALengthThatIsNotOneNumberIs400) {
  for (const std::vector<std::string>& values :
       std::vector<std::vector<std::string>>{{"-1"},
                                             {"+5"},
                                             {"1e3"},
                                             {"0x10"},
                                             {""},
                                             {" "},
                                             {"5 5"},
                                             {"18446744073709551616"},
                                             {"9999999999999999999"},
                                             {"5", "7"},
                                             {"5, 6"}}) {
    auto f = body_framing(values, {});
    ASSERT_FALSE(f.ok()) << values.front();
    EXPECT_EQ(f.error().code, Errc::invalid_argument);
    EXPECT_NE(f.error().message.find("Content-Length"), std::string::npos);
  }
}

TEST(BodyFraming, ChunkedAloneIsChunked) {
  for (const char* coding : {"chunked", "Chunked", " chunked "}) {
    auto f = body_framing({}, {coding});
    ASSERT_TRUE(f.ok()) << coding;
    EXPECT_EQ(f->kind, Kind::chunked) << coding;
  }
  for (const std::vector<std::string>& codings : std::vector<std::vector<std::string>>{
           {"gzip"}, {"gzip, chunked"}, {"chunked", "chunked"}, {""}}) {
    auto f = body_framing({}, codings);
    ASSERT_TRUE(f.ok());
    EXPECT_EQ(f->kind, Kind::unsupported_coding) << codings.front();
  }
}

TEST(BodyFraming, LengthBesideTransferEncodingIs400) {
  auto f = body_framing({"5"}, {"chunked"});
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().code, Errc::invalid_argument);
}

}  // namespace
}  // namespace namix
