// Calendar dates and instants. Instants are UTC; shown in Europe/Paris.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace limpide::domain {

struct Date {
  int year = 0;
  int month = 0;  // 1..12
  int day = 0;    // 1..31
  friend auto operator<=>(const Date&, const Date&) = default;
};

// Parses "YYYY-MM-DD", also with the DECP forms that carry an offset or a time:
// "2018-12-17+01:00", "2018-12-17Z", "2018-12-17T00:00:00+01:00". The date as
// written is kept (the offset says where, not when). Rejects impossible dates
// (2019-02-30), years outside 1900..2199, and anything else.
Result<Date> ParseDate(std::string_view raw);

// "YYYY-MM-DD".
std::string FormatDate(const Date& d);

// "17/12/2018", for French pages.
std::string FormatDateFr(const Date& d);

// Days since 1970-01-01 (may be negative).
int64_t DaysFromCivil(const Date& d);
Date CivilFromDays(int64_t days);

// A point in time: microseconds since the Unix epoch, UTC.
struct Instant {
  int64_t micros = 0;
  friend auto operator<=>(const Instant&, const Instant&) = default;
};

// Parses ISO 8601 date-times with an offset or Z: "2024-03-01T10:00:00Z",
// "2024-03-01T10:00:00.123+01:00". A date-time without an offset is rejected
// (ambiguous).
Result<Instant> ParseInstant(std::string_view raw);

// "2024-03-01T09:00:00Z" (UTC, seconds; microseconds when non-zero).
std::string FormatInstant(Instant t);

// Offset of Europe/Paris from UTC at `t`, in minutes (60 or 120), from the EU
// rule: summer time from the last Sunday of March 01:00 UTC to the last Sunday
// of October 01:00 UTC.
int ParisOffsetMinutes(Instant t);

// The calendar date in Europe/Paris at `t` (the day a bulk delta or an export
// file is named after).
Date ParisDate(Instant t);

// "01/03/2024 10:00" in Europe/Paris.
std::string FormatInstantParis(Instant t);

// "2026-12-20T11:00:00.000Z": UTC with exactly three fraction digits (the
// microseconds below the millisecond are dropped, towards the past). The form
// of instants in the consultation JSON (docs/procedure.md).
std::string FormatInstantMillis(Instant t);

}  // namespace limpide::domain
