#include "mix/mix_chapters.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "mix/mix_transcript.h"

namespace namix {

std::string segment_chapter_title(const EditSegment& segment) {
  const long s = std::lround(segment.start_s);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  return std::string(buf) + " " + segment.kind;
}

std::vector<ChapterMark> mix_chapters(const EditList& edits,
                                      const std::vector<ChapterMark>& published) {
  std::vector<ChapterMark> chapters;
  const std::size_t count = edits.segments.size();
  std::vector<double> segment_end_s(count, edits.duration_s);
  for (std::size_t i = 0; i < count; ++i) {
    if (i + 1 < count) segment_end_s[i] = edits.segments[i + 1].mix_start_s;
    ChapterMark mark;
    mark.start_s = edits.segments[i].mix_start_s;
    mark.end_s = segment_end_s[i];
    mark.title = segment_chapter_title(edits.segments[i]);
    chapters.push_back(std::move(mark));
  }
  const std::vector<MixSpan> spans = mix_spans(edits);
  for (const ChapterMark& source : published) {
    const MixSpan* span = span_holding(spans, source.start_s);
    if (span == nullptr) continue;
    ChapterMark mark = source;
    mark.start_s = span->mix_start_s + (source.start_s - span->source_start_s);
    // Its own end when the same segment plays it; else the segment's end.
    double end_s = segment_end_s[span->segment];
    if (source.end_s) {
      const MixSpan* end_span = span_holding(spans, *source.end_s);
      if (end_span != nullptr && end_span->segment == span->segment) {
        end_s = end_span->mix_start_s + (*source.end_s - end_span->source_start_s);
      }
    }
    mark.end_s = end_s > mark.start_s ? std::optional<double>(end_s) : std::nullopt;
    chapters.push_back(std::move(mark));
  }
  std::stable_sort(
      chapters.begin(), chapters.end(),
      [](const ChapterMark& a, const ChapterMark& b) { return a.start_s < b.start_s; });
  return chapters;
}

std::vector<Chapter> id3_chapters(const std::vector<ChapterMark>& chapters, double mix_duration_s) {
  const auto ms = [](double s) {
    return static_cast<std::uint32_t>(std::lround(std::max(0.0, s) * 1000.0));
  };
  std::vector<Chapter> out;
  for (std::size_t i = 0; i < chapters.size(); ++i) {
    const double next_s = i + 1 < chapters.size() ? chapters[i + 1].start_s : mix_duration_s;
    Chapter ch;
    ch.start_ms = ms(chapters[i].start_s);
    ch.end_ms = ms(chapters[i].end_s.value_or(next_s));
    ch.title = chapters[i].title;
    out.push_back(std::move(ch));
  }
  return out;
}

}  // namespace namix
