// Podcasting 2.0 JSON transcripts: {"version": "1.0.0", "segments": [{
// "speaker", "startTime", "endTime", "body"}]}. A segment-level file has a
// phrase per segment; a word-level one a word per segment, which is grouped
// here into cues at speaker changes, pauses and sentence ends.
#include <algorithm>
#include <cmath>
#include <string>

#include "transcript/cue_text.h"
#include "transcript/json_fields.h"
#include "transcript/transcript_formats.h"

namespace namix {
namespace {

// Word-level grouping: a gap this long between words is a pause the
// analysis sees too (it splits utterances at 0.3 s), so a cue starts there.
constexpr double kCuePause_s = 0.4;
// Cues longer than this are split at the next word, as captioners do.
constexpr std::size_t kMaxCueChars = 80;

struct Segment {
  double start_s = 0.0;
  double end_s = std::nan("");
  std::string speaker;
  std::vector<std::string> words;
};

bool ends_sentence(const std::string& word) {
  const char c = word.empty() ? ' ' : word.back();
  return c == '.' || c == '?' || c == '!';
}

std::vector<TranscriptWord> timed_words(const Segment& s) {
  std::vector<TranscriptWord> words;
  for (std::size_t k = 0; k < s.words.size(); ++k) {
    const bool only = s.words.size() == 1;
    words.push_back({k == 0 ? s.start_s : std::nan(""), only ? s.end_s : std::nan(""), s.words[k]});
  }
  return words;
}

// An end for segments that give none: the next segment's start, or a
// speaking-rate guess when that does not come later.
double end_or_estimate(const Segment& s, const Segment* next) {
  if (std::isfinite(s.end_s)) return s.end_s;
  if (next != nullptr && next->start_s > s.start_s) return next->start_s;
  std::size_t chars = 0;
  for (const auto& w : s.words) chars += w.size() + 1;
  return s.start_s + 0.2 + 0.07 * static_cast<double>(chars);
}

void group_words(const std::vector<Segment>& segments, std::vector<Cue>& out) {
  Cue cue;
  std::size_t chars = 0;
  const auto close = [&] {
    if (cue.words.empty()) return;
    out.push_back(std::move(cue));
    cue = Cue{};
    chars = 0;
  };
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const Segment& s = segments[i];
    if (s.words.empty()) continue;
    const Segment* next = i + 1 < segments.size() ? &segments[i + 1] : nullptr;
    if (!cue.words.empty()) {
      const bool pause = s.start_s - cue.end_s >= kCuePause_s;
      if (s.speaker != cue.speaker || pause || ends_sentence(cue.words.back().text) ||
          chars >= kMaxCueChars) {
        close();
      }
    }
    if (cue.words.empty()) {
      cue.start_s = s.start_s;
      cue.speaker = s.speaker;
    }
    Segment timed = s;
    timed.end_s = end_or_estimate(s, next);
    for (auto& w : timed_words(timed)) {
      chars += w.text.size() + 1;
      cue.words.push_back(std::move(w));
    }
    cue.end_s = std::max(cue.end_s, timed.end_s);
  }
  close();
}

}  // namespace

Result<ParsedCues> parse_json_transcript_cues(std::string_view text,
                                              std::string_view display_name) {
  auto doc = parse_json_document(text, display_name);
  if (!doc.ok()) return doc.error();
  const nlohmann::json* list = nullptr;
  if (doc->is_array()) {
    list = &*doc;
  } else if (doc->is_object() && doc->contains("segments") && (*doc)["segments"].is_array()) {
    list = &(*doc)["segments"];
  } else if (doc->is_object() && doc->contains("chapters")) {
    return make_error(Errc::undecodable, std::string(display_name) +
                                             " holds JSON chapters, not a transcript; give it "
                                             "as the chapters instead");
  } else {
    return make_error(Errc::undecodable,
                      std::string(display_name) +
                          " is JSON but not a Podcasting 2.0 transcript (no \"segments\" list)");
  }

  ParsedCues parsed;
  std::vector<Segment> segments;
  std::size_t untimed = 0;
  for (const auto& item : *list) {
    const auto start = json_seconds(item, "startTime");
    if (!start) {
      ++untimed;
      continue;
    }
    Segment s{*start, json_seconds(item, "endTime").value_or(std::nan("")),
              json_string(item, "speaker"), split_words(json_string(item, "body"))};
    segments.push_back(std::move(s));
  }
  if (untimed > 0) {
    parsed.warnings.push_back(std::to_string(untimed) +
                              " segments without a usable startTime ignored");
  }

  std::size_t with_words = 0, single_words = 0;
  for (const auto& s : segments) {
    with_words += !s.words.empty();
    single_words += s.words.size() == 1;
  }
  // A word-level file has a word per segment; a phrase-level one may have
  // some one-word replies ("Yes."), but not four in five.
  const bool word_level = with_words >= 2 && single_words * 5 >= with_words * 4;
  if (word_level) {
    const auto by_start = [](const Segment& a, const Segment& b) { return a.start_s < b.start_s; };
    if (!std::is_sorted(segments.begin(), segments.end(), by_start)) {
      std::stable_sort(segments.begin(), segments.end(), by_start);
      parsed.warnings.push_back("word segments out of order; sorted by start time");
    }
    group_words(segments, parsed.cues);
    return parsed;
  }
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const Segment* next = i + 1 < segments.size() ? &segments[i + 1] : nullptr;
    Segment& s = segments[i];
    s.end_s = end_or_estimate(s, next);
    parsed.cues.push_back({s.start_s, s.end_s, s.speaker, {}, timed_words(s)});
  }
  return parsed;
}

}  // namespace namix
