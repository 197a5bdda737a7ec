#include "transcript/sentences.h"

#include <array>
#include <string_view>

#include "core/ascii_text.h"

namespace namix {
namespace {

// A silence this long between words ends a sentence whatever the
// punctuation says: a transcript without punctuation still gets sentences.
constexpr double kSentenceSilence_s = 1.5;
// A sentence running this long without an end mark ends at the next cue
// boundary, so a selection never has to take minutes in one piece.
constexpr double kLongSentence_s = 30.0;

bool ends_with(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

// Drops closing quotes and brackets: `done."` and `(really?)` end sentences.
std::string_view without_closers(std::string_view w) {
  while (!w.empty()) {
    if (w.back() == '"' || w.back() == '\'' || w.back() == ')' || w.back() == ']') {
      w.remove_suffix(1);
    } else if (ends_with(w, "\u201D") || ends_with(w, "\u2019")) {  // ” ’
      w.remove_suffix(3);
    } else if (ends_with(w, "\u00BB")) {  // »
      w.remove_suffix(2);
    } else {
      break;
    }
  }
  return w;
}

bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// "Mr.", "Dr.", an initial "J.", letters with dots "U.S." / "e.g.": a period
// that ends no sentence (a sentence ending on one joins the next; cheaper
// than cutting "Dr. | Smith").
bool is_abbreviation(std::string_view w) {
  while (!w.empty() && (w.front() == '(' || w.front() == '"' || w.front() == '\'')) {
    w.remove_prefix(1);
  }
  const std::string lower = ascii_lower(w);
  static constexpr std::array<std::string_view, 10> kTitles = {"mr.", "mrs.", "ms.", "dr.", "prof.",
                                                               "st.", "jr.",  "sr.", "vs.", "mt."};
  for (auto t : kTitles) {
    if (lower == t) return true;
  }
  // Letter-dot pairs only: "J.", "U.S.", "e.g.".
  if (lower.size() % 2 != 0) return false;
  for (std::size_t i = 0; i < lower.size(); i += 2) {
    if (!is_letter(lower[i]) || lower[i + 1] != '.') return false;
  }
  return !lower.empty();
}

bool ends_sentence(std::string_view word) {
  const std::string_view w = without_closers(word);
  if (w.empty()) return false;
  if (ends_with(w, "\u2026") || ends_with(w, "\u3002") || ends_with(w, "\uFF1F") ||
      ends_with(w, "\uFF01")) {  // … 。 ？ ！
    return true;
  }
  const char c = w.back();
  if (c == '?' || c == '!') return true;
  return c == '.' && !is_abbreviation(w);
}

}  // namespace

std::vector<Sentence> split_sentences(const Transcript& transcript) {
  std::vector<Sentence> sentences;
  const auto& cues = transcript.cues;
  Sentence current;
  bool open = false;
  const auto close = [&] {
    if (open) sentences.push_back(std::move(current));
    current = Sentence{};
    open = false;
  };
  for (std::size_t ci = 0; ci < cues.size(); ++ci) {
    const Cue& cue = cues[ci];
    if (open &&
        (cue.speaker != current.speaker || current.end_s - current.start_s >= kLongSentence_s)) {
      close();
    }
    for (std::size_t wi = 0; wi < cue.words.size(); ++wi) {
      const TranscriptWord& w = cue.words[wi];
      if (open && w.start_s - current.end_s >= kSentenceSilence_s) close();
      if (!open) {
        current.start_s = w.start_s;
        current.speaker = cue.speaker;
        current.first = {ci, wi};
        open = true;
      } else {
        current.text += ' ';
      }
      current.text += w.text;
      current.end_s = w.end_s;
      current.last = {ci, wi};
      ++current.word_count;
      if (ends_sentence(w.text)) close();
    }
  }
  close();
  return sentences;
}

}  // namespace namix
