// DECP readers: real files, official examples, dirty records, broken inputs.
#include "formats/decp.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "decp_test_util.h"

namespace limpide::formats {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using testing::HasFlag;
using ::testing::HasSubstr;
using testing::ReadFile;
using testing::ReadText;
using testing::SharedData;

// A clean DECP 1.x marché (values from the official 1.5 examples).
json Marche1() {
  return json::parse(R"({
    "id": "2019-001", "uid": "213502388000192019-001", "source": "marches-publics.info",
    "acheteur": {"id": "21350238800019", "nom": "Ville de Rennes"},
    "_type": "Marché", "nature": "Marché", "objet": "Entretien des jardins",
    "codeCPV": "77313000", "procedure": "Procédure adaptée",
    "lieuExecution": {"code": "35238", "typeCode": "Code commune", "nom": "Rennes"},
    "dureeMois": 24, "dateNotification": "2019-03-01", "datePublicationDonnees": "2019-03-05",
    "montant": 127000.5, "formePrix": "Ferme",
    "titulaires": [{"typeIdentifiant": "SIRET", "id": "81223113200026",
                    "denominationSociale": "Garami SARL"}],
    "modifications": [], "donneesExecution": []
  })");
}

DecpRecord Convert1(const json& record) {
  return ParseDecpJsonRecord(record.dump(), DecpFormat::kJson1, false, "test.json");
}

// The accepted contract (a copy, so that temporaries can be passed).
domain::Contract Accepted(const DecpRecord& r) {
  EXPECT_TRUE(r.contract.has_value())
      << (r.errors.empty() ? "" : r.errors[0].field + ": " + r.errors[0].reason);
  return r.contract ? *r.contract : domain::Contract{};
}

// --- Real files ------------------------------------------------------------

TEST(DecpRealFiles, MarchesPublicsInfoIsReadWholeWithNoRejection) {
  auto out = ReadFile(SharedData("decp/real-2019-decp-rama/marches-publics.info.json"));
  ASSERT_TRUE(out.status.ok()) << out.status.ToString();
  EXPECT_EQ(out.records.size(), 4509u);
  EXPECT_EQ(out.accepted(), 4509);
  int concessions = 0;
  int zero = 0;
  for (const auto& r : out.records) {
    if (!r.contract) continue;
    concessions += r.contract->kind == domain::ContractKind::kConcession;
    zero += HasFlag(*r.contract, "amount_zero");
    EXPECT_EQ(r.contract->source, "marches-publics.info");
    EXPECT_EQ(r.contract->schema_version, "1");
  }
  EXPECT_EQ(concessions, 10);
  EXPECT_EQ(zero, 55);
  EXPECT_EQ(out.records.front().position, 1);
  EXPECT_EQ(out.records.front().line, 3);
  EXPECT_EQ(out.records.back().position, 4509);
}

TEST(DecpRealFiles, AifeFileRejectsOnlyRecordsWithoutIdOrBuyer) {
  auto out = ReadFile(SharedData("decp/real-2019-decp-rama/data.gouv.fr_aife.json"));
  ASSERT_TRUE(out.status.ok()) << out.status.ToString();
  EXPECT_EQ(out.records.size(), 4530u);
  EXPECT_EQ(out.accepted(), 4522);
  EXPECT_EQ(out.rejected(), 8);
  int missing_id = 0;
  int missing_buyer = 0;
  int replacement = 0;
  int concessions = 0;
  for (const auto& r : out.records) {
    for (const auto& e : r.errors) {
      missing_id += e.field == "id";
      missing_buyer += e.field == "acheteur.id";
    }
    if (r.contract) {
      replacement += HasFlag(*r.contract, "text_replacement_char");
      concessions += r.contract->kind == domain::ContractKind::kConcession;
    }
  }
  EXPECT_EQ(missing_id, 7);
  EXPECT_EQ(missing_buyer, 1);
  EXPECT_EQ(replacement, 3559);
  EXPECT_EQ(concessions, 15);
}

// --- Official examples -----------------------------------------------------

