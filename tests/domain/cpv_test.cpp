#include "domain/cpv.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <thread>

namespace limpide::domain {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> Codes8(const std::vector<const CpvCode*>& codes) {
  std::vector<std::string> out;
  for (const CpvCode* c : codes) out.push_back(c->code8);
  return out;
}

TEST(CpvTable, LoadsAllRowsOfTheCsv) { EXPECT_EQ(CpvTable::Get().all().size(), 9454u); }

TEST(CpvTable, IsSortedByCodeWithWellFormedRows) {
  const auto& all = CpvTable::Get().all();
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end(),
                             [](const CpvCode& a, const CpvCode& b) { return a.code8 < b.code8; }));
  std::set<std::string> seen;
  for (const CpvCode& c : all) {
    ASSERT_EQ(c.code.size(), 10u) << c.code;
    EXPECT_EQ(c.code.substr(0, 8), c.code8);
    EXPECT_GE(c.level, 1);
    EXPECT_LE(c.level, 7);
    EXPECT_FALSE(c.label_fr.empty()) << c.code;
    EXPECT_FALSE(c.label_en.empty()) << c.code;
    EXPECT_TRUE(seen.insert(c.code8).second) << c.code;
  }
}

TEST(CpvTable, HasFortyFiveDivisionsWithoutParents) {
  int divisions = 0;
  for (const CpvCode& c : CpvTable::Get().all()) {
    if (c.parent_code8.empty()) {
      ++divisions;
      EXPECT_EQ(c.level, 1) << c.code;
    }
  }
  EXPECT_EQ(divisions, 45);
}

TEST(CpvTable, FirstAndLastRowsAreReadWithQuotedCommas) {
  const auto& all = CpvTable::Get().all();
  EXPECT_EQ(all.front().code, "03000000-1");
  EXPECT_EQ(all.front().label_fr,
            "Produits agricoles, de l'élevage, de la pêche, de la sylviculture et produits "
            "connexes");
  EXPECT_EQ(all.front().label_en, "Agricultural, farming, fishing, forestry and related products");
  EXPECT_EQ(all.back().code, "98910000-5");
}

TEST(CpvTable, FindReturnsTheCodeWithItsLabels) {
  const CpvCode* c = CpvTable::Get().Find("45000000");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->code, "45000000-7");
  EXPECT_EQ(c->level, 1);
  EXPECT_EQ(c->label_fr, "Travaux de construction");
  EXPECT_EQ(c->label_en, "Construction work");
  EXPECT_TRUE(c->parent_code8.empty());
}

TEST(CpvTable, FindReturnsNullForUnknownOrMalformedCodes) {
  EXPECT_EQ(CpvTable::Get().Find("04500000"), nullptr);
  EXPECT_EQ(CpvTable::Get().Find("45000000-7"), nullptr);
  EXPECT_EQ(CpvTable::Get().Find(""), nullptr);
  EXPECT_EQ(CpvTable::Get().Find("99999999"), nullptr);
}

TEST(CpvTable, ChildrenAreTheDirectDescendantsInCodeOrder) {
  EXPECT_THAT(Codes8(CpvTable::Get().Children("45000000")),
              ElementsAre("45100000", "45200000", "45300000", "45400000", "45500000"));
}

TEST(CpvTable, ChildrenOfALeafOrUnknownCodeAreEmpty) {
  EXPECT_TRUE(CpvTable::Get().Children("03212211").empty());
  EXPECT_TRUE(CpvTable::Get().Children("99999999").empty());
  EXPECT_TRUE(CpvTable::Get().Children("").empty());
}

TEST(CpvTable, LineageGoesFromTheDivisionDownToTheCode) {
  EXPECT_THAT(Codes8(CpvTable::Get().Lineage("45211100")),
              ElementsAre("45000000", "45200000", "45210000", "45211000", "45211100"));
  EXPECT_THAT(Codes8(CpvTable::Get().Lineage("03212211")),
              ElementsAre("03000000", "03200000", "03210000", "03212000", "03212200", "03212210",
                          "03212211"));
}

TEST(CpvTable, LineageOfADivisionIsItselfAndOfAnUnknownCodeIsEmpty) {
  EXPECT_THAT(Codes8(CpvTable::Get().Lineage("45000000")), ElementsAre("45000000"));
  EXPECT_TRUE(CpvTable::Get().Lineage("04500000").empty());
}

TEST(CpvTable, EveryCodeIsAChildOfItsParent) {
  const CpvTable& t = CpvTable::Get();
  size_t children = 0;
  for (const CpvCode& c : t.all()) children += t.Children(c.code8).size();
  EXPECT_EQ(children, t.all().size() - 45);
}

TEST(CpvTable, IsBuiltOnceWhenManyThreadsAskAtOnce) {
  std::vector<std::thread> threads;
  std::vector<const CpvTable*> seen(8);
  for (size_t i = 0; i < seen.size(); ++i) {
    threads.emplace_back([&seen, i] { seen[i] = &CpvTable::Get(); });
  }
  for (auto& th : threads) th.join();
  for (const CpvTable* t : seen) EXPECT_EQ(t, &CpvTable::Get());
}

TEST(ParseCpv, AcceptsTheFullFormWithoutRepairs) {
  auto r = ParseCpv("45000000-7");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->code->code, "45000000-7");
  EXPECT_TRUE(r->repairs.empty());
}

TEST(ParseCpv, TrimsSurroundingWhitespace) {
  auto r = ParseCpv("  45000000-7\t\n");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->code->code, "45000000-7");
  EXPECT_TRUE(r->repairs.empty());
}

