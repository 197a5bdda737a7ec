#include "select/text_evidence.h"

#include <algorithm>
#include <set>

#include "select/phrase_match.h"
#include "select/word_tokens.h"

namespace namix::selection {
namespace {

// Phrase hits are counted over the sound within this distance of a unit's
// middle: one donation line or shouted sentence says little, a minute of
// them is a read-out or a rant.
constexpr double kContextS = 10.0;
// Hits per 10 s of sound at which match() is 0.5. A donation read-out
// (thanks, a title, an amount every 5 s) runs at about 5, a rant's
// exclamations at 3, banter that mentions money or a lord now and then
// under 1.
constexpr double kHalfDensity = 2.0;
// Less sound than this in the context counts as this much: a short
// utterance alone does not make a dense stretch.
constexpr double kMinContextSoundS = 4.0;
// An announced clip plays within this long of its announcement.
constexpr double kAnnouncedWithinS = 60.0;
// --about: the most relevant sentence counts as this many phrase hits, so
// a passage of relevant sentences reaches match() 0.5.
constexpr double kBestSentenceHits = 2.0;

bool ends_with_exclamation(const std::string& word) {
  std::size_t n = word.size();
  while (n > 0 && (word[n - 1] == '"' || word[n - 1] == '\'' || word[n - 1] == ')')) --n;
  return n > 0 && word[n - 1] == '!';
}

}  // namespace

TextEvidence::TextEvidence(const Transcript& transcript, const std::vector<Unit>& units,
                           const ThemeWords& words)
    : TextEvidence(units) {
  if (units.empty()) return;
  // The transcript as one stream of stems, each knowing its word.
  WordStemmer stemmer;
  struct Token {
    std::size_t cue = 0;
    std::size_t word = 0;
  };
  std::vector<std::string> tokens;
  std::vector<std::string> stems;
  std::vector<Token> where;
  for (std::size_t c = 0; c < transcript.cues.size(); ++c) {
    const Cue& cue = transcript.cues[c];
    for (std::size_t w = 0; w < cue.words.size(); ++w) {
      const TranscriptWord& word = cue.words[w];
      for (const auto& token : word_tokens(word.text)) {
        stems.push_back(stemmer.stem(token));
        tokens.push_back(token);
        where.push_back({c, w});
      }
      if (words.exclamation_weight > 0.0 && ends_with_exclamation(word.text)) {
        add_hit(unit_at(0.5 * (word.start_s + word.end_s)), "!", words.exclamation_weight);
      }
    }
  }
  const PhraseMatcher matcher(words.phrases, stemmer);
  for (const PhraseHit& hit : matcher.find(tokens, stems)) {
    const Token& first = where[hit.first];
    const Token& last = where[hit.last];
    const TranscriptWord& w0 = transcript.cues[first.cue].words[first.word];
    const TranscriptWord& w1 = transcript.cues[last.cue].words[last.word];
    const ThemePhrase& phrase = words.phrases[hit.phrase];
    const std::size_t unit = unit_at(0.5 * (w0.start_s + w1.end_s));
    if (phrase.announces) {
      credit_announced(transcript, unit, w1.end_s, transcript.cues[last.cue].speaker, phrase);
    } else {
      add_hit(unit, phrase.text, phrase.weight);
    }
  }
  weigh_context();
}

TextEvidence::TextEvidence(const std::vector<Unit>& units)
    : units_(units),
      hit_weight_(units.size(), 0.0),
      heard_(units.size()),
      relevance_(units.size(), 0.0),
      match_(units.size(), 0.0) {}

TextEvidence::TextEvidence(const Transcript& transcript, const std::vector<Unit>& units,
                           const AboutQuery& about)
    : TextEvidence(units) {
  about_ = true;
  if (units.empty()) return;
  const std::vector<Sentence> sentences = split_sentences(transcript);
  const std::vector<SentenceRelevance> ranked = rank_sentences(sentences, about);
  double best = 0.0;
  for (const auto& r : ranked) best = std::max(best, r.score);
  if (best <= 0.0) return;
  for (std::size_t s = 0; s < sentences.size(); ++s) {
    if (ranked[s].score <= 0.0) continue;
    const std::size_t unit = unit_at(0.5 * (sentences[s].start_s + sentences[s].end_s));
    for (const auto& term : ranked[s].matched) add_hit(unit, term, 0.0);
    hit_weight_[unit] += kBestSentenceHits * ranked[s].score / best;
    relevance_[unit] += ranked[s].score;
  }
  weigh_context();
}

void TextEvidence::weigh_context() {
  const auto& units = units_;
  // Density of hits per 10 s of sound around each unit's middle.
  std::size_t lo = 0;
  std::size_t hi = 0;
  double hits = 0.0;
  double sound_s = 0.0;
  auto middle = [&](std::size_t k) { return 0.5 * (units[k].start + units[k].end); };
  for (std::size_t k = 0; k < units.size(); ++k) {
    const double c = middle(k);
    while (hi < units.size() && middle(hi) <= c + kContextS) {
      hits += hit_weight_[hi];
      sound_s += units[hi].end - units[hi].start;
      ++hi;
    }
    while (middle(lo) < c - kContextS) {
      hits -= hit_weight_[lo];
      sound_s -= units[lo].end - units[lo].start;
      ++lo;
    }
    const double density = std::max(0.0, hits) * 10.0 / std::max(sound_s, kMinContextSoundS);
    match_[k] = density / (density + kHalfDensity);
  }
}

void TextEvidence::add_hit(std::size_t unit, const std::string& phrase, double weight) {
  hit_weight_[unit] += weight;
  auto& list = heard_[unit];
  if (std::find(list.begin(), list.end(), phrase) == list.end()) list.push_back(phrase);
}

// What follows an announcement ("roll the tape") up to the next word of a
// host (the announcer or whoever spoke in the minute before it) is what was
// announced: clips in a transcript carry other speakers' names or none.
void TextEvidence::credit_announced(const Transcript& transcript, std::size_t unit, double after_s,
                                    const std::string& announcer, const ThemePhrase& phrase) {
  std::set<std::string> hosts{announcer};
  for (const Cue& cue : transcript.cues) {
    if (cue.end_s > after_s - kAnnouncedWithinS && cue.start_s < after_s) hosts.insert(cue.speaker);
  }
  for (std::size_t k = unit + 1; k < units_.size(); ++k) {
    if (units_[k].start > after_s + kAnnouncedWithinS) break;
    bool host_speaks = false;
    for (const Cue& cue : transcript.cues) {
      if (cue.start_s >= units_[k].end) break;
      if (cue.end_s > units_[k].start && hosts.count(cue.speaker) != 0) host_speaks = true;
    }
    if (host_speaks) break;
    add_hit(k, phrase.text, phrase.weight);
  }
}

std::size_t TextEvidence::unit_at(double t_s) const {
  auto it = std::upper_bound(units_.begin(), units_.end(), t_s,
                             [](double t, const Unit& u) { return t < u.start; });
  std::size_t k = it == units_.begin() ? 0 : static_cast<std::size_t>(it - units_.begin()) - 1;
  if (k + 1 < units_.size() && t_s > 0.5 * (units_[k].end + units_[k + 1].start)) ++k;
  return k;
}

std::vector<std::string> TextEvidence::matched(const Range& r) const {
  std::vector<std::string> out;
  for (int u = r.first; u <= r.last; ++u) {
    for (const auto& text : heard_[static_cast<std::size_t>(u)]) {
      if (std::find(out.begin(), out.end(), text) == out.end()) out.push_back(text);
    }
  }
  return out;
}

double TextEvidence::relevance(const Range& r) const {
  double sum = 0.0;
  for (int u = r.first; u <= r.last; ++u) sum += relevance_[static_cast<std::size_t>(u)];
  return sum;
}

std::vector<bool> gaps_inside_sentences(const std::vector<Sentence>& sentences,
                                        const std::vector<Unit>& units) {
  std::vector<bool> out(units.size(), false);
  std::size_t s = 0;
  for (std::size_t k = 1; k < units.size(); ++k) {
    const double gap_mid = 0.5 * (units[k - 1].end + units[k].start);
    while (s < sentences.size() && sentences[s].end_s <= gap_mid) ++s;
    out[k] = s < sentences.size() && sentences[s].start_s < gap_mid;
  }
  return out;
}

}  // namespace namix::selection