TEST(DecpExamples, PaquetOneFiveHoldsAMarcheAndAConcession) {
  auto out = ReadFile(SharedData("decp/examples-1.5/json/paquet.json"));
  ASSERT_TRUE(out.status.ok()) << out.status.ToString();
  ASSERT_EQ(out.records.size(), 2u);
  const auto& m = Accepted(out.records[0]);
  EXPECT_EQ(m.kind, domain::ContractKind::kMarche);
  EXPECT_EQ(m.uid, "213502388000192010345211200");
  EXPECT_EQ(m.cpv, "77313000-7");
  EXPECT_EQ(m.holders.size(), 2u);
  EXPECT_EQ(m.holders[1].id_type, "TVA");
  EXPECT_TRUE(m.flags.empty()) << ::testing::PrintToString(m.flags);
  const auto& c = Accepted(out.records[1]);
  EXPECT_EQ(c.kind, domain::ContractKind::kConcession);
  EXPECT_EQ(c.buyer_id, "21350238800019");
  EXPECT_EQ(c.buyer_name, "Ville de Millau");
  ASSERT_TRUE(c.amount.has_value());
  EXPECT_EQ(c.amount->cents, 2786000000);
  ASSERT_TRUE(c.public_subsidy.has_value());
  EXPECT_EQ(c.public_subsidy->cents, 298700000);
  EXPECT_EQ(c.notified_on, (domain::Date{2001, 2, 21}));
  EXPECT_EQ(c.execution_start, (domain::Date{2001, 2, 21}));
  EXPECT_EQ(c.holders.at(0).name, "Atlas SAS");
}

TEST(DecpExamples, ConcessionModificationsOneFiveAreMapped) {
  auto out = ReadFile(SharedData("decp/examples-1.5/json/cc-avec-modifications.json"));
  ASSERT_TRUE(out.status.ok());
  const auto& c = Accepted(out.records.at(0));
  EXPECT_EQ(c.kind, domain::ContractKind::kConcession);
  ASSERT_EQ(c.modifications.size(), 2u);
  EXPECT_EQ(c.modifications[0].id, "1");
  EXPECT_EQ(c.modifications[0].duration_months, 410);
  EXPECT_EQ(c.modifications[0].signed_on, (domain::Date{2002, 1, 6}));
  EXPECT_EQ(c.modifications[1].amount->cents, 3389000000);
  // donneesExecution is not a typed field: it is kept in extra.
  EXPECT_THAT(c.extra_json, HasSubstr("\"donneesExecution\""));
  EXPECT_THAT(c.extra_json, HasSubstr("Traversée du viaduc"));
}

TEST(DecpExamples, PublishedUidThatDiffersIsFlaggedAndKept) {
  auto out = ReadFile(SharedData("decp/examples-1.5/json/paquet-result.json"));
  ASSERT_TRUE(out.status.ok());
  const auto& m = Accepted(out.records.at(0));
  EXPECT_EQ(m.uid, "23350001600040201890230");
  const auto& c = Accepted(out.records.at(1));
  EXPECT_TRUE(HasFlag(c, "uid_mismatch"));
  EXPECT_EQ(json::parse(c.extra_json)["uid"], "23350001600040201890866");
}

TEST(DecpExamples, TwoZeroJsonUnwrapsListsAndKeepsOtherFieldsInExtra) {
  auto out = ReadFile(SharedData("decp/examples-2.0/json/marches_concessions.json"));
  ASSERT_TRUE(out.status.ok()) << out.status.ToString();
  ASSERT_EQ(out.records.size(), 4u);
  // The file lists "contrat-concession" first: records come in file order.
  EXPECT_EQ(Accepted(out.records[0]).kind, domain::ContractKind::kConcession);
  EXPECT_EQ(Accepted(out.records[2]).kind, domain::ContractKind::kMarche);
  const auto& m = Accepted(out.records[2]);
  EXPECT_EQ(m.schema_version, "2");
  EXPECT_EQ(m.id, "TEST2022");
  EXPECT_EQ(m.cpv, "45000000-7");
  EXPECT_EQ(m.procedure, domain::ProcedureType::kAppelOffresOuvert);
  EXPECT_EQ(m.amount->cents, 57500000);
  ASSERT_EQ(m.holders.size(), 1u);
  EXPECT_EQ(m.holders[0].id, "55204599900869");
  ASSERT_EQ(m.modifications.size(), 1u);
  EXPECT_EQ(m.modifications[0].amount->cents, 12345787);
  EXPECT_EQ(m.modifications[0].holders.at(0).id, "868768687576575");
  EXPECT_TRUE(HasFlag(m, "holder_siret_malformed"));
  json extra = json::parse(m.extra_json);
  EXPECT_EQ(extra["typesPrix"], json::array({"Définitif ferme"}));
  EXPECT_EQ(extra["techniques"], json::array({"Concours", "Accord-cadre"}));
  EXPECT_EQ(extra["marcheInnovant"], true);
  EXPECT_EQ(extra["actesSousTraitance"][0]["sousTraitant"]["id"], "214356");
  EXPECT_FALSE(extra.contains("titulaires"));
  EXPECT_FALSE(extra.contains("montant"));
  const auto& c = Accepted(out.records[0]);
  json cextra = json::parse(c.extra_json);
  EXPECT_EQ(cextra["donneesExecution"][0]["tarifs"][1]["tarif"], 19.29);
}

