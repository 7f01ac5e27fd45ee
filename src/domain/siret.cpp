#include "domain/siret.h"

namespace limpide::domain {
namespace {

constexpr std::string_view kLaPosteSiren = "356000000";

bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return !s.empty();
}

// Luhn: from the right, every second digit is doubled (minus 9 above 9); the
// total must be a multiple of 10.
bool LuhnValid(std::string_view digits) {
  int sum = 0;
  bool twice = false;
  for (size_t i = digits.size(); i-- > 0;) {
    int d = digits[i] - '0';
    if (twice) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    twice = !twice;
  }
  return sum % 10 == 0;
}

int DigitSum(std::string_view digits) {
  int sum = 0;
  for (char c : digits) sum += c - '0';
  return sum;
}

// Separators people and spreadsheets put between the digits; U+00A0 and
// U+202F come from text copied out of French web pages.
size_t SeparatorLength(std::string_view s, size_t i) {
  const char c = s[i];
  if (c == ' ' || c == '\t' || c == '.' || c == '-') return 1;
  if (s.substr(i, 2) == "\xC2\xA0") return 2;
  if (s.substr(i, 3) == "\xE2\x80\xAF") return 3;
  return 0;
}

}  // namespace

bool IsValidSiren(std::string_view s) { return s.size() == 9 && AllDigits(s) && LuhnValid(s); }

bool IsValidSiret(std::string_view s) {
  if (s.size() != 14 || !AllDigits(s)) return false;
  if (LuhnValid(s)) return true;
  // INSEE rule for the establishments of La Poste, too many for Luhn to
  // number them all.
  return s.substr(0, 9) == kLaPosteSiren && DigitSum(s) % 5 == 0;
}

Result<std::string> ParseSiret(std::string_view raw) {
  std::string digits;
  digits.reserve(14);
  for (size_t i = 0; i < raw.size();) {
    if (const size_t sep = SeparatorLength(raw, i); sep > 0) {
      i += sep;
      continue;
    }
    const char c = raw[i];
    if (c < '0' || c > '9') {
      return Status::InvalidArgument("SIRET \"" + std::string(raw) +
                                     "\" holds a character that is not a digit at byte " +
                                     std::to_string(i + 1) + "; a SIRET is 14 digits");
    }
    digits.push_back(c);
    ++i;
  }
  if (digits.empty()) return Status::InvalidArgument("SIRET is empty; a SIRET is 14 digits");
  if (digits.size() != 14) {
    return Status::InvalidArgument("SIRET " + digits + " has " + std::to_string(digits.size()) +
                                   " digits instead of 14");
  }
  if (!IsValidSiret(digits)) {
    return Status::InvalidArgument("SIRET " + digits +
                                   " fails the checksum (Luhn): a digit is probably mistyped");
  }
  return digits;
}

std::string_view SirenOf(std::string_view siret) { return siret.substr(0, 9); }

}  // namespace limpide::domain