TEST(ParseCpv, AddsAMissingCheckDigit) {
  auto r = ParseCpv("90513500");  // as found in real DECP files
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->code->code, "90513500-1");
  EXPECT_THAT(r->repairs, ElementsAre("cpv_check_digit_added"));
}

TEST(ParseCpv, RestoresALeadingZeroLostByASpreadsheet) {
  auto r = ParseCpv("3451000-6");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->code->code, "03451000-6");
  EXPECT_THAT(r->repairs, ElementsAre("cpv_leading_zero_added"));
}

TEST(ParseCpv, RestoresALeadingZeroAndAddsTheCheckDigit) {
  auto r = ParseCpv("9310000");  // as found in real DECP files
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->code->code, "09310000-5");
  EXPECT_THAT(r->repairs, ElementsAre("cpv_leading_zero_added", "cpv_check_digit_added"));
}

TEST(ParseCpv, CorrectsAWrongCheckDigit) {
  auto r = ParseCpv("45000000-3");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->code->code, "45000000-7");
  EXPECT_THAT(r->repairs, ElementsAre("cpv_check_digit_corrected"));
}

TEST(ParseCpv, RestoresALeadingZeroAndCorrectsTheCheckDigit) {
  auto r = ParseCpv("3121000-9");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->code->code, "03121000-5");
  EXPECT_THAT(r->repairs, ElementsAre("cpv_leading_zero_added", "cpv_check_digit_corrected"));
}

TEST(ParseCpv, ReadsEveryCodeOfTheTableInAllItsForms) {
  for (const CpvCode& c : CpvTable::Get().all()) {
    auto full = ParseCpv(c.code);
    ASSERT_TRUE(full.ok()) << c.code;
    EXPECT_EQ(full->code, &c);
    auto bare = ParseCpv(c.code8);
    ASSERT_TRUE(bare.ok()) << c.code8;
    EXPECT_EQ(bare->code, &c);
  }
}

TEST(ParseCpv, RejectsAnUnknownSevenDigitCodeNamingTheRestoredForm) {
  // "4500000" occurs in real files; with its zero restored, 04500000 is no CPV
  // code, and guessing a lost trailing zero instead would be a guess.
  auto r = ParseCpv("4500000");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("not in the CPV 2008"), std::string::npos);
  EXPECT_NE(r.status().message().find("04500000"), std::string::npos);
}

TEST(ParseCpv, RejectsAnUnknownEightDigitCode) {
  auto r = ParseCpv("12345555");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("\"12345555\" is not in the CPV 2008 vocabulary"),
            std::string::npos)
      << r.status().message();
  EXPECT_FALSE(ParseCpv("99999999-9").ok());
}

TEST(ParseCpv, RejectsMalformedInputWithAReason) {
  for (std::string_view raw :
       {"", "   ", "0", "45", "450000000", "031210005", "45000000-", "45000000-77", "45000000-x",
        "4500000a", "45 000 000", "-7", "45000000 7", "45000000-7-7"}) {
    auto r = ParseCpv(raw);
    ASSERT_FALSE(r.ok()) << raw;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument) << raw;
    EXPECT_FALSE(r.status().message().empty()) << raw;
  }
  EXPECT_NE(ParseCpv("").status().message().find("empty"), std::string::npos);
  EXPECT_NE(ParseCpv("45").status().message().find("2 digits instead of 8"), std::string::npos);
}

TEST(CpvSignificantPrefix, StripsTrailingZeros) {
  EXPECT_EQ(CpvSignificantPrefix("45000000"), "45");
  EXPECT_EQ(CpvSignificantPrefix("45210000"), "4521");
  EXPECT_EQ(CpvSignificantPrefix("90513500"), "905135");
  EXPECT_EQ(CpvSignificantPrefix("45211100"), "452111");
  EXPECT_EQ(CpvSignificantPrefix("03212211"), "03212211");
}

TEST(CpvSignificantPrefix, KeepsAtLeastTheTwoDivisionDigits) {
  EXPECT_EQ(CpvSignificantPrefix("03000000"), "03");
  EXPECT_EQ(CpvSignificantPrefix("90000000"), "90");
}

TEST(CpvSignificantPrefix, IgnoresACheckDigit) {
  EXPECT_EQ(CpvSignificantPrefix("45210000-2"), "4521");
}

TEST(CpvSignificantPrefix, EveryCodeStartsWithItsParentsPrefix) {
  for (const CpvCode& c : CpvTable::Get().all()) {
    if (c.parent_code8.empty()) continue;
    EXPECT_TRUE(c.code8.starts_with(CpvSignificantPrefix(c.parent_code8))) << c.code;
  }
}

TEST(ParseCpvPrefix, AcceptsTwoToEightDigits) {
  EXPECT_EQ(*ParseCpvPrefix("45"), "45");
  EXPECT_EQ(*ParseCpvPrefix("4521"), "4521");
  EXPECT_EQ(*ParseCpvPrefix("03"), "03");
  EXPECT_EQ(*ParseCpvPrefix(" 45210000 "), "45210000");
}

TEST(ParseCpvPrefix, AcceptsACheckDigitAfterEightDigitsAndDropsIt) {
  EXPECT_EQ(*ParseCpvPrefix("45210000-2"), "45210000");
}

TEST(ParseCpvPrefix, RejectsTooShortTooLongOrMalformed) {
  for (std::string_view raw :
       {"", "4", "450000000", "4521-2", "45210000-", "45210000-22", "45a", "45 21", "-45"}) {
    auto r = ParseCpvPrefix(raw);
    ASSERT_FALSE(r.ok()) << raw;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace limpide::domain
