#include "core/xml_document.h"

#include <expat.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <limits>
#include <string>
#include <unordered_map>

#include "core/utf8.h"

namespace namix {

namespace {
constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();
// Separates namespace URI and local name in the names expat reports. A local
// name cannot contain it, so the last one in a name is the separator.
constexpr char kNameSeparator = ' ';
}  // namespace

struct XmlName {
  std::string ns;
  std::string local;
};

struct XmlAttribute {
  std::uint32_t name = 0;
  std::string value;
};

struct XmlNode {
  std::uint32_t name = 0;
  std::uint32_t parent = kNone;
  std::uint32_t first_child = kNone;
  std::uint32_t last_child = kNone;
  std::uint32_t next_sibling = kNone;
  std::uint32_t first_attribute = 0;
  std::uint32_t attribute_count = 0;
  std::uint32_t line = 0;
  std::string text;
};

struct XmlTree {
  std::vector<XmlName> names;
  std::vector<XmlNode> nodes;  // nodes[0] is the root element
  std::vector<XmlAttribute> attributes;
};

namespace {

// windows-1252 is declared by a fair number of older feeds and is not one of
// the encodings expat knows (UTF-8, UTF-16, ISO-8859-1, US-ASCII). It equals
// ISO-8859-1 but for 0x80-0x9F; -1 marks its five unassigned bytes.
constexpr std::array<int, 32> kWindows1252High = {
    0x20AC, -1,     0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, -1,     0x017D, -1,     -1,     0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, -1,     0x017E, 0x0178};

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

int on_unknown_encoding(void*, const XML_Char* name, XML_Encoding* info) {
  if (!equals_ignoring_case(name, "windows-1252") && !equals_ignoring_case(name, "cp1252"))
    return XML_STATUS_ERROR;
  for (int i = 0; i < 256; ++i) info->map[i] = i;
  for (int i = 0; i < 32; ++i) info->map[0x80 + i] = kWindows1252High[static_cast<std::size_t>(i)];
  info->data = nullptr;
  info->convert = nullptr;
  info->release = nullptr;
  return XML_STATUS_OK;
}

// Builds the tree from expat's callbacks; the first refusal stops the parser.
class TreeBuilder {
 public:
  TreeBuilder(XML_Parser parser, const XmlLimits& limits, XmlTree& tree)
      : parser_(parser), limits_(limits), tree_(tree) {}

  bool failed() const { return failed_; }
  const Error& error() const { return error_; }
  std::string_view declared_encoding() const { return encoding_; }

  static void on_start(void* self, const XML_Char* name, const XML_Char** attributes) {
    static_cast<TreeBuilder*>(self)->start(name, attributes);
  }
  static void on_end(void* self, const XML_Char*) {
    auto* b = static_cast<TreeBuilder*>(self);
    if (!b->open_.empty()) b->open_.pop_back();
  }
  static void on_text(void* self, const XML_Char* text, int length) {
    auto* b = static_cast<TreeBuilder*>(self);
    if (!b->open_.empty())
      b->tree_.nodes[b->open_.back()].text.append(text, static_cast<std::size_t>(length));
  }
  static void on_entity_declaration(void* self, const XML_Char* name, int is_parameter_entity,
                                    const XML_Char*, int, const XML_Char*, const XML_Char*,
                                    const XML_Char*, const XML_Char*) {
    static_cast<TreeBuilder*>(self)->refuse(
        Errc::undecodable,
        std::string("declares the ") + (is_parameter_entity ? "parameter " : "") + "entity '" +
            name +
            "'; documents with entity declarations are refused, since entities can expand "
            "without bound (billion laughs) or read local files (external entities)");
  }
  static void on_skipped_entity(void* self, const XML_Char* name, int) {
    static_cast<TreeBuilder*>(self)->refuse(
        Errc::undecodable, std::string("references the undefined entity &") + name +
                               "; (only &amp; &lt; &gt; &quot; &apos; and numeric references are "
                               "read)");
  }
  static void on_xml_declaration(void* self, const XML_Char*, const XML_Char* encoding, int) {
    if (encoding != nullptr) static_cast<TreeBuilder*>(self)->encoding_ = encoding;
  }

 private:
  void refuse(Errc code, std::string message) {
    if (failed_) return;
    failed_ = true;
    error_ = make_error(code, std::move(message));
    XML_StopParser(parser_, XML_FALSE);
  }

