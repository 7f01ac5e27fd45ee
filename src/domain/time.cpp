#include "domain/time.h"

#include <cstdio>

namespace limpide::domain {
namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kMicrosPerDay = 86'400 * kMicrosPerSecond;
constexpr int kMinYear = 1900;
constexpr int kMaxYear = 2199;

bool IsLeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeapYear(y) ? 29 : kDays[m - 1];
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// A cursor over the text being parsed; every reader returns false on a mismatch.
struct Reader {
  std::string_view s;
  size_t i = 0;

  bool AtEnd() const { return i == s.size(); }
  bool Peek(char c) const { return i < s.size() && s[i] == c; }
  bool Eat(char c) {
    if (!Peek(c)) return false;
    ++i;
    return true;
  }
  // Exactly `n` digits.
  bool Digits(int n, int* out) {
    int v = 0;
    for (int k = 0; k < n; ++k, ++i) {
      if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
      v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
  }
};

Status Invalid(std::string_view what, std::string_view raw, std::string_view why) {
  return Status::InvalidArgument(std::string(what) + " \"" + std::string(raw) + "\" " +
                                 std::string(why));
}

bool ReadDate(Reader* r, Date* d) {
  return r->Digits(4, &d->year) && r->Eat('-') && r->Digits(2, &d->month) && r->Eat('-') &&
         r->Digits(2, &d->day);
}

// Checks the calendar; returns an empty string or the reason.
std::string_view DateProblem(const Date& d) {
  if (d.year < kMinYear || d.year > kMaxYear) return "has a year outside 1900..2199";
  if (d.month < 1 || d.month > 12) return "has no such month";
  if (d.day < 1 || d.day > DaysInMonth(d.year, d.month)) return "has no such day in its month";
  return {};
}

// "Z", "+hh:mm", "-hh:mm" or "+hhmm"; stores the offset east of UTC in minutes.
bool ReadOffset(Reader* r, int* minutes) {
  if (r->Eat('Z') || r->Eat('z')) {
    *minutes = 0;
    return true;
  }
  const bool west = r->Peek('-');
  if (!r->Eat('+') && !r->Eat('-')) return false;
  int h = 0;
  int m = 0;
  if (!r->Digits(2, &h)) return false;
  r->Eat(':');
  if (!r->Digits(2, &m) || h > 23 || m > 59) return false;
  *minutes = (west ? -1 : 1) * (h * 60 + m);
  return true;
}

// "hh:mm[:ss[.fraction]]"; stores the microseconds since midnight.
bool ReadTime(Reader* r, int64_t* micros) {
  int h = 0;
  int m = 0;
  int sec = 0;
  if (!r->Digits(2, &h) || !r->Eat(':') || !r->Digits(2, &m)) return false;
  if (r->Eat(':') && !r->Digits(2, &sec)) return false;
  if (h > 23 || m > 59 || sec > 59) return false;  // no leap seconds, no 24:00
  int64_t fraction = 0;
  if (r->Eat('.') || r->Eat(',')) {
    int n = 0;
    while (r->i < r->s.size() && r->s[r->i] >= '0' && r->s[r->i] <= '9') {
      if (n < 6) fraction = fraction * 10 + (r->s[r->i] - '0');  // beyond micros: truncated
      ++n;
      ++r->i;
    }
    if (n == 0) return false;
    for (; n < 6; ++n) fraction *= 10;
  }
  *micros = ((h * 60 + m) * 60 + sec) * kMicrosPerSecond + fraction;
  return true;
}

std::string_view TrimAscii(std::string_view s) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

// Last Sunday of `month` in `year`, 01:00 UTC, as an instant in micros.
int64_t LastSundayOneAmUtc(int year, int month) {
  const int64_t last = DaysFromCivil({year, month, DaysInMonth(year, month)});
  const int64_t weekday = ((last + 4) % 7 + 7) % 7;  // 1970-01-01 was a Thursday; 0 = Sunday
  return (last - weekday) * kMicrosPerDay + 3600 * kMicrosPerSecond;
}

}  // namespace

Result<Date> ParseDate(std::string_view raw) {
  Reader r{TrimAscii(raw)};
  Date d;
  if (!ReadDate(&r, &d)) return Invalid("date", raw, "is not of the form YYYY-MM-DD");
  if (const std::string_view why = DateProblem(d); !why.empty()) return Invalid("date", raw, why);
  if (r.AtEnd()) return d;
  // The DECP forms: an offset, or a time with an optional offset. The date as
  // written is kept.
  int offset = 0;
  if (r.Eat('T') || r.Eat('t')) {
    int64_t micros = 0;
    if (!ReadTime(&r, &micros)) return Invalid("date", raw, "has a malformed time after the date");
    if (r.AtEnd()) return d;
  }
  if (!ReadOffset(&r, &offset) || !r.AtEnd()) {
    return Invalid("date", raw, "has unexpected text after YYYY-MM-DD");
  }
  return d;
}

std::string FormatDate(const Date& d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
  return buf;
}

std::string FormatDateFr(const Date& d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02d/%02d/%04d", d.day, d.month, d.year);
  return buf;
}

// Howard Hinnant's days_from_civil / civil_from_days, proleptic Gregorian.
int64_t DaysFromCivil(const Date& d) {
  const int64_t y = static_cast<int64_t>(d.year) - (d.month <= 2 ? 1 : 0);
  const int64_t era = FloorDiv(y, 400);
  const int64_t yoe = y - era * 400;                          // [0, 399]
  const int64_t mp = (d.month + 9) % 12;                      // March = 0
  const int64_t doy = (153 * mp + 2) / 5 + d.day - 1;         // [0, 365]
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;  // [0, 146096]
  return era * 146097 + doe - 719468;
}

Date CivilFromDays(int64_t days) {
  const int64_t z = days + 719468;
  const int64_t era = FloorDiv(z, 146097);
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  const int year = static_cast<int>(yoe + era * 400 + (month <= 2 ? 1 : 0));
  return {year, month, day};
}

Result<Instant> ParseInstant(std::string_view raw) {
  Reader r{TrimAscii(raw)};
  Date d;
  if (!ReadDate(&r, &d))
    return Invalid("date-time", raw, "is not of the form YYYY-MM-DDThh:mm:ssZ");
  if (const std::string_view why = DateProblem(d); !why.empty()) {
    return Invalid("date-time", raw, why);
  }
  if (!r.Eat('T') && !r.Eat('t') && !r.Eat(' ')) {
    return Invalid("date-time", raw, "has no time after the date (YYYY-MM-DDThh:mm:ssZ)");
  }
  int64_t micros = 0;
  if (!ReadTime(&r, &micros)) return Invalid("date-time", raw, "has a malformed time");
  if (r.AtEnd()) return Invalid("date-time", raw, "has no offset (Z or +hh:mm): it is ambiguous");
  int offset = 0;
  if (!ReadOffset(&r, &offset) || !r.AtEnd()) {
    return Invalid("date-time", raw, "has a malformed offset (expected Z or +hh:mm)");
  }
  return Instant{DaysFromCivil(d) * kMicrosPerDay + micros -
                 static_cast<int64_t>(offset) * 60 * kMicrosPerSecond};
}

std::string FormatInstant(Instant t) {
  const int64_t days = FloorDiv(t.micros, kMicrosPerDay);
  const int64_t in_day = t.micros - days * kMicrosPerDay;
  const Date d = CivilFromDays(days);
  const int64_t secs = in_day / kMicrosPerSecond;
  const int64_t frac = in_day % kMicrosPerSecond;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", d.year, d.month, d.day,
                static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60),
                static_cast<int>(secs % 60));
  std::string out = buf;
  if (frac != 0) {
    std::snprintf(buf, sizeof buf, ".%06d", static_cast<int>(frac));
    out += buf;
  }
  out += 'Z';
  return out;
}

