#include "mix/mix_transcript.h"

#include <algorithm>

#include "transcript/cue_timing.h"

namespace namix {
namespace {

// Source time `source_s`, clamped into `span`, at its mix time.
double to_mix(const MixSpan& span, double source_s) {
  const double t = std::clamp(source_s, span.source_start_s, span.source_end_s);
  return span.mix_start_s + (t - span.source_start_s);
}

}  // namespace

std::vector<MixSpan> mix_spans(const EditList& edits) {
  std::vector<MixSpan> spans;
  for (std::size_t s = 0; s < edits.segments.size(); ++s) {
    const EditSegment& seg = edits.segments[s];
    double from = seg.start_s;
    double mix_at = seg.mix_start_s;
    const auto add = [&](double to) {
      if (to > from) spans.push_back({from, to, mix_at, s});
      mix_at += std::max(0.0, to - from);
    };
    for (const Pause& dropped : seg.dropped) {
      add(dropped.start_s);
      from = dropped.end_s;
    }
    add(seg.end_s);
  }
  return spans;
}

const MixSpan* span_holding(const std::vector<MixSpan>& spans, double source_s) {
  // A handful of spans per segment: a scan is as fast as a search.
  for (const MixSpan& span : spans) {
    if (source_s >= span.source_start_s && source_s < span.source_end_s) return &span;
  }
  return nullptr;
}

std::optional<double> mix_time(const std::vector<MixSpan>& spans, double source_s) {
  const MixSpan* span = span_holding(spans, source_s);
  if (span == nullptr) return std::nullopt;
  return to_mix(*span, source_s);
}

Transcript mix_transcript(const Transcript& aligned, const EditList& edits) {
  const std::vector<MixSpan> spans = mix_spans(edits);
  Transcript out;
  out.format = aligned.format;
  std::size_t last_source_cue = aligned.cues.size();
  std::size_t last_segment = edits.segments.size();
  for (const MixSpan& span : spans) {
    // Cues are in order and do not overlap: their ends are in order too.
    auto it = std::lower_bound(aligned.cues.begin(), aligned.cues.end(), span.source_start_s,
                               [](const Cue& c, double t) { return c.end_s <= t; });
    for (; it != aligned.cues.end() && it->start_s < span.source_end_s; ++it) {
      Cue cue;
      cue.speaker = it->speaker;
      for (const TranscriptWord& w : it->words) {
        const double middle = 0.5 * (w.start_s + w.end_s);
        if (middle < span.source_start_s || middle >= span.source_end_s) continue;
        cue.words.push_back({to_mix(span, w.start_s), to_mix(span, w.end_s), w.text});
      }
      if (cue.words.empty()) continue;
      cue.start_s = std::min(to_mix(span, it->start_s), cue.words.front().start_s);
      cue.end_s = std::max(to_mix(span, it->end_s), cue.words.back().end_s);
      // A cue cut by a dropped pause continues in the next span of the same
      // segment: one cue, as it is heard.
      const auto source_cue = static_cast<std::size_t>(it - aligned.cues.begin());
      if (!out.cues.empty() && source_cue == last_source_cue && span.segment == last_segment) {
        Cue& last = out.cues.back();
        last.words.insert(last.words.end(), cue.words.begin(), cue.words.end());
        last.end_s = cue.end_s;
        last.text = join_words(last.words);
        continue;
      }
      last_source_cue = source_cue;
      last_segment = span.segment;
      cue.text = join_words(cue.words);
      out.cues.push_back(std::move(cue));
    }
  }
  std::stable_sort(out.cues.begin(), out.cues.end(),
                   [](const Cue& a, const Cue& b) { return a.start_s < b.start_s; });
  return out;
}

}  // namespace namix
