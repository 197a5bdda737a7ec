// Words as a selection compares them: lower-case tokens without
// punctuation, reduced to their stems (Snowball English), so that
// "Donations" matches "donation" and "thanks" matches "thank".
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct sb_stemmer;

namespace namix::selection {

// The words of `text`, lower-case (ASCII letters; other UTF-8 bytes pass
// through), split at anything but letters, digits and UTF-8; apostrophes are
// dropped ("don't" is "dont").
std::vector<std::string> word_tokens(std::string_view text);
inline std::size_t phrase_word_count(std::string_view text) { return word_tokens(text).size(); }

// One Snowball English stemmer. Not shareable between threads: each
// selection makes its own.
class WordStemmer {
 public:
  WordStemmer();
  ~WordStemmer();
  WordStemmer(const WordStemmer&) = delete;
  WordStemmer& operator=(const WordStemmer&) = delete;

  // The stem of one token from word_tokens().
  std::string stem(std::string_view token) const;
  std::vector<std::string> stems(std::string_view text) const;

 private:
  struct Free {
    void operator()(sb_stemmer* s) const;
  };
  std::unique_ptr<sb_stemmer, Free> stemmer_;
};

}  // namespace namix::selection
