#include <gtest/gtest.h>

#include "formats/contract_json.h"
#include "search/search.h"

namespace limpide::search {
namespace {

TEST(DepartmentOf, ReadsDepartmentsPostcodesAndCommuneCodes) {
  EXPECT_EQ(DepartmentOf("44", "Code département"), "44");
  EXPECT_EQ(DepartmentOf("2a", "Code département"), "2A");
  EXPECT_EQ(DepartmentOf("974", "Code département"), "974");
  EXPECT_EQ(DepartmentOf("1", "Code département"), "01");
  EXPECT_EQ(DepartmentOf("078", "Code département"), "78");
  EXPECT_EQ(DepartmentOf("57000", "Code département"), "57");  // a postcode, mistyped
  EXPECT_EQ(DepartmentOf("44300", "Code postal"), "44");
  EXPECT_EQ(DepartmentOf("97460", "Code postal"), "974");
  EXPECT_EQ(DepartmentOf("20000", "Code postal"), "2A");
  EXPECT_EQ(DepartmentOf("20200", "Code postal"), "2B");
  EXPECT_EQ(DepartmentOf("69123", "Code commune"), "69");
  EXPECT_EQ(DepartmentOf("2B033", "Code commune"), "2B");
}

TEST(DepartmentOf, IsEmptyForOtherPlacesAndNonCodes) {
  EXPECT_EQ(DepartmentOf("FR", "Code pays"), "");
  EXPECT_EQ(DepartmentOf("52", "Code région"), "");
  EXPECT_EQ(DepartmentOf("99", "Code département"), "");
  EXPECT_EQ(DepartmentOf("FR615", "Code département"), "");
  EXPECT_EQ(DepartmentOf("00100", "Code postal"), "");
  EXPECT_EQ(DepartmentOf("4430", "Code postal"), "");
  EXPECT_EQ(DepartmentName("44"), "Loire-Atlantique");
  EXPECT_EQ(DepartmentName("2A"), "Corse-du-Sud");
}

TEST(FoldText, LowersFoldsAndSplitsElisions) {
  EXPECT_EQ(FoldText("Travaux d'Élagage"), "travaux d elagage");
  EXPECT_EQ(FoldText("l’œuvre"), "l oeuvre");
}

TEST(ContractDocument, ReadsTheLedgerBodyOfAContract) {
  domain::Contract c;
  c.uid = "21440109300015X";
  c.id = "X";
  c.buyer_id = "21440109300015";
  c.buyer_name = "Nantes";
  c.object = "Voirie";
  c.cpv = "45233140-2";
  c.place = {"44000", "Code postal", "Nantes"};
  c.amount = domain::Money{123456};
  c.notified_on = domain::Date{2019, 5, 6};
  c.procedure = domain::ProcedureType::kProcedureAdaptee;
  c.holders = {{"1", "SIRET", "A"}};
  domain::Modification m;
  m.object = "Avenant 1";
  m.holders = {{"2", "SIRET", "B"}, {"1", "SIRET", "A"}};
  c.modifications = {m};
  auto d = ContractDocument(formats::ContractLedgerText(c));
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->type, "contract");
  EXPECT_EQ(d->uid, c.uid);
  EXPECT_EQ(d->buyer_name, "Nantes");
  EXPECT_EQ(d->amount, domain::Money{123456});
  EXPECT_EQ(d->date, c.notified_on);
  EXPECT_EQ(d->department, "44");
  EXPECT_EQ(d->procedure, "procedure_adaptee");
  ASSERT_EQ(d->holders.size(), 2u);
  EXPECT_EQ(d->holders[1].id, "2");
  EXPECT_EQ(d->more_text, (std::vector<std::string>{"Avenant 1", "Nantes"}));
  EXPECT_FALSE(ContractDocument("[1]").ok());
  EXPECT_FALSE(ContractDocument(R"({"object":"no uid"})").ok());
}

TEST(ParseSearchParams, ReadsEveryParameter) {
  auto q = ParseSearchParams({{"q", "voirie"},
                              {"cpv", "45000000-7"},
                              {"buyer", "21440109300015"},
                              {"department", "2b"},
                              {"region", "94"},
                              {"procedure", "appel_offres_ouvert"},
                              {"amount_min", "1000"},
                              {"notified_to", "2019-12-31"},
                              {"sort", "amount"},
                              {"limit", "10"},
                              {"page", "3"},
                              {"nature", ""}},
                             true);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(q->text, "voirie");
  EXPECT_EQ(q->cpv, "45");
  EXPECT_EQ(q->department, "2B");
  EXPECT_EQ(q->region, "94");
  EXPECT_EQ(q->amount_min, domain::Money{100000});
  EXPECT_EQ(q->sort, SortOrder::kAmount);
  EXPECT_EQ(q->offset, 20);
  EXPECT_EQ(q->limit, 10);
}

TEST(ParseSearchParams, NamesTheBadParameter) {
  const std::vector<std::pair<std::string, std::string>> bad[] = {
      {{"cpv", "4"}},
      {{"buyer", "123"}},
      {{"department", "20"}},
      {{"region", "22"}},  // Picardie, merged into Hauts-de-France (32) in 2016
      {{"region", "Bretagne"}},
      {{"procedure", "x"}},
      {{"sort", "price"}},
      {{"limit", "0"}},
      {{"limit", "101"}},
      {{"page", "0"}},
      {{"page", "1000"}},
      {{"amount_min", "abc"}},
      {{"notified_from", "2019-02-30"}},
      {{"foo", "1"}},
      {{"amount_min", "10"}, {"amount_max", "5"}}};
  for (const auto& params : bad) {
    auto q = ParseSearchParams(params, true);
    ASSERT_FALSE(q.ok()) << params.front().first;
    EXPECT_EQ(q.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_FALSE(q.status().field().empty());
  }
  EXPECT_TRUE(ParseSearchParams({{"foo", "1"}}, false).ok());
}

}  // namespace
}  // namespace limpide::search
