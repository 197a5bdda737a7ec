#include "store/s3_xml.h"

#include "core/xml_text.h"

namespace namix::s3xml {
namespace {

void collect(XmlElement element, std::string_view ns, std::string_view name,
             std::vector<XmlElement>& out) {
  if (element.is(ns, name)) {
    out.push_back(element);
    return;
  }
  for (XmlElement child : element.children()) collect(child, ns, name, out);
}

}  // namespace

Result<XmlDocument> parse(std::string_view body, std::string_view operation) {
  auto doc = XmlDocument::parse(body);
  if (!doc.ok()) {
    return make_error(Errc::io_error, "S3 " + std::string(operation) + " answered a body that " +
                                          doc.error().message +
                                          "; check that the endpoint speaks the S3 API");
  }
  return doc;
}

std::vector<XmlElement> elements(XmlElement scope, std::string_view name) {
  std::vector<XmlElement> out;
  collect(scope, scope.namespace_uri(), name, out);
  return out;
}

std::optional<std::string> text(XmlElement scope, std::string_view name) {
  const auto found = elements(scope, name);
  if (found.empty()) return std::nullopt;
  return std::string(found.front().text());
}

std::string escape(std::string_view text) { return xml_escape(text); }

}  // namespace namix::s3xml
