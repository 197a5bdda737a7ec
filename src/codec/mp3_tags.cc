#include "codec/mp3_tags.h"

#include <taglib/chapterframe.h>
#include <taglib/id3v2tag.h>
#include <taglib/mpegfile.h>
#include <taglib/tableofcontentsframe.h>
#include <taglib/textidentificationframe.h>

#include <filesystem>
#include <map>

namespace namix {
namespace {

TagLib::String utf8(const std::string& s) { return TagLib::String(s, TagLib::String::UTF8); }

TagLib::ID3v2::TextIdentificationFrame* text_frame(const char* id, const std::string& text) {
  auto* frame =
      new TagLib::ID3v2::TextIdentificationFrame(TagLib::ByteVector(id), TagLib::String::UTF8);
  frame->setText(utf8(text));
  return frame;
}

std::string first_text(const TagLib::ID3v2::FrameList& frames) {
  return frames.isEmpty() ? std::string() : frames.front()->toString().to8Bit(true);
}

}  // namespace

std::vector<std::uint8_t> render_id3v2_tag(const Mp3Tags& tags) {
  TagLib::ID3v2::Tag tag;
  // addFrame() hands ownership of each frame to the tag.
  if (!tags.title.empty()) tag.addFrame(text_frame("TIT2", tags.title));
  if (!tags.artist.empty()) tag.addFrame(text_frame("TPE1", tags.artist));
  if (!tags.album.empty()) tag.addFrame(text_frame("TALB", tags.album));
  if (!tags.date.empty()) tag.addFrame(text_frame("TDRC", tags.date));
  if (!tags.chapters.empty()) {
    TagLib::ByteVectorList ids;
    for (std::size_t i = 0; i < tags.chapters.size(); ++i) {
      const Chapter& chapter = tags.chapters[i];
      const TagLib::ByteVector id(("chp" + std::to_string(i)).c_str());
      ids.append(id);
      TagLib::ID3v2::FrameList embedded;
      embedded.append(text_frame("TIT2", chapter.title));
      // ID3v2 chapters spec §3: byte offsets of 0xFFFFFFFF mean "use the times".
      tag.addFrame(new TagLib::ID3v2::ChapterFrame(id, chapter.start_ms, chapter.end_ms,
                                                   0xFFFFFFFFu, 0xFFFFFFFFu, embedded));
    }
    auto* toc = new TagLib::ID3v2::TableOfContentsFrame(TagLib::ByteVector("toc"), ids);
    toc->setIsTopLevel(true);
    toc->setIsOrdered(true);
    tag.addFrame(toc);
  }
  const TagLib::ByteVector bytes = tag.render();
  return std::vector<std::uint8_t>(bytes.begin(), bytes.end());
}

Result<Mp3Tags> read_mp3_tags(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return make_error(Errc::not_found, path + " does not exist; check the path");
  }
  TagLib::MPEG::File file(path.c_str(), false);
  if (!file.isValid()) {
    return make_error(Errc::undecodable, path + " could not be read as an MP3; check the file");
  }
  Mp3Tags tags;
  TagLib::ID3v2::Tag* tag = file.ID3v2Tag(false);
  if (tag == nullptr) return tags;
  const auto& frames = tag->frameListMap();
  auto text = [&frames](const char* id) {
    const auto it = frames.find(TagLib::ByteVector(id));
    return it == frames.end() ? std::string() : first_text(it->second);
  };
  tags.title = text("TIT2");
  tags.artist = text("TPE1");
  tags.album = text("TALB");
  tags.date = text("TDRC");

  std::map<TagLib::ByteVector, const TagLib::ID3v2::ChapterFrame*> by_id;
  std::vector<TagLib::ByteVector> order;
  if (const auto it = frames.find("CHAP"); it != frames.end()) {
    for (const TagLib::ID3v2::Frame* frame : it->second) {
      if (const auto* chap = dynamic_cast<const TagLib::ID3v2::ChapterFrame*>(frame)) {
        by_id[chap->elementID()] = chap;
        order.push_back(chap->elementID());
      }
    }
  }
  if (const auto it = frames.find("CTOC"); it != frames.end()) {
    for (const TagLib::ID3v2::Frame* frame : it->second) {
      const auto* toc = dynamic_cast<const TagLib::ID3v2::TableOfContentsFrame*>(frame);
      if (toc != nullptr && toc->isTopLevel()) {
        const TagLib::ByteVectorList children = toc->childElements();  // a copy
        order.assign(children.begin(), children.end());
        break;
      }
    }
  }
  for (const TagLib::ByteVector& id : order) {
    const auto found = by_id.find(id);
    if (found == by_id.end()) continue;
    const TagLib::ID3v2::ChapterFrame* chap = found->second;
    tags.chapters.push_back(
        Chapter{chap->startTime(), chap->endTime(), first_text(chap->embeddedFrameList("TIT2"))});
  }
  return tags;
}

}  // namespace namix
