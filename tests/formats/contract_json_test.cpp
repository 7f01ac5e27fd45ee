#include "formats/contract_json.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "decp_test_util.h"

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

// What the API served before ContractJsonText: the DOM, dumped.
std::string DomText(const domain::Contract& c) {
  return ContractToJson(c).dump(-1, ' ', false, json::error_handler_t::replace);
}

domain::Contract FullContract() {
  domain::Contract c;
  c.uid = "21350238800019C1";
  c.id = "C1";
  c.kind = domain::ContractKind::kMarche;
  c.buyer_id = "21350238800019";
  c.buyer_name = "Commune d'Arles \"centre\"";
  c.nature = domain::ContractNature::kConcessionTravaux;
  c.procedure = domain::ProcedureType::kAppelOffresOuvert;
  c.object = "Réfection\tde la voirie\\rue\n\x01\x1f\x7f\b\f€𝄞";
  c.cpv = "45000000-7";
  c.place = {"13", "Code département", "Bouches-du-Rhône"};
  c.duration_months = 18;
  c.amount = domain::Money{12345};
  c.public_subsidy = domain::Money{-50};
  c.notified_on = domain::Date{2019, 2, 21};
  c.published_on = domain::Date{2019, 3, 1};
  c.execution_start = domain::Date{2019, 4, 2};
  c.price_form = "Révisable";
  c.holders = {{"81223113200026", "SIRET", "Garami"}, {"", "", ""}, {"X", "TVA", ""}};
  domain::Modification m1;
  m1.id = "1";
  m1.object = "Avenant n°1";
  m1.signed_on = domain::Date{2019, 5, 6};
  m1.published_on = domain::Date{2019, 5, 7};
  m1.duration_months = 3;
  m1.amount = domain::Money{99999999999999};
  m1.holders = {{"81223113200026", "SIRET", "Garami"}};
  domain::Modification m2;
  m2.amount = domain::Money{1};
  c.modifications = {m1, m2, domain::Modification{}};
  c.extra_json = R"({"z":1,"a":[1.5,-2,"é"],"m":{"y":null,"b":true}})";
  c.schema_version = "2";
  c.source = "paquet.json";
  c.flags = {"amount_zero", "holder_\"odd\""};
  return c;
}

TEST(ContractJsonText, EqualsTheDumpOfAnEmptyContract) {
  const domain::Contract c;
  EXPECT_EQ(ContractJsonText(c), DomText(c));
}

TEST(ContractJsonText, EqualsTheDumpOfAContractWithEveryField) {
  const domain::Contract c = FullContract();
  EXPECT_EQ(ContractJsonText(c), DomText(c));
}

TEST(ContractJsonText, WritesAmountsAsNlohmannDoes) {
  domain::Contract c;
  for (const int64_t cents :
       {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{5}, int64_t{10}, int64_t{50}, int64_t{99},
        int64_t{100}, int64_t{-100}, int64_t{123456789}, int64_t{-123456789},
        int64_t{100000000000000000}, int64_t{100000000000000001}, int64_t{99999999999999999}}) {
    c.amount = domain::Money{cents};
    c.public_subsidy = domain::Money{cents * 7 + 3};
    EXPECT_EQ(ContractJsonText(c), DomText(c)) << cents;
  }
  // A sweep of cents, including every remainder.
  for (int64_t cents = -100000; cents <= 2000000; cents += 37) {
    c.amount = domain::Money{cents};
    c.public_subsidy = domain::Money{cents * 1000003};
    ASSERT_EQ(ContractJsonText(c), DomText(c)) << cents;
  }
}

TEST(ContractJsonText, WritesDatesAsFormatDateDoes) {
  domain::Contract c;
  for (const domain::Date d :
       {domain::Date{2024, 12, 31}, domain::Date{5, 1, 2}, domain::Date{0, 0, 0},
        domain::Date{9999, 99, 99}, domain::Date{12345, 6, 7}, domain::Date{-1, 2, 3},
        domain::Date{2024, 100, -4}}) {
    c.notified_on = d;
    c.modifications = {domain::Modification{}};
    c.modifications[0].signed_on = d;
    EXPECT_EQ(ContractJsonText(c), DomText(c)) << domain::FormatDate(d);
  }
}