TEST(DecpExamples, TwoZeroXmlIsReadWithBooleansAndNumbers) {
  auto out = ReadFile(SharedData("decp/examples-2.0/xml/Marche.xml"));
  ASSERT_TRUE(out.status.ok()) << out.status.ToString();
  ASSERT_EQ(out.records.size(), 2u);
  EXPECT_EQ(out.records[0].line, 2);
  const auto& m = Accepted(out.records[0]);
  EXPECT_EQ(m.amount->cents, 57500000);
  EXPECT_EQ(m.duration_months, 48);
  EXPECT_TRUE(m.flags.empty()) << ::testing::PrintToString(m.flags);
  json extra = json::parse(m.extra_json);
  EXPECT_EQ(extra["marcheInnovant"], true);
  EXPECT_EQ(extra["origineUE"], 0.1);
  EXPECT_EQ(extra["offresRecues"], 4);
  EXPECT_EQ(extra["considerationsSociales"], json::array({"Clause sociale", "Critère social"}));
}

TEST(DecpExamples, OneFiveXmlWithASingleRecordAsRootIsRead) {
  auto out = ReadFile(SharedData("decp/examples-1.5/xml/cc-avec-modifications.xml"));
  ASSERT_TRUE(out.status.ok()) << out.status.ToString();
  ASSERT_EQ(out.records.size(), 1u);
  EXPECT_EQ(Accepted(out.records[0]).kind, domain::ContractKind::kConcession);
  EXPECT_EQ(Accepted(out.records[0]).modifications.size(), 2u);
}

TEST(DecpExamples, EveryOfficialExampleIsAccepted) {
  for (const char* f :
       {"examples-2.0/json/concessions.json",
        "examples-2.0/json/concessions_avec_modifications.json",
        "examples-2.0/json/marches_avec_modifications.json",
        "examples-2.0/xml/Contrat-concession.xml",
        "examples-2.0/xml/Contrat-concession-modification.xml", "examples-1.5/json/cc-basique.json",
        "examples-1.5/json/mar-basique.json", "examples-1.5/json/mar-avec-modifications.json",
        "examples-1.5/json/paquet-avec-uid.json", "examples-1.5/xml/paquet.xml",
        "examples-1.5/xml/mar-basique.xml"}) {
    auto out = ReadFile(SharedData(std::string("decp/") + f));
    EXPECT_TRUE(out.status.ok()) << f << ": " << out.status.ToString();
    EXPECT_GT(out.records.size(), 0u) << f;
    EXPECT_EQ(out.rejected(), 0) << f;
  }
}

// The same marché written in 2.x JSON and in 2.x XML.
constexpr const char* kSameJson = R"({"marches":{"marche":[{
  "id": "2024-7", "acheteur": {"id": "21350238800019"}, "nature": "Marché",
  "objet": "Travaux & voirie", "codeCPV": "45000000-7", "procedure": "Appel d'offres ouvert",
  "techniques": {"technique": ["Accord-cadre"]}, "modalitesExecution": {"modaliteExecution": ["Bons de commande"]},
  "lieuExecution": {"code": "35000", "typeCode": "Code postal"}, "dureeMois": 12,
  "dateNotification": "2024-05-15", "datePublicationDonnees": "2024-05-25", "montant": 1500.5,
  "formePrix": "Unitaire", "typesPrix": {"typePrix": ["Définitif ferme", "Provisoire"]},
  "marcheInnovant": false, "attributionAvance": true, "tauxAvance": 0.05, "origineUE": null,
  "offresRecues": 3, "sousTraitanceDeclaree": false, "ccag": "Travaux",
  "considerationsSociales": {"considerationSociale": ["Clause sociale"]},
  "titulaires": [{"titulaire": {"id": "81223113200026", "typeIdentifiant": "SIRET"}}],
  "modifications": [{"modification": {"id": 1, "dureeMois": 14, "montant": 2000,
     "dateNotificationModification": "2024-09-01", "datePublicationDonneesModification": "2024-09-02"}}]
}]}})";

