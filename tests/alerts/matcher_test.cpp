// The matching rules of saved searches (docs/alerts.md, "Matching"):
// keywords folded and stemmed as the search index does, exclusions, the CPV
// hierarchy, places and regions, procedures, amounts; and the reverse index
// gives the same answers as evaluating every search.
#include "alerts/matcher.h"

#include <gtest/gtest.h>

#include <random>

#include "alerts/saved_search.h"

namespace limpide::alerts {
namespace {

using nlohmann::json;

SavedSearch Search(const json& j) {
  auto s = SavedSearchFromJson(j);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? *s : SavedSearch{};
}

Notice Elagage() {
  Notice n;
  n.id = "2026-11-29-aaaa";
  n.text = "Travaux d'élagage des arbres du parc municipal\nÉlagage et abattage de 120 arbres";
  n.cpv = {"77211400-6"};
  n.department = "35";
  n.procedure = "procedure_adaptee";
  n.amount_cents = 5'000'000;
  return n;
}

TEST(Matcher, AccentsAndPluralsMatchAsInTheSearchIndex) {
  Notice n = Elagage();
  n.text = "Rénovation énergétique des écoles";
  auto why = Evaluate(Search({{"query", "renovation ecole"}}), n);
  ASSERT_TRUE(why);
  EXPECT_EQ(why->words, (std::vector<std::string>{"renovation", "ecole"}));
  EXPECT_TRUE(Evaluate(Search({{"query", "RÉNOVATIONS"}}), n));
  EXPECT_FALSE(Evaluate(Search({{"query", "renovation piscine"}}), n));
}

TEST(Matcher, AnExcludedWordRejectsTheNotice) {
  EXPECT_TRUE(Evaluate(Search({{"query", "élagage -peinture"}}), Elagage()));
  EXPECT_FALSE(Evaluate(Search({{"query", "élagage -abattage"}}), Elagage()));
  EXPECT_FALSE(Evaluate(Search({{"query", "élagage -\"parc municipal\""}}), Elagage()));
  // Exclusions apply to CPV matches too.
  EXPECT_FALSE(Evaluate(Search({{"cpv", {"77"}}, {"query", "-arbres"}}), Elagage()));
}

TEST(Matcher, PhrasesNeedTheWordsInOrder) {
  EXPECT_TRUE(Evaluate(Search({{"query", "\"parc municipal\""}}), Elagage()));
  EXPECT_FALSE(Evaluate(Search({{"query", "\"municipal parc\""}}), Elagage()));
}

TEST(Matcher, ADivisionCoversTheCodesBelowIt) {
  for (const char* filter : {"77", "77000000", "77000000-0", "772", "7721", "77211400-6"}) {
    auto why = Evaluate(Search({{"cpv", {filter}}}), Elagage());
    ASSERT_TRUE(why) << filter;
    EXPECT_EQ(why->cpv_code, "77211400-6");
  }
  EXPECT_FALSE(Evaluate(Search({{"cpv", {"45"}}}), Elagage()));
  // A finer search does not catch a broader code.
  Notice broad = Elagage();
  broad.cpv = {"77000000-0"};
  EXPECT_FALSE(Evaluate(Search({{"cpv", {"7721"}}}), broad));
}

TEST(Matcher, KeywordsCatchANoticeWithAWrongCode) {
  Notice n = Elagage();
  n.cpv = {"45000000-7"};  // mis-coded as works
  auto why = Evaluate(Search({{"cpv", {"77"}}, {"query", "élagage"}}), n);
  ASSERT_TRUE(why);
  EXPECT_TRUE(why->cpv_filter.empty());
  EXPECT_EQ(why->words, std::vector<std::string>{"élagage"});
}

TEST(Matcher, PlacesByDepartmentOrRegion) {
  EXPECT_TRUE(Evaluate(Search({{"departments", {"35"}}}), Elagage()));
  EXPECT_FALSE(Evaluate(Search({{"departments", {"44"}}}), Elagage()));
  auto why = Evaluate(Search({{"regions", {"53"}}, {"query", "arbres"}}), Elagage());
  ASSERT_TRUE(why);
  EXPECT_EQ(why->department, "35");
  EXPECT_EQ(why->region, "53");
  EXPECT_FALSE(Evaluate(Search({{"regions", {"11"}}, {"query", "arbres"}}), Elagage()));
  Notice nowhere = Elagage();
  nowhere.department.clear();
  EXPECT_FALSE(Evaluate(Search({{"departments", {"35"}}}), nowhere));
}

TEST(Matcher, ProceduresAndAmounts) {
  EXPECT_TRUE(Evaluate(Search({{"procedures", {"procedure_adaptee"}}}), Elagage()));
  EXPECT_FALSE(Evaluate(Search({{"procedures", {"appel_offres_ouvert"}}}), Elagage()));
  EXPECT_TRUE(Evaluate(Search({{"amountMin", 10000}, {"amountMax", 50000}}), Elagage()));
  EXPECT_FALSE(Evaluate(Search({{"amountMin", 50000.01}}), Elagage()));
  Notice unknown = Elagage();
  unknown.amount_cents.reset();
  EXPECT_FALSE(Evaluate(Search({{"amountMax", 1e6}}), unknown));
}

TEST(Matcher, TheReverseIndexFindsWhatEvaluatingEverySearchFinds) {
  const std::vector<json> shapes = {
      {{"query", "élagage"}},
      {{"query", "élagage arbres"}, {"departments", {"35"}}},
      {{"query", "piscine"}},
      {{"cpv", {"77"}}},
      {{"cpv", {"45"}}, {"query", "arbres"}},
      {{"regions", {"53"}}},
      {{"procedures", {"procedure_adaptee"}}},
      {{"amountMin", 1000}},
      {{"query", "\"parc municipal\" -peinture"}},
      {{"query", "-abattage"}, {"cpv", {"7721"}}},
  };
  std::vector<SavedSearch> searches;
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) searches.push_back(Search(shapes[rng() % shapes.size()]));
  Matcher m(searches);
  EXPECT_EQ(m.size(), searches.size());
  const std::vector<std::string> texts = {
      "Travaux d'élagage des arbres du parc municipal", "Construction d'une piscine",
      "Peinture du parc municipal", "Fourniture de papier"};
  const std::vector<std::string> codes = {"77211400-6", "45212212-5", "30197630-1"};
  for (int round = 0; round < 50; ++round) {
    Notice n = Elagage();
    n.text = texts[rng() % texts.size()];
    n.cpv = {codes[rng() % codes.size()]};
    n.department = round % 3 ? "35" : "75";
    n.procedure = round % 2 ? "procedure_adaptee" : "appel_offres_ouvert";
    const auto fast = m.MatchNotice(n);
    const auto each = m.MatchEach(n);
    ASSERT_EQ(fast.size(), each.size()) << n.text;
    for (size_t i = 0; i < fast.size(); ++i) EXPECT_EQ(fast[i].search, each[i].search);
  }
}

}  // namespace
}  // namespace limpide::alerts