TEST(ContractJsonText, ReplacesInvalidUtf8AsNlohmannDoes) {
  domain::Contract c;
  for (const std::string bad :
       {"\xff", "a\xc3", "\xc3(", "\xc0\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80", "ok\xe2\x82",
        "\xe2\x82\xac\x80", "\xf0\x9d\x84\x9e\xfe", "x\"\xa9\n"}) {
    c.object = bad;
    c.holders = {{bad, "SIRET", bad}};
    c.flags = {bad};
    EXPECT_EQ(ContractJsonText(c), DomText(c)) << bad;
  }
}

TEST(ContractJsonText, NormalisesExtraAsTheDomDoes) {
  domain::Contract c;
  for (const std::string extra :
       {"", "{}", "[1]", "3", "not json", "{\"b\": 1, \"a\": 2.50}", " { \"k\" : \"\\u00e9\\/\" } ",
        "{\"k\":\"\xff\"}", "{\"n\":1e400}", "{\"n\":-0.0,\"u\":18446744073709551615}",
        // Copied as they are (already in the dump's form), or not: bad bytes,
        // raw control characters, escapes and keys a dump writes otherwise.
        "{\"codeCPV\":\"12345678\"}", "{\"a\":[1,{\"b\":null}],\"c\":\"\\u0001\\n\"}",
        "{\"k\":\"a\xc3\"}", "{\"k\":\"\xed\xa0\x80\"}", "{\"k\":\"x\x01\"}", "{\"k\":\"\\u0008\"}",
        "{\"k\":\"\\u00E9\"}", "{\"b\":1,\"a\":2}", "{\"a\":1,\"a\":2}", "{\"\xff\":1}", "{\"a\":-0}",
        "{\"a\":123456789012345678901}", "{\"a\":1}x"}) {
    c.extra_json = extra;
    EXPECT_EQ(ContractJsonText(c), DomText(c)) << extra;
  }
}

// The ledger's form of "extra": the object parsed, every non-integer number
// as its JSON text, dumped (docs/ledger.md); a copy when it is already so.
TEST(ContractLedgerText, WritesExtraAsTheDomWithDecimalsAsStrings) {
  const auto decimals_as_strings = [](auto& self, json& j) -> void {
    if (j.is_structured()) {
      for (auto& v : j) self(self, v);
    } else if (j.is_number_float()) {
      j = j.dump();
    }
  };
  domain::Contract c;
  for (const std::string extra :
       {"{\"codeCPV\":\"12345678\"}", "{\"a\":[1,{\"b\":null}],\"c\":\"\\u0001\\n\"}",
        "{\"b\":1,\"a\":[2.5,1e3]}", "{\"k\":\"a\xc3\"}", "{\"k\":\"x\x01\"}", "{\"a\":-0}",
        "{\"donneesExecution\":[{\"depensesInvestissement\":12345.5}]}"}) {
    c.extra_json = extra;
    // Bytes that are not UTF-8 fail the parse: "{}".
    json want = json::parse(extra, nullptr, /*allow_exceptions=*/false);
    if (!want.is_object()) want = json::object();
    decimals_as_strings(decimals_as_strings, want);
    const std::string text = ContractLedgerText(c);
    EXPECT_NE(text.find("\"extra\":" + want.dump(-1, ' ', false, json::error_handler_t::replace) +
                        ",\"flags\":"),
              std::string::npos)
        << extra << " gave " << text;
  }
}

TEST(ContractJsonText, EqualsTheDumpOfEveryRealImportedContract) {
  int compared = 0;
  for (const char* file :
       {"decp/real-2019-decp-rama/marches-publics.info.json",
        "decp/real-2019-decp-rama/data.gouv.fr_aife.json", "decp/examples-1.5/json/paquet.json",
        "decp/examples-1.5/json/cc-avec-modifications.json",
        "decp/examples-2.0/json/marches_concessions.json", "decp/examples-2.0/xml/Marche.xml"}) {
    const auto out = testing::ReadFile(testing::SharedData(file));
    ASSERT_TRUE(out.status.ok()) << file << ": " << out.status.ToString();
    for (const auto& r : out.records) {
      if (!r.contract) continue;
      ASSERT_EQ(ContractJsonText(*r.contract), DomText(*r.contract))
          << file << " " << r.contract->uid;
      ++compared;
    }
  }
  EXPECT_GT(compared, 1000);
}

TEST(AppendContractJson, AppendsToWhatIsThere) {
  const domain::Contract c = FullContract();
  std::string out = "[";
  AppendContractJson(out, c);
  EXPECT_EQ(out, "[" + DomText(c));
}

}  // namespace
}  // namespace limpide::formats
