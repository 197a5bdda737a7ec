#include "publish/xml_writer.h"

#include <gtest/gtest.h>

#include "core/xml_document.h"

namespace namix {
namespace {

TEST(XmlWriter, EscapesTextAndAttributesSoAnyValueStaysWellFormed) {
  const std::string nasty = "Tom & Jerry <b>\"quoted\" 'single'</b> ]]> \x01\x1f end \xc3\xa9";
  XmlWriter xml;
  xml.open("root", {{"a", nasty}});
  xml.element("child", nasty, {{"b", nasty}});
  xml.empty("leaf", {{"c", "x<y"}});
  xml.close();
  const std::string doc = std::move(xml).finish();
  EXPECT_EQ(doc.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", 0), 0u);
  EXPECT_EQ(doc.find('\x01'), std::string::npos) << "XML 1.0 forbids it even escaped";

  auto parsed = XmlDocument::parse(doc);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message << "\n" << doc;
  const std::string clean = "Tom & Jerry <b>\"quoted\" 'single'</b> ]]>  end \xc3\xa9";
  const XmlElement root = parsed->root();
  EXPECT_EQ(root.attribute("a"), clean);
  auto child = root.first_child("", "child");
  ASSERT_TRUE(child.has_value());
  EXPECT_EQ(child->text(), clean);
  EXPECT_EQ(child->attribute("b"), clean);
  EXPECT_EQ(root.first_child("", "leaf")->attribute("c"), "x<y");
}

TEST(XmlWriter, NestsAndIndents) {
  XmlWriter xml;
  xml.open("a");
  xml.open("b");
  xml.element("c", "1");
  xml.close();
  xml.close();
  EXPECT_EQ(std::move(xml).finish(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a>\n  <b>\n    <c>1</c>\n  </b>\n</a>\n");
}

}  // namespace
}  // namespace namix
