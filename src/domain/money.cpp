#include "domain/money.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace limpide::domain {
namespace {

constexpr int64_t kMaxCents = 100'000'000'000'000'000;  // 10^15 euros

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// Length of a space that may group thousands at `s[i]`: ASCII space, U+00A0,
// U+202F or U+2009; 0 when there is none.
size_t GroupSpaceLength(std::string_view s, size_t i) {
  if (s[i] == ' ') return 1;
  if (s.substr(i, 2) == "\xC2\xA0") return 2;
  if (s.substr(i, 3) == "\xE2\x80\xAF" || s.substr(i, 3) == "\xE2\x80\x89") return 3;
  return 0;
}

Status NotANumber(std::string_view raw) {
  return Status::InvalidArgument("amount \"" + std::string(raw) +
                                 "\" is not a number of euros (e.g. 1234.56 or 1 234,56)");
}

Status TooLarge(std::string_view raw) {
  return Status::InvalidArgument("amount \"" + std::string(raw) +
                                 "\" is beyond 10^15 euros in absolute value");
}

}  // namespace

Result<Money> ParseEuros(std::string_view raw) {
  std::string_view s = raw;
  while (!s.empty() && IsAsciiSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsAsciiSpace(s.back())) s.remove_suffix(1);
  if (s.empty()) return Status::InvalidArgument("amount is empty");

  size_t i = 0;
  bool negative = false;
  if (s[i] == '-' || s[i] == '+') negative = s[i++] == '-';

  // The decimal digits of the mantissa, without the separator; `point` is how
  // many of them come before it.
  std::string digits;
  int64_t point = -1;
  bool seen_separator = false;
  while (i < s.size()) {
    const char c = s[i];
    if (IsDigit(c)) {
      digits.push_back(c);
      ++i;
    } else if ((c == '.' || c == ',') && !seen_separator) {
      seen_separator = true;
      point = static_cast<int64_t>(digits.size());
      ++i;
    } else if (const size_t gap = GroupSpaceLength(s, i); gap > 0 && !seen_separator &&
                                                          !digits.empty() && i + gap < s.size() &&
                                                          IsDigit(s[i + gap])) {
      i += gap;  // a thousands separator between two digits
    } else {
      break;
    }
  }
  if (digits.empty()) return NotANumber(raw);
  if (point < 0) point = static_cast<int64_t>(digits.size());

  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) exp_negative = s[i++] == '-';
    if (i >= s.size() || !IsDigit(s[i])) return NotANumber(raw);
    int64_t exponent = 0;
    for (; i < s.size() && IsDigit(s[i]); ++i) {
      if (exponent < 100'000)
        exponent = exponent * 10 + (s[i] - '0');  // saturates, stays exact enough
    }
    point += exp_negative ? -exponent : exponent;
  }
  if (i != s.size()) return NotANumber(raw);

  // Drop leading zeros so that `point` measures the integral part.
  size_t first = 0;
  while (first < digits.size() && digits[first] == '0') ++first;
  digits.erase(0, first);
  point -= static_cast<int64_t>(first);
  if (digits.empty()) return Money{0};
  if (point > 16) return TooLarge(raw);  // at least 10^16 euros

  // Cents = the digits up to two places after the point; the third decides
  // the rounding, half away from zero.
  int64_t cents = 0;
  for (int64_t k = 0; k < point + 2; ++k) {
    const int d = k >= 0 && k < static_cast<int64_t>(digits.size()) ? digits[k] - '0' : 0;
    cents = cents * 10 + d;
  }
  const int64_t third = point + 2;
  if (third >= 0 && third < static_cast<int64_t>(digits.size()) && digits[third] >= '5') ++cents;
  if (cents > kMaxCents) return TooLarge(raw);
  return Money{negative ? -cents : cents};
}

Result<Money> MoneyFromEuros(double euros) {
  if (!std::isfinite(euros)) return Status::InvalidArgument("amount is not a finite number");
  // The shortest decimal that reads back as `euros` is what the JSON said:
  // 1.005 rounds to 1.01 €, not to the 1.00 € that 1.005 * 100 would give.
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, euros);
  if (ec != std::errc()) return Status::InvalidArgument("amount is not a representable number");
  return ParseEuros(std::string_view(buf, static_cast<size_t>(end - buf)));
}

namespace {

// Magnitude and sign, safe for INT64_MIN.
uint64_t Magnitude(int64_t cents) {
  return cents < 0 ? uint64_t{0} - static_cast<uint64_t>(cents) : static_cast<uint64_t>(cents);
}

std::string TwoDigits(uint64_t v) {
  return std::string{static_cast<char>('0' + v / 10), static_cast<char>('0' + v % 10)};
}

}  // namespace

std::string FormatEuros(Money m) {
  const uint64_t mag = Magnitude(m.cents);
  std::string out = m.cents < 0 ? "-" : "";
  out += std::to_string(mag / 100);
  if (mag % 100 != 0) out += "." + TwoDigits(mag % 100);
  return out;
}

std::string FormatEurosFr(Money m) {
  const uint64_t mag = Magnitude(m.cents);
  const std::string units = std::to_string(mag / 100);
  std::string out = m.cents < 0 ? "-" : "";
  for (size_t k = 0; k < units.size(); ++k) {
    if (k > 0 && (units.size() - k) % 3 == 0) out += "\xE2\x80\xAF";  // U+202F
    out.push_back(units[k]);
  }
  if (mag % 100 != 0) out += "," + TwoDigits(mag % 100);
  out += "\xC2\xA0\xE2\x82\xAC";  // U+00A0 then €
  return out;
}

double ToEuros(Money m) {
  // Division by 100 is correctly rounded: the nearest double to the exact
  // amount, which prints back as the shortest decimal ("1234.5").
  return static_cast<double>(m.cents) / 100.0;
}

}  // namespace limpide::domain
