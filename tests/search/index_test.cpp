#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>

#include "search/search.h"
#include "search_fixture.h"

namespace limpide::search {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

// Six contracts from two buyers, in three departments.
class IndexTest : public SearchTest {
 protected:
  void SetUp() override {
    SearchTest::SetUp();
    auto elagage = MakeContract("E1", "Travaux d'élagage des arbres d'alignement");
    elagage.cpv = "77211400-6";
    elagage.place = {"44000", "Code postal", ""};
    elagage.amount = domain::Money{1500000};
    elagage.notified_on = domain::Date{2019, 3, 1};
    elagage.procedure = domain::ProcedureType::kProcedureAdaptee;
    elagage.nature = domain::ContractNature::kMarche;
    elagage.holders = {{"44306184100047", "SIRET", "Arbres et Paysages"}};

    auto renovation = MakeContract("R1", "Rénovation de l'école Jules Ferry");
    renovation.cpv = "45453000-7";
    renovation.place = {"44", "Code département", ""};
    renovation.amount = domain::Money{25000000};
    renovation.notified_on = domain::Date{2019, 6, 15};
    renovation.procedure = domain::ProcedureType::kAppelOffresOuvert;
    renovation.holders = {{"55204944776279", "SIRET", "Bâtiments de l'Ouest"}};

    auto voirie = MakeContract("V1", "Marchés de travaux de voirie");
    voirie.cpv = "45233140-2";
    voirie.place = {"75056", "Code commune", ""};
    voirie.amount = domain::Money{9000000};
    voirie.notified_on = domain::Date{2018, 11, 2};
    voirie.procedure = domain::ProcedureType::kAppelOffresOuvert;

    auto nettoyage = MakeContract("N1", "Nettoyage des locaux administratifs");
    nettoyage.buyer_id = "21750001600019";
    nettoyage.buyer_name = "Ville de Paris";
    nettoyage.uid = domain::MakeUid(nettoyage.buyer_id, "N1");
    nettoyage.cpv = "90910000-9";
    nettoyage.place = {"20167", "Code postal", ""};
    nettoyage.amount = domain::Money{4000000};
    nettoyage.notified_on = domain::Date{2019, 1, 10};
    nettoyage.procedure = domain::ProcedureType::kProcedureAdaptee;

    auto cantine = MakeContract("C1", "Restauration scolaire : fourniture de repas");
    cantine.buyer_id = "21750001600019";
    cantine.buyer_name = "Ville de Paris";
    cantine.uid = domain::MakeUid(cantine.buyer_id, "C1");
    cantine.cpv = "55523100-3";
    cantine.place = {"FR", "Code pays", "France"};
    cantine.amount = domain::Money{120000000};
    cantine.notified_on = domain::Date{2019, 9, 1};

    auto renovation2 = MakeContract("R2", "Travaux de rénovation énergétique de la piscine");
    renovation2.cpv = "45000000-7";
    renovation2.place = {"44300", "Code postal", ""};
    renovation2.amount = domain::Money{60000000};
    renovation2.notified_on = domain::Date{2019, 2, 1};
    renovation2.procedure = domain::ProcedureType::kAppelOffresOuvert;
    Put({elagage, renovation, voirie, nettoyage, cantine, renovation2});
    ASSERT_EQ(CatchUp(), 6u);
  }
};

TEST_F(IndexTest, AccentsAndCaseAreIgnoredBothWays) {
  EXPECT_THAT(Ids(Find("renovation")), UnorderedElementsAre("R1", "R2"));
  EXPECT_THAT(Ids(Find("RÉNOVATION")), UnorderedElementsAre("R1", "R2"));
  EXPECT_THAT(Ids(Find("élagage")), ElementsAre("E1"));
  EXPECT_THAT(Ids(Find("elagage")), ElementsAre("E1"));
  EXPECT_THAT(Ids(Find("ecole")), ElementsAre("R1"));
}

TEST_F(IndexTest, FrenchStemmingFindsOtherForms) {
  EXPECT_THAT(Ids(Find("marche")), ElementsAre("V1"));  // "Marchés"
  EXPECT_THAT(Ids(Find("arbre")), ElementsAre("E1"));   // "arbres"
  EXPECT_THAT(Ids(Find("rénover")), UnorderedElementsAre("R1", "R2"));
}

TEST_F(IndexTest, EveryWordMustMatchAndMinusExcludes) {
  // R1 is "travaux" through its CPV label only: the object weighs more.
  EXPECT_THAT(Ids(Find("travaux renovation")), ElementsAre("R2", "R1"));
  EXPECT_THAT(Ids(Find("travaux -renovation")), UnorderedElementsAre("E1", "V1"));
  EXPECT_THAT(Ids(Find("piscine OR ecole")), UnorderedElementsAre("R1", "R2"));
}

TEST_F(IndexTest, PhrasesKeepWordOrder) {
  EXPECT_THAT(Ids(Find("\"travaux de voirie\"")), ElementsAre("V1"));
  EXPECT_THAT(Ids(Find("\"renovation energetique\"")), ElementsAre("R2"));
  EXPECT_TRUE(Find("\"voirie de travaux\"").hits.empty());
}

TEST_F(IndexTest, PrefixesExpandOnFoldedWords) {
  EXPECT_THAT(Ids(Find("renov*")), UnorderedElementsAre("R1", "R2"));
  EXPECT_THAT(Ids(Find("élag*")), ElementsAre("E1"));
}

TEST_F(IndexTest, TheCpvLabelIsSearchedToo) {
  // 45453000: "Travaux de remise en état et de remise à neuf".
  EXPECT_THAT(Ids(Find("remise neuf")), ElementsAre("R1"));
}

TEST_F(IndexTest, FieldsSearchOneText) {
  EXPECT_THAT(Ids(Find("titulaire:paysages")), ElementsAre("E1"));
  EXPECT_THAT(Ids(Find("acheteur:paris")), UnorderedElementsAre("N1", "C1"));
  EXPECT_TRUE(Find("objet:paris").hits.empty());
}

TEST_F(IndexTest, BadSyntaxIsSearchedAsPlainWords) {
  // An unbalanced quote runs to the end of the query.
  EXPECT_THAT(Ids(Find("\"travaux de voirie")), ElementsAre("V1"));
  // An unknown field is words.
  EXPECT_THAT(Ids(Find("inconnu:voirie")), ElementsAre());
  auto r = Find("voirie AND");
  EXPECT_THAT(Ids(r), ElementsAre("V1"));
  auto brackets = Find("(voirie");
  EXPECT_THAT(Ids(brackets), ElementsAre("V1"));
}

TEST_F(IndexTest, CpvFilterCoversTheHierarchy) {
  SearchQuery q;
  q.cpv = "45";
  EXPECT_THAT(Ids(Find(q)), UnorderedElementsAre("R1", "V1", "R2"));
  q.cpv = "4545";
  EXPECT_THAT(Ids(Find(q)), ElementsAre("R1"));
  q.cpv = "45233140";
  EXPECT_THAT(Ids(Find(q)), ElementsAre("V1"));
  q.cpv = "77";
  q.text = "arbres";
  EXPECT_THAT(Ids(Find(q)), ElementsAre("E1"));
}

TEST_F(IndexTest, FiltersOnBuyerSupplierDepartmentRegionProcedure) {
  SearchQuery q;
  q.buyer = "21750001600019";
  EXPECT_THAT(Ids(Find(q)), UnorderedElementsAre("N1", "C1"));
  q = {};
  q.supplier = "44306184100047";
  EXPECT_THAT(Ids(Find(q)), ElementsAre("E1"));
  q = {};
  q.department = "44";  // a postcode, a department code
  EXPECT_THAT(Ids(Find(q)), UnorderedElementsAre("E1", "R1", "R2"));
  q.department = "75";  // an INSEE commune code
  EXPECT_THAT(Ids(Find(q)), ElementsAre("V1"));
  q.department = "2A";  // a Corsican postcode
  EXPECT_THAT(Ids(Find(q)), ElementsAre("N1"));
  q = {};
  q.region = "52";  // Pays de la Loire: 44, 49, 53, 72, 85
  EXPECT_THAT(Ids(Find(q)), UnorderedElementsAre("E1", "R1", "R2"));
  q.region = "94";  // Corse: 2A, 2B
  EXPECT_THAT(Ids(Find(q)), ElementsAre("N1"));
  q.department = "44";  // both filters apply
  EXPECT_TRUE(Find(q).hits.empty());
  q.region = "53";  // Bretagne
  q.department.clear();
  EXPECT_TRUE(Find(q).hits.empty());
  q = {};
  q.procedure = "appel_offres_ouvert";
  q.text = "voirie OR piscine";
  EXPECT_THAT(Ids(Find(q)), UnorderedElementsAre("V1", "R2"));
  q.nature = "marche";
  EXPECT_TRUE(Find(q).hits.empty());
}

TEST_F(IndexTest, AmountAndDateRangesAreInclusive) {
  SearchQuery q;
  q.amount_min = domain::Money{4000000};
  q.amount_max = domain::Money{60000000};
  EXPECT_THAT(Ids(Find(q)), UnorderedElementsAre("R1", "V1", "N1", "R2"));
  q = {};
  q.date_from = domain::Date{2019, 1, 10};
  q.date_to = domain::Date{2019, 6, 15};
  EXPECT_THAT(Ids(Find(q)), UnorderedElementsAre("E1", "R1", "N1", "R2"));
  // The same in the query syntax.
  EXPECT_THAT(Ids(Find("montant:40000..600000")), UnorderedElementsAre("R1", "V1", "N1", "R2"));
  EXPECT_THAT(Ids(Find("travaux date:2019-01-01..2019-12-31")),
              UnorderedElementsAre("E1", "R1", "R2"));
}

// Amount ranges read the amount bucket terms (1-2-5 scale of cents) and
// check the value only in a bucket that a bound cuts: every range, edges of
// buckets and cut buckets, open or closed, must find what the value says.
class AmountRangeTest : public SearchTest {};

TEST_F(AmountRangeTest, BucketsFindWhatTheValueSays) {
  const std::vector<std::optional<int64_t>> amounts = {
      std::nullopt, 0,      1,         2,          99999,      100000,      100001,
      149999,       150000, 199999,    200000,     200001,     499999,      500000,
      1000000,      999999, 123456789, 5000000000, 9000000000, 50000000000, 2000000000000};
  std::vector<domain::Contract> contracts;
  for (size_t i = 0; i < amounts.size(); ++i) {
    auto c = MakeContract("A" + std::to_string(i), "Fourniture de mobilier");
    if (amounts[i]) c.amount = domain::Money{*amounts[i]};
    contracts.push_back(c);
  }
  Put(contracts);
  ASSERT_EQ(CatchUp(), amounts.size());
  const std::vector<std::optional<int64_t>> bounds = {
      std::nullopt, 0,      1,      2,      99999,      100000,     100001,     150000,
      199999,       200000, 200001, 999999, 1000000,    5000000000, 9000000001, 2000000000000};
  for (const bool words : {false, true}) {
    for (const auto& lo : bounds) {
      for (const auto& hi : bounds) {
        if (!lo && !hi) continue;
        SearchQuery q;
        if (words) q.text = "mobilier";
        if (lo) q.amount_min = domain::Money{*lo};
        if (hi) q.amount_max = domain::Money{*hi};
        q.limit = 100;
        std::vector<std::string> expected;
        for (size_t i = 0; i < amounts.size(); ++i) {
          if (amounts[i] && (!lo || *amounts[i] >= *lo) && (!hi || *amounts[i] <= *hi)) {
            expected.push_back("A" + std::to_string(i));
          }
        }
        auto r = Find(q);
        auto ids = Ids(r);
        std::sort(ids.begin(), ids.end());
        std::sort(expected.begin(), expected.end());
        EXPECT_EQ(ids, expected) << "min " << (lo ? std::to_string(*lo) : "-") << " max "
                                 << (hi ? std::to_string(*hi) : "-") << " words " << words;
        EXPECT_EQ(r.total, static_cast<int64_t>(expected.size()));
      }
    }
  }
}

TEST_F(IndexTest, AFacetFixedByAFilterHasOneValueCountedByTheTotal) {
  SearchQuery q;
  q.text = "travaux OR nettoyage OR restauration OR renovation";
  q.department = "44";
  auto r = Find(q);
  EXPECT_TRUE(r.facets_exact);
  EXPECT_EQ(r.total, 3);
  ASSERT_EQ(r.facets.size(), 4u);
  ASSERT_EQ(r.facets[1].name, "department");
  ASSERT_EQ(r.facets[1].values.size(), 1u);
  EXPECT_EQ(r.facets[1].values[0].value, "44");
  EXPECT_EQ(r.facets[1].values[0].count, 3);
  EXPECT_EQ(r.facets[1].values[0].label, "Loire-Atlantique (44)");
  // The others are counted over the matches.
  EXPECT_EQ(r.facets_sampled, 3);
  ASSERT_GE(r.facets[0].values.size(), 1u);
  EXPECT_EQ(r.facets[0].values[0].value, "45");
  EXPECT_EQ(r.facets[0].values[0].count, 2);
  // Every facet fixed: nothing to count, the counts are still the total.
  q.cpv = "45";
  q.procedure = "appel_offres_ouvert";
  q.buyer = "21440109300015";
  r = Find(q);
  EXPECT_EQ(r.total, 2);
  EXPECT_TRUE(r.facets_exact);
  EXPECT_EQ(r.facets_sampled, 0);
  for (const auto& f : r.facets) {
    ASSERT_EQ(f.values.size(), 1u) << f.name;
    EXPECT_EQ(f.values[0].count, 2) << f.name;
  }
  EXPECT_EQ(r.facets[0].values[0].value, "45");
  EXPECT_EQ(r.facets[3].values[0].label, "Ville de Nantes");
}

TEST_F(IndexTest, SortsByDateOrAmountLargestFirst) {
  SearchQuery q;
  q.sort = SortOrder::kDate;
  EXPECT_THAT(Ids(Find(q)), ElementsAre("C1", "R1", "E1", "R2", "N1", "V1"));
  q.sort = SortOrder::kAmount;
  EXPECT_THAT(Ids(Find(q)), ElementsAre("C1", "R2", "R1", "V1", "N1", "E1"));
  q.text = "travaux";
  EXPECT_THAT(Ids(Find(q)), ElementsAre("R2", "R1", "V1", "E1"));
}

TEST_F(IndexTest, RelevancePrefersTheObjectAndPagesAreStable) {
  SearchQuery q;
  q.text = "travaux";
  q.limit = 2;
  auto first = Find(q);
  EXPECT_EQ(first.total, 4);
  EXPECT_TRUE(first.total_exact);
  ASSERT_EQ(first.hits.size(), 2u);
  q.offset = 2;
  auto second = Find(q);
  ASSERT_EQ(second.hits.size(), 2u);
  // "Travaux" in the object ranks above "travaux" in the CPV label only (R1).
  EXPECT_EQ(second.hits[1].document.uid, "21440109300015R1");
  std::vector<std::string> all = Ids(first);
  for (const auto& id : Ids(second)) all.push_back(id);
  EXPECT_THAT(all, UnorderedElementsAre("E1", "V1", "R2", "R1"));
}

TEST_F(IndexTest, SnippetsMarkTheMatchedWordsInTheOriginalText) {
  auto r = Find("elagage arbre");
  ASSERT_EQ(r.hits.size(), 1u);
  EXPECT_EQ(r.hits[0].snippet,
            "Travaux <mark>d'élagage</mark> des <mark>arbres</mark> d'alignement");
  SearchQuery q;
  q.text = "renovation";
  q.sort = SortOrder::kDate;  // R1 first
  r = Find(q);
  ASSERT_EQ(r.hits.size(), 2u);
  EXPECT_EQ(r.hits[0].snippet, "<mark>Rénovation</mark> de l'école Jules Ferry");
  EXPECT_EQ(r.hits[1].snippet, "Travaux de <mark>rénovation</mark> énergétique de la piscine");
  EXPECT_EQ(Find("\"renovation energetique\"").hits.at(0).snippet,
            "Travaux de <mark>rénovation</mark> <mark>énergétique</mark> de la piscine");
}

TEST_F(IndexTest, HitsCarryTheStoredFields) {
  auto r = Find("élagage");
  ASSERT_EQ(r.hits.size(), 1u);
  const Document& d = r.hits[0].document;
  EXPECT_EQ(d.type, "contract");
  EXPECT_EQ(d.uid, "21440109300015E1");
  EXPECT_EQ(d.object, "Travaux d'élagage des arbres d'alignement");
  EXPECT_EQ(d.buyer_name, "Ville de Nantes");
  EXPECT_EQ(d.cpv, "77211400-6");
  EXPECT_EQ(d.department, "44");
  EXPECT_EQ(d.amount, domain::Money{1500000});
  EXPECT_EQ(d.date, (domain::Date{2019, 3, 1}));
  ASSERT_EQ(d.holders.size(), 1u);
  EXPECT_EQ(d.holders[0].name, "Arbres et Paysages");
  EXPECT_EQ(r.index_position, 6u);
}

TEST_F(IndexTest, FacetsCountTheMatches) {
  SearchQuery q;
  q.text = "travaux OR nettoyage OR restauration OR renovation";
  auto r = Find(q);
  EXPECT_TRUE(r.facets_exact);
  ASSERT_EQ(r.facets.size(), 4u);
  EXPECT_EQ(r.facets[0].name, "cpv");
  ASSERT_GE(r.facets[0].values.size(), 1u);
  EXPECT_EQ(r.facets[0].values[0].value, "45");
  EXPECT_EQ(r.facets[0].values[0].count, 3);
  EXPECT_EQ(r.facets[0].values[0].label, "Travaux de construction");
  EXPECT_EQ(r.facets[1].name, "department");
  EXPECT_EQ(r.facets[1].values[0].value, "44");
  EXPECT_EQ(r.facets[1].values[0].label, "Loire-Atlantique (44)");
  EXPECT_EQ(r.facets[1].values[0].count, 3);
  EXPECT_EQ(r.facets[3].name, "buyer");
  EXPECT_EQ(r.facets[3].values[0].label, "Ville de Nantes");
  EXPECT_EQ(r.facets[3].values[0].count, 4);
}

TEST_F(IndexTest, FacetsOverTheWholeIndexComeFromTermCounts) {
  auto r = Find(SearchQuery{});
  EXPECT_EQ(r.total, 6);
  EXPECT_TRUE(r.facets_exact);
  ASSERT_EQ(r.facets.size(), 4u);
  EXPECT_EQ(r.facets[0].values[0].value, "45");
  EXPECT_EQ(r.facets[0].values[0].count, 3);
  EXPECT_EQ(r.facets[2].name, "procedure");
  EXPECT_EQ(r.facets[2].values[0].value, "appel_offres_ouvert");
  EXPECT_EQ(r.facets[2].values[0].label, "Appel d'offres ouvert");
  EXPECT_EQ(r.facets[2].values[0].count, 3);
}

TEST_F(IndexTest, FacetsBeyondTheSampleAreScaledEstimates) {
  index_.reset();
  auto small = Index::Open((dir_ / "search").string(), IndexOptions{.facet_sample = 2});
  ASSERT_TRUE(small.ok());
  SearchQuery q;
  q.text = "travaux OR nettoyage OR restauration OR renovation";
  q.limit = 1;
  auto r = (*small)->Search(q);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->facets_exact);
  EXPECT_GT(r->total, 2);
  EXPECT_GE(r->facets_sampled, 2);
  EXPECT_LT(r->facets_sampled, r->total);
  // Scaled: the counts of a facet add up to about the total, not the sample.
  int64_t sum = 0;
  for (const auto& v : r->facets[3].values) sum += v.count;
  EXPECT_GT(sum, r->facets_sampled);
}

TEST_F(IndexTest, AnUpdatedContractReplacesItsDocument) {
  auto c = MakeContract("V1", "Entretien des espaces verts");
  Put({c});
  EXPECT_EQ(CatchUp(), 7u);
  EXPECT_TRUE(Find("voirie").hits.empty());
  EXPECT_THAT(Ids(Find("espaces verts")), ElementsAre("V1"));
  EXPECT_EQ(*index_->DocumentCount(), 6u);
}

}  // namespace
}  // namespace limpide::search