constexpr const char* kSameXml = R"(<?xml version="1.0" encoding="UTF-8"?>
<marches>
  <marche>
    <id>2024-7</id>
    <acheteur><id>21350238800019</id></acheteur>
    <nature>Marché</nature>
    <objet>Travaux &amp; voirie</objet>
    <codeCPV>45000000-7</codeCPV>
    <procedure>Appel d'offres ouvert</procedure>
    <techniques><technique>Accord-cadre</technique></techniques>
    <modalitesExecution><modaliteExecution>Bons de commande</modaliteExecution></modalitesExecution>
    <lieuExecution><code>35000</code><typeCode>Code postal</typeCode></lieuExecution>
    <dureeMois>12</dureeMois>
    <dateNotification>2024-05-15</dateNotification>
    <datePublicationDonnees>2024-05-25</datePublicationDonnees>
    <montant>1500.5</montant>
    <formePrix>Unitaire</formePrix>
    <typesPrix><typePrix>Définitif ferme</typePrix><typePrix>Provisoire</typePrix></typesPrix>
    <marcheInnovant>non</marcheInnovant>
    <attributionAvance>oui</attributionAvance>
    <tauxAvance>0.05</tauxAvance>
    <origineUE/>
    <offresRecues>3</offresRecues>
    <sousTraitanceDeclaree>non</sousTraitanceDeclaree>
    <ccag>Travaux</ccag>
    <considerationsSociales><considerationSociale>Clause sociale</considerationSociale></considerationsSociales>
    <titulaires><titulaire><id>81223113200026</id><typeIdentifiant>SIRET</typeIdentifiant></titulaire></titulaires>
    <modifications><modification><id>1</id><dureeMois>14</dureeMois><montant>2000</montant>
      <dateNotificationModification>2024-09-01</dateNotificationModification>
      <datePublicationDonneesModification>2024-09-02</datePublicationDonneesModification>
    </modification></modifications>
  </marche>
</marches>
)";

TEST(DecpJsonAndXml, TheSameDataGivesEqualContracts) {
  auto from_json = ReadText(kSameJson, "same");
  auto from_xml = ReadText(kSameXml, "same");
  ASSERT_TRUE(from_json.status.ok()) << from_json.status.ToString();
  ASSERT_TRUE(from_xml.status.ok()) << from_xml.status.ToString();
  ASSERT_EQ(from_json.records.size(), 1u);
  ASSERT_EQ(from_xml.records.size(), 1u);
  const auto& a = Accepted(from_json.records[0]);
  const auto& b = Accepted(from_xml.records[0]);
  EXPECT_EQ(a.extra_json, b.extra_json);
  EXPECT_EQ(a, b);
  EXPECT_TRUE(a.flags.empty()) << ::testing::PrintToString(a.flags);
  EXPECT_EQ(a.object, "Travaux & voirie");
  EXPECT_EQ(from_xml.records[0].line, 3);
}

// --- Field decisions (docs/import-decisions.md) ------------------------------

TEST(DecpFields, ACleanRecordIsAcceptedWithoutFlags) {
  auto r = Convert1(Marche1());
  const auto& c = Accepted(r);
  EXPECT_TRUE(c.flags.empty()) << ::testing::PrintToString(c.flags);
  EXPECT_EQ(c.uid, "213502388000192019-001");
  EXPECT_EQ(c.source, "marches-publics.info");
  EXPECT_EQ(c.amount->cents, 12700050);
  EXPECT_EQ(c.extra_json, "{}");
  EXPECT_EQ(c.place.name, "Rennes");
}

TEST(DecpFields, SourceArgumentIsUsedWhenTheRecordHasNone) {
  json j = Marche1();
  j.erase("source");
  EXPECT_EQ(Accepted(Convert1(j)).source, "test.json");
}

TEST(DecpFields, CpvWithLostLeadingZeroIsRepairedAndFlagged) {
  json j = Marche1();
  j["codeCPV"] = "9310000";
  const auto& c = Accepted(Convert1(j));
  EXPECT_EQ(c.cpv, "09310000-5");
  EXPECT_THAT(c.flags, ElementsAre("cpv_leading_zero_added"));
}

TEST(DecpFields, CpvWithoutCheckDigitIsNormalInOneFiveButFlaggedInTwo) {
  json j = Marche1();
  EXPECT_EQ(Accepted(Convert1(j)).cpv, "77313000-7");
  auto r = ParseDecpJsonRecord(
      R"({"id":"1","acheteur":{"id":"21350238800019"},"nature":"Marché","procedure":"Procédure adaptée","codeCPV":"77313000"})",
      DecpFormat::kJson2, false, "t");
  EXPECT_TRUE(HasFlag(Accepted(r), "cpv_check_digit_added"));
}

TEST(DecpFields, CpvOutsideTheVocabularyIsFlaggedAndKeptInExtra) {
  json j = Marche1();
  j["codeCPV"] = "74230000";  // a CPV 2003 code, gone from CPV 2008
  const auto& c = Accepted(Convert1(j));
  EXPECT_EQ(c.cpv, "");
  EXPECT_TRUE(HasFlag(c, "cpv_invalid"));
  EXPECT_EQ(json::parse(c.extra_json)["codeCPV"], "74230000");
}

TEST(DecpFields, MissingCpvIsFlagged) {
  json j = Marche1();
  j.erase("codeCPV");
  EXPECT_THAT(Accepted(Convert1(j)).flags, ElementsAre("cpv_missing"));
}

TEST(DecpFields, ZeroAmountIsKeptAndFlagged) {
  json j = Marche1();
  j["montant"] = 0;
  const auto& c = Accepted(Convert1(j));
  ASSERT_TRUE(c.amount.has_value());
  EXPECT_EQ(c.amount->cents, 0);
  EXPECT_THAT(c.flags, ElementsAre("amount_zero"));
}

