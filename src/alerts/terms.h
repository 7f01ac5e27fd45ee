// The words of a text as saved searches match them: folded as the search
// index folds them (search::FoldText: lower case, no diacritics, apostrophes
// cut) and stemmed with the French Snowball stemmer, so that "Rénovations"
// and "renovation" give the same stem.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace limpide::alerts {

// The folded words of `utf8`, in order: runs of letters and digits of
// search::FoldText(utf8) (any other ASCII character separates words).
std::vector<std::string> FoldedWords(std::string_view utf8);

// The French stem of a folded word ("renovations" -> "renov"). Thread-safe.
std::string Stem(std::string_view folded_word);

// Common French words that a required keyword ignores ("de", "la", "pour").
bool IsStopWord(std::string_view folded_word);

}  // namespace limpide::alerts
