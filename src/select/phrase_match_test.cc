#include "select/phrase_match.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace namix::selection {
namespace {

// The texts of the phrases found in `text`, in order.
std::vector<std::string> found(const std::vector<ThemePhrase>& phrases, const std::string& text) {
  WordStemmer stemmer;
  PhraseMatcher matcher(phrases, stemmer);
  std::vector<std::string> out;
  for (const auto& hit : matcher.find(word_tokens(text), stemmer.stems(text))) {
    out.push_back(phrases[hit.phrase].text);
  }
  return out;
}

using Names = std::vector<std::string>;

TEST(WordTokens, LowerCaseWithoutPunctuationOrApostrophes) {
  EXPECT_EQ(word_tokens("Thank you, Sir John! Don't-stop 1,000"),
            (Names{"thank", "you", "sir", "john", "dont", "stop", "1", "000"}));
  EXPECT_EQ(word_tokens("  "), Names{});
  EXPECT_EQ(word_tokens("Zoë"), Names{"zoë"});
}

TEST(WordStemmer, InflectionsShareAStem) {
  WordStemmer s;
  EXPECT_EQ(s.stem("donations"), s.stem("donation"));
  EXPECT_EQ(s.stem("thanks"), s.stem("thank"));
  EXPECT_EQ(s.stem("producers"), s.stem("producer"));
  EXPECT_NE(s.stem("dollar"), s.stem("doll"));
}

TEST(PhraseMatcher, CaseInsensitiveOnWholeWordsByStem) {
  const std::vector<ThemePhrase> p = {{"producer", 1.0, false}, {"donation", 1.0, false}};
  EXPECT_EQ(found(p, "Our PRODUCERS sent Donations."), (Names{"producer", "donation"}));
  // Inside another word is no match.
  EXPECT_EQ(found(p, "the reproducer and the nondonation"), Names{});
}

TEST(PhraseMatcher, LongestOverlappingPhraseWins) {
  const std::vector<ThemePhrase> p = {
      {"producer", 1.0, false},
      {"executive producer", 3.0, false},
      {"associate executive producer", 3.0, false},
  };
  EXPECT_EQ(found(p, "our associate executive producer and an executive producer, a producer"),
            (Names{"associate executive producer", "executive producer", "producer"}));
}

TEST(PhraseMatcher, ToleratesMachineTranscriptErrors) {
  const std::vector<ThemePhrase> p = {{"associate executive producer", 3.0, false},
                                      {"value for value", 2.0, false},
                                      {"representatives", 1.0, false},
                                      {"thank you", 1.0, false}};
  // One word substituted or dropped inside a phrase of three words.
  EXPECT_EQ(found(p, "associate exactly producer"), Names{"associate executive producer"});
  EXPECT_EQ(found(p, "associate producer"), Names{"associate executive producer"});
  EXPECT_EQ(found(p, "value of value"), Names{"value for value"});
  // A doubled word.
  EXPECT_EQ(found(p, "thank thank you"), Names{"thank you"});
  // A long word one letter off.
  EXPECT_EQ(found(p, "all our represenatives"), Names{"representatives"});
  // But not two errors, nor a wrong first or last word, nor a short phrase
  // with a word wrong.
  EXPECT_EQ(found(p, "associate the very producer"), Names{});
  EXPECT_EQ(found(p, "associate executive product"), Names{});
  EXPECT_EQ(found(p, "thank the"), Names{});
}

}  // namespace
}  // namespace namix::selection