TEST(DecpFields, AmountWrittenAsTextIsParsedAndFlagged) {
  json j = Marche1();
  j["montant"] = "7789456.56";
  const auto& c = Accepted(Convert1(j));
  EXPECT_EQ(c.amount->cents, 778945656);
  EXPECT_THAT(c.flags, ElementsAre("amount_as_text"));
}

TEST(DecpFields, AbsurdAmountIsDroppedFlaggedAndKeptInExtra) {
  json j = Marche1();
  j["montant"] = 1.0e17;
  const auto& c = Accepted(Convert1(j));
  EXPECT_FALSE(c.amount.has_value());
  EXPECT_THAT(c.flags, ElementsAre("amount_invalid"));
  EXPECT_EQ(json::parse(c.extra_json)["montant"], 1.0e17);
}

TEST(DecpFields, ReplacementCharacterTextIsKeptAndFlagged) {
  json j = Marche1();
  j["objet"] = "Prestations juridiques - droit de l'am\xEF\xBF\xBDnagement";
  const auto& c = Accepted(Convert1(j));
  EXPECT_EQ(c.object, j["objet"].get<std::string>());
  EXPECT_THAT(c.flags, ElementsAre("text_replacement_char"));
}

TEST(DecpFields, DurationNcIsUnknownFlaggedAndKeptInExtra) {
  json j = Marche1();
  j["dureeMois"] = "NC";
  const auto& c = Accepted(Convert1(j));
  EXPECT_FALSE(c.duration_months.has_value());
  EXPECT_THAT(c.flags, ElementsAre("duration_invalid"));
  EXPECT_EQ(c.extra_json, R"({"dureeMois":"NC"})");
}

TEST(DecpFields, FractionalDurationIsRoundedUp) {
  json j = Marche1();
  j["dureeMois"] = 2.5;
  const auto& c = Accepted(Convert1(j));
  EXPECT_EQ(c.duration_months, 3);
  EXPECT_THAT(c.flags, ElementsAre("duration_rounded_up"));
}

TEST(DecpFields, UnusualPlaceCodeIsKeptAsWritten) {
  json j = Marche1();
  j["lieuExecution"] = {{"code", "INO"}, {"typeCode", "CODE POSTAL"}};
  const auto& c = Accepted(Convert1(j));
  EXPECT_EQ(c.place.code, "INO");
  EXPECT_EQ(c.place.code_type, "Code postal");
  EXPECT_THAT(c.flags, ElementsAre("place_type_normalized"));
}

TEST(DecpFields, DateWithOffsetKeepsTheDateAsWritten) {
  json j = Marche1();
  j["dateNotification"] = "2018-12-17+01:00";
  const auto& c = Accepted(Convert1(j));
  EXPECT_EQ(c.notified_on, (domain::Date{2018, 12, 17}));
  EXPECT_TRUE(c.flags.empty());
}

TEST(DecpFields, MissingNotificationDateIsFlagged) {
  json j = Marche1();
  j.erase("dateNotification");
  const auto& c = Accepted(Convert1(j));
  EXPECT_FALSE(c.notified_on.has_value());
  EXPECT_THAT(c.flags, ElementsAre("notified_on_missing"));
}

TEST(DecpFields, ImpossibleDateIsFlaggedAndKeptInExtra) {
  json j = Marche1();
  j["dateNotification"] = "0218-06-01";
  const auto& c = Accepted(Convert1(j));
  EXPECT_FALSE(c.notified_on.has_value());
  EXPECT_THAT(c.flags, ElementsAre("notified_on_invalid"));
  EXPECT_EQ(json::parse(c.extra_json)["dateNotification"], "0218-06-01");
}

TEST(DecpFields, BuyerSiretFailingLuhnIsKeptAndFlagged) {
  json j = Marche1();
  j["acheteur"]["id"] = "58303852672361";
  j.erase("uid");
  const auto& c = Accepted(Convert1(j));
  EXPECT_EQ(c.buyer_id, "58303852672361");
  EXPECT_EQ(c.uid, "583038526723612019-001");
  EXPECT_THAT(c.flags, ElementsAre("buyer_siret_checksum"));
}

TEST(DecpFields, MissingBuyerIdRejectsTheRecord) {
  json j = Marche1();
  j["acheteur"].erase("id");
  auto r = Convert1(j);
  EXPECT_FALSE(r.contract.has_value());
  EXPECT_EQ(r.id, "2019-001");
  EXPECT_THAT(r.errors, ElementsAre(FieldError{"acheteur.id", "missing"}));
}