  std::uint32_t intern(const XML_Char* expat_name) {
    auto [it, inserted] =
        name_index_.try_emplace(expat_name, static_cast<std::uint32_t>(tree_.names.size()));
    if (inserted) {
      const std::string_view full(expat_name);
      const std::size_t sep = full.rfind(kNameSeparator);
      if (sep == std::string_view::npos) {
        tree_.names.push_back({"", std::string(full)});
      } else {
        tree_.names.push_back(
            {std::string(full.substr(0, sep)), std::string(full.substr(sep + 1))});
      }
    }
    return it->second;
  }

  void start(const XML_Char* name, const XML_Char** attributes) {
    if (failed_) return;
    if (open_.size() >= static_cast<std::size_t>(limits_.max_depth)) {
      refuse(Errc::undecodable,
             "nests elements more than " + std::to_string(limits_.max_depth) + " levels deep");
      return;
    }
    if (tree_.nodes.size() >= limits_.max_elements) {
      refuse(Errc::too_large,
             "has more than " + std::to_string(limits_.max_elements) + " elements");
      return;
    }
    const auto index = static_cast<std::uint32_t>(tree_.nodes.size());
    XmlNode node;
    node.name = intern(name);
    node.line = static_cast<std::uint32_t>(XML_GetCurrentLineNumber(parser_));
    node.first_attribute = static_cast<std::uint32_t>(tree_.attributes.size());
    for (const XML_Char** a = attributes; a[0] != nullptr; a += 2) {
      tree_.attributes.push_back({intern(a[0]), a[1]});
      ++node.attribute_count;
    }
    if (!open_.empty()) {
      XmlNode& parent = tree_.nodes[open_.back()];
      node.parent = open_.back();
      if (parent.last_child == kNone) {
        parent.first_child = index;
      } else {
        tree_.nodes[parent.last_child].next_sibling = index;
      }
      parent.last_child = index;
    }
    tree_.nodes.push_back(std::move(node));
    open_.push_back(index);
  }

