#include "domain/time.h"

#include <gtest/gtest.h>

namespace limpide::domain {
namespace {

constexpr int64_t kSecond = 1'000'000;
constexpr int64_t kHour = 3600 * kSecond;

Date D(int y, int m, int d) { return Date{y, m, d}; }

Instant At(std::string_view iso) {
  auto r = ParseInstant(iso);
  EXPECT_TRUE(r.ok()) << iso << ": " << r.status().ToString();
  return r.ok() ? *r : Instant{};
}

TEST(ParseDate, ReadsThePlainForm) {
  auto r = ParseDate("2018-12-17");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, D(2018, 12, 17));
}

TEST(ParseDate, KeepsTheDateAsWrittenInTheDecpForms) {
  EXPECT_EQ(*ParseDate("2018-12-17+01:00"), D(2018, 12, 17));
  EXPECT_EQ(*ParseDate("2018-12-17-05:00"), D(2018, 12, 17));
  EXPECT_EQ(*ParseDate("2018-12-17Z"), D(2018, 12, 17));
  EXPECT_EQ(*ParseDate("2018-12-17T00:00:00+01:00"), D(2018, 12, 17));
  EXPECT_EQ(*ParseDate("2018-12-17T23:30:00-10:00"), D(2018, 12, 17));
  EXPECT_EQ(*ParseDate("2018-12-17T00:00:00Z"), D(2018, 12, 17));
  EXPECT_EQ(*ParseDate("2018-12-17T00:00:00.000+0100"), D(2018, 12, 17));
  EXPECT_EQ(*ParseDate("2018-12-17T10:00:00"), D(2018, 12, 17));
  EXPECT_EQ(*ParseDate(" 2018-12-17 "), D(2018, 12, 17));
}

TEST(ParseDate, AcceptsLeapDaysOfLeapYears) {
  EXPECT_EQ(*ParseDate("2020-02-29"), D(2020, 2, 29));
  EXPECT_EQ(*ParseDate("2000-02-29"), D(2000, 2, 29));
  EXPECT_EQ(*ParseDate("2024-02-29+01:00"), D(2024, 2, 29));
}

TEST(ParseDate, RejectsLeapDaysOfCommonYears) {
  EXPECT_FALSE(ParseDate("2019-02-29").ok());
  EXPECT_FALSE(ParseDate("1900-02-29").ok());  // divisible by 100, not by 400
  EXPECT_FALSE(ParseDate("2100-02-29").ok());
}

TEST(ParseDate, RejectsImpossibleDates) {
  for (std::string_view raw : {"2019-02-30", "2019-04-31", "2019-13-01", "2019-00-10", "2019-01-00",
                               "2019-01-32", "2019-06-31"}) {
    auto r = ParseDate(raw);
    ASSERT_FALSE(r.ok()) << raw;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
  }
  EXPECT_NE(ParseDate("2019-02-30").status().message().find("no such day"), std::string::npos);
}

TEST(ParseDate, RejectsYearsOutsideTheSupportedRange) {
  EXPECT_FALSE(ParseDate("1899-12-31").ok());
  EXPECT_FALSE(ParseDate("2200-01-01").ok());
  EXPECT_FALSE(ParseDate("0000-01-01").ok());
  EXPECT_TRUE(ParseDate("1900-01-01").ok());
  EXPECT_TRUE(ParseDate("2199-12-31").ok());
}

TEST(ParseDate, RejectsOtherForms) {
  for (std::string_view raw :
       {"", "17/12/2018", "2018-12-7", "2018-1-17", "18-12-17", "20181217", "2018-12-17X",
        "2018-12-17+1:00", "2018-12-17+01:60", "2018-12-17+24:00", "2018-12-17T25:00:00Z",
        "2018-12-17T", "2018-12-17T10:00:00+01:00junk", "2018-12-17 ", "2018-12-17 10:00",
        "2018/12/17", "2018-12-17Z+01:00"}) {
    if (raw == "2018-12-17 ") continue;  // trailing spaces are trimmed
    EXPECT_FALSE(ParseDate(raw).ok()) << raw;
  }
}

TEST(FormatDate, PrintsIsoAndFrenchForms) {
  EXPECT_EQ(FormatDate(D(2018, 12, 7)), "2018-12-07");
  EXPECT_EQ(FormatDateFr(D(2018, 12, 7)), "07/12/2018");
  EXPECT_EQ(FormatDate(*ParseDate("2024-02-29")), "2024-02-29");
}

TEST(DaysFromCivil, CountsFromTheUnixEpoch) {
  EXPECT_EQ(DaysFromCivil(D(1970, 1, 1)), 0);
  EXPECT_EQ(DaysFromCivil(D(1970, 1, 2)), 1);
  EXPECT_EQ(DaysFromCivil(D(1969, 12, 31)), -1);
  EXPECT_EQ(DaysFromCivil(D(2000, 3, 1)), 11017);
  EXPECT_EQ(DaysFromCivil(D(1900, 1, 1)), -25567);
  EXPECT_EQ(DaysFromCivil(D(2024, 3, 1)) - DaysFromCivil(D(2024, 2, 28)), 2);
  EXPECT_EQ(DaysFromCivil(D(2023, 3, 1)) - DaysFromCivil(D(2023, 2, 28)), 1);
}

TEST(CivilFromDays, InvertsDaysFromCivilOverTheWholeRange) {
  for (int64_t days = DaysFromCivil(D(1900, 1, 1)); days <= DaysFromCivil(D(2199, 12, 31));
       ++days) {
    const Date d = CivilFromDays(days);
    ASSERT_EQ(DaysFromCivil(d), days);
  }
  EXPECT_EQ(CivilFromDays(-1), D(1969, 12, 31));
  EXPECT_EQ(CivilFromDays(19782), D(2024, 2, 29));
}

TEST(ParseInstant, ReadsUtcAndOffsets) {
  EXPECT_EQ(At("1970-01-01T00:00:00Z").micros, 0);
  EXPECT_EQ(At("1970-01-01T01:00:00+01:00").micros, 0);
  EXPECT_EQ(At("1969-12-31T19:00:00-05:00").micros, 0);
  EXPECT_EQ(At("2024-03-01T10:00:00Z"), At("2024-03-01T11:00:00+01:00"));
  EXPECT_EQ(At("2024-03-01T10:00:00+0100"), At("2024-03-01T09:00:00Z"));
  EXPECT_EQ(At("2024-03-01t10:00:00z"), At("2024-03-01T10:00:00Z"));
  EXPECT_EQ(At("2024-03-01 10:00:00Z"), At("2024-03-01T10:00:00Z"));
  EXPECT_EQ(At("2024-03-01T10:00Z"), At("2024-03-01T10:00:00Z"));
}

TEST(ParseInstant, ReadsFractionsOfSecondsToTheMicrosecond) {
  EXPECT_EQ(At("1970-01-01T00:00:00.123Z").micros, 123'000);
  EXPECT_EQ(At("1970-01-01T00:00:00.123456Z").micros, 123'456);
  EXPECT_EQ(At("1970-01-01T00:00:00.1234567Z").micros, 123'456);  // truncated
  EXPECT_EQ(At("2024-03-01T10:00:00.123+01:00").micros,
            At("2024-03-01T09:00:00Z").micros + 123'000);
}

TEST(ParseInstant, RejectsADateTimeWithoutOffset) {
  auto r = ParseInstant("2024-03-01T10:00:00");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("ambiguous"), std::string::npos);
}

TEST(ParseInstant, RejectsMalformedInput) {
  for (std::string_view raw :
       {"", "2024-03-01", "2024-03-01Z", "2024-02-30T10:00:00Z", "2024-03-01T24:00:00Z",
        "2024-03-01T10:60:00Z", "2024-03-01T10:00:60Z", "2024-03-01T10:00:00.Z",
        "2024-03-01T10:00:00+25:00", "2024-03-01T10:00:00+01:00x", "2024-03-01T1:00:00Z", "now"}) {
    EXPECT_FALSE(ParseInstant(raw).ok()) << raw;
  }
}

TEST(FormatInstant, PrintsUtcWithSecondsAndMicrosWhenPresent) {
  EXPECT_EQ(FormatInstant(At("2024-03-01T10:00:00+01:00")), "2024-03-01T09:00:00Z");
  EXPECT_EQ(FormatInstant(Instant{123'456}), "1970-01-01T00:00:00.123456Z");
  EXPECT_EQ(FormatInstant(Instant{-1}), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(FormatInstant(At("2024-02-29T23:59:59.5Z")), "2024-02-29T23:59:59.500000Z");
}

TEST(FormatInstant, RoundTripsThroughParseInstant) {
  for (std::string_view iso : {"2024-03-01T09:00:00Z", "1900-01-01T00:00:00Z",
                               "2199-12-31T23:59:59.999999Z", "2000-02-29T12:34:56.000001Z"}) {
    EXPECT_EQ(FormatInstant(At(iso)), iso);
  }
}

TEST(ParisOffsetMinutes, IsOneHourInWinterAndTwoInSummer) {
  EXPECT_EQ(ParisOffsetMinutes(At("2024-01-15T12:00:00Z")), 60);
  EXPECT_EQ(ParisOffsetMinutes(At("2024-07-15T12:00:00Z")), 120);
  EXPECT_EQ(ParisOffsetMinutes(At("2024-12-31T23:59:59Z")), 60);
}

TEST(ParisOffsetMinutes, SwitchesToSummerTimeOnTheLastSundayOfMarchAtOneUtc) {
  // 2024-03-31 was the last Sunday of March.
  EXPECT_EQ(ParisOffsetMinutes(Instant{At("2024-03-31T01:00:00Z").micros - 1}), 60);
  EXPECT_EQ(ParisOffsetMinutes(At("2024-03-31T01:00:00Z")), 120);
  EXPECT_EQ(ParisOffsetMinutes(At("2024-03-24T12:00:00Z")), 60);  // a Sunday, not the last
  // 2025-03-30 and 2019-03-31.
  EXPECT_EQ(ParisOffsetMinutes(At("2025-03-30T00:59:59Z")), 60);
  EXPECT_EQ(ParisOffsetMinutes(At("2025-03-30T01:00:00Z")), 120);
  EXPECT_EQ(ParisOffsetMinutes(At("2019-03-31T01:00:00Z")), 120);
}

TEST(ParisOffsetMinutes, SwitchesBackOnTheLastSundayOfOctoberAtOneUtc) {
  // 2024-10-27 was the last Sunday of October.
  EXPECT_EQ(ParisOffsetMinutes(Instant{At("2024-10-27T01:00:00Z").micros - 1}), 120);
  EXPECT_EQ(ParisOffsetMinutes(At("2024-10-27T01:00:00Z")), 60);
  EXPECT_EQ(ParisOffsetMinutes(At("2023-10-29T00:59:59Z")), 120);
  EXPECT_EQ(ParisOffsetMinutes(At("2023-10-29T01:00:00Z")), 60);
}

TEST(FormatInstantParis, ShowsLocalWallClockTime) {
  EXPECT_EQ(FormatInstantParis(At("2024-03-01T09:00:00Z")), "01/03/2024 10:00");
  EXPECT_EQ(FormatInstantParis(At("2024-07-14T20:30:00Z")), "14/07/2024 22:30");
  EXPECT_EQ(FormatInstantParis(At("2024-12-31T23:30:00Z")), "01/01/2025 00:30");
}

TEST(FormatInstantParis, SkipsTheMissingHourInMarchAndRepeatsTheHourInOctober) {
  // 02:00 local jumps to 03:00.
  EXPECT_EQ(FormatInstantParis(Instant{At("2024-03-31T01:00:00Z").micros - kSecond}),
            "31/03/2024 01:59");
  EXPECT_EQ(FormatInstantParis(At("2024-03-31T01:00:00Z")), "31/03/2024 03:00");
  // 03:00 local falls back to 02:00: 02:30 happens twice.
  EXPECT_EQ(FormatInstantParis(At("2024-10-27T00:30:00Z")), "27/10/2024 02:30");
  EXPECT_EQ(FormatInstantParis(At("2024-10-27T01:30:00Z")), "27/10/2024 02:30");
  EXPECT_EQ(At("2024-10-27T01:30:00Z").micros - At("2024-10-27T00:30:00Z").micros, kHour);
}

TEST(FormatInstantMillis, AlwaysWritesThreeFractionDigits) {
  EXPECT_EQ(FormatInstantMillis(At("2026-12-20T12:00:00+01:00")), "2026-12-20T11:00:00.000Z");
  EXPECT_EQ(FormatInstantMillis(At("2026-12-20T11:00:00.5Z")), "2026-12-20T11:00:00.500Z");
  EXPECT_EQ(FormatInstantMillis(At("2026-12-20T11:00:00.123999Z")), "2026-12-20T11:00:00.123Z");
  EXPECT_EQ(FormatInstantMillis(Instant{0}), "1970-01-01T00:00:00.000Z");
}

TEST(FormatInstantMillis, DropsMicrosecondsTowardsThePastBeforeTheEpochToo) {
  EXPECT_EQ(FormatInstantMillis(Instant{-1}), "1969-12-31T23:59:59.999Z");
}

TEST(FormatInstantMillis, IsReadBackByParseInstant) {
  const Instant t = At("2026-03-29T00:59:59.999Z");
  EXPECT_EQ(At(FormatInstantMillis(t)), t);
}

TEST(ParisDate, IsTheDayOnAParisWallClock) {
  // 23:30 UTC is already the next day in Paris, winter (UTC+1) and summer (UTC+2).
  EXPECT_EQ(FormatDate(ParisDate(At("2024-01-15T23:30:00Z"))), "2024-01-16");
  EXPECT_EQ(FormatDate(ParisDate(At("2024-01-15T22:59:59Z"))), "2024-01-15");
  EXPECT_EQ(FormatDate(ParisDate(At("2024-07-15T21:59:59Z"))), "2024-07-15");
  EXPECT_EQ(FormatDate(ParisDate(At("2024-07-15T22:00:00Z"))), "2024-07-16");
  // Before the epoch, days still start at midnight.
  EXPECT_EQ(FormatDate(ParisDate(At("1969-12-31T23:00:00Z"))), "1970-01-01");
  EXPECT_EQ(FormatDate(ParisDate(At("1969-12-31T22:59:59Z"))), "1969-12-31");
}

}  // namespace
}  // namespace limpide::domain
