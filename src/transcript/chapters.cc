#include "transcript/chapters.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "transcript/cue_text.h"
#include "transcript/json_fields.h"

namespace namix {
namespace {

constexpr std::string_view kExpected = "give JSON chapters ({\"chapters\": [...]})";

void warn(std::vector<std::string>& warnings, std::size_t count, const char* what) {
  if (count == 0) return;
  warnings.push_back(std::to_string(count) + (count == 1 ? " chapter " : " chapters ") + what);
}

double to_ms(double s) { return std::round(s * 1000.0) / 1000.0; }

}  // namespace

Result<Chapters> parse_chapters(std::string_view bytes, std::string_view display_name) {
  auto text = checked_text(bytes, display_name, kExpected);
  if (!text.ok()) return text.error();
  auto doc = parse_json_document(*text, display_name);
  if (!doc.ok()) return doc.error();
  const nlohmann::json* list = nullptr;
  if (doc->is_array()) {
    list = &*doc;
  } else if (doc->is_object() && doc->contains("chapters") && (*doc)["chapters"].is_array()) {
    list = &(*doc)["chapters"];
  } else {
    return make_error(Errc::undecodable, std::string(display_name) +
                                             " is JSON but not JSON chapters (no \"chapters\" "
                                             "list); " +
                                             std::string(kExpected));
  }

  Chapters result;
  std::size_t unusable = 0, negative = 0, bad_end = 0;
  for (const auto& item : *list) {
    const auto start = json_seconds(item, "startTime");
    if (!start) {
      ++unusable;
      continue;
    }
    if (*start < 0.0) {
      ++negative;
      continue;
    }
    ChapterMark mark;
    mark.start_s = *start;
    mark.end_s = json_seconds(item, "endTime");
    if (mark.end_s && *mark.end_s <= mark.start_s) {
      mark.end_s.reset();
      ++bad_end;
    }
    mark.title = json_string(item, "title");
    mark.url = json_string(item, "url");
    mark.img = json_string(item, "img");
    if (const auto toc = item.find("toc"); toc != item.end() && toc->is_boolean()) {
      mark.toc = toc->get<bool>();
    }
    result.chapters.push_back(std::move(mark));
  }
  const auto by_start = [](const ChapterMark& a, const ChapterMark& b) {
    return a.start_s < b.start_s;
  };
  std::size_t out_of_order = 0;
  for (std::size_t i = 1; i < result.chapters.size(); ++i) {
    out_of_order += by_start(result.chapters[i], result.chapters[i - 1]);
  }
  std::stable_sort(result.chapters.begin(), result.chapters.end(), by_start);
  warn(result.warnings, unusable, "without a usable startTime dropped");
  warn(result.warnings, negative, "with a negative startTime dropped");
  warn(result.warnings, bad_end, "ending before they start: endTime ignored");
  warn(result.warnings, out_of_order, "out of order; sorted by startTime");
  if (result.chapters.empty()) {
    return make_error(Errc::undecodable,
                      std::string(display_name) + " has no chapter with a usable startTime");
  }
  return result;
}

Result<Chapters> load_chapters_file(const std::string& path) {
  auto bytes = read_text_file(path, kExpected);
  if (!bytes.ok()) return bytes.error();
  return parse_chapters(*bytes, path);
}

std::string write_chapters_json(const std::vector<ChapterMark>& chapters) {
  std::vector<ChapterMark> sorted = chapters;
  std::stable_sort(sorted.begin(), sorted.end(), [](const ChapterMark& a, const ChapterMark& b) {
    return a.start_s < b.start_s;
  });
  nlohmann::json list = nlohmann::json::array();
  for (const auto& c : sorted) {
    nlohmann::json item = {{"startTime", to_ms(c.start_s)}};
    if (c.end_s) item["endTime"] = to_ms(*c.end_s);
    item["title"] = c.title;
    if (!c.url.empty()) item["url"] = c.url;
    if (!c.img.empty()) item["img"] = c.img;
    if (!c.toc) item["toc"] = false;
    list.push_back(std::move(item));
  }
  const nlohmann::json doc = {{"version", "1.2.0"}, {"chapters", std::move(list)}};
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace namix