TEST(DecpFields, BuyerIdThatIsNotFourteenDigitsRejectsTheRecord) {
  json j = Marche1();
  j["acheteur"]["id"] = "2135023880";
  auto r = Convert1(j);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].field, "acheteur.id");
  EXPECT_THAT(r.errors[0].reason, HasSubstr("14 digits"));
}

TEST(DecpFields, FlattenedBuyerKeyIsAcceptedAndFlagged) {
  json j = Marche1();
  j.erase("acheteur");
  j["acheteur.id"] = "21350238800019";
  const auto& c = Accepted(Convert1(j));
  EXPECT_EQ(c.buyer_id, "21350238800019");
  EXPECT_THAT(c.flags, ElementsAre("buyer_id_flat_key"));
}

TEST(DecpFields, MissingIdRejectsTheRecord) {
  json j = Marche1();
  j.erase("id");
  auto r = Convert1(j);
  EXPECT_FALSE(r.contract.has_value());
  EXPECT_EQ(r.id, "");
  EXPECT_THAT(r.errors, ElementsAre(FieldError{"id", "missing"}));
}

TEST(DecpFields, UnknownNatureOrProcedureRejectsButMissingOnlyFlags) {
  json j = Marche1();
  j["nature"] = "Contrat de partenariat public-privé";
  EXPECT_EQ(Convert1(j).errors.at(0).field, "nature");
  j = Marche1();
  j["procedure"] = "Tirage au sort";
  EXPECT_EQ(Convert1(j).errors.at(0).field, "procedure");
  j = Marche1();
  j.erase("nature");
  j.erase("procedure");
  EXPECT_THAT(Accepted(Convert1(j)).flags, ElementsAre("nature_missing", "procedure_missing"));
}

TEST(DecpFields, UpperCaseOneXLabelsAreRead) {
  json j = Marche1();
  j["nature"] = "CONCESSION DE TRAVAUX";
  j["procedure"] = "Marché public négocié sans publicité ni mise en concurrence préalable";
  const auto& c = Accepted(Convert1(j));
  EXPECT_EQ(c.nature, domain::ContractNature::kConcessionTravaux);
  EXPECT_EQ(c.procedure, domain::ProcedureType::kSansPubliciteNiConcurrence);
}

TEST(DecpFields, HolderIdentifierVariantsAreNormalized) {
  json j = Marche1();
  j["titulaires"] = json::parse(R"([
    {"typeIdentifiant": "TVA_INTRACOMMUNAUTAIRE", "id": "FR12345678901", "denominationSociale": "A"},
    {"typeIdentifiant": "SIRET", "id": " 812 231 132 00026 ", "denominationSociale": "B"},
    {"typeIdentifiant": "HORS_UE", "id": "USCOLUMBIA", "denominationSociale": "C"},
    {"typeIdentifiant": "SIRET", "id": "812231132", "denominationSociale": "D"}])");
  const auto& c = Accepted(Convert1(j));
  ASSERT_EQ(c.holders.size(), 4u);
  EXPECT_EQ(c.holders[0].id_type, "TVA");
  EXPECT_EQ(c.holders[1].id, "81223113200026");
  EXPECT_EQ(c.holders[2].id_type, "HORS-UE");
  EXPECT_EQ(c.holders[3].id, "812231132");
  EXPECT_THAT(c.flags, ElementsAre("holder_id_type_normalized", "holder_id_normalized",
                                   "holder_siret_malformed"));
}

TEST(DecpFields, HolderWithoutIdRejectsWithItsPath) {
  json j = Marche1();
  j["titulaires"].push_back({{"typeIdentifiant", "SIRET"}, {"denominationSociale", "X"}});
  auto r = Convert1(j);
  EXPECT_THAT(r.errors, ElementsAre(FieldError{"titulaires[1].id", "missing"}));
}

TEST(DecpFields, OneXConcessionFieldsAreMapped) {
  json j = json::parse(R"({"id": "C1", "_type": "Contrat de concession",
    "autoriteConcedante": {"id": "21350238800019", "nom": "Ville"},
    "nature": "DELEGATION DE SERVICE PUBLIC", "objet": "Eau", "procedure": "Procédure négociée ouverte",
    "lieuExecution": {"code": "35", "typeCode": "Code département", "nom": "Ille"},
    "dureeMois": 120, "dateSignature": "2019-01-02", "datePublicationDonnees": "2019-01-03",
    "dateDebutExecution": "2019-02-01", "valeurGlobale": "1234567.89", "montantSubventionPublique": 1000,
    "concessionnaires": [{"typeIdentifiant": "SIRET", "id": "81223113200026", "denominationSociale": "Atlas"}],
    "donneesExecution": [], "modifications": []})");
  const auto& c = Accepted(Convert1(j));
  EXPECT_EQ(c.kind, domain::ContractKind::kConcession);
  EXPECT_EQ(c.nature, domain::ContractNature::kDelegationServicePublic);
  EXPECT_EQ(c.buyer_name, "Ville");
  EXPECT_EQ(c.amount->cents, 123456789);
  EXPECT_EQ(c.public_subsidy->cents, 100000);
  EXPECT_EQ(c.notified_on, (domain::Date{2019, 1, 2}));
  EXPECT_EQ(c.execution_start, (domain::Date{2019, 2, 1}));
  EXPECT_EQ(c.holders.at(0).name, "Atlas");
  EXPECT_THAT(c.flags, ElementsAre("amount_as_text"));
  EXPECT_EQ(c.extra_json, "{}");
}

