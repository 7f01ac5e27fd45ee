#include "domain/money.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace limpide::domain {
namespace {

int64_t Cents(std::string_view raw) {
  auto r = ParseEuros(raw);
  EXPECT_TRUE(r.ok()) << raw << ": " << r.status().ToString();
  return r.ok() ? r->cents : -999;
}

TEST(ParseEuros, ReadsIntegralAndDecimalAmounts) {
  EXPECT_EQ(Cents("1234"), 123400);
  EXPECT_EQ(Cents("1234.5"), 123450);
  EXPECT_EQ(Cents("1234.56"), 123456);
  EXPECT_EQ(Cents("0"), 0);
  EXPECT_EQ(Cents("0.01"), 1);
  EXPECT_EQ(Cents(".5"), 50);
  EXPECT_EQ(Cents("12."), 1200);
  EXPECT_EQ(Cents("007"), 700);
  EXPECT_EQ(Cents("+3"), 300);
}

TEST(ParseEuros, ReadsTheFrenchFormWithCommaAndGroupingSpaces) {
  EXPECT_EQ(Cents("1 234,56"), 123456);
  EXPECT_EQ(Cents("1\xC2\xA0"
                  "234,5"),
            123450);  // U+00A0
  EXPECT_EQ(Cents("1\xE2\x80\xAF"
                  "500\xE2\x80\xAF"
                  "000"),
            150000000);  // U+202F
  EXPECT_EQ(Cents("12,5"), 1250);
}

TEST(ParseEuros, ReadsNegativeAmounts) {
  EXPECT_EQ(Cents("-3"), -300);
  EXPECT_EQ(Cents("-0.5"), -50);
  EXPECT_EQ(Cents("-1 234,56"), -123456);
  EXPECT_EQ(Cents("-0"), 0);
}

TEST(ParseEuros, ReadsExponents) {
  EXPECT_EQ(Cents("1e3"), 100000);
  EXPECT_EQ(Cents("1E3"), 100000);
  EXPECT_EQ(Cents("1.5e2"), 15000);
  EXPECT_EQ(Cents("2.5e-1"), 25);
  EXPECT_EQ(Cents("1e+2"), 10000);
  EXPECT_EQ(Cents("12345e-2"), 12345);
  EXPECT_EQ(Cents("1e-99999999"), 0);
  EXPECT_EQ(Cents("0e99999999"), 0);
}

TEST(ParseEuros, TrimsSurroundingWhitespace) { EXPECT_EQ(Cents("  42.10\n"), 4210); }

TEST(ParseEuros, RoundsBeyondTwoDecimalsHalfAwayFromZero) {
  EXPECT_EQ(Cents("1.005"), 101);
  EXPECT_EQ(Cents("1.0049999"), 100);
  EXPECT_EQ(Cents("-1.005"), -101);
  EXPECT_EQ(Cents("-1.0049"), -100);
  EXPECT_EQ(Cents("0.005"), 1);
  EXPECT_EQ(Cents("0.0049"), 0);
  EXPECT_EQ(Cents("2.675"), 268);
  EXPECT_EQ(Cents("9.999"), 1000);
  EXPECT_EQ(Cents("5e-3"), 1);
}

TEST(ParseEuros, AcceptsTheLimitOfTenToTheFifteenEuros) {
  EXPECT_EQ(Cents("1000000000000000"), 100'000'000'000'000'000);
  EXPECT_EQ(Cents("-1e15"), -100'000'000'000'000'000);
}

TEST(ParseEuros, RejectsAmountsBeyondTenToTheFifteenEuros) {
  for (std::string_view raw :
       {"1000000000000000.01", "1e16", "-1e15.1", "1e999999", "99999999999999999999999"}) {
    auto r = ParseEuros(raw);
    EXPECT_FALSE(r.ok()) << raw;
  }
  EXPECT_NE(ParseEuros("1e16").status().message().find("10^15"), std::string::npos);
}

TEST(ParseEuros, RejectsEmptyGarbageNanAndInfinity) {
  for (std::string_view raw :
       {"",         "  ",     "-",     "+",    ".",   "abc", "12abc", "1.2.3",
        "1,234.56", "1e",     "e3",    "1e+",  "NaN", "nan", "inf",   "-Infinity",
        "0x10",     "1  234", " 1 ,5", "12 €", "--1", "1-"}) {
    auto r = ParseEuros(raw);
    EXPECT_FALSE(r.ok()) << "\"" << raw << "\" read as " << (r.ok() ? r->cents : 0);
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
    }
  }
  EXPECT_NE(ParseEuros("").status().message().find("empty"), std::string::npos);
}

TEST(MoneyFromEuros, ConvertsJsonNumbersToTheNearestCent) {
  EXPECT_EQ(MoneyFromEuros(1234.56)->cents, 123456);
  EXPECT_EQ(MoneyFromEuros(0.1)->cents, 10);
  EXPECT_EQ(MoneyFromEuros(-0.5)->cents, -50);
  EXPECT_EQ(MoneyFromEuros(1e15)->cents, 100'000'000'000'000'000);
  EXPECT_EQ(MoneyFromEuros(0.0)->cents, 0);
  EXPECT_EQ(MoneyFromEuros(1e-300)->cents, 0);
}

TEST(MoneyFromEuros, RoundsTheDecimalWrittenInJsonNotItsBinaryApproximation) {
  // 1.005 is 1.00499999999999989… in binary; the JSON said 1.005.
  EXPECT_EQ(MoneyFromEuros(1.005)->cents, 101);
  EXPECT_EQ(MoneyFromEuros(2.675)->cents, 268);
}

TEST(MoneyFromEuros, RejectsNanInfinityAndHugeAmounts) {
  EXPECT_FALSE(MoneyFromEuros(std::nan("")).ok());
  EXPECT_FALSE(MoneyFromEuros(std::numeric_limits<double>::infinity()).ok());
  EXPECT_FALSE(MoneyFromEuros(-std::numeric_limits<double>::infinity()).ok());
  EXPECT_FALSE(MoneyFromEuros(1.5e15).ok());
  EXPECT_FALSE(MoneyFromEuros(-1e300).ok());
}

TEST(FormatEuros, PrintsIntegralEurosWithoutDecimals) {
  EXPECT_EQ(FormatEuros({123400}), "1234");
  EXPECT_EQ(FormatEuros({0}), "0");
  EXPECT_EQ(FormatEuros({-300}), "-3");
}

TEST(FormatEuros, PrintsTwoDecimalsOtherwise) {
  EXPECT_EQ(FormatEuros({123450}), "1234.50");
  EXPECT_EQ(FormatEuros({123456}), "1234.56");
  EXPECT_EQ(FormatEuros({1}), "0.01");
  EXPECT_EQ(FormatEuros({-50}), "-0.50");
  EXPECT_EQ(FormatEuros({-5}), "-0.05");
}

TEST(FormatEuros, HandlesTheExtremesOfInt64) {
  EXPECT_EQ(FormatEuros({std::numeric_limits<int64_t>::min()}), "-92233720368547758.08");
  EXPECT_EQ(FormatEuros({std::numeric_limits<int64_t>::max()}), "92233720368547758.07");
}

TEST(FormatEuros, RoundTripsThroughParseEuros) {
  for (int64_t c : {0L, 1L, -1L, 99L, 100L, 123456L, -123456L, 100'000'000'000'000'000L}) {
    EXPECT_EQ(ParseEuros(FormatEuros({c}))->cents, c) << c;
  }
}

TEST(FormatEurosFr, GroupsThousandsWithNarrowNoBreakSpaces) {
  EXPECT_EQ(FormatEurosFr({123456}), "1\u202F234,56\u00A0€");
  EXPECT_EQ(FormatEurosFr({150000000}), "1\u202F500\u202F000\u00A0€");
  EXPECT_EQ(FormatEurosFr({100000}), "1\u202F000\u00A0€");
}

TEST(FormatEurosFr, PrintsSmallAndNegativeAmounts) {
  EXPECT_EQ(FormatEurosFr({0}), "0\u00A0€");
  EXPECT_EQ(FormatEurosFr({5}), "0,05\u00A0€");
  EXPECT_EQ(FormatEurosFr({99900}), "999\u00A0€");
  EXPECT_EQ(FormatEurosFr({-123450}), "-1\u202F234,50\u00A0€");
}

TEST(FormatEurosFr, IsReadBackByParseEurosWithoutTheCurrency) {
  std::string s = FormatEurosFr({123456789});
  s.resize(s.size() - std::string("\u00A0€").size());
  EXPECT_EQ(ParseEuros(s)->cents, 123456789);
}

TEST(ToEuros, GivesTheNearestDouble) {
  EXPECT_EQ(ToEuros({123400}), 1234.0);
  EXPECT_EQ(ToEuros({123450}), 1234.5);
  EXPECT_EQ(ToEuros({123456}), 1234.56);
  EXPECT_EQ(ToEuros({-50}), -0.5);
  EXPECT_EQ(ToEuros({1}), 0.01);
}

TEST(ToEuros, RoundTripsThroughMoneyFromEuros) {
  for (int64_t c : {1L, 10L, 105L, 123456L, -99L, 268L, 99'999'999'999L}) {
    EXPECT_EQ(MoneyFromEuros(ToEuros({c}))->cents, c) << c;
  }
}

}  // namespace
}  // namespace limpide::domain
