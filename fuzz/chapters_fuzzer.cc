// Podcasting 2.0 JSON chapters, read leniently by parse_chapters() and
// written back by write_chapters_json(): what is written reads back to the
// same chapters.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "transcript/chapters.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto chapters = namix::parse_chapters(bytes, "fuzz.json");
  if (!chapters.ok()) {
    NAMIX_FUZZ_CHECK(chapters.error().code == namix::Errc::undecodable);
    NAMIX_FUZZ_CHECK(chapters.error().message.find('\n') == std::string_view::npos);
    return 0;
  }
  NAMIX_FUZZ_CHECK(!chapters->chapters.empty());
  double previous_start_s = 0.0;
  for (const namix::ChapterMark& mark : chapters->chapters) {
    NAMIX_FUZZ_CHECK(std::isfinite(mark.start_s) && mark.start_s >= previous_start_s);
    NAMIX_FUZZ_CHECK(!mark.end_s || (std::isfinite(*mark.end_s) && *mark.end_s > mark.start_s));
    previous_start_s = mark.start_s;
  }
  const std::string written = namix::write_chapters_json(chapters->chapters);
  auto again = namix::parse_chapters(written, "fuzz.json");
  NAMIX_FUZZ_CHECK(again.ok());
  NAMIX_FUZZ_CHECK(again->chapters.size() == chapters->chapters.size());
  return 0;
}