int ParisOffsetMinutes(Instant t) {
  // The EU rule (in force since 1996) applied to every year; earlier French
  // history is out of scope for procurement data.
  const int year = CivilFromDays(FloorDiv(t.micros, kMicrosPerDay)).year;
  const bool summer =
      t.micros >= LastSundayOneAmUtc(year, 3) && t.micros < LastSundayOneAmUtc(year, 10);
  return summer ? 120 : 60;
}

std::string FormatInstantParis(Instant t) {
  const int64_t local =
      t.micros + static_cast<int64_t>(ParisOffsetMinutes(t)) * 60 * kMicrosPerSecond;
  const int64_t days = FloorDiv(local, kMicrosPerDay);
  const int64_t secs = (local - days * kMicrosPerDay) / kMicrosPerSecond;
  const Date d = CivilFromDays(days);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%02d/%02d/%04d %02d:%02d", d.day, d.month, d.year,
                static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60));
  return buf;
}

std::string FormatInstantMillis(Instant t) {
  const int64_t days = FloorDiv(t.micros, kMicrosPerDay);
  const int64_t in_day = t.micros - days * kMicrosPerDay;
  const Date d = CivilFromDays(days);
  const int64_t secs = in_day / kMicrosPerSecond;
  const int64_t millis = in_day % kMicrosPerSecond / 1000;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", d.year, d.month, d.day,
                static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60),
                static_cast<int>(secs % 60), static_cast<int>(millis));
  return buf;
}

Date ParisDate(Instant t) {
  constexpr int64_t kDay = 86'400'000'000;
  const int64_t local = t.micros + int64_t{ParisOffsetMinutes(t)} * 60'000'000;
  int64_t days = local / kDay;
  if (local < 0 && local % kDay != 0) --days;
  return CivilFromDays(days);
}

}  // namespace limpide::domain
