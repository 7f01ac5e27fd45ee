#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "domain/time.h"
#include "formats/decp.h"
#include "formats/golden.h"
#include "formats/ocds/checks.h"
#include "formats/ocds/release.h"

namespace limpide::formats::ocds {
namespace {

using nlohmann::json;

domain::Contract Sample() {
  domain::Contract c;
  c.uid = "21350238800019M2024-017";
  c.id = "M2024-017";
  c.buyer_id = "21350238800019";
  c.buyer_name = "Commune de Rennes";
  c.nature = domain::ContractNature::kMarche;
  c.procedure = domain::ProcedureType::kAppelOffresOuvert;
  c.object = "Entretien des espaces verts";
  c.cpv = "77313000-7";
  c.place = {"35238", "Code commune", ""};
  c.duration_months = 36;
  c.amount = domain::Money{12700050};
  c.notified_on = domain::Date{2024, 3, 1};
  c.published_on = domain::Date{2024, 3, 15};
  c.price_form = "Unitaire";
  c.holders = {{"81223113200026", "SIRET", "Jardins SA"}, {"DE814864138", "TVA", ""}};
  domain::Modification m;
  m.id = "1";
  m.signed_on = domain::Date{2024, 9, 2};
  m.published_on = domain::Date{2024, 9, 10};
  m.amount = domain::Money{13500000};
  m.duration_months = 40;
  c.modifications.push_back(m);
  domain::Modification m2;  // same day: moved one second later
  m2.id = "2";
  m2.signed_on = domain::Date{2024, 9, 2};
  c.modifications.push_back(m2);
  c.extra_json = R"({"ccag":"Fournitures courantes et services","techniques":[],"offresRecues":3})";
  c.schema_version = "2";
  c.source = "golden";
  return c;
}

bool HasEmpty(const json& j) {
  if (j.is_string()) return j.get_ref<const std::string&>().empty();
  if (j.is_object() || j.is_array()) {
    if (j.empty()) return true;
    for (const auto& v : j)
      if (HasEmpty(v)) return true;
  }
  return j.is_null();
}

TEST(OcdsRelease, MapsTheAwardAndContract) {
  const auto releases = ContractReleases(Sample());
  ASSERT_EQ(releases.size(), 3u);
  const json& r = releases[0];
  EXPECT_EQ(r["ocid"], "ocds-lmpd00-21350238800019M2024-017");
  EXPECT_EQ(r["id"], "ocds-lmpd00-21350238800019M2024-017-1");
  EXPECT_EQ(r["date"], "2024-03-01T00:00:00+01:00");
  EXPECT_EQ(r["tag"], json({"award", "contract"}));
  EXPECT_EQ(r["buyer"]["id"], "FR-RCS-21350238800019");
  ASSERT_EQ(r["parties"].size(), 3u);
  EXPECT_EQ(r["parties"][0]["roles"], json({"buyer"}));
  EXPECT_EQ(r["parties"][0]["identifier"]["scheme"], "FR-RCS");
  EXPECT_EQ(r["parties"][1]["identifier"]["id"], "81223113200026");
  EXPECT_EQ(r["parties"][1]["roles"], json({"supplier"}));
  EXPECT_FALSE(r["parties"][2]["identifier"].contains("scheme"));
  EXPECT_EQ(r["tender"]["procurementMethod"], "open");
  EXPECT_EQ(r["tender"]["procurementMethodDetails"], "Appel d'offres ouvert");
  EXPECT_FALSE(r["tender"].contains("mainProcurementCategory"));  // "Marché" has none
  EXPECT_EQ(r["awards"][0]["items"][0]["classification"],
            json({{"scheme", "CPV"}, {"id", "77313000-7"}}));
  EXPECT_EQ(r["contracts"][0]["value"], json({{"amount", 127000.5}, {"currency", "EUR"}}));
  EXPECT_EQ(r["decp"]["dureeMois"], 36);
  EXPECT_EQ(r["decp"]["lieuExecution"]["code"], "35238");
  EXPECT_EQ(r["decp"]["autres"]["ccag"], "Fournitures courantes et services");
  EXPECT_FALSE(HasEmpty(r)) << r.dump(2);
}

TEST(OcdsRelease, ModificationsBecomeAmendmentReleases) {
  const auto releases = ContractReleases(Sample());
  const json& a = releases[1];
  EXPECT_EQ(a["tag"], json({"contractAmendment"}));
  EXPECT_EQ(a["date"], "2024-09-02T00:00:00+02:00");
  EXPECT_EQ(a["contracts"][0]["value"]["amount"], 135000);
  EXPECT_EQ(a["contracts"][0]["amendments"][0]["id"], "1");
  EXPECT_EQ(a["contracts"][0]["amendments"][0]["amendsReleaseID"], releases[0]["id"]);
  EXPECT_EQ(a["decp"]["modifications"][0]["dureeMois"], 40);
  EXPECT_EQ(a["decp"]["modifications"][0]["idDecp"], "1");
  EXPECT_EQ(releases[2]["date"], "2024-09-02T00:00:01+02:00");
}

TEST(OcdsRelease, IdsUniqueAndDatesStrictlyIncreasing) {
  domain::Contract c = Sample();
  domain::Modification early;  // dated before the notification, and one with no date
  early.id = "3";
  early.signed_on = domain::Date{2023, 1, 1};
  c.modifications.push_back(early);
  c.modifications.push_back(domain::Modification{});
  const auto releases = ContractReleases(c);
  std::set<std::string> ids;
  std::optional<domain::Instant> last;
  for (const auto& r : releases) {
    EXPECT_TRUE(ids.insert(r["id"].get<std::string>()).second);
    auto t = domain::ParseInstant(r["date"].get<std::string>());
    ASSERT_TRUE(t.ok());
    if (last) {
      EXPECT_GT(*t, *last) << r["date"];
    }
    last = *t;
  }
}

TEST(OcdsRelease, AbsentDataStaysAbsent) {
  domain::Contract c;
  c.uid = "X1";
  c.buyer_id = "21350238800019";
  c.published_on = domain::Date{2020, 7, 14};
  const auto releases = ContractReleases(c, {"ocds-abc123"});
  ASSERT_EQ(releases.size(), 1u);
  const json& r = releases[0];
  EXPECT_EQ(r["ocid"], "ocds-abc123-X1");
  EXPECT_EQ(r["date"], "2020-07-14T00:00:00+02:00");
  EXPECT_FALSE(r.contains("awards") && r["awards"][0].contains("value"));
  EXPECT_FALSE(r["tender"].contains("procurementMethod"));
  EXPECT_FALSE(r.contains("contracts") && r["contracts"][0].contains("items"));
  EXPECT_FALSE(r["decp"].contains("dureeMois"));
  EXPECT_FALSE(HasEmpty(r)) << r.dump(2);
  EXPECT_EQ(UidFromOcid("ocds-abc123-X1", "ocds-abc123"), "X1");
  EXPECT_EQ(UidFromOcid("ocds-other-X1", "ocds-abc123"), "");
}

TEST(OcdsRelease, RecordPackageMergesWithTheEmbeddedSchema) {
  const std::vector<json> sets[] = {ContractReleases(Sample())};
  auto p = RecordPackage(sets, EmbeddedMerger(), {"http://localhost/r", "2024-10-01T00:00:00Z"});
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  const json& rec = (*p)["records"][0];
  EXPECT_EQ(rec["compiledRelease"]["contracts"][0]["value"]["amount"], 135000);
  EXPECT_EQ(rec["compiledRelease"]["contracts"][0]["amendments"].size(), 2u);
  EXPECT_EQ(rec["versionedRelease"]["contracts"][0]["value"]["amount"].size(), 2u);

  const std::string actual = p->dump(2) + "\n";
  testing::ExpectGolden("ocds-record-package.json", actual);
}

TEST(OcdsRelease, ReleasePackageOfOneContractIsGolden) {
  const json p = ReleasePackage(ContractReleases(Sample()),
                                {"http://localhost/r", "2024-10-01T00:00:00Z"});
  EXPECT_TRUE(CheckPackage(p).empty());
  testing::ExpectGolden("ocds-release-package.json", p.dump(2) + "\n");
}

// The text of each release, as `AppendReleases` writes it.
std::vector<std::string> Lines(const domain::Contract& c, const ReleaseOptions& options = {}) {
  std::string text;
  const int n = AppendReleases(text, c, options, '\n');
  std::vector<std::string> lines;
  for (size_t start = 0; start < text.size();) {
    const size_t end = text.find('\n', start);
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  EXPECT_EQ(lines.size(), static_cast<size_t>(n));
  return lines;
}

// What nlohmann writes for the JSON value of `line`: the form of the files
// before the direct writer (keys in byte order, its number and escape forms).
std::string Canonical(const std::string& line) {
  return json::parse(line).dump(-1, ' ', false, json::error_handler_t::replace);
}

TEST(OcdsRelease, LinesOfOneContractAreGolden) {
  std::string text;
  EXPECT_EQ(AppendReleases(text, Sample(), {}, '\n'), 3);
  testing::ExpectGolden("ocds-releases.jsonl", text);
  for (const auto& line : Lines(Sample())) EXPECT_EQ(line, Canonical(line));
}

TEST(OcdsRelease, AwkwardContractsAreWrittenAsNlohmannWouldWriteThem) {
  domain::Contract c;  // no uid, no buyer, no date: only what is there is written
  c.extra_json =
      R"({"a":{"b":[],"c":""},"d":null,"e":[{"f":{}}],"g":1.5,"h":-0.0,"i":1e300,"j":"x"})";
  auto lines = Lines(c);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], Canonical(lines[0]));
  json r = json::parse(lines[0]);
  EXPECT_FALSE(HasEmpty(r)) << lines[0];
  EXPECT_FALSE(r.contains("tender"));
  EXPECT_FALSE(r.contains("parties"));
  EXPECT_FALSE(r.contains("buyer"));
  EXPECT_EQ(r["decp"]["dateInconnue"], true);
  EXPECT_EQ(r["decp"]["autres"], json::parse(R"({"g":1.5,"h":-0.0,"i":1e300,"j":"x"})"));

