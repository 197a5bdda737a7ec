// S3's XML responses through the calls the S3 client reads them with: the
// XML reader (s3xml::parse over core/xml_document), error documents,
// lifecycle configurations, and the element and text lookups of list,
// multipart-upload and copy responses.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/utf8.h"
#include "fuzz/fuzz_check.h"
#include "store/s3_client.h"
#include "store/s3_xml.h"

namespace {

bool xml_can_carry(std::string_view text) {
  if (!namix::valid_utf8(text)) return false;
  for (const char c : text) {
    // Control characters are not XML 1.0 characters; a reader turns CR into LF.
    if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n') return false;
  }
  // Nor are U+FFFE and U+FFFF (XML 1.0 §2.2), which libxml2 refuses.
  return text.find("\xEF\xBF\xBE") == std::string_view::npos &&
         text.find("\xEF\xBF\xBF") == std::string_view::npos;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view xml(reinterpret_cast<const char*>(data), size);
  namespace s3xml = namix::s3xml;

  (void)namix::parse_s3_error(size > 0 ? 400 + data[0] % 200 : 500, xml);

  // What the writer makes of any rules the reader found, the reader reads
  // back as written.
  if (auto rules = namix::lifecycle_from_xml(xml); rules.ok()) {
    auto written = namix::lifecycle_from_xml(namix::lifecycle_to_xml(*rules));
    NAMIX_FUZZ_CHECK(written.ok());
    auto again = namix::lifecycle_from_xml(namix::lifecycle_to_xml(*written));
    NAMIX_FUZZ_CHECK(again.ok() && *again == *written);
  }

  // ListObjectsV2, ListMultipartUploads, Initiate/CompleteMultipartUpload.
  if (auto doc = s3xml::parse(xml, "fuzz"); doc.ok()) {
    const namix::XmlElement root = doc->root();
    for (const namix::XmlElement& contents : s3xml::elements(root, "Contents")) {
      for (const char* field : {"Key", "Size", "ETag", "StorageClass", "LastModified"})
        (void)s3xml::text(contents, field);
    }
    for (const namix::XmlElement& upload : s3xml::elements(root, "Upload")) {
      (void)s3xml::text(upload, "Key");
      (void)s3xml::text(upload, "UploadId");
    }
    for (const char* field : {"IsTruncated", "NextContinuationToken", "UploadId", "ETag"})
      (void)s3xml::text(root, field);
  }

  // Text written escaped reads back as it was.
  if (xml_can_carry(xml)) {
    auto doc = s3xml::parse("<Key>" + s3xml::escape(xml) + "</Key>", "fuzz");
    NAMIX_FUZZ_CHECK(doc.ok() && doc->root().text() == xml);
  }
  return 0;
}
