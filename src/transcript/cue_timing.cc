#include "transcript/cue_timing.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <utility>

namespace namix {
namespace {

// Cues that start closer together than this share one start: two voices
// captioned at once, or a duplicate. They become one cue.
constexpr double kSameStart_s = 0.05;

// A word's share of its cue: its characters (code points) plus the space
// after it, as captioners time text in proportion to its length.
double word_weight(const std::string& text) {
  double n = 1.0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80 ? 1.0 : 0.0;
  return n;
}

bool name_character_ok(char c) {
  return std::string_view(".,;!?\"()[]{}<>").find(c) == std::string_view::npos;
}

// "Name:" or up to three capitalised words ending in ':' before at least
// one word of text: the name and how many words it takes.
std::optional<std::pair<std::string, std::size_t>> speaker_prefix(const Cue& cue) {
  const std::size_t limit = std::min<std::size_t>(3, cue.words.size() - 1);
  std::string name;
  for (std::size_t k = 0; k < limit; ++k) {
    const std::string& w = cue.words[k].text;
    if (w.empty() || (w[0] >= 'a' && w[0] <= 'z')) return std::nullopt;
    const std::size_t colon = w.find(':');
    const std::string_view body = std::string_view(w).substr(0, colon);
    if (!std::all_of(body.begin(), body.end(), name_character_ok)) return std::nullopt;
    if (!name.empty()) name += ' ';
    name += body;
    if (colon == std::string::npos) continue;
    if (colon + 1 != w.size() || body.empty() || name.size() > 40) return std::nullopt;
    return std::make_pair(name, k + 1);
  }
  return std::nullopt;
}

void take_speaker_prefixes(std::vector<Cue>& cues) {
  std::map<std::string, int> uses;
  for (const Cue& c : cues) {
    if (c.speaker.empty() && c.words.size() > 1) {
      if (auto prefix = speaker_prefix(c)) ++uses[prefix->first];
    }
  }
  if (uses.empty()) return;
  for (Cue& c : cues) {
    if (!c.speaker.empty() || c.words.size() < 2) continue;
    auto prefix = speaker_prefix(c);
    if (!prefix || uses[prefix->first] < 2) continue;
    c.speaker = prefix->first;
    c.words.erase(c.words.begin(), c.words.begin() + static_cast<std::ptrdiff_t>(prefix->second));
  }
}

void warn(std::vector<std::string>& warnings, std::size_t count, const char* what) {
  if (count == 0) return;
  warnings.push_back(std::to_string(count) + (count == 1 ? " cue " : " cues ") + what);
}

}  // namespace

void fill_word_times(Cue& cue) {
  auto& words = cue.words;
  const std::size_t n = words.size();
  if (n == 0) return;
  const double lo = cue.start_s;
  const double hi = std::max(cue.end_s, cue.start_s);
  double last = lo;
  for (auto& w : words) {
    if (std::isfinite(w.start_s) && w.start_s >= last && w.start_s <= hi) {
      last = w.start_s;
    } else {
      w.start_s = std::nan("");
    }
  }
  if (std::isnan(words[0].start_s)) words[0].start_s = lo;
  // Spread each run of unknown starts a..b-1 over [start of a-1, start of b).
  std::size_t a = 1;
  while (a < n) {
    if (!std::isnan(words[a].start_s)) {
      ++a;
      continue;
    }
    std::size_t b = a;
    while (b < n && std::isnan(words[b].start_s)) ++b;
    const double t0 = words[a - 1].start_s;
    const double t1 = b < n ? words[b].start_s : hi;
    double total = 0.0;
    for (std::size_t k = a - 1; k < b; ++k) total += word_weight(words[k].text);
    double before = word_weight(words[a - 1].text);
    for (std::size_t k = a; k < b; ++k) {
      words[k].start_s = t0 + (t1 - t0) * before / total;
      before += word_weight(words[k].text);
    }
    a = b;
  }
  for (std::size_t k = 0; k < n; ++k) {
    const double next = k + 1 < n ? words[k + 1].start_s : hi;
    const double own = words[k].end_s;
    words[k].end_s = std::isfinite(own) && own >= words[k].start_s && own <= next ? own : next;
  }
}

std::string join_words(const std::vector<TranscriptWord>& words) {
  std::string text;
  for (const auto& w : words) {
    if (!text.empty()) text += ' ';
    text += w.text;
  }
  return text;
}

void tidy_cues(std::vector<Cue>& cues, std::vector<std::string>& warnings) {
  std::size_t empty = 0, bad_time = 0, no_length = 0, before_zero = 0;
  std::erase_if(cues, [&](Cue& c) {
    if (c.words.empty()) return ++empty, true;
    if (!std::isfinite(c.start_s) || !std::isfinite(c.end_s) || c.end_s <= 0.0 ||
        c.start_s > kMaxCueTime_s || c.end_s > kMaxCueTime_s)
      return ++bad_time, true;
    if (c.end_s <= c.start_s) return ++no_length, true;
    if (c.start_s < 0.0) {
      c.start_s = 0.0;
      ++before_zero;
    }
    return false;
  });
  take_speaker_prefixes(cues);

  const auto by_start = [](const Cue& a, const Cue& b) { return a.start_s < b.start_s; };
  std::size_t out_of_order = 0;
  for (std::size_t i = 1; i < cues.size(); ++i) out_of_order += by_start(cues[i], cues[i - 1]);
  if (out_of_order > 0) std::stable_sort(cues.begin(), cues.end(), by_start);

  std::size_t clipped = 0, merged = 0;
  std::vector<Cue> kept;
  kept.reserve(cues.size());
  for (Cue& c : cues) {
    if (!kept.empty() && kept.back().end_s > c.start_s) {
      Cue& prev = kept.back();
      if (c.start_s - prev.start_s < kSameStart_s) {
        prev.end_s = std::max(prev.end_s, c.end_s);
        prev.words.insert(prev.words.end(), std::make_move_iterator(c.words.begin()),
                          std::make_move_iterator(c.words.end()));
        ++merged;
        continue;
      }
      prev.end_s = c.start_s;
      ++clipped;
    }
    kept.push_back(std::move(c));
  }
  cues = std::move(kept);
  for (Cue& c : cues) {
    fill_word_times(c);
    c.text = join_words(c.words);
  }
  warn(warnings, empty, "without text dropped");
  warn(warnings, bad_time, "with impossible times dropped");
  warn(warnings, no_length, "of zero or negative length dropped");
  warn(warnings, before_zero, "starting before 0 s clipped");
  warn(warnings, out_of_order, "out of order; sorted by start time");
  warn(warnings, clipped, "overlapping the next one; clipped");
  warn(warnings, merged, "starting with the one before; merged");
}

}  // namespace namix
