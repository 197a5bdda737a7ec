#include "select/about_ranking.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "select/word_tokens.h"

namespace namix::selection {
namespace {

// Okapi BM25's usual constants (Robertson & Zaragoza, "The Probabilistic
// Relevance Framework: BM25 and Beyond", 2009): term saturation and length
// normalisation.
constexpr double kK1 = 1.2;
constexpr double kB = 0.75;
// A phrase found whole says more than its words found apart: its BM25 term
// counts this many times a loose word's.
constexpr double kPhraseBoost = 3.0;

constexpr std::array<std::string_view, 40> kCommonWords = {
    "a",   "an",  "the",  "and",  "or",    "of",    "to",  "in",  "on",    "at",
    "for", "by",  "with", "from", "about", "is",    "are", "was", "were",  "be",
    "it",  "its", "this", "that", "these", "those", "as",  "but", "not",   "no",
    "we",  "you", "they", "he",   "she",   "i",     "my",  "our", "their", "what"};

bool common(const std::string& token) {
  return std::find(kCommonWords.begin(), kCommonWords.end(), token) != kCommonWords.end();
}

// The parts of the description: quoted stretches, then what lies between
// them split at commas and semicolons.
std::vector<std::pair<std::string, bool>> parts_of(std::string_view about) {
  std::vector<std::pair<std::string, bool>> parts;  // text, quoted
  std::string current;
  bool quoted = false;
  auto flush = [&](bool was_quoted) {
    if (!current.empty()) parts.emplace_back(current, was_quoted);
    current.clear();
  };
  for (char c : about) {
    if (c == '"') {
      flush(quoted);
      quoted = !quoted;
    } else if (!quoted && (c == ',' || c == ';')) {
      flush(false);
    } else {
      current += c;
    }
  }
  flush(quoted);
  return parts;
}

bool contains_at(const std::vector<std::string>& doc, std::size_t at,
                 const std::vector<std::string>& phrase) {
  if (at + phrase.size() > doc.size()) return false;
  return std::equal(phrase.begin(), phrase.end(), doc.begin() + static_cast<std::ptrdiff_t>(at));
}

}  // namespace

AboutQuery parse_about(std::string_view about) {
  WordStemmer stemmer;
  AboutQuery q;
  for (const auto& [text, quoted] : parts_of(about)) {
    const std::vector<std::string> tokens = word_tokens(text);
    std::vector<std::string> content;
    for (const auto& t : tokens) {
      if (common(t)) continue;
      content.push_back(t);
      const std::string stem = stemmer.stem(t);
      if (std::find(q.terms.begin(), q.terms.end(), stem) == q.terms.end()) {
        q.terms.push_back(stem);
        q.term_texts.push_back(t);
      }
    }
    // A phrase keeps its common words only when quoted: "gas stoves" and
    // "ban on gas stoves" should both find "a ban on gas stoves".
    const std::vector<std::string>& words = quoted ? tokens : content;
    if (words.size() >= 2) {
      std::vector<std::string> stems;
      std::string shown;
      for (const auto& w : words) {
        stems.push_back(stemmer.stem(w));
        shown += (shown.empty() ? "" : " ") + w;
      }
      q.phrases.push_back(std::move(stems));
      q.phrase_texts.push_back(std::move(shown));
    }
  }
  return q;
}

std::vector<SentenceRelevance> rank_sentences(const std::vector<Sentence>& sentences,
                                              const AboutQuery& query) {
  std::vector<SentenceRelevance> out(sentences.size());
  if (sentences.empty() || query.empty()) return out;
  WordStemmer stemmer;
  std::vector<std::vector<std::string>> docs;
  docs.reserve(sentences.size());
  double total_length = 0.0;
  for (const auto& s : sentences) {
    std::vector<std::string> doc;
    for (const auto& t : word_tokens(s.text)) {
      if (!common(t)) doc.push_back(stemmer.stem(t));
    }
    total_length += static_cast<double>(doc.size());
    docs.push_back(std::move(doc));
  }
  const double n = static_cast<double>(docs.size());
  const double avg_length = std::max(1.0, total_length / n);
  // Term frequencies per document, for terms and for phrases (whose stems
  // are matched over the document without its common words).
  auto term_tf = [](const std::vector<std::string>& doc, const std::string& term) {
    return static_cast<double>(std::count(doc.begin(), doc.end(), term));
  };
  auto phrase_tf = [](const std::vector<std::string>& doc, const std::vector<std::string>& p) {
    double tf = 0.0;
    for (std::size_t i = 0; i < doc.size(); ++i) tf += contains_at(doc, i, p) ? 1.0 : 0.0;
    return tf;
  };
  struct Feature {
    std::string shown;
    double boost;
    std::vector<double> tf;
  };
  std::vector<Feature> features;
  for (std::size_t t = 0; t < query.terms.size(); ++t) {
    Feature f{query.term_texts[t], 1.0, {}};
    for (const auto& doc : docs) f.tf.push_back(term_tf(doc, query.terms[t]));
    features.push_back(std::move(f));
  }
  for (std::size_t p = 0; p < query.phrases.size(); ++p) {
    // Matched against the documents' stems, which hold no common words.
    std::vector<std::string> stems;
    for (const auto& w : query.phrases[p]) {
      if (!common(w)) stems.push_back(w);
    }
    Feature f{query.phrase_texts[p], kPhraseBoost, {}};
    for (const auto& doc : docs) f.tf.push_back(phrase_tf(doc, stems));
    features.push_back(std::move(f));
  }
  for (const Feature& f : features) {
    const double df = static_cast<double>(
        std::count_if(f.tf.begin(), f.tf.end(), [](double tf) { return tf > 0.0; }));
    if (df == 0.0) continue;
    // BM25's idf, kept positive for terms in over half the documents.
    const double idf = std::log(1.0 + (n - df + 0.5) / (df + 0.5));
    for (std::size_t d = 0; d < docs.size(); ++d) {
      const double tf = f.tf[d];
      if (tf == 0.0) continue;
      const double length = static_cast<double>(docs[d].size());
      out[d].score +=
          f.boost * idf * tf * (kK1 + 1.0) / (tf + kK1 * (1.0 - kB + kB * length / avg_length));
      if (std::find(out[d].matched.begin(), out[d].matched.end(), f.shown) ==
          out[d].matched.end()) {
        out[d].matched.push_back(f.shown);
      }
    }
  }
  return out;
}

}  // namespace namix::selection
