#include "select/word_tokens.h"

#include <libstemmer.h>

#include <cassert>

namespace namix::selection {

std::vector<std::string> word_tokens(std::string_view text) {
  std::vector<std::string> out;
  std::string word;
  for (char c : text) {
    const auto b = static_cast<unsigned char>(c);
    if ((b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b >= 0x80) {
      word += c;
    } else if (b >= 'A' && b <= 'Z') {
      word += static_cast<char>(b - 'A' + 'a');
    } else if (b == '\'' && !word.empty()) {
      continue;
    } else if (!word.empty()) {
      out.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) out.push_back(std::move(word));
  return out;
}

void WordStemmer::Free::operator()(sb_stemmer* s) const { sb_stemmer_delete(s); }

WordStemmer::WordStemmer() : stemmer_(sb_stemmer_new("english", nullptr)) {
  // Only an allocation failure leaves it null: English UTF-8 is always built in.
  assert(stemmer_ != nullptr);
}

WordStemmer::~WordStemmer() = default;

std::string WordStemmer::stem(std::string_view token) const {
  const sb_symbol* s =
      sb_stemmer_stem(stemmer_.get(), reinterpret_cast<const sb_symbol*>(token.data()),
                      static_cast<int>(token.size()));
  if (s == nullptr) return std::string(token);
  return std::string(reinterpret_cast<const char*>(s),
                     static_cast<std::size_t>(sb_stemmer_length(stemmer_.get())));
}

std::vector<std::string> WordStemmer::stems(std::string_view text) const {
  std::vector<std::string> out = word_tokens(text);
  for (auto& w : out) w = stem(w);
  return out;
}

}  // namespace namix::selection
