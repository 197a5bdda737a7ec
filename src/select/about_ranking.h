// --about: which sentences of the transcript talk about what the producer
// described, by Okapi BM25 over stemmed words, with the description's
// phrases weighted above its loose words.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "transcript/sentences.h"

namespace namix::selection {

// "gas stoves, electric car mandate" or "\"deep state\" budget": quoted
// parts and comma-separated parts of two words or more are phrases; every
// word but the common ones is also a loose term.
struct AboutQuery {
  std::vector<std::string> terms;                 // stems
  std::vector<std::string> term_texts;            // as written
  std::vector<std::vector<std::string>> phrases;  // stems
  std::vector<std::string> phrase_texts;          // as written
  bool empty() const { return terms.empty() && phrases.empty(); }
};

AboutQuery parse_about(std::string_view about);

struct SentenceRelevance {
  double score = 0.0;                // BM25; 0 when nothing matched
  std::vector<std::string> matched;  // the query's phrases and terms found, as written
};

// One relevance per sentence, the sentences being BM25's documents.
std::vector<SentenceRelevance> rank_sentences(const std::vector<Sentence>& sentences,
                                              const AboutQuery& query);

}  // namespace namix::selection
