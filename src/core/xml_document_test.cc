#include "core/xml_document.h"

#include <gtest/gtest.h>

#include <string>

namespace namix {
namespace {

XmlDocument parsed(std::string_view xml, const XmlLimits& limits = {}) {
  auto doc = XmlDocument::parse(xml, limits);
  EXPECT_TRUE(doc.ok()) << (doc.ok() ? "" : doc.error().message);
  return std::move(doc).value();
}

Error refused(std::string_view xml, const XmlLimits& limits = {}) {
  auto doc = XmlDocument::parse(xml, limits);
  EXPECT_FALSE(doc.ok()) << "parsed: " << xml.substr(0, 80);
  return doc.ok() ? Error{} : doc.error();
}

constexpr std::string_view kPodcast = "https://podcastindex.org/namespace/1.0";

TEST(XmlDocument, FindsElementsByNamespaceUriNotByPrefix) {
  const auto doc = parsed(
      "<rss xmlns:podcast='https://podcastindex.org/namespace/1.0'\n"
      "     xmlns:p20='https://podcastindex.org/namespace/1.0' xmlns:x='urn:other'>"
      "<podcast:transcript url='a.srt'/><p20:transcript url='b.vtt'/>"
      "<x:transcript url='not-this-one'/><transcript url='nor-this'/></rss>");
  const XmlElement rss = doc.root();
  EXPECT_TRUE(rss.is("", "rss"));
  const auto transcripts = rss.children(kPodcast, "transcript");
  ASSERT_EQ(transcripts.size(), 2u);
  EXPECT_EQ(transcripts[0].attribute("url"), "a.srt");
  EXPECT_EQ(transcripts[1].attribute("url"), "b.vtt");
  EXPECT_EQ(rss.children().size(), 4u);
  EXPECT_EQ(rss.children("", "transcript").size(), 1u);
  EXPECT_EQ(transcripts[1].parent()->local_name(), "rss");
  EXPECT_FALSE(rss.parent().has_value());
}

TEST(XmlDocument, DefaultNamespaceCoversElementsButNotUnprefixedAttributes) {
  const auto doc = parsed(
      "<ListBucketResult xmlns='http://s3.amazonaws.com/doc/2006-03-01/' "
      "xmlns:a='urn:a' id='plain' a:id='qualified'><Key>k</Key></ListBucketResult>");
  const XmlElement root = doc.root();
  EXPECT_EQ(root.namespace_uri(), "http://s3.amazonaws.com/doc/2006-03-01/");
  EXPECT_TRUE(root.first_child("http://s3.amazonaws.com/doc/2006-03-01/", "Key").has_value());
  EXPECT_FALSE(root.first_child("", "Key").has_value());
  EXPECT_EQ(root.attribute("id"), "plain");
  EXPECT_EQ(root.attribute("id", "urn:a"), "qualified");
  EXPECT_FALSE(root.attribute("missing").has_value());
}

TEST(XmlDocument, TextJoinsCdataEntitiesAndCharacterReferencesButNotChildText) {
  const auto doc = parsed(
      "<item><description>a &amp; b <![CDATA[<p>c & d</p>]]>&#233;&#x1F399;"
      "<child>not mine</child> tail</description></item>");
  const auto description = doc.root().first_child("", "description");
  ASSERT_TRUE(description.has_value());
  EXPECT_EQ(description->text(), "a & b <p>c & d</p>\xC3\xA9\xF0\x9F\x8E\x99 tail");
  EXPECT_EQ(description->first_child("", "child")->text(), "not mine");
}

TEST(XmlDocument, XmlBaseIsAnAttributeInTheXmlNamespace) {
  const auto doc = parsed("<channel xml:base='https://example.com/show/'><item/></channel>");
  EXPECT_EQ(doc.root().attribute("base", kXmlNamespace), "https://example.com/show/");
}

TEST(XmlDocument, RefusesBillionLaughsAtTheFirstEntityDeclaration) {
  std::string bomb = "<?xml version='1.0'?>\n<!DOCTYPE lolz [\n<!ENTITY lol0 'lol'>\n";
  for (int i = 1; i < 10; ++i) {
    bomb += "<!ENTITY lol" + std::to_string(i) + " '";
    for (int k = 0; k < 10; ++k) bomb += "&lol" + std::to_string(i - 1) + ";";
    bomb += "'>\n";
  }
  bomb += "]>\n<lolz>&lol9;</lolz>";
  const Error e = refused(bomb);
  EXPECT_EQ(e.code, Errc::undecodable);
  EXPECT_NE(e.message.find("declares the entity 'lol0'"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("billion laughs"), std::string::npos);
}

TEST(XmlDocument, RefusesExternalEntitiesWithoutReadingThem) {
  const Error general = refused(
      "<?xml version='1.0'?><!DOCTYPE rss [<!ENTITY xxe SYSTEM 'file:///etc/passwd'>]>"
      "<rss><channel><title>&xxe;</title></channel></rss>");
  EXPECT_EQ(general.code, Errc::undecodable);
  EXPECT_NE(general.message.find("entity 'xxe'"), std::string::npos) << general.message;
  EXPECT_EQ(general.message.find("root:"), std::string::npos);

  const Error parameter = refused(
      "<!DOCTYPE rss [<!ENTITY % remote SYSTEM 'http://127.0.0.1:1/evil.dtd'> %remote;]><rss/>");
  EXPECT_NE(parameter.message.find("parameter entity 'remote'"), std::string::npos)
      << parameter.message;
}

TEST(XmlDocument, NeverLoadsAnExternalDtdAndRefusesEntitiesItWouldDefine) {
  // An RSS 0.91 style document type is harmless as long as nothing in it is used.
  const auto doc = parsed(
      "<!DOCTYPE rss PUBLIC '-//Netscape Communications//DTD RSS 0.91//EN' "
      "'file:///etc/passwd'><rss version='0.91'/>");
  EXPECT_TRUE(doc.root().is("", "rss"));
  const Error e = refused("<!DOCTYPE rss SYSTEM 'file:///etc/passwd'><rss>&passwd;</rss>");
  EXPECT_NE(e.message.find("undefined entity &passwd;"), std::string::npos) << e.message;
  // Without a document type an unknown entity is simply not well-formed.
  EXPECT_NE(refused("<rss>&nbsp;</rss>").message.find("undefined entity"), std::string::npos);
}

TEST(XmlDocument, LimitsSizeDepthAndElementCount) {
  XmlLimits limits;
  limits.max_bytes = 1 << 20;
  const std::string big = "<a>" + std::string(limits.max_bytes, 'x') + "</a>";
  Error e = refused(big, limits);
  EXPECT_EQ(e.code, Errc::too_large);
  EXPECT_EQ(e.message, "is larger than the 1 MiB limit for XML documents");

  limits = {};
  limits.max_depth = 8;
  std::string deep;
  for (int i = 0; i < 8; ++i) deep += "<d>";
  for (int i = 0; i < 8; ++i) deep += "</d>";
  EXPECT_TRUE(XmlDocument::parse(deep, limits).ok());
  e = refused("<d>" + deep + "</d>", limits);
  EXPECT_EQ(e.code, Errc::undecodable);
  EXPECT_EQ(e.message, "nests elements more than 8 levels deep");

  limits = {};
  limits.max_elements = 100;
  std::string many = "<r>";
  for (int i = 0; i < 100; ++i) many += "<i/>";
  e = refused(many + "</r>", limits);
  EXPECT_EQ(e.code, Errc::too_large);
  EXPECT_EQ(e.message, "has more than 100 elements");
}

TEST(XmlDocument, NamesBrokenUtf8AndMalformedXmlWithTheirPlace) {
  Error e = refused("<rss>\n<title>caf\xE9</title>\n</rss>");
  EXPECT_EQ(e.code, Errc::undecodable);
  EXPECT_EQ(e.message, "is not valid UTF-8 (a broken byte sequence at line 2, column 11)");
  e = refused("<rss>\n  <channel>\n</rss>");
  EXPECT_EQ(e.code, Errc::undecodable);
  EXPECT_EQ(e.message, "is not well-formed XML (line 3, column 3: mismatched tag)");
  EXPECT_EQ(refused("  \n").message, "is empty");
  EXPECT_EQ(refused("<!DOCTYPE html><html>").code, Errc::undecodable);
}

TEST(XmlDocument, ReadsDeclaredLatin1AndWindows1252) {
  auto doc = parsed("<?xml version='1.0' encoding='ISO-8859-1'?><t>caf\xE9</t>");
  EXPECT_EQ(doc.root().text(), "caf\xC3\xA9");
  // 0x93/0x94 are curly quotes in windows-1252 (U+201C, U+201D).
  doc = parsed("<?xml version='1.0' encoding='Windows-1252'?><t>\x93hi\x94</t>");
  EXPECT_EQ(doc.root().text(), "\xE2\x80\x9Chi\xE2\x80\x9D");
  EXPECT_FALSE(XmlDocument::parse("<?xml version='1.0' encoding='windows-1252'?><t>\x81</t>").ok());
}

TEST(XmlDocument, ElementsStayValidWhenTheDocumentMoves) {
  auto first = parsed("<a><b>text</b></a>");
  const XmlElement b = *first.root().first_child("", "b");
  XmlDocument second = std::move(first);
  EXPECT_EQ(b.text(), "text");
  EXPECT_EQ(b.line(), 1u);
  EXPECT_EQ(second.root().local_name(), "a");
}

}  // namespace
}  // namespace namix
