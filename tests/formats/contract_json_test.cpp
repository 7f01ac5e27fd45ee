#include "formats/contract_json.h"

#include <gtest/gtest.h>

namespace limpide::formats {
namespace {

using nlohmann::json;

TEST(ContractToJson, UsesCamelCaseAndOmitsUnknownValues) {
  domain::Contract c;
  c.uid = "21350238800019C1";
  c.id = "C1";
  c.kind = domain::ContractKind::kConcession;
  c.buyer_id = "21350238800019";
  c.nature = domain::ContractNature::kConcessionTravaux;
  c.amount = domain::Money{2786000000};
  c.public_subsidy = domain::Money{50};
  c.notified_on = domain::Date{2001, 2, 21};
  c.holders = {{"81223113200026", "SIRET", ""}};
  domain::Modification m;
  m.id = "1";
  m.duration_months = 410;
  c.modifications = {m};
  c.extra_json = R"({"donneesExecution":[{"depensesInvestissement":658000}]})";
  c.schema_version = "1";
  c.source = "paquet.json";
  c.flags = {"amount_zero"};
  const json j = ContractToJson(c);
  EXPECT_EQ(j, json::parse(R"({
    "uid": "21350238800019C1", "id": "C1", "kind": "concession",
    "buyer": {"id": "21350238800019"},
    "nature": {"code": "concession_travaux", "label": "Concession de travaux"},
    "amount": 27860000, "publicSubsidy": 0.5, "notifiedOn": "2001-02-21",
    "holders": [{"id": "81223113200026", "idType": "SIRET"}],
    "modifications": [{"id": "1", "durationMonths": 410}],
    "extra": {"donneesExecution": [{"depensesInvestissement": 658000}]},
    "schemaVersion": "1", "source": "paquet.json", "flags": ["amount_zero"]})"));
  EXPECT_TRUE(j["amount"].is_number_integer());
}

TEST(ContractToJson, WritesPlaceProcedureAndDates) {
  domain::Contract c;
  c.procedure = domain::ProcedureType::kAppelOffresOuvert;
  c.place = {"75", "Code département", ""};
  c.published_on = domain::Date{2019, 1, 2};
  c.execution_start = domain::Date{2019, 1, 3};
  c.price_form = "Ferme";
  c.cpv = "45000000-7";
  c.object = "Travaux";
  c.duration_months = 12;
  const json j = ContractToJson(c);
  EXPECT_EQ(j["procedure"]["code"], "appel_offres_ouvert");
  EXPECT_EQ(j["place"], json::parse(R"({"code":"75","type":"Code département"})"));
  EXPECT_EQ(j["publishedOn"], "2019-01-02");
  EXPECT_EQ(j["executionStart"], "2019-01-03");
  EXPECT_EQ(j["priceForm"], "Ferme");
  EXPECT_EQ(j["cpv"], "45000000-7");
  EXPECT_EQ(j["object"], "Travaux");
  EXPECT_EQ(j["durationMonths"], 12);
  EXPECT_EQ(j["kind"], "marche");
  EXPECT_FALSE(j.contains("amount"));
  EXPECT_FALSE(j.contains("nature"));
  EXPECT_EQ(j["extra"], json::object());
}

TEST(OrganizationToJson, GivesBothRoles) {
  domain::Organization o;
  o.id = "81223113200026";
  o.name = "Garami SARL";
  o.contracts_as_holder = 3;
  o.amount_as_holder = domain::Money{12345};
  EXPECT_EQ(OrganizationToJson(o), json::parse(R"({
    "id": "81223113200026", "name": "Garami SARL",
    "asBuyer": {"contracts": 0, "amount": 0},
    "asHolder": {"contracts": 3, "amount": 123.45}})"));
}

}  // namespace
}  // namespace limpide::formats
