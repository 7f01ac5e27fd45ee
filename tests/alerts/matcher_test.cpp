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
    EXPECT_EQ(m.MatchNotice(n), m.MatchEach(n)) << n.text;
  }
}

// A property: on random searches and notices (words with accents and
// plurals, phrases, exclusions, CPV prefixes at every level, departments,
// regions, procedures, amounts), the reverse index answers exactly what
// evaluating every search answers, before and after searches are removed,
// replaced and added one at a time; and every match has its reason.
TEST(Matcher, RandomSearchesAndNoticesAgreeWithTheRuleThroughChanges) {
  const std::vector<std::string> vocab = {
      "élagage", "arbres",   "rénovation", "écoles",  "piscine", "voirie",  "éclairage",
      "public",  "entretien", "espaces",   "verts",   "nettoyage", "locaux", "réseaux",
      "travaux", "Travaux",  "maintenance", "chauffage", "bâtiments", "marché", "marchés"};
  const std::vector<std::string> codes = {"77211400-6", "77310000-6", "45212212-5", "45233140-2",
                                          "45000000-7", "50700000-2", "90910000-9", "31527200-8",
                                          "45210000-2", "7721140"};
  const std::vector<std::string> departments = {"35", "29", "44", "75", "2A", "974", "13"};
  const std::vector<std::string> regions = {"53", "11", "93"};
  const std::vector<std::string> procedures = {"procedure_adaptee", "appel_offres_ouvert"};
  std::mt19937 rng(20261129);
  const auto pick = [&](const auto& v) { return v[rng() % v.size()]; };
  const auto random_search = [&] {
    for (;;) {
      json j = json::object();
      std::string q;
      for (int k = rng() % 4; k > 0; --k) {
        const int shape = static_cast<int>(rng() % 6);
        if (shape == 0) q += "\"" + pick(vocab) + " " + pick(vocab) + "\" ";
        else if (shape == 1) q += "-" + pick(vocab) + " ";
        else q += pick(vocab) + " ";
      }
      if (!q.empty()) j["query"] = q;
      if (rng() % 3 == 0) {
        std::string c = pick(codes).substr(0, 2 + rng() % 7);
        j["cpv"] = {c};
        if (rng() % 4 == 0) j["cpv"].push_back(pick(codes).substr(0, 2 + rng() % 4));
      }
      if (rng() % 2 == 0) {
        j["departments"] = {pick(departments)};
        if (rng() % 3 == 0) j["departments"].push_back(pick(departments));
      }
      if (rng() % 6 == 0) j["regions"] = {pick(regions)};
      if (rng() % 5 == 0) j["procedures"] = {pick(procedures)};
      if (rng() % 8 == 0) j["amountMin"] = 1000 * (rng() % 100);
      if (rng() % 8 == 0) j["amountMax"] = 100000 + 1000 * (rng() % 100);
      auto s = SavedSearchFromJson(j);
      if (s.ok()) return *s;  // refused: empty, a CPV prefix no code has, min > max
    }
  };
  const auto random_notice = [&] {
    Notice n;
    for (int k = 2 + rng() % 8; k > 0; --k) n.text += pick(vocab) + (rng() % 4 ? " " : " de la ");
    for (int k = rng() % 3; k > 0; --k) n.cpv.push_back(pick(codes));
    n.department = rng() % 8 ? pick(departments) : "";
    n.procedure = rng() % 8 ? pick(procedures) : "";
    if (rng() % 6) n.amount_cents = int64_t{100} * (rng() % 300000);
    return n;
  };
  std::vector<SavedSearch> initial;
  for (int i = 0; i < 3000; ++i) initial.push_back(random_search());
  Matcher m(initial);
  size_t matches = 0;
  const auto agree = [&](int rounds) {
    for (int round = 0; round < rounds; ++round) {
      const Notice n = random_notice();
      const auto fast = m.MatchNotice(n);
      ASSERT_EQ(fast, m.MatchEach(n)) << n.text;
      matches += fast.size();
      for (const auto& why : m.Explain(n, fast)) {
        ASSERT_TRUE(why);
        EXPECT_TRUE(!why->words.empty() || !why->cpv_filter.empty() || !why->department.empty() ||
                    !why->procedure.empty() || why->amount);
      }
    }
  };
  agree(300);
  // Changes one at a time: remove some, replace some (remove + add), add more.
  std::vector<uint32_t> live(initial.size());
  for (uint32_t i = 0; i < live.size(); ++i) live[i] = i;
  for (int step = 0; step < 1500; ++step) {
    const size_t at = rng() % live.size();
    if (step % 3 != 2) {
      m.Remove(live[at]);
      EXPECT_EQ(m.search(live[at]), nullptr);
      live.erase(live.begin() + static_cast<std::ptrdiff_t>(at));
    }
    if (step % 3 != 0) live.push_back(m.Add(std::make_shared<const SavedSearch>(random_search())));
  }
  EXPECT_EQ(m.size(), live.size());
  agree(300);
  EXPECT_GT(matches, 1000u);  // the data makes matches: the comparison says something
}

TEST(Matcher, ARemovedSearchNoLongerMatchesAndItsSlotIsReused) {
  Matcher m(std::vector<SavedSearch>{Search({{"query", "élagage"}}), Search({{"cpv", {"77"}}})});
  EXPECT_EQ(m.MatchNotice(Elagage()), (std::vector<uint32_t>{0, 1}));
  m.Remove(0);
  m.Remove(0);  // twice: no-op
  EXPECT_EQ(m.MatchNotice(Elagage()), (std::vector<uint32_t>{1}));
  const uint32_t slot = m.Add(std::make_shared<const SavedSearch>(Search({{"query", "piscine"}})));
  EXPECT_EQ(slot, 0u);
  EXPECT_EQ(m.MatchNotice(Elagage()), (std::vector<uint32_t>{1}));
  EXPECT_EQ(m.size(), 2u);
}

}  // namespace
}  // namespace limpide::alerts
