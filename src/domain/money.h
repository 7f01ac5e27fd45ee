// Money as an integer number of euro cents (no floating point in storage).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace limpide::domain {

struct Money {
  int64_t cents = 0;
  friend auto operator<=>(const Money&, const Money&) = default;
};

// Parses a decimal amount in euros: "1234", "1234.5", "1234.56", "-3", "1e3",
// "1 234,56" (French form). More than 2 decimals is rounded half away from zero.
// Rejects empty, non-numeric, NaN/inf and amounts beyond ±10^15 euros.
Result<Money> ParseEuros(std::string_view raw);

// Converts a JSON number (double) in euros, rounding to the nearest cent.
Result<Money> MoneyFromEuros(double euros);

// "1234.56", "1234" when there are no cents, "-0.5" style never: always
// "-0.50". Machine form for JSON/CSV: integral euros print without decimals.
std::string FormatEuros(Money m);

// "1 234,56 €" with narrow no-break spaces, for French web pages.
std::string FormatEurosFr(Money m);

// JSON number form: integral euros as an integer, else a decimal with 2 digits.
double ToEuros(Money m);

}  // namespace limpide::domain