  XML_Parser parser_;
  const XmlLimits& limits_;
  XmlTree& tree_;
  std::vector<std::uint32_t> open_;
  std::unordered_map<std::string, std::uint32_t> name_index_;
  std::string encoding_;
  bool failed_ = false;
  Error error_;
};

struct ParserDeleter {
  void operator()(XML_ParserStruct* p) const { XML_ParserFree(p); }
};

std::pair<std::size_t, std::size_t> line_and_column(std::string_view bytes, std::size_t offset) {
  const std::string_view before = bytes.substr(0, offset);
  const std::size_t line =
      1 + static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
  const std::size_t last_newline = before.rfind('\n');
  const std::size_t column =
      last_newline == std::string_view::npos ? offset + 1 : offset - last_newline;
  return {line, column};
}

bool starts_with_utf16_bom(std::string_view bytes) {
  return bytes.size() >= 2 &&
         ((bytes[0] == '\xFE' && bytes[1] == '\xFF') || (bytes[0] == '\xFF' && bytes[1] == '\xFE'));
}

}  // namespace

std::string_view XmlElement::namespace_uri() const {
  return tree_->names[tree_->nodes[index_].name].ns;
}
std::string_view XmlElement::local_name() const {
  return tree_->names[tree_->nodes[index_].name].local;
}
std::string_view XmlElement::text() const { return tree_->nodes[index_].text; }
std::uint32_t XmlElement::line() const { return tree_->nodes[index_].line; }

std::optional<std::string_view> XmlElement::attribute(std::string_view local,
                                                      std::string_view ns) const {
  const XmlNode& node = tree_->nodes[index_];
  for (std::uint32_t i = 0; i < node.attribute_count; ++i) {
    const XmlAttribute& a = tree_->attributes[node.first_attribute + i];
    const XmlName& n = tree_->names[a.name];
    if (n.local == local && n.ns == ns) return std::string_view(a.value);
  }
  return std::nullopt;
}

std::optional<XmlElement> XmlElement::parent() const {
  const std::uint32_t p = tree_->nodes[index_].parent;
  if (p == kNone) return std::nullopt;
  return XmlElement(tree_, p);
}

std::vector<XmlElement> XmlElement::children() const {
  std::vector<XmlElement> out;
  for (std::uint32_t c = tree_->nodes[index_].first_child; c != kNone;
       c = tree_->nodes[c].next_sibling)
    out.push_back(XmlElement(tree_, c));
  return out;
}

std::vector<XmlElement> XmlElement::children(std::string_view ns, std::string_view local) const {
  std::vector<XmlElement> out;
  for (std::uint32_t c = tree_->nodes[index_].first_child; c != kNone;
       c = tree_->nodes[c].next_sibling) {
    XmlElement e(tree_, c);
    if (e.is(ns, local)) out.push_back(e);
  }
  return out;
}

std::optional<XmlElement> XmlElement::first_child(std::string_view ns,
                                                  std::string_view local) const {
  for (std::uint32_t c = tree_->nodes[index_].first_child; c != kNone;
       c = tree_->nodes[c].next_sibling) {
    XmlElement e(tree_, c);
    if (e.is(ns, local)) return e;
  }
  return std::nullopt;
}

XmlDocument::XmlDocument(std::unique_ptr<XmlTree> tree) : tree_(std::move(tree)) {}
XmlDocument::XmlDocument(XmlDocument&&) noexcept = default;
XmlDocument& XmlDocument::operator=(XmlDocument&&) noexcept = default;
XmlDocument::~XmlDocument() = default;

XmlElement XmlDocument::root() const { return XmlElement(tree_.get(), 0); }

Result<XmlDocument> XmlDocument::parse(std::string_view bytes, const XmlLimits& limits) {
  // expat takes the length as an int.
  if (bytes.size() > std::min<std::size_t>(limits.max_bytes, std::numeric_limits<int>::max())) {
    return make_error(Errc::too_large, "is larger than the " +
                                           std::to_string(limits.max_bytes >> 20) +
                                           " MiB limit for XML documents");
  }
  if (bytes.find_first_not_of(" \t\r\n") == std::string_view::npos)
    return make_error(Errc::undecodable, "is empty");

  std::unique_ptr<XML_ParserStruct, ParserDeleter> parser(
      XML_ParserCreateNS(nullptr, kNameSeparator));
  if (!parser) return make_error(Errc::internal, "expat could not create a parser");
  auto tree = std::make_unique<XmlTree>();
  TreeBuilder builder(parser.get(), limits, *tree);
  XML_Parser p = parser.get();
  XML_SetUserData(p, &builder);
  XML_SetElementHandler(p, &TreeBuilder::on_start, &TreeBuilder::on_end);
  XML_SetCharacterDataHandler(p, &TreeBuilder::on_text);
  XML_SetEntityDeclHandler(p, &TreeBuilder::on_entity_declaration);
  XML_SetSkippedEntityHandler(p, &TreeBuilder::on_skipped_entity);
  XML_SetXmlDeclHandler(p, &TreeBuilder::on_xml_declaration);
  XML_SetUnknownEncodingHandler(p, &on_unknown_encoding, nullptr);
  // Never read an external DTD or parameter entity (this is expat's default;
  // said here so that it stays so).
  XML_SetParamEntityParsing(p, XML_PARAM_ENTITY_PARSING_NEVER);

  const XML_Status status = XML_Parse(p, bytes.data(), static_cast<int>(bytes.size()), XML_TRUE);
  if (builder.failed()) return builder.error();
  if (status != XML_STATUS_OK) {
    const auto offset =
        static_cast<std::size_t>(std::max<XML_Index>(0, XML_GetCurrentByteIndex(p)));
    const std::string_view encoding = builder.declared_encoding();
    const bool utf8 = !starts_with_utf16_bom(bytes) &&
                      (encoding.empty() || equals_ignoring_case(encoding, "utf-8"));
    if (utf8) {
      if (auto broken = first_invalid_utf8(bytes); broken && *broken <= offset) {
        const auto [line, column] = line_and_column(bytes, *broken);
        return make_error(Errc::undecodable, "is not valid UTF-8 (a broken byte sequence at line " +
                                                 std::to_string(line) + ", column " +
                                                 std::to_string(column) + ")");
      }
    }
    return make_error(Errc::undecodable, "is not well-formed XML (line " +
                                             std::to_string(XML_GetCurrentLineNumber(p)) +
                                             ", column " +
                                             std::to_string(XML_GetCurrentColumnNumber(p) + 1) +
                                             ": " + XML_ErrorString(XML_GetErrorCode(p)) + ")");
  }
  if (tree->nodes.empty()) return make_error(Errc::undecodable, "has no root element");
  return XmlDocument(std::move(tree));
}

}  // namespace namix
