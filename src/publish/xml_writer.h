// Writing XML documents element by element. Element and attribute names are
// the caller's constants; every text and attribute value goes through
// xml_escape() here, so nothing a feed or a mix result holds (ampersands,
// angle brackets, quotes, control characters) can break the document.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace namix {

struct XmlAttribute {
  std::string_view name;
  std::string_view value;
};

class XmlWriter {
 public:
  // Starts the document with its XML declaration (UTF-8).
  XmlWriter();

  // <name a="v">, to be closed by close(); children are indented below it.
  void open(std::string_view name, std::initializer_list<XmlAttribute> attributes = {});
  // Closes the innermost open element.
  void close();
  // <name a="v">text</name> on one line.
  void element(std::string_view name, std::string_view text,
               std::initializer_list<XmlAttribute> attributes = {});
  // <name a="v"/>.
  void empty(std::string_view name, std::initializer_list<XmlAttribute> attributes);

  // The document; every element must have been closed.
  std::string finish() &&;

 private:
  void start_tag(std::string_view name, std::initializer_list<XmlAttribute> attributes);
  void indent();

  std::string out_;
  std::vector<std::string> open_;
};

}  // namespace namix
