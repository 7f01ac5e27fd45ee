// Reading saved searches: the keyword syntax and the JSON members, with an
// error naming the member for every bad input.
#include "alerts/saved_search.h"

#include <gtest/gtest.h>

namespace limpide::alerts {
namespace {

using nlohmann::json;

std::string FieldOf(const json& j) {
  auto s = SavedSearchFromJson(j);
  return s.ok() ? "(accepted)" : s.status().field();
}

TEST(ParseKeywords, WordsPhrasesAndExclusions) {
  auto k = ParseKeywords("Rénovation \"espaces verts\" -peinture -\"mise en peinture\" de");
  ASSERT_TRUE(k.ok()) << k.status().ToString();
  ASSERT_EQ(k->required.size(), 2u);  // "de" is dropped
  EXPECT_EQ(k->required[0].stem, "renov");
  EXPECT_FALSE(k->required[0].phrase());
  EXPECT_TRUE(k->required[1].phrase());
  EXPECT_EQ(k->required[1].folded, (std::vector<std::string>{"espaces", "verts"}));
  ASSERT_EQ(k->excluded.size(), 2u);
  EXPECT_EQ(k->excluded[0].written, "peinture");
}

TEST(ParseKeywords, BrokenInputIsRefusedWithTheField) {
  for (const char* bad : {"\"espaces verts", "cpv:45", "objet:route", "\"\"", "\xC3\x28"}) {
    auto k = ParseKeywords(bad);
    ASSERT_FALSE(k.ok()) << bad;
    EXPECT_EQ(k.status().field(), "query") << bad;
  }
  EXPECT_FALSE(ParseKeywords(std::string(kMaxQueryBytes + 1, 'a')).ok());
  std::string many;
  for (int i = 0; i < 40; ++i) many += "mot" + std::to_string(i) + " ";
  EXPECT_FALSE(ParseKeywords(many).ok());
  // Punctuation alone and a time of day are not fields.
  EXPECT_TRUE(ParseKeywords("voirie - & 10:30").ok());
}

TEST(SavedSearchFromJson, EveryBadMemberIsNamed) {
  EXPECT_EQ(FieldOf({{"query", "voirie"}, {"colour", "red"}}), "colour");
  EXPECT_EQ(FieldOf({{"cpv", {"45", "99999999"}}}), "cpv[1]");
  EXPECT_EQ(FieldOf({{"cpv", {"4"}}}), "cpv[0]");
  EXPECT_EQ(FieldOf({{"cpv", "45"}}), "cpv");
  EXPECT_EQ(FieldOf({{"departments", {"35", "99"}}}), "departments[1]");
  EXPECT_EQ(FieldOf({{"regions", {"12"}}}), "regions[0]");
  EXPECT_EQ(FieldOf({{"procedures", {"gre_a_gre"}}}), "procedures[0]");
  EXPECT_EQ(FieldOf({{"amountMin", "mille"}}), "amountMin");
  EXPECT_EQ(FieldOf({{"amountMin", 10}, {"amountMax", 5}}), "amountMax");
  EXPECT_EQ(FieldOf({{"query", "voirie"}, {"webhook", "ftp://example.org/"}}), "webhook");
  EXPECT_EQ(FieldOf({{"query", "voirie"}, {"webhook", "http://"}}), "webhook");
  EXPECT_EQ(FieldOf({{"query", "voirie"}, {"webhook", "http://h:99999/"}}), "webhook");
  EXPECT_EQ(FieldOf({{"query", "voirie"}, {"webhook", "http://a b/"}}), "webhook");
  EXPECT_EQ(FieldOf({{"query", "voirie"}, {"email", "not-an-address"}}), "email");
  EXPECT_EQ(FieldOf({{"query", "voirie"}, {"emailMode", "daily"}}), "emailMode");
  EXPECT_EQ(FieldOf({{"query", "voirie"}, {"email", "a@b.fr"}, {"emailMode", "weekly"}}),
            "emailMode");
  EXPECT_EQ(FieldOf({{"name", "rien"}}), "query");  // no criterion at all
  EXPECT_EQ(FieldOf({{"query", "-peinture"}}), "query");
}

TEST(SavedSearchFromJson, NormalisesCodesAndExpandsRegions) {
  auto s = SavedSearchFromJson({{"cpv", {"45000000-7", "4521", "45"}},
                                {"regions", {"53"}},
                                {"departments", {"2a"}},
                                {"webhook", "http://127.0.0.1:9/hook"},
                                {"email", "veille@acme.fr"}});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->cpv, (std::vector<std::string>{"45", "4521"}));
  EXPECT_EQ(s->departments, (std::vector<std::string>{"22", "29", "2A", "35", "56"}));
  EXPECT_EQ(s->email_mode, EmailMode::kImmediate);
  // The stored form reads back to the same search.
  auto again = SavedSearchFromJson(CriteriaToJson(*s));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->cpv, s->cpv);
  EXPECT_EQ(again->departments, s->departments);
  EXPECT_EQ(again->webhook, s->webhook);
}

}  // namespace
}  // namespace limpide::alerts
