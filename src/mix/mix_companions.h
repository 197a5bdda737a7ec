// The files that go beside a mix's MP3: its own transcript (WebVTT, SubRip,
// Podcasting 2.0 JSON) when it had one, and its JSON chapters always. Each
// has its key under the result's "downloads", the suffix that follows the
// mix's storage stem, and its content type.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/transcript_format.h"
#include "mix/pipeline.h"

namespace namix {

struct CompanionFile {
  std::string name;          // "transcript_vtt", "transcript_srt", "transcript_json", "chapters"
  std::string suffix;        // ".vtt", ".srt", ".transcript.json", ".chapters.json"
  std::string content_type;  // "text/vtt", ...
  std::optional<TranscriptFormat> format;  // nullopt: the chapters
};

CompanionFile transcript_companion(TranscriptFormat format);
CompanionFile chapters_companion();

// What a stored mix keeps beside its MP3: the three transcripts when the
// report has one, then the chapters.
std::vector<CompanionFile> stored_companions(const MixReport& report);

// The file's text for `report`. A transcript needs report.transcript.
std::string companion_text(const CompanionFile& file, const MixReport& report);

}  // namespace namix
