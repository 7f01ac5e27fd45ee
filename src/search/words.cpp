// The words of a text as the index and saved searches see them (search.h,
// "Words"): one folding, one word split, one French stemmer and one list of
// common words for both, so that a saved search and a search of the index
// find the same notices. Only this file and index.cpp see Xapian's stemmer.
#include <xapian.h>

#include <algorithm>
#include <array>

#include "search/search.h"

namespace limpide::search {
namespace {

// Sorted, for binary search.
constexpr std::array<std::string_view, 54> kStopWords = {
    "a",    "au",  "aux",  "avec", "ce",  "ces", "d",   "dans",  "de",   "des", "du",
    "elle", "en",  "et",   "il",   "l",   "la",  "le",  "les",   "leur", "lui", "ma",
    "mais", "me",  "meme", "mes",  "n",   "ne",  "nos", "notre", "nous", "on",  "ou",
    "par",  "pas", "pour", "qu",   "que", "qui", "s",   "sa",    "se",   "ses", "son",
    "sur",  "ta",  "te",   "tes",  "un",  "une", "vos", "votre", "vous", "y"};

}  // namespace

std::vector<std::string> FoldedWords(std::string_view utf8) {
  const std::string folded = FoldText(utf8);
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

bool IsStopWord(std::string_view folded_word) {
  static const auto kSorted = [] {
    auto a = kStopWords;
    std::sort(a.begin(), a.end());
    return a;
  }();
  return std::binary_search(kSorted.begin(), kSorted.end(), folded_word);
}

const std::vector<std::string>& StopWords() {
  static const std::vector<std::string> kAll(kStopWords.begin(), kStopWords.end());
  return kAll;
}

}  // namespace limpide::search
