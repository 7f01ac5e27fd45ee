// French company identifiers: SIREN (9 digits) and SIRET (14 digits).
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace limpide::domain {

// True when `s` is exactly 9 ASCII digits whose Luhn checksum is valid.
bool IsValidSiren(std::string_view s);

// True when `s` is exactly 14 ASCII digits whose Luhn checksum is valid, or an
// establishment of La Poste (SIREN 356000000), whose SIRETs instead have a digit
// sum that is a multiple of 5.
bool IsValidSiret(std::string_view s);

// Parses a SIRET as written by people and files: spaces, dots and hyphens
// between digits are removed. Errors (invalid_argument) say what is wrong:
// empty, not digits, wrong length, or bad checksum.
Result<std::string> ParseSiret(std::string_view raw);

// First 9 digits of a SIRET; `siret` must be valid.
std::string_view SirenOf(std::string_view siret);

}  // namespace limpide::domain