TEST(DecpFields, ARecordWithThreeProblemsListsThreeReasons) {
  json j = Marche1();
  j.erase("id");
  j["acheteur"]["id"] = "123";
  j["nature"] = "Bail";
  auto r = Convert1(j);
  EXPECT_FALSE(r.contract.has_value());
  ASSERT_EQ(r.errors.size(), 3u);
  EXPECT_EQ(r.errors[0].field, "id");
  EXPECT_EQ(r.errors[1].field, "acheteur.id");
  EXPECT_EQ(r.errors[2].field, "nature");
}

TEST(DecpFields, NestedHolderListsAndWrappersFromDecpProcessingAreFlattened) {
  auto out = ReadFile(SharedData("decp/decp-processing/decp_test_2019.json"));
  ASSERT_TRUE(out.status.ok()) << out.status.ToString();
  ASSERT_EQ(out.records.size(), 2u);
  const auto& a = Accepted(out.records[0]);
  EXPECT_TRUE(HasFlag(a, "buyer_id_flat_key"));
  EXPECT_TRUE(HasFlag(a, "holders_nested_lists"));
  EXPECT_EQ(a.modifications.at(0).holders.size(), 1u);
  const auto& b = Accepted(out.records[1]);
  EXPECT_TRUE(HasFlag(b, "duration_invalid"));
  EXPECT_EQ(b.modifications.at(0).holders.size(), 2u);
  EXPECT_EQ(b.modifications.at(0).id, "1");
}

