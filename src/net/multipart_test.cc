#include "net/multipart.h"

#include <gtest/gtest.h>

namespace namix {
namespace {

TEST(Multipart, ParsesFieldsAndFiles) {
  const std::string boundary = "----WebKitFormBoundaryX3";
  // Layout as curl -F sends it (RFC 7578 §4.1), with a binary file holding CR/LF.
  const std::string file_bytes = std::string("ID3\x03\0\r\n--not-the-boundary\r\n", 28);
  const std::string body =
      "preamble\r\n--" + boundary +
      "\r\nContent-Disposition: form-data; name=\"theme\"\r\n\r\nBest Of\r\n--" + boundary +
      "\r\nContent-Disposition: form-data; name=\"file\"; "
      "filename=\"NA-1779; final.mp3\"\r\nContent-Type: audio/mpeg\r\n\r\n" +
      file_bytes + "\r\n--" + boundary + "--\r\n";
  auto ct = multipart_boundary("multipart/form-data; boundary=" + boundary);
  ASSERT_TRUE(ct.has_value());
  EXPECT_EQ(*ct, boundary);
  auto parts = parse_multipart(body, *ct);
  ASSERT_TRUE(parts.ok()) << parts.error().message;
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].name, "theme");
  EXPECT_EQ((*parts)[0].data, "Best Of");
  EXPECT_FALSE((*parts)[0].filename.has_value());
  EXPECT_EQ((*parts)[1].name, "file");
  EXPECT_EQ((*parts)[1].filename.value_or(""), "NA-1779; final.mp3");
  EXPECT_EQ((*parts)[1].content_type, "audio/mpeg");
  EXPECT_EQ((*parts)[1].data, file_bytes);
}

TEST(Multipart, QuotedBoundaryAndOtherTypes) {
  EXPECT_EQ(multipart_boundary("Multipart/Form-Data; boundary=\"a b\"").value_or(""), "a b");
  EXPECT_FALSE(multipart_boundary("application/json").has_value());
  EXPECT_FALSE(multipart_boundary("multipart/form-data").has_value());
}

TEST(Multipart, RefusesTruncatedBodies) {
  EXPECT_FALSE(
      parse_multipart("--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nabc", "b").ok());
  EXPECT_FALSE(parse_multipart("no boundary here", "b").ok());
  EXPECT_FALSE(parse_multipart("--b\r\nContent-Disposition: form-data; name=\"x\"", "b").ok());
  auto empty = parse_multipart("--b--\r\n", "b");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

}  // namespace
}  // namespace namix
