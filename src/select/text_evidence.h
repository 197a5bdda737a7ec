// What the transcript says about each unit for one theme, or for what the
// producer asked --about: how densely the phrases or relevant sentences
// come up around it, which phrases or terms those were, and where a cut
// between two units would split a sentence.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "select/about_ranking.h"
#include "select/theme.h"
#include "select/timeline.h"
#include "transcript/sentences.h"
#include "transcript/transcript.h"

namespace namix::selection {

// The match() at which the words alone make speech theme material.
inline constexpr double kWordsDecide = 0.5;

class TextEvidence {
 public:
  // `transcript` aligned to the audio the units come from; all references
  // must outlive this object.
  TextEvidence(const Transcript& transcript, const std::vector<Unit>& units,
               const ThemeWords& words);
  // For --about: each sentence counts by its BM25 relevance to the query,
  // the most relevant sentence as much as two theme phrases.
  TextEvidence(const Transcript& transcript, const std::vector<Unit>& units,
               const AboutQuery& about);

  // 0..1: how strongly the words around the unit speak for the theme; 0
  // where no phrase comes up, 0.5 at kHalfDensity hits per 10 s of sound.
  double match(int unit) const { return match_[static_cast<std::size_t>(unit)]; }
  // Whether a theme phrase is heard in the unit itself, not only around it.
  bool heard(int unit) const { return hit_weight_[static_cast<std::size_t>(unit)] > 0.0; }
  // The theme phrases heard in units r.first..r.last, each once, in the
  // order first heard; "!" stands for exclamations.
  std::vector<std::string> matched(const Range& r) const;
  // --about: the summed BM25 score of the sentences in units r.first..r.last.
  double relevance(const Range& r) const;
  bool about() const { return about_; }

 private:
  explicit TextEvidence(const std::vector<Unit>& units);
  void add_hit(std::size_t unit, const std::string& phrase, double weight);
  void credit_announced(const Transcript& transcript, std::size_t unit, double after_s,
                        const std::string& announcer, const ThemePhrase& phrase);
  std::size_t unit_at(double t_s) const;
  // match() from the hits: their density around each unit.
  void weigh_context();

  const std::vector<Unit>& units_;
  bool about_ = false;
  std::vector<double> hit_weight_;               // per unit
  std::vector<std::vector<std::string>> heard_;  // per unit, in order heard
  std::vector<double> relevance_;                // per unit, --about only
  std::vector<double> match_;
};

// For each unit, whether the gap before it lies inside a sentence of the
// transcript (a cut there splits it). The first unit's gap never does.
std::vector<bool> gaps_inside_sentences(const std::vector<Sentence>& sentences,
                                        const std::vector<Unit>& units);

}  // namespace namix::selection
