#include "formats/decp_writer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>
#include <sstream>

#include "decp_test_util.h"
#include "formats/csv.h"
#include "formats/golden.h"

namespace limpide::formats {
namespace {

using nlohmann::json;
using testing::ReadFile;
using testing::SharedData;

using testing::kGoldenDir;

// Ends a document: End until it says the document is complete.
void EndAll(DecpWriter& writer, std::string& out) {
  int calls = 0;
  while (!writer.End(out)) ASSERT_LT(++calls, 100000);
  EXPECT_TRUE(writer.status().ok()) << writer.status().ToString();
}

// Writes `contracts` as one document, in the order given.
std::string WriteAll(DecpSyntax syntax, const std::vector<domain::Contract>& contracts,
                     std::vector<DecpWriteOutcome>* outcomes = nullptr) {
  auto writer = MakeDecpWriter(syntax);
  std::string out;
  writer->Begin(out);
  for (const auto& c : contracts) {
    auto outcome = writer->Write(c, out);
    if (outcomes) outcomes->push_back(std::move(outcome));
  }
  EndAll(*writer, out);
  return out;
}

std::vector<domain::Contract> Accepted(const std::string& path) {
  auto read = ReadFile(path);
  EXPECT_TRUE(read.status.ok()) << read.status.ToString();
  std::vector<domain::Contract> out;
  for (auto& r : read.records) {
    if (r.contract) out.push_back(std::move(*r.contract));
  }
  return out;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool HasIssue(const DecpWriteOutcome& o, const std::string& field, const std::string& code) {
  return std::any_of(o.issues.begin(), o.issues.end(),
                     [&](const ExportIssue& i) { return i.field == field && i.code == code; });
}

std::string Describe(const DecpWriteOutcome& o) {
  std::string s = o.written ? "written" : "skipped";
  for (const auto& i : o.issues) {
    s += "\n  " + i.field + " [" + i.code + (i.skips_record ? ", skip" : "") + "] " + i.reason;
  }
  return s;
}

// Sets members of the contract's extra fields.
void Patch(domain::Contract& c, const json& patch) {
  json extra = json::parse(c.extra_json);
  extra.merge_patch(patch);
  c.extra_json = extra.dump();
}

// A 2.x marché that converts whole: the first record of the official example.
domain::Contract ExampleMarche() {
  auto all = Accepted(SharedData("decp/examples-2.0/json/marches_avec_modifications.json"));
  EXPECT_FALSE(all.empty());
  return all.front();
}

DecpWriteOutcome WriteOne(const domain::Contract& c, DecpSyntax syntax = DecpSyntax::kJson,
                          std::string* text = nullptr) {
  auto writer = MakeDecpWriter(syntax);
  std::string out;
  writer->Begin(out);
  auto outcome = writer->Write(c, out);
  EndAll(*writer, out);
  if (text) *text = out;
  return outcome;
}

// ---- XML comparison: element trees, child order aside, scalars normalised ----

std::string Canonical(const pugi::xml_node& node) {
  std::vector<std::string> kids;
  for (auto child = node.first_child(); child; child = child.next_sibling()) {
    if (child.type() == pugi::node_element) kids.push_back(Canonical(child));
  }
  std::string out = node.name();
  if (kids.empty()) {
    std::string text = node.text().get();
    text.erase(0, text.find_first_not_of(" \t\r\n"));
    text.erase(text.find_last_not_of(" \t\r\n") + 1);
    if (text == "oui" || text == "true") text = "true";
    if (text == "non" || text == "false") text = "false";
    char* end = nullptr;
    const double d = std::strtod(text.c_str(), &end);
    if (!text.empty() && end == text.c_str() + text.size()) {
      std::ostringstream n;
      n.precision(15);
      n << d;
      text = n.str();
    }
    return out + "=" + text;
  }
  std::sort(kids.begin(), kids.end());
  out += "{";
  for (const auto& k : kids) out += k + ";";
  return out + "}";
}

std::vector<std::string> CanonicalRecords(const std::string& xml) {
  pugi::xml_document doc;
  EXPECT_TRUE(doc.load_string(xml.c_str()));
  std::vector<std::string> out;
  for (auto rec = doc.child("marches").first_child(); rec; rec = rec.next_sibling()) {
    if (rec.type() == pugi::node_element) out.push_back(Canonical(rec));
  }
  std::sort(out.begin(), out.end());
  return out;
}

// ---- Round trips through the reader and the writer ----

class OfficialJsonExample : public ::testing::TestWithParam<std::string> {};

TEST_P(OfficialJsonExample, ReadThenWrittenGivesTheSameRecords) {
  const std::string path = SharedData("decp/examples-2.0/json/" + GetParam());
  std::vector<DecpWriteOutcome> outcomes;
  const std::string text = WriteAll(DecpSyntax::kJson, Accepted(path), &outcomes);
  for (const auto& o : outcomes) EXPECT_TRUE(o.written && o.issues.empty()) << Describe(o);
  const json in = json::parse(Slurp(path));
  const json out = json::parse(text);
  for (const char* list : {"marche", "contrat-concession"}) {
    const json expected = in["marches"].value(list, json::array());
    const json actual = out["marches"].value(list, json::array());
    ASSERT_EQ(actual.size(), expected.size()) << list;
    for (size_t i = 0; i < expected.size(); ++i) {
      EXPECT_EQ(actual[i], expected[i]) << list << "[" << i << "]\nexpected " << expected[i].dump()
                                        << "\nactual   " << actual[i].dump();
    }
  }
}

INSTANTIATE_TEST_SUITE_P(DecpWriter, OfficialJsonExample,
                         ::testing::Values("marches_avec_modifications.json",
                                           "marches_concessions.json", "concessions.json",
                                           "concessions_avec_modifications.json"));

class OfficialXmlExample : public ::testing::TestWithParam<std::string> {};

TEST_P(OfficialXmlExample, ReadThenWrittenGivesTheSameElements) {
  const std::string path = SharedData("decp/examples-2.0/xml/" + GetParam());
  std::vector<DecpWriteOutcome> outcomes;
  const std::string text = WriteAll(DecpSyntax::kXml, Accepted(path), &outcomes);
  for (const auto& o : outcomes) EXPECT_TRUE(o.written && o.issues.empty()) << Describe(o);
  EXPECT_EQ(CanonicalRecords(text), CanonicalRecords(Slurp(path)));
}

INSTANTIATE_TEST_SUITE_P(DecpWriter, OfficialXmlExample,
                         ::testing::Values("Marche.xml", "Contrat-concession.xml",
                                           "Contrat-concession-modification.xml"));

TEST(DecpWriter, JsonAndXmlOfTheSameRecordCarryTheSameFields) {
  const auto c = ExampleMarche();
  std::string json_text;
  std::string xml_text;
  ASSERT_TRUE(WriteOne(c, DecpSyntax::kJson, &json_text).written);
  ASSERT_TRUE(WriteOne(c, DecpSyntax::kXml, &xml_text).written);
  const json rec = json::parse(json_text)["marches"]["marche"][0];
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(xml_text.c_str()));
  const auto marche = doc.child("marches").child("marche");
  std::vector<std::string> json_keys;
  for (auto it = rec.begin(); it != rec.end(); ++it) json_keys.push_back(it.key());
  std::vector<std::string> xml_keys;
  for (auto child = marche.first_child(); child; child = child.next_sibling()) {
    xml_keys.emplace_back(child.name());
  }
  std::sort(json_keys.begin(), json_keys.end());
  std::sort(xml_keys.begin(), xml_keys.end());
  EXPECT_EQ(json_keys, xml_keys);
}

// ---- 1.x records: converted where the fields allow, never guessed ----

TEST(DecpWriter, RealDecp1RecordIsSkippedWithEveryFieldThat2xRequiresAndItLacks) {
  auto all = Accepted(SharedData("decp/real-2019-decp-rama/marches-publics.info.json"));
  ASSERT_FALSE(all.empty());
  const domain::Contract& c = all.front();
  std::string text;
  const auto o = WriteOne(c, DecpSyntax::kJson, &text);
  EXPECT_FALSE(o.written);
  for (const char* field :
       {"techniques", "modalitesExecution", "marcheInnovant", "ccag", "offresRecues",
        "attributionAvance", "typeGroupementOperateurs", "sousTraitanceDeclaree", "typesPrix",
        "considerationsSociales", "considerationsEnvironnementales"}) {
    EXPECT_TRUE(HasIssue(o, field, "missing")) << field << "\n" << Describe(o);
  }
  // Nothing of the record reached the output.
  EXPECT_EQ(text, "{\"marches\":{\"marche\":[]}}\n");
}

TEST(DecpWriter, Decp1PriceFormIsNotMappedToA2xOne) {
  auto c = ExampleMarche();
  c.price_form = "Ferme et actualisable";
  const auto o = WriteOne(c);
  EXPECT_FALSE(o.written);
  EXPECT_TRUE(HasIssue(o, "formePrix", "not_in_code_list")) << Describe(o);
}

TEST(DecpWriter, Decp1NamesAreLeftOutAndSaidSo) {
  auto c = ExampleMarche();
  c.buyer_name = "Ville de Paris";
  c.holders[0].name = "Garami SARL";
  c.place.name = "Paris";
  c.modifications[0].object = "Avenant 1";
  const auto o = WriteOne(c);
  EXPECT_TRUE(o.written) << Describe(o);
  EXPECT_TRUE(HasIssue(o, "acheteur.nom", "not_a_2x_field"));
  EXPECT_TRUE(HasIssue(o, "titulaires[0].denominationSociale", "not_a_2x_field"));
  EXPECT_TRUE(HasIssue(o, "lieuExecution.nom", "not_a_2x_field"));
  EXPECT_TRUE(HasIssue(o, "modifications[0].objetModification", "not_a_2x_field"));
  for (const auto& i : o.issues) EXPECT_FALSE(i.skips_record) << i.field;
}

TEST(DecpWriter, AccordCadreNatureBecomesMarcheWithTheAccordCadreTechnique) {
  auto c = ExampleMarche();
  c.nature = domain::ContractNature::kAccordCadre;
  Patch(c, {{"techniques", {"Concours"}}});
  std::string text;
  const auto o = WriteOne(c, DecpSyntax::kJson, &text);
  ASSERT_TRUE(o.written) << Describe(o);
  const json rec = json::parse(text)["marches"]["marche"][0];
  EXPECT_EQ(rec["nature"], "Marché");
  EXPECT_EQ(rec["techniques"]["technique"], json({"Concours", "Accord-cadre"}));
}

TEST(DecpWriter, ConcessionNatureInAMarcheIsNotGuessed) {
  auto c = ExampleMarche();
  c.nature = domain::ContractNature::kConcessionTravaux;
  const auto o = WriteOne(c);
  EXPECT_FALSE(o.written);
  EXPECT_TRUE(HasIssue(o, "nature", "not_in_code_list"));
}

TEST(DecpWriter, AmountBelowOneEuroSkipsTheRecord) {
  auto c = ExampleMarche();
  c.amount = domain::Money{0};
  const auto o = WriteOne(c);
  EXPECT_FALSE(o.written);
  EXPECT_TRUE(HasIssue(o, "montant", "out_of_range")) << Describe(o);
}

TEST(DecpWriter, MissingRequiredValueNamesThePublishedValueWhenThereWasOne) {
  auto c = ExampleMarche();
  c.duration_months.reset();
  Patch(c, {{"dureeMois", "NC"}});
  const auto o = WriteOne(c);
  EXPECT_FALSE(o.written);
  ASSERT_TRUE(HasIssue(o, "dureeMois", "invalid")) << Describe(o);
  EXPECT_NE(o.issues.front().reason.find("\"NC\""), std::string::npos) << Describe(o);
}

TEST(DecpWriter, HolderTypeOutside2xListSkipsTheRecord) {
  auto c = ExampleMarche();
  c.holders.push_back({"ATU12345678", "UE", ""});
  const auto o = WriteOne(c);
  EXPECT_FALSE(o.written);
  EXPECT_TRUE(HasIssue(o, "titulaires[1].typeIdentifiant", "not_in_code_list")) << Describe(o);
}

TEST(DecpWriter, IdLongerThan16CharactersSkipsTheRecord) {
  auto c = ExampleMarche();
  c.id = "2019-0000000000001";
  const auto o = WriteOne(c);
  EXPECT_FALSE(o.written);
  EXPECT_TRUE(HasIssue(o, "id", "too_long"));
}

TEST(DecpWriter, ValueOutsideACodeListSkipsTheRecord) {
  auto c = ExampleMarche();
  Patch(c, {{"ccag", "CCAG Travaux 2021"}});
  const auto o = WriteOne(c);
  EXPECT_FALSE(o.written);
  EXPECT_TRUE(HasIssue(o, "ccag", "not_in_code_list"));
}

TEST(DecpWriter, OptionalValueOutOfRangeIsLeftOut) {
  auto c = ExampleMarche();
  Patch(c, {{"tauxAvance", 12}});
  std::string text;
  const auto o = WriteOne(c, DecpSyntax::kJson, &text);
  ASSERT_TRUE(o.written) << Describe(o);
  EXPECT_TRUE(HasIssue(o, "tauxAvance", "out_of_range"));
  EXPECT_FALSE(json::parse(text)["marches"]["marche"][0].contains("tauxAvance"));
}

TEST(DecpWriter, ModificationLackingARequiredDateIsLeftOutWhole) {
  auto c = ExampleMarche();
  c.modifications[0].published_on.reset();
  std::string text;
  const auto o = WriteOne(c, DecpSyntax::kJson, &text);
  ASSERT_TRUE(o.written) << Describe(o);
  EXPECT_TRUE(HasIssue(o, "modifications[0]", "invalid"));
  EXPECT_FALSE(json::parse(text)["marches"]["marche"][0].contains("modifications"));
}

TEST(DecpWriter, RepeatedHolderIsWrittenOnce) {
  auto c = ExampleMarche();
  c.holders.push_back(c.holders.front());
  std::string text;
  const auto o = WriteOne(c, DecpSyntax::kJson, &text);
  ASSERT_TRUE(o.written) << Describe(o);
  EXPECT_TRUE(HasIssue(o, "titulaires[1]", "duplicate"));
  EXPECT_EQ(json::parse(text)["marches"]["marche"][0]["titulaires"].size(), 1u);
}

TEST(DecpWriter, FieldWithNo2xPlaceIsLeftOutAndSaidSo) {
  auto c = ExampleMarche();
  Patch(c, {{"uuid", "a-b-c"}});
  const auto o = WriteOne(c);
  ASSERT_TRUE(o.written);
  EXPECT_TRUE(HasIssue(o, "uuid", "not_a_2x_field"));
}

TEST(DecpWriter, Decp1ConcessionFieldsThat2xDroppedAreLeftOut) {
  auto all = Accepted(SharedData("decp/examples-2.0/json/concessions.json"));
  ASSERT_FALSE(all.empty());
  auto c = all.front();
  c.cpv = "45000000-7";
  c.place = {"75056", "Code commune", ""};
  const auto o = WriteOne(c);
  EXPECT_TRUE(o.written) << Describe(o);
  EXPECT_TRUE(HasIssue(o, "codeCPV", "not_a_2x_field"));
  EXPECT_TRUE(HasIssue(o, "lieuExecution", "not_a_2x_field"));
}

TEST(DecpWriter, TextIsEscapedForJsonAndXml) {
  auto c = ExampleMarche();
  c.object = "Lot \"A\" & <B>\\ fin\r\nligne\x01";
  std::string json_text;
  ASSERT_TRUE(WriteOne(c, DecpSyntax::kJson, &json_text).written);
  EXPECT_EQ(json::parse(json_text)["marches"]["marche"][0]["objet"], c.object);
  std::string xml_text;
  const auto o = WriteOne(c, DecpSyntax::kXml, &xml_text);
  ASSERT_TRUE(o.written);
  EXPECT_TRUE(HasIssue(o, "", "control_char_replaced"));
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(xml_text.c_str()));
  EXPECT_STREQ(doc.child("marches").child("marche").child("objet").text().get(),
               "Lot \"A\" & <B>\\ fin\r\nligne\xEF\xBF\xBD");
}

TEST(DecpWriter, EmptyDocumentsAreValidShapes) {
  EXPECT_EQ(WriteAll(DecpSyntax::kJson, {}), "{\"marches\":{\"marche\":[]}}\n");
  EXPECT_EQ(WriteAll(DecpSyntax::kXml, {}),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<marches>\n</marches>\n");
}

TEST(DecpWriter, JsonTakesMarchesAndConcessionsInAnyOrder) {
  auto concessions = Accepted(SharedData("decp/examples-2.0/json/concessions.json"));
  ASSERT_FALSE(concessions.empty());
  auto writer = MakeDecpWriter(DecpSyntax::kJson);
  std::string out;
  writer->Begin(out);
  ASSERT_TRUE(writer->Write(concessions.front(), out).written);
  auto second = ExampleMarche();
  ASSERT_TRUE(writer->Write(ExampleMarche(), out).written);
  second.id = "AUTRE";
  ASSERT_TRUE(writer->Write(second, out).written);
  EndAll(*writer, out);
  const json doc = json::parse(out);
  EXPECT_EQ(doc["marches"]["marche"].size(), 2u);
  EXPECT_EQ(doc["marches"]["contrat-concession"].size(), 1u);
}

TEST(DecpWriter, JsonHoldsManyConcessionsBackInBoundedPieces) {
  auto concession = Accepted(SharedData("decp/examples-2.0/json/concessions.json")).front();
  auto writer = MakeDecpWriter(DecpSyntax::kJson);
  std::string doc;
  std::string piece;
  writer->Begin(piece);
  const int n = 3000;  // about 2.5 MB of concessions: more than held in memory
  for (int i = 0; i < n; ++i) {
    concession.id = "C" + std::to_string(i);
    piece.clear();
    ASSERT_TRUE(writer->Write(concession, piece).written);
    EXPECT_TRUE(piece.empty());  // held back
    ASSERT_TRUE(writer->status().ok());
  }
  size_t largest = 0;
  for (bool done = false; !done;) {
    piece.clear();
    done = writer->End(piece);
    largest = std::max(largest, piece.size());
    doc += piece;
  }
  EXPECT_TRUE(writer->status().ok());
  EXPECT_LE(largest, (1u << 20) + 4096);
  const json parsed = json::parse("{\"marches\":{\"marche\":[" + doc);
  ASSERT_EQ(parsed["marches"]["contrat-concession"].size(), static_cast<size_t>(n));
  EXPECT_EQ(parsed["marches"]["marche"].size(), 0u);
  EXPECT_EQ(parsed["marches"]["contrat-concession"][n - 1]["id"], "C" + std::to_string(n - 1));
}

TEST(IssueField, DropsListPositions) {
  EXPECT_EQ(IssueField("titulaires[12].typeIdentifiant"), "titulaires[].typeIdentifiant");
  EXPECT_EQ(IssueField("ccag"), "ccag");
}

// ---- Golden files: one contract in each output format, byte for byte ----
// Regenerate with LIMPIDE_UPDATE_GOLDEN=1 (then review the diff).

domain::Contract GoldenContract() {
  domain::Contract c;
  c.kind = domain::ContractKind::kMarche;
  c.id = "2024-AO-017";
  c.buyer_id = "21350238800019";
  c.uid = domain::MakeUid(c.buyer_id, c.id);
  c.nature = domain::ContractNature::kMarche;
  c.procedure = domain::ProcedureType::kAppelOffresOuvert;
  c.object = "Entretien des espaces verts, lot 2 « parcs & jardins »";
  c.cpv = "77313000-7";
  c.place = {"35238", "Code commune", ""};
  c.duration_months = 36;
  c.amount = domain::Money{12700050};
  c.notified_on = domain::Date{2024, 3, 1};
  c.published_on = domain::Date{2024, 3, 15};
  c.price_form = "Unitaire";
  c.holders = {{"81223113200026", "SIRET", ""}, {"DE814864138", "TVA", ""}};
  domain::Modification m;
  m.id = "1";
  m.signed_on = domain::Date{2024, 9, 2};
  m.published_on = domain::Date{2024, 9, 10};
  m.amount = domain::Money{13500000};
  c.modifications.push_back(m);
  c.extra_json = json{{"techniques", {"Accord-cadre"}},
                      {"modalitesExecution", {"Bons de commande"}},
                      {"marcheInnovant", false},
                      {"ccag", "Fournitures courantes et services"},
                      {"offresRecues", 3},
                      {"attributionAvance", true},
                      {"tauxAvance", 0.05},
                      {"typeGroupementOperateurs", "Conjoint"},
                      {"sousTraitanceDeclaree", false},
                      {"typesPrix", {"Définitif révisable"}},
                      {"considerationsSociales", {"Clause sociale"}},
                      {"considerationsEnvironnementales", {"Critère environnemental"}}}
                     .dump();
  c.schema_version = "2";
  c.source = "golden";
  return c;
}

TEST(DecpWriterGolden, OneMarcheAsDecpJson) {
  std::vector<DecpWriteOutcome> outcomes;
  const std::string text = WriteAll(DecpSyntax::kJson, {GoldenContract()}, &outcomes);
  ASSERT_TRUE(outcomes.at(0).written && outcomes[0].issues.empty()) << Describe(outcomes[0]);
  testing::ExpectGolden("decp-marche.json", text);
}

TEST(DecpWriterGolden, OneMarcheAsDecpXml) {
  std::vector<DecpWriteOutcome> outcomes;
  const std::string text = WriteAll(DecpSyntax::kXml, {GoldenContract()}, &outcomes);
  ASSERT_TRUE(outcomes.at(0).written && outcomes[0].issues.empty()) << Describe(outcomes[0]);
  testing::ExpectGolden("decp-marche.xml", text);
}

TEST(DecpWriterGolden, OneMarcheAsCsv) {
  testing::ExpectGolden("contract.csv", CsvHeader() + CsvRow(GoldenContract()));
}

TEST(DecpWriterGolden, GoldenDecpReadsBackAsTheSameContract) {
  for (const char* name : {"decp-marche.json", "decp-marche.xml"}) {
    auto back = Accepted(kGoldenDir + name);
    ASSERT_EQ(back.size(), 1u) << name;
    auto expected = GoldenContract();
    EXPECT_EQ(back[0].id, expected.id);
    EXPECT_EQ(back[0].amount, expected.amount);
    EXPECT_EQ(back[0].holders, expected.holders);
    EXPECT_EQ(back[0].modifications, expected.modifications);
    EXPECT_EQ(json::parse(back[0].extra_json), json::parse(expected.extra_json)) << name;
  }
}

}  // namespace
}  // namespace limpide::formats
