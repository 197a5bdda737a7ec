#include "mix/mix_companions.h"

#include <cassert>

#include "transcript/chapters.h"
#include "transcript/transcript_writer.h"

namespace namix {

CompanionFile transcript_companion(TranscriptFormat format) {
  switch (format) {
    case TranscriptFormat::srt:
      return {"transcript_srt", ".srt", "application/x-subrip", format};
    case TranscriptFormat::json:
      return {"transcript_json", ".transcript.json", "application/json", format};
    case TranscriptFormat::vtt:
    case TranscriptFormat::other:
      break;
  }
  return {"transcript_vtt", ".vtt", "text/vtt", TranscriptFormat::vtt};
}

CompanionFile chapters_companion() {
  return {"chapters", ".chapters.json", "application/json+chapters", std::nullopt};
}

std::vector<CompanionFile> stored_companions(const MixReport& report) {
  std::vector<CompanionFile> files;
  if (report.transcript) {
    for (TranscriptFormat f :
         {TranscriptFormat::vtt, TranscriptFormat::srt, TranscriptFormat::json})
      files.push_back(transcript_companion(f));
  }
  files.push_back(chapters_companion());
  return files;
}

std::string companion_text(const CompanionFile& file, const MixReport& report) {
  if (!file.format) return write_chapters_json(report.chapters);
  assert(report.transcript);
  return write_transcript(report.transcript->mix, *file.format);
}

}  // namespace namix
