// Published transcripts: SubRip, WebVTT and Podcasting 2.0 JSON, told apart
// by their bytes, through parse_transcript(). Whatever comes in, what comes
// out keeps the promises of transcript.h.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "transcript/transcript.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto transcript = namix::parse_transcript(bytes, "fuzz.vtt");
  if (!transcript.ok()) {
    NAMIX_FUZZ_CHECK(transcript.error().code == namix::Errc::undecodable);
    NAMIX_FUZZ_CHECK(transcript.error().message.find('\n') == std::string_view::npos);
    return 0;
  }
  NAMIX_FUZZ_CHECK(!transcript->cues.empty());
  double previous_end_s = 0.0;
  for (const namix::Cue& cue : transcript->cues) {
    // In start order, not overlapping, each with positive length and text.
    NAMIX_FUZZ_CHECK(cue.start_s >= previous_end_s);
    NAMIX_FUZZ_CHECK(cue.end_s > cue.start_s);
    NAMIX_FUZZ_CHECK(!cue.text.empty());
    NAMIX_FUZZ_CHECK(!cue.words.empty());
    for (const namix::TranscriptWord& word : cue.words) {
      NAMIX_FUZZ_CHECK(word.start_s >= cue.start_s && word.end_s <= cue.end_s);
      NAMIX_FUZZ_CHECK(word.start_s <= word.end_s);
    }
    previous_end_s = cue.end_s;
  }
  (void)namix::text_between(*transcript, 0.0, previous_end_s);
  return 0;
}
