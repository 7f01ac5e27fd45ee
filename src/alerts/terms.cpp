// The one place of src/alerts/ that sees Xapian: its French stemmer, the one
// the search index uses (src/search/index.cpp), so that a saved search and a
// search of the index stem a word alike.
#include "alerts/terms.h"

#include <xapian.h>

#include <algorithm>
#include <array>

#include "search/search.h"

namespace limpide::alerts {

std::vector<std::string> FoldedWords(std::string_view utf8) {
  const std::string folded = search::FoldText(utf8);
  std::vector<std::string> words;
  std::string word;
  for (const char ch : folded) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80) {
      word.push_back(ch);
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

std::string Stem(std::string_view folded_word) {
  // A Xapian::Stem keeps state while it stems: one per thread.
  thread_local Xapian::Stem french("french");
  return french(std::string(folded_word));
}

bool IsStopWord(std::string_view w) {
  static constexpr std::array<std::string_view, 30> kStop = {
      "a",   "au",  "aux", "avec", "ce",  "d",   "dans", "de",  "des", "du",
      "en",  "et",  "il",  "l",    "la",  "le",  "les",  "leur", "n",  "ou",
      "par", "pas", "pour", "qu",  "que", "s",   "sur",  "un",  "une", "y"};
  return std::find(kStop.begin(), kStop.end(), w) != kStop.end();
}

}  // namespace limpide::alerts
