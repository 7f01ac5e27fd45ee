// Text helpers shared by import, search filters and pages. Pure functions.
#pragma once

#include <string>
#include <string_view>

namespace limpide::domain {

// Lower-cases and removes diacritics from Latin text (é -> e, œ -> oe, ç -> c),
// collapses runs of whitespace; used to match "renovation" with "Rénovation".
// Invalid UTF-8 bytes are dropped.
std::string FoldForSearch(std::string_view utf8);

// True when `s` is well-formed UTF-8.
bool IsValidUtf8(std::string_view s);

// True when `s` holds U+FFFD, the mark left where a decoder lost a character.
bool HasReplacementChar(std::string_view s);

// Trims ASCII whitespace at both ends and collapses internal runs of whitespace
// (including newlines) to one space.
std::string NormalizeSpaces(std::string_view s);

}  // namespace limpide::domain