  c = Sample();
  c.object = "Quote \" backslash \\ controls \b\f\n\r\t\x01\x1f del \x7f é 😀";
  c.buyer_name = "Bad UTF-8 \xC3\x28 \xED\xA0\x80 end \xF0\x9F";
  c.holders = {{"", "SIRET", "No id"},
               {"81223113200026", "", "Same party twice"},
               {"81223113200026", "SIRET", "Second name"},
               {"21350238800019", "SIRET", "The buyer as holder"},
               {"X", "HORS-UE", ""}};
  c.amount = domain::Money{-5};
  c.public_subsidy = domain::Money{0};
  c.execution_start = domain::Date{2024, 10, 27};  // the day Paris goes back to UTC+1
  c.nature = domain::ContractNature::kConcessionTravaux;
  domain::Modification m;  // no date, no id; holders without ids
  m.holders = {{"", "SIRET", "No id"}};
  m.amount = domain::Money{123456789012345};
  c.modifications.push_back(m);
  lines = Lines(c, {"ocds-abc123"});
  ASSERT_EQ(lines.size(), 4u);
  for (const auto& line : lines) {
    EXPECT_EQ(line, Canonical(line));
    EXPECT_FALSE(HasEmpty(json::parse(line))) << line;
  }
  r = json::parse(lines[0]);
  ASSERT_EQ(r["parties"].size(), 3u);  // buyer (also a supplier), one SIRET holder, HORS-UE
  EXPECT_EQ(r["parties"][0]["roles"], json({"buyer", "supplier"}));
  EXPECT_EQ(r["parties"][1]["id"], "FR-RCS-81223113200026");
  EXPECT_EQ(r["parties"][1]["name"], "Same party twice");
  EXPECT_EQ(r["parties"][2]["decp"]["typeIdentifiant"], "HORS-UE");
  EXPECT_EQ(r["awards"][0]["suppliers"].size(), 3u);
  EXPECT_EQ(r["tender"]["mainProcurementCategory"], "works");
  EXPECT_EQ(r["contracts"][0]["period"]["startDate"], "2024-10-27T00:00:00+02:00");
  EXPECT_EQ(r["decp"]["montantSubventionPublique"], 0.0);
  const json last = json::parse(lines[3]);
  EXPECT_EQ(last["awards"], json::parse(R"([{"id":"1"}])"));
  EXPECT_FALSE(last.contains("parties"));
  EXPECT_EQ(last["decp"]["modifications"][0]["dateInconnue"], true);
  EXPECT_EQ(last["contracts"][0]["amendments"][0]["amendsReleaseID"], json::parse(lines[2])["id"]);
}

// nlohmann's reading of an extra_json, pruned of empty values: what the
// "autres" member must hold, to the text.
std::string ExpectedAutres(const std::string& extra_json) {
  std::function<void(json&)> prune = [&](json& j) {
    if (!j.is_structured()) return;
    for (auto it = j.begin(); it != j.end();) {
      prune(*it);
      const bool empty = it->is_null() ||
                         (it->is_string() && it->get_ref<const std::string&>().empty()) ||
                         (it->is_structured() && it->empty());
      it = empty ? j.erase(it) : std::next(it);
    }
  };
  json extra = json::parse(extra_json, nullptr, false);
  if (!extra.is_object()) return "";
  prune(extra);
  return extra.empty() ? "" : extra.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string ActualAutres(const std::string& line) {
  const json r = json::parse(line);
  return r["decp"].contains("autres") ? r["decp"]["autres"].dump() : "";
}

TEST(OcdsRelease, ExtrasAreWrittenAsNlohmannReadsAndPrunesThem) {
  for (
      const std::string& extra : {
          std::string(R"({"b":1,"a":2,"b":3})"),  // duplicate key: the last wins
          std::string(R"({"z":-0,"y":-0.0,"x":0,"w":0.0,"v":1.0,"u":1E2,"t":0.1e-3})"),
          std::string(
              R"({"big":18446744073709551615,"neg":-9223372036854775808,)"
              R"("huge":123456789012345678901234567890,"tiny":-123456789012345678901234567890})"),
          std::string(
              R"({"s":"\u00e9\u0000\ud83d\ude00\"\\\/","e":"","n":null,"o":{"p":[null,"",{}]},"q":[[]]})"),
          std::string(R"({"deep":{"a":{"b":{"c":[1,{"d":""}]}}}})"),
          std::string(R"({"only":{"empty":[]}})"),
          std::string(R"(["not an object"])"),
          std::string(R"({"broken":)"),
          std::string("{\"bad utf-8\":\"\xC3\x28\"}"),
      }) {
    domain::Contract c = Sample();
    c.modifications.clear();
    c.extra_json = extra;
    const auto lines = Lines(c);
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(ActualAutres(lines[0]), ExpectedAutres(extra)) << extra;
    EXPECT_EQ(lines[0], Canonical(lines[0])) << extra;
  }
}

// Every release of every contract of the bundled real DECP files is the
// canonical text of its JSON value, with nothing empty in it.
TEST(OcdsRelease, LinesOfTheRealDecpFilesAreCanonical) {
  const std::string shared = LIMPIDE_SHARED_DATA;
  int contracts = 0, releases = 0;
  for (const char* name : {"decp/real-2019-decp-rama/marches-publics.info.json",
                           "decp/real-2019-decp-rama/data.gouv.fr_aife.json",
                           "decp/examples-2.0/json/marches_avec_modifications.json",
                           "decp/examples-2.0/json/concessions_avec_modifications.json"}) {
    Status s = ReadDecpFile(shared + "/" + name, [&](DecpRecord&& r) {
      if (!r.contract) return Status::Ok();
      ++contracts;
      const auto lines = Lines(*r.contract);
      EXPECT_EQ(ActualAutres(lines.front()), ExpectedAutres(r.contract->extra_json));
      for (const auto& line : lines) {
        ++releases;
        const std::string canonical = Canonical(line);
        if (line != canonical) {
          ADD_FAILURE() << r.contract->uid << "\n" << line << "\n" << canonical;
          return Status::Internal("stop");
        }
        EXPECT_FALSE(HasEmpty(json::parse(line))) << line;
      }
      return Status::Ok();
    });
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  EXPECT_GT(contracts, 8000);
  EXPECT_GT(releases, contracts);
}

TEST(OcdsRelease, PackageTextIsTheDumpOfThePackage) {
  std::string text;
  AppendReleases(text, Sample(), {}, ',');
  text.pop_back();
  const PackageMeta meta{"http://localhost/r?x=\"1\"", "2024-10-01T00:00:00Z"};
  json p = ReleasePackage(ContractReleases(Sample()), meta);
  EXPECT_EQ(ReleasePackageText(text, meta), p.dump());
  p["links"] = {{"next", "/api/v1/ocds/releases?after=a%2Fb"}};
  EXPECT_EQ(ReleasePackageText(text, meta, "/api/v1/ocds/releases?after=a%2Fb"), p.dump());
  EXPECT_EQ(ReleasePackageText("", meta), ReleasePackage({}, meta).dump());
}

}  // namespace
}  // namespace limpide::formats::ocds
