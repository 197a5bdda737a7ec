#include "publish/xml_writer.h"

#include <cassert>

#include "core/xml_text.h"

namespace namix {
namespace {

// Names are the writer's own constants: a bad one is a bug, not input.
[[maybe_unused]] bool is_xml_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == ':' || c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return !(name[0] >= '0' && name[0] <= '9') && name[0] != '-' && name[0] != '.';
}

}  // namespace

XmlWriter::XmlWriter() : out_("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n") {}

void XmlWriter::indent() { out_.append(2 * open_.size(), ' '); }

void XmlWriter::start_tag(std::string_view name, std::initializer_list<XmlAttribute> attributes) {
  assert(is_xml_name(name));
  indent();
  out_ += '<';
  out_ += name;
  for (const XmlAttribute& a : attributes) {
    assert(is_xml_name(a.name));
    out_ += ' ';
    out_ += a.name;
    out_ += "=\"";
    out_ += xml_escape(a.value);
    out_ += '"';
  }
}

void XmlWriter::open(std::string_view name, std::initializer_list<XmlAttribute> attributes) {
  start_tag(name, attributes);
  out_ += ">\n";
  open_.emplace_back(name);
}

void XmlWriter::close() {
  assert(!open_.empty());
  const std::string name = std::move(open_.back());
  open_.pop_back();
  indent();
  out_ += "</" + name + ">\n";
}

void XmlWriter::element(std::string_view name, std::string_view text,
                        std::initializer_list<XmlAttribute> attributes) {
  start_tag(name, attributes);
  out_ += '>';
  out_ += xml_escape(text);
  out_ += "</";
  out_ += name;
  out_ += ">\n";
}

void XmlWriter::empty(std::string_view name, std::initializer_list<XmlAttribute> attributes) {
  start_tag(name, attributes);
  out_ += "/>\n";
}

std::string XmlWriter::finish() && {
  assert(open_.empty());
  return std::move(out_);
}

}  // namespace namix
