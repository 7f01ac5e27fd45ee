#include "domain/siret.h"

#include <gtest/gtest.h>

namespace limpide::domain {
namespace {

TEST(Siret, RealBuyerSiretsFromDecpAreValid) {
  EXPECT_TRUE(IsValidSiret("24201005600073"));
  EXPECT_TRUE(IsValidSiret("21130103100012"));
  EXPECT_TRUE(IsValidSiret("42399908500057"));
}

TEST(Siret, OneMistypedDigitBreaksTheChecksum) {
  EXPECT_FALSE(IsValidSiret("24201005600074"));
  EXPECT_FALSE(IsValidSiret("21130103100013"));
}

TEST(Siret, SwappedAdjacentDigitsBreakTheChecksum) { EXPECT_FALSE(IsValidSiret("24201005600037")); }

TEST(Siret, LaPosteHeadOfficeIsValid) { EXPECT_TRUE(IsValidSiret("35600000000048")); }

TEST(Siret, LaPosteEstablishmentIsValidDespiteLuhn) {
  // Digit sum 15, a multiple of 5; the Luhn sum is not a multiple of 10.
  EXPECT_TRUE(IsValidSiret("35600000000010"));
  EXPECT_TRUE(IsValidSiret("35600000000015"));
}

TEST(Siret, LaPosteEstablishmentWithBadDigitSumIsInvalid) {
  EXPECT_FALSE(IsValidSiret("35600000000002"));
}

TEST(Siret, DigitSumRuleAppliesOnlyToLaPoste) {
  // SIREN 356000001, digit sum 20, no Luhn: invalid.
  EXPECT_FALSE(IsValidSiret("35600000100005"));
}

TEST(Siret, WrongLengthOrNonDigitsAreInvalid) {
  EXPECT_FALSE(IsValidSiret(""));
  EXPECT_FALSE(IsValidSiret("2420100560007"));
  EXPECT_FALSE(IsValidSiret("242010056000730"));
  EXPECT_FALSE(IsValidSiret("2420100560007A"));
  EXPECT_FALSE(IsValidSiret("242 010 056 00073"));
}

TEST(Siren, ValidSirenPassesAndMistypedFails) {
  EXPECT_TRUE(IsValidSiren("242010056"));
  EXPECT_TRUE(IsValidSiren("356000000"));
  EXPECT_TRUE(IsValidSiren("732829320"));
  EXPECT_FALSE(IsValidSiren("242010057"));
  EXPECT_FALSE(IsValidSiren("24201005"));
  EXPECT_FALSE(IsValidSiren("24201005x"));
  EXPECT_FALSE(IsValidSiren(""));
}

TEST(ParseSiret, AcceptsPlainDigits) {
  auto r = ParseSiret("24201005600073");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, "24201005600073");
}

TEST(ParseSiret, RemovesSpacesDotsAndHyphensBetweenDigits) {
  EXPECT_EQ(*ParseSiret("242 010 056 00073"), "24201005600073");
  EXPECT_EQ(*ParseSiret("242.010.056.00073"), "24201005600073");
  EXPECT_EQ(*ParseSiret("242-010-056-00073"), "24201005600073");
  EXPECT_EQ(*ParseSiret("  24201005600073\t"), "24201005600073");
  EXPECT_EQ(*ParseSiret("242\xC2\xA0"
                        "010\xE2\x80\xAF"
                        "056 00073"),
            "24201005600073");
}

TEST(ParseSiret, AcceptsLaPosteEstablishment) {
  EXPECT_EQ(*ParseSiret("356 000 000 00010"), "35600000000010");
}

TEST(ParseSiret, RejectsEmptyInputSayingItIsEmpty) {
  for (std::string_view raw : {"", "   ", " - . "}) {
    auto r = ParseSiret(raw);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("empty"), std::string::npos) << r.status().message();
  }
}

TEST(ParseSiret, RejectsLettersSayingWhereTheyAre) {
  auto r = ParseSiret("2420100560007A");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("not a digit"), std::string::npos);
  EXPECT_NE(r.status().message().find("14"), std::string::npos);
}

TEST(ParseSiret, RejectsWrongLengthSayingHowManyDigits) {
  auto r = ParseSiret("242010056");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("9 digits instead of 14"), std::string::npos)
      << r.status().message();
  r = ParseSiret("242010056000730");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("15 digits instead of 14"), std::string::npos);
}

TEST(ParseSiret, RejectsBadChecksumSayingSo) {
  auto r = ParseSiret("24201005600074");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("checksum"), std::string::npos);
}

TEST(SirenOf, IsTheFirstNineDigits) {
  EXPECT_EQ(SirenOf("24201005600073"), "242010056");
  EXPECT_EQ(SirenOf("35600000000048"), "356000000");
}

}  // namespace
}  // namespace limpide::domain