TEST(DecpFields, DecpProcessingTwentyTwentyTwoStopsAtItsNaNWithLineAndColumn) {
  auto out = ReadFile(SharedData("decp/decp-processing/decp_test_2022.json"));
  EXPECT_EQ(out.status.code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(out.status.message(), HasSubstr("decp_test_2022.json:351:29: invalid JSON"));
  ASSERT_EQ(out.records.size(), 2u);
  const auto& first = Accepted(out.records[0]);
  EXPECT_TRUE(HasFlag(first, "duration_invalid"));
  EXPECT_EQ(out.records[1].id, "2020F00075");
  EXPECT_THAT(out.records[1].errors,
              ElementsAre(FieldError{"modifications[0].titulaires[0]", "expected an object"},
                          FieldError{"modifications[0].titulaires[1]", "expected an object"}));
}

// --- Broken inputs -----------------------------------------------------------

TEST(DecpBroken, EmptyInputIsAnErrorAtOneOne) {
  auto out = ReadText("");
  EXPECT_EQ(out.status.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(out.status.message(), "test.json:1:1: empty input: not DECP");
}

TEST(DecpBroken, BlankInputIsAnErrorWhereItEnds) {
  auto out = ReadText("\n\n  \n");
  EXPECT_THAT(out.status.message(), HasSubstr("test.json:4:1: empty input"));
}

TEST(DecpBroken, TruncatedJsonIsAnErrorAtTheEndAfterTheCompleteRecords) {
  json a = Marche1();
  json b = Marche1();
  b["id"] = "2019-002";
  b.erase("uid");
  const std::string text = "{\"marches\": [\n" + a.dump() + ",\n" + b.dump() + ",\n{\"id\": \"tru";
  auto out = ReadText(text);
  EXPECT_EQ(out.status.code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(out.status.message(), HasSubstr("test.json:4:12: invalid JSON"));
  ASSERT_EQ(out.records.size(), 2u);
  EXPECT_EQ(out.records[0].id, "2019-001");
  EXPECT_EQ(out.records[0].position, 1);
  EXPECT_EQ(out.records[0].line, 2);
  EXPECT_EQ(out.records[1].id, "2019-002");
  EXPECT_EQ(out.records[1].position, 2);
  EXPECT_EQ(out.records[1].line, 3);
}

TEST(DecpBroken, BadTokenMidFileGivesItsLineAndColumn) {
  const std::string text = "{\"marches\": [\n  " + Marche1().dump() + ",\n  {\"id\": tru}\n]}\n";
  auto out = ReadText(text);
  EXPECT_THAT(out.status.message(), HasSubstr("test.json:3:13: invalid JSON: syntax error"));
  ASSERT_EQ(out.records.size(), 1u);
  EXPECT_TRUE(out.records[0].contract.has_value());
}

TEST(DecpBroken, TopLevelArrayIsNotDecp) {
  auto out = ReadText("[{\"id\": 1}]");
  EXPECT_EQ(out.status.message(), "test.json:1:1: not DECP: expected '{' (JSON) or '<' (XML)");
}

TEST(DecpBroken, MarchesOfTheWrongTypeIsAnError) {
  auto out = ReadText("{\n  \"marches\": 5\n}");
  EXPECT_EQ(out.status.message(),
            "test.json:2:14: \"marches\" must be a list (DECP 1.x) or an object (DECP 2.x)");
}

TEST(DecpBroken, ObjectWithoutMarchesIsNotDecp) {
  auto out = ReadText("{\"data\": []}");
  EXPECT_EQ(out.status.message(), "test.json:1:12: no \"marches\" member: not DECP");
}

TEST(DecpBroken, NonObjectItemIsARejectedRecordNotAFileError) {
  auto out = ReadText("{\"marches\": [1, [2], " + Marche1().dump() + "]}");
  ASSERT_TRUE(out.status.ok()) << out.status.ToString();
  ASSERT_EQ(out.records.size(), 3u);
  EXPECT_THAT(out.records[0].errors, ElementsAre(FieldError{"", "expected an object"}));
  EXPECT_THAT(out.records[1].errors, ElementsAre(FieldError{"", "expected an object"}));
  EXPECT_TRUE(out.records[2].contract.has_value());
}

TEST(DecpBroken, XmlUnclosedTagGivesLineAndColumn) {
  auto out = ReadText("<marches>\n  <marche>\n    <id>1</id>\n  </marchee>\n</marches>\n", "t.xml");
  EXPECT_EQ(out.status.message(), "t.xml:4:5: invalid XML: Start-end tags mismatch");
  EXPECT_TRUE(out.records.empty());
}

TEST(DecpBroken, TruncatedXmlSaysAnElementIsNotClosed) {
  auto out = ReadText("<marches>\n  <marche>\n    <id>1", "t.xml");
  EXPECT_THAT(out.status.message(), HasSubstr("t.xml:3:"));
  EXPECT_THAT(out.status.message(), HasSubstr("an element is not closed"));
}

TEST(DecpBroken, XmlWithAnotherRootIsNotDecp) {
  auto out = ReadText("<?xml version=\"1.0\"?>\n<releases/>", "t.xml");
  EXPECT_EQ(out.status.message(), "t.xml:2:1: root element <releases> is not <marches>: not DECP");
}

TEST(DecpBroken, InvalidUtf8InJsonIsAFileError) {
  auto out = ReadText("{\"marches\": [{\"id\": \"caf\xE9\"}]}");
  EXPECT_EQ(out.status.code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(out.status.message(), HasSubstr("test.json:1:"));
}

TEST(DecpBroken, SinkErrorStopsReadingAndIsReturnedAsIs) {
  const std::string text = "{\"marches\": [" + Marche1().dump() + "," + Marche1().dump() + "]}";
  std::istringstream in(text);
  int calls = 0;
  Status s = ReadDecp(in, "t", [&](DecpRecord&&) {
    ++calls;
    return Status::Conflict("stop");
  });
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(s.code(), ErrorCode::kConflict);
  EXPECT_EQ(s.message(), "stop");
}

TEST(DecpBroken, MissingFileIsUnavailable) {
  auto out = ReadFile("/nonexistent/decp.json");
  EXPECT_EQ(out.status.code(), ErrorCode::kUnavailable);
}

TEST(DecpFormatNames, AreStable) {
  EXPECT_EQ(DecpFormatName(DecpFormat::kJson1), "decp-1-json");
  EXPECT_EQ(DecpFormatName(DecpFormat::kJson2), "decp-2-json");
  EXPECT_EQ(DecpFormatName(DecpFormat::kXml2), "decp-2-xml");
}

TEST(DecpFormatOfRecords, EachRecordSaysWhichFormatItWasReadIn) {
  const std::pair<const char*, DecpFormat> cases[] = {
      {"decp/real-2019-decp-rama/marches-publics.info.json", DecpFormat::kJson1},
      {"decp/examples-2.0/json/marches_concessions.json", DecpFormat::kJson2},
      {"decp/examples-2.0/xml/Marche.xml", DecpFormat::kXml2},
  };
  for (const auto& [file, format] : cases) {
    testing::ReadOutcome out = testing::ReadFile(testing::SharedData(file));
    ASSERT_TRUE(out.status.ok()) << file << ": " << out.status.ToString();
    ASSERT_FALSE(out.records.empty()) << file;
    for (const auto& r : out.records) EXPECT_EQ(r.format, format) << file;
  }
}

}  // namespace
}  // namespace limpide::formats
