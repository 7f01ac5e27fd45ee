// The rows of the buyer's draft form (web/form_rows.h): lots and criteria
// posted as "lots[3].title"…, made compact, added and removed by buttons;
// broken input of every kind, then the seeds of fuzz/form_rows_fuzz.cpp.
#include "web/form_rows.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "../../fuzz/form_rows_fuzz.h"

namespace limpide::web {
namespace {

Fields Posted(std::string_view body) {
  Fields f;
  EXPECT_TRUE(DecodeForm(body, f)) << body;
  return f;
}

TEST(RowOf, ReadsTheIndexAndAKnownMemberOnly) {
  std::string member;
  EXPECT_EQ(RowOf("lots[12].title", kLots, &member), 12);
  EXPECT_EQ(member, "title");
  EXPECT_EQ(RowOf("criteria[0].weight", kCriteria, &member), 0);
  EXPECT_EQ(RowOf("lots[999999].cpv", kLots, &member), 999'999);
  EXPECT_EQ(RowOf("lots[007].cpv", kLots, &member), 7);  // leading zeros: the same row
  for (const char* bad : {"lots[1000000].title", "lots[-1].title", "lots[+1].title", "lots[].title",
                          "lots[1 ].title", "lots[0x1].title", "lots[1].colour", "lots[1].",
                          "lots[1]title", "lots[1.title", "lots1.title", "criteria[0].title",
                          "lots[99999999999999999999].title", "Lots[0].title", "lots[0].title.x"}) {
    EXPECT_EQ(RowOf(bad, kLots, &member), -1) << bad;
  }
}

TEST(PostedValues, RowsComeOutCompactInIndexOrderBlankOnesDropped) {
  bool edit = true;
  const Values v = PostedValues(
      Posted(
          "lots%5B7%5D.title=sept&lots%5B2%5D.title=&lots%5B2%5D.cpv=&lots%5B999999%5D.title=loin"
          "&lots%5B0%5D.title=z%C3%A9ro&lots%5B0%5D.estimatedValue=100&title=Objet"),
      &edit);
  EXPECT_FALSE(edit);
  EXPECT_EQ(v.at("lots[0].title"), "zéro");
  EXPECT_EQ(v.at("lots[0].estimatedValue"), "100");
  EXPECT_EQ(v.at("lots[1].title"), "sept");
  EXPECT_EQ(v.at("lots[2].title"), "loin");
  EXPECT_EQ(v.count("lots[3].title"), 0u);
  EXPECT_EQ(v.count("lots[7].title"), 0u);
  EXPECT_EQ(v.at("lots.rows"), "3");
  EXPECT_EQ(RowCount(v, kLots), 3);
  // No criterion posted: one empty row to fill.
  EXPECT_EQ(v.at("criteria.rows"), "1");
  EXPECT_EQ(v.at("title"), "Objet");
}

TEST(PostedValues, AFieldPostedTwiceKeepsItsFirstValue) {
  bool edit = false;
  const Values v = PostedValues(
      Posted("lots%5B0%5D.title=A&lots%5B0%5D.title=B&lots%5B00%5D.title=C&title=un&title=deux"),
      &edit);
  EXPECT_EQ(v.at("lots[0].title"), "A");
  EXPECT_EQ(v.at("lots.rows"), "1");
  EXPECT_EQ(v.at("title"), "un");
}

TEST(PostedValues, BrokenRowNamesAreNotRowsAndCannotForgeTheCount) {
  bool edit = false;
  const Values v = PostedValues(
      Posted("lots%5B-1%5D.title=neg&lots%5B1000000%5D.title=trop&lots%5B3%5D.colour=rouge"
             "&lots.rows=900000&csrf=jeton&criteria%5B0%5D.name=Prix&criteria%5B0%5D.weight=100"),
      &edit);
  EXPECT_EQ(v.at("lots.rows"), "1");  // computed, not the posted one
  EXPECT_EQ(RowCount(v, kLots), 1);
  EXPECT_EQ(v.count("lots[0].title"), 0u);
  EXPECT_EQ(v.count("csrf"), 0u);
  EXPECT_EQ(v.at("criteria[0].weight"), "100");
}

TEST(PostedValues, RowButtonsAddAndRemoveWellFormedRowsOnly) {
  bool edit = false;
  Values v = PostedValues(Posted("lots%5B0%5D.title=A&lots%5B1%5D.title=B&lots%5B2%5D.title=C"
                                 "&retirer=lots-1"),
                          &edit);
  EXPECT_TRUE(edit);
  EXPECT_EQ(v.at("lots[0].title"), "A");
  EXPECT_EQ(v.at("lots[1].title"), "C");
  EXPECT_EQ(v.at("lots.rows"), "2");
  EXPECT_EQ(v.count("retirer"), 0u);

  v = PostedValues(Posted("criteria%5B0%5D.name=Prix&criteria%5B0%5D.weight=100&ajouter=criteria"),
                   &edit);
  EXPECT_TRUE(edit);
  EXPECT_EQ(v.at("criteria.rows"), "2");
  EXPECT_EQ(v.at("lots.rows"), "1");

  // A removal that names no row is not a row button; nothing is removed.
  for (const char* bad : {"retirer=lots-1x", "retirer=lots-", "retirer=lots", "retirer=lots-+0",
                          "retirer=lots-99999999999"}) {
    v = PostedValues(Posted(std::string("lots%5B1%5D.title=B&") + bad), &edit);
    EXPECT_FALSE(edit) << bad;
    EXPECT_EQ(v.at("lots[0].title"), "B") << bad;
  }
  // An unknown list to remove from or add to: a row edit that changes nothing.
  v = PostedValues(Posted("lots%5B1%5D.title=B&retirer=lots--1"), &edit);
  EXPECT_TRUE(edit);
  EXPECT_EQ(v.at("lots[0].title"), "B");
  v = PostedValues(Posted("ajouter=rien"), &edit);
  EXPECT_TRUE(edit);
  EXPECT_EQ(v.at("lots.rows"), "1");
  EXPECT_EQ(v.at("criteria.rows"), "1");
}

TEST(PostedValues, AddingStopsAtTheDomainsLimit) {
  std::string body = "ajouter=criteria";
  for (int i = 0; i < kCriteria.max_rows; ++i)
    body += "&criteria%5B" + std::to_string(i) + "%5D.name=c" + std::to_string(i);
  bool edit = false;
  const Values v = PostedValues(Posted(body), &edit);
  EXPECT_EQ(v.at("criteria.rows"), std::to_string(kCriteria.max_rows));
}

TEST(PostedValues, BadPercentEncodingIsRefusedBeforeTheRows) {
  Fields f;
  EXPECT_FALSE(DecodeForm("lots%5B0%5D.title=%ZZ", f));
  EXPECT_FALSE(DecodeForm("lots%5B0%5D.title=%4", f));
  EXPECT_FALSE(DecodeForm("lots%5B0%5.title=A", f));
}

TEST(RowCount, ABrokenCountIsZeroRows) {
  EXPECT_EQ(RowCount({{"lots.rows", "abc"}}, kLots), 0);
  EXPECT_EQ(RowCount({{"lots.rows", "-3"}}, kLots), 0);
  EXPECT_EQ(RowCount({{"lots.rows", "2x"}}, kLots), 0);
  EXPECT_EQ(RowCount({{"lots[0].cpv", "x"}, {"lots[1].title", "y"}, {"lots[3].title", "z"}}, kLots),
            2);
}

// Found by form_rows_fuzz (a wrong oracle, not a wrong reader): "lots-01"
// names row 1, as "lots[01].title" does. Seed regression-remove-zero-padded-row.txt.
TEST(PostedValues, ARemovalWithAZeroPaddedIndexRemovesThatRow) {
  bool edit = false;
  const Values v =
      PostedValues(Posted("lots%5B0%5D.title=A&lots%5B1%5D.title=B&retirer=lots-01"), &edit);
  EXPECT_TRUE(edit);
  EXPECT_EQ(v.at("lots[0].title"), "A");
  EXPECT_EQ(v.count("lots[1].title"), 0u);
  EXPECT_EQ(v.at("lots.rows"), "1");
}

// The seeds of fuzz/form_rows_fuzz.cpp, under the normal compiler.
TEST(FormRowsSeeds, EachSeedKeepsTheInvariants) {
  const auto dir = std::filesystem::path(LIMPIDE_SOURCE_DIR) / "tests/web/form_rows_seeds";
  int seen = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    fuzz::FuzzFormRows(buffer.str());
    ++seen;
  }
  EXPECT_GE(seen, 5);
}

}  // namespace
}  // namespace limpide::web
