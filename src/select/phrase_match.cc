#include "select/phrase_match.h"

#include <algorithm>
#include <numeric>
#include <string_view>

namespace namix::selection {
namespace {

// Machine transcripts misspell long words by a letter ("represenatives");
// short ones one letter off are other words ("dollar", "collar").
constexpr std::size_t kFuzzyWordLetters = 6;

bool one_edit_apart(std::string_view a, std::string_view b) {
  if (a.size() > b.size()) std::swap(a, b);
  if (b.size() - a.size() > 1) return false;
  std::size_t i = 0;
  while (i < a.size() && a[i] == b[i]) ++i;
  if (a.size() == b.size()) return a.substr(i + 1) == b.substr(i + 1);
  return a.substr(i) == b.substr(i + 1);
}

}  // namespace

bool one_letter_off(const std::string& a, const std::string& b) {
  return a.size() >= kFuzzyWordLetters && b.size() >= kFuzzyWordLetters && one_edit_apart(a, b);
}

PhraseMatcher::PhraseMatcher(const std::vector<ThemePhrase>& phrases, const WordStemmer& stemmer) {
  for (const auto& p : phrases) {
    phrase_words_.push_back(word_tokens(p.text));
    phrase_stems_.push_back(stemmer.stems(p.text));
  }
  longest_first_.resize(phrase_stems_.size());
  std::iota(longest_first_.begin(), longest_first_.end(), std::size_t{0});
  std::stable_sort(longest_first_.begin(), longest_first_.end(), [&](std::size_t x, std::size_t y) {
    return phrase_stems_[x].size() > phrase_stems_[y].size();
  });
}

// Same stem, or the word itself one letter off: stems of misspelt words
// part early ("represenat" against "repres").
bool PhraseMatcher::same(const std::vector<std::string>& words,
                         const std::vector<std::string>& stems, std::size_t at, std::size_t phrase,
                         std::size_t k) const {
  return stems[at] == phrase_stems_[phrase][k] ||
         one_letter_off(words[at], phrase_words_[phrase][k]);
}

std::size_t PhraseMatcher::match_at(const std::vector<std::string>& words,
                                    const std::vector<std::string>& stems, std::size_t at,
                                    std::size_t phrase) const {
  constexpr std::size_t npos = static_cast<std::size_t>(-1);
  const std::size_t n = phrase_stems_[phrase].size();
  const std::size_t len = stems.size();
  if (n == 0 || at >= len || !same(words, stems, at, phrase, 0)) return npos;
  // One word wrong inside a phrase of three or more; first and last words
  // must be there, or any pair of neighbours would pass for a long phrase.
  int errors_left = n >= 3 ? 1 : 0;
  std::size_t k = 1;
  std::size_t j = at + 1;
  while (k < n) {
    if (j < len && same(words, stems, j, phrase, k)) {
      ++k;
      ++j;
    } else if (j < len && stems[j] == stems[j - 1]) {
      ++j;  // a doubled word
    } else if (errors_left > 0 && k + 1 < n && j < len) {
      --errors_left;
      if (j + 1 < len && same(words, stems, j + 1, phrase, k + 1)) {
        j += 2;  // substituted
        k += 2;
      } else if (same(words, stems, j, phrase, k + 1)) {
        k += 2;  // dropped
        ++j;
      } else {
        return npos;
      }
    } else {
      return npos;
    }
  }
  return j - 1;
}

std::vector<PhraseHit> PhraseMatcher::find(const std::vector<std::string>& words,
                                           const std::vector<std::string>& stems) const {
  std::vector<PhraseHit> hits;
  std::size_t i = 0;
  while (i < stems.size()) {
    bool found = false;
    for (std::size_t p : longest_first_) {
      std::size_t last = match_at(words, stems, i, p);
      if (last == static_cast<std::size_t>(-1)) continue;
      hits.push_back({p, i, last});
      i = last + 1;
      found = true;
      break;
    }
    if (!found) ++i;
  }
  return hits;
}

}  // namespace namix::selection
