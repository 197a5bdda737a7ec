// Reading XML that comes from the network (RSS feeds, S3 responses) into a
// small read-only tree.
//
// The parser is expat: small, a pure function of the bytes it is given (no
// I/O of its own, so no DTD or external entity is ever loaded and nothing
// touches the network), namespace-aware, and hardened against entity
// expansion. On top of that this reader refuses outright every document
// that declares an entity (<!ENTITY ...>, general or parameter, internal or
// external) or references one that is not predefined: nothing a feed or S3
// needs, and the whole family of billion-laughs and external-entity (XXE)
// attacks. Size, nesting depth and element count are limited.
//
// Elements and attributes are found by namespace URI and local name, never
// by prefix: <podcast:transcript> and <p20:transcript> are the same element
// when both prefixes are bound to the same URI.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace namix {

struct XmlLimits {
  std::size_t max_bytes = std::size_t{32} << 20;
  int max_depth = 64;  // RSS nests 4-6 deep, S3's documents 4
  std::size_t max_elements = 1'000'000;
};

// The namespace the `xml:` prefix is bound to (xml:base, xml:lang).
inline constexpr std::string_view kXmlNamespace = "http://www.w3.org/XML/1998/namespace";

struct XmlTree;

// One element of an XmlDocument. A cheap handle: valid while its document
// lives (moving the document keeps it valid).
class XmlElement {
 public:
  std::string_view namespace_uri() const;  // "" when in no namespace
  std::string_view local_name() const;
  bool is(std::string_view ns, std::string_view local) const {
    return local_name() == local && namespace_uri() == ns;
  }

  // The character data directly inside this element, in document order:
  // CDATA sections included, character references and the five predefined
  // entities decoded; the text of child elements is not part of it.
  std::string_view text() const;

  // An attribute's value. Unprefixed attributes are in no namespace (`ns`
  // ""), whatever the element's default namespace is.
  std::optional<std::string_view> attribute(std::string_view local, std::string_view ns = "") const;

  std::optional<XmlElement> parent() const;
  // Child elements in document order: all of them, or those named so.
  std::vector<XmlElement> children() const;
  std::vector<XmlElement> children(std::string_view ns, std::string_view local) const;
  std::optional<XmlElement> first_child(std::string_view ns, std::string_view local) const;

  // 1-based line of the start tag, for messages.
  std::uint32_t line() const;

 private:
  friend class XmlDocument;
  XmlElement(const XmlTree* tree, std::uint32_t index) : tree_(tree), index_(index) {}
  const XmlTree* tree_;
  std::uint32_t index_;
};

class XmlDocument {
 public:
  // Errors (the message reads after a subject, "the feed " + message):
  // too_large over max_bytes or max_elements; undecodable for anything else
  // (not well-formed, broken UTF-8, entity declarations or undefined
  // entities, nesting deeper than max_depth, empty).
  static Result<XmlDocument> parse(std::string_view bytes, const XmlLimits& limits = {});

  XmlElement root() const;

  XmlDocument(XmlDocument&&) noexcept;
  XmlDocument& operator=(XmlDocument&&) noexcept;
  ~XmlDocument();

 private:
  explicit XmlDocument(std::unique_ptr<XmlTree> tree);
  std::unique_ptr<XmlTree> tree_;
};

}  // namespace namix
