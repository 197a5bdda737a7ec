// Finding a theme's phrases in a transcript's words, as a machine
// transcript gets them: stems compared, a long word one letter off still
// counts, a doubled word is skipped, and a phrase of three words or more
// survives one word substituted or dropped inside it.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "select/theme.h"
#include "select/word_tokens.h"

namespace namix::selection {

struct PhraseHit {
  std::size_t phrase = 0;  // index into the phrase list
  std::size_t first = 0;   // first and last token of the match, inclusive
  std::size_t last = 0;
};

class PhraseMatcher {
 public:
  PhraseMatcher(const std::vector<ThemePhrase>& phrases, const WordStemmer& stemmer);

  // Non-overlapping matches in a stream of words (word_tokens()) and their
  // stems, in order. Where phrases overlap, the longest wins ("associate
  // executive producer" over "producer").
  std::vector<PhraseHit> find(const std::vector<std::string>& words,
                              const std::vector<std::string>& stems) const;

 private:
  // The last token of phrase p matched at `at`; npos when it does not match.
  std::size_t match_at(const std::vector<std::string>& words, const std::vector<std::string>& stems,
                       std::size_t at, std::size_t phrase) const;
  bool same(const std::vector<std::string>& words, const std::vector<std::string>& stems,
            std::size_t at, std::size_t phrase, std::size_t k) const;

  std::vector<std::vector<std::string>> phrase_words_;
  std::vector<std::vector<std::string>> phrase_stems_;
  std::vector<std::size_t> longest_first_;
};

// Words of six letters or more one edit apart ("represenatives").
bool one_letter_off(const std::string& a, const std::string& b);

}  // namespace namix::selection
