// The OCDS reader (form detection, streamed items, positions of broken items),
// the checks beyond the schema, and the mapping of a compiled release onto our
// contract model.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "formats/decp.h"
#include "formats/ocds/checks.h"
#include "formats/ocds/reader.h"
#include "formats/ocds/release.h"
#include "formats/ocds/to_contract.h"

namespace limpide::formats::ocds {
namespace {

using nlohmann::json;

const std::string kShared = LIMPIDE_SHARED_DATA;

std::optional<InputForm> Detect(const std::string& text) {
  std::istringstream in(text);
  return DetectOcds(in);
}

std::vector<Item> ReadAll(const std::string& text, Status* status = nullptr,
                          json* package = nullptr) {
  std::istringstream in(text);
  std::vector<Item> items;
  auto form = DetectOcds(in);
  EXPECT_TRUE(form.has_value()) << text;
  if (!form) return items;
  Status s = ReadOcds(in, *form, "t.json", [&](Item&& i) {
    items.push_back(std::move(i));
    return Status::Ok();
  }, package);
  if (status) {
    *status = s;
  } else {
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  return items;
}

TEST(OcdsReader, DetectsEachFormFromItsMemberNames) {
  EXPECT_EQ(Detect(R"({"uri":"x","releases":[]})"), InputForm::kReleasePackage);
  EXPECT_EQ(Detect(R"({"publisher":{"name":"p"},"records":[]})"), InputForm::kRecordPackage);
  EXPECT_EQ(Detect("{\"ocid\":\"ocds-abc123-1\",\"id\":\"1\"}\n{\"ocid\":\"ocds-abc123-1\"}\n"),
            InputForm::kReleaseLines);
  EXPECT_EQ(Detect("{\n \"ocid\": \"ocds-abc123-1\",\n \"id\": \"1\"\n}\n"),
            InputForm::kReleaseStream);
  EXPECT_EQ(Detect("not json\n{\"ocid\":\"ocds-abc123-1\",\"id\":\"1\"}\n"),
            InputForm::kReleaseLines);
  // A broken release inside a package does not make it look like JSON Lines.
  EXPECT_EQ(Detect("{\"uri\": \"u\",\n \"releases\": [\n {\"id\": x}]}"),
            InputForm::kReleasePackage);
  EXPECT_EQ(Detect(R"({"marches":[]})"), std::nullopt);
  EXPECT_EQ(Detect("<marches/>"), std::nullopt);
  EXPECT_EQ(Detect(""), std::nullopt);
}

TEST(OcdsReader, DetectionLeavesTheStreamWhereItWas) {
  std::istringstream in(R"({"releases":[{"ocid":"ocds-abc123-1"}]})");
  ASSERT_TRUE(DetectOcds(in).has_value());
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(all.front(), '{');
}

TEST(OcdsReader, ReadsAPackageWithItsHeadAfterTheList) {
  json package;
  auto items = ReadAll(
      "{\"releases\": [ {\"id\": \"a\"} ,\n  {\"id\": \"b\"}],\n \"extensions\": [\"u\"]}", nullptr,
      &package);
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].text, R"({"id": "a"})");  // verbatim
  EXPECT_EQ(items[1].position, 2);
  EXPECT_EQ(items[1].line, 2);
  EXPECT_EQ(items[1].column, 3);
  EXPECT_EQ(package["extensions"], json::array({"u"}));
}

TEST(OcdsReader, ABrokenItemIsDeliveredWithItsPositionAndTheNextOnesFollow) {
  auto items = ReadAll("{\"releases\": [\n{\"id\": x},\n{\"id\": \"c\"}]}");
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].error.rfind("2:8: not JSON", 0), 0u) << items[0].error;
  EXPECT_TRUE(items[1].error.empty());
  EXPECT_EQ(items[1].value["id"], "c");
}

TEST(OcdsReader, JsonLinesKeepsGoingAfterABrokenLine) {
  auto items = ReadAll("{\"ocid\":\"ocds-abc123-1\"}\n{\"ocid\": \n\n{\"ocid\":\"ocds-abc123-2\"}\n");
  ASSERT_EQ(items.size(), 3u);
  EXPECT_FALSE(items[1].error.empty());
  EXPECT_EQ(items[1].line, 2);
  EXPECT_EQ(items[2].line, 4);
  EXPECT_EQ(items[2].value["ocid"], "ocds-abc123-2");
}

TEST(OcdsReader, ABrokenOuterStructureIsAFileErrorWithItsPosition) {
  Status s;
  auto items = ReadAll("{\"releases\": [{\"id\": \"a\"} {\"id\": \"b\"}]}", &s);
  EXPECT_EQ(items.size(), 1u);
  EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(s.message().rfind("t.json:1:", 0), 0u) << s.message();
  items = ReadAll("{\"releases\": [{\"id\": \"a\"", &s);
  EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument);
}

TEST(OcdsReader, ReadsTheRealProzorroPackages) {
  for (const char* name : {"release-package-10.json", "record-package-10.json"}) {
    std::ifstream in(kShared + "/ocds/samples/prozorro-ua/" + name, std::ios::binary);
    auto form = DetectOcds(in);
    ASSERT_TRUE(form.has_value()) << name;
    int n = 0;
    json package;
    Status s = ReadOcds(in, *form, name, [&](Item&& i) {
      EXPECT_TRUE(i.error.empty()) << i.error;
      ++n;
      return Status::Ok();
    }, &package);
    EXPECT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(n, 10) << name;
    EXPECT_EQ(package["extensions"].size(), 16u);
  }
}

TEST(OcdsChecks, OcidPrefixMustBeWellFormed) {
  EXPECT_TRUE(WellFormedOcid("ocds-213czf-000-00001"));
  EXPECT_TRUE(WellFormedOcid("ocds-be6bcu-UA-2018-06-22-001789-a"));
  EXPECT_FALSE(WellFormedOcid("ocds-213czf"));
  EXPECT_FALSE(WellFormedOcid("OCDS-213czf-1"));
  EXPECT_FALSE(WellFormedOcid("ocds-21_czf-1"));
  EXPECT_FALSE(WellFormedOcid("ocds-213cz-1"));
}

TEST(OcdsChecks, RejectsWhatMakesAReleaseUnusable) {
  auto c = CheckRelease(json::parse(R"({"date": "hier", "tag": []})"));
  std::vector<std::string> fields;
  for (const auto& e : c.errors) fields.push_back(e.path);
  EXPECT_EQ(fields, (std::vector<std::string>{"ocid", "id", "tag", "date"}));
  EXPECT_FALSE(CheckRelease(json::array()).errors.empty());
}

TEST(OcdsChecks, WarnsOnClosedCodelistsAndEmptyValues) {
  auto c = CheckRelease(json::parse(R"({
    "ocid": "ocds-abc123-1", "id": "1", "date": "2024-01-01T00:00:00Z", "tag": ["tender", "bid"],
    "tender": {"status": "opened", "value": {"amount": 1, "currency": "EUX"}, "title": "",
               "items": [], "procuringEntity": {}},
    "awards": [{"id": "a", "status": "active", "date": "2024-13-01T00:00:00Z"}]})"));
  ASSERT_EQ(c.errors.size(), 1u);
  EXPECT_EQ(c.errors[0].path, "awards[0]/date");
  std::vector<std::string> paths;
  for (const auto& w : c.warnings) paths.push_back(w.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"tag[1]", "tender/items", "tender/procuringEntity",
                                             "tender/status", "tender/title",
                                             "tender/value/currency"}));
}

TEST(OcdsChecks, FindsRepeatedIdsAndOcidsInPackages) {
  const json r = {{"ocid", "ocds-abc123-1"}, {"id", "1"}, {"date", "2024-01-01T00:00:00Z"},
                  {"tag", {"tender"}}};
  auto f = CheckPackage({{"releases", {r, r}}});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].path, "releases[1]/id");
  f = CheckPackage({{"records", {{{"ocid", "ocds-abc123-1"}}, {{"ocid", "ocds-abc123-1"}}}}});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].path, "records[1]/ocid");
}

// Our own OCDS output passes the checks, on every contract of the real DECP
// files: release packages and record packages (compiled and versioned).
TEST(OcdsChecks, OurOwnOutputOnTheRealDecpFilesPasses) {
  int contracts = 0;
  std::vector<std::vector<json>> sets;
  std::set<std::string> uids;
  for (const char* name :
       {"decp/real-2019-decp-rama/marches-publics.info.json",
        "decp/real-2019-decp-rama/data.gouv.fr_aife.json",
        "decp/examples-2.0/json/marches_avec_modifications.json",
        "decp/examples-2.0/json/concessions_avec_modifications.json"}) {
    Status s = ReadDecpFile(kShared + "/" + name, [&](DecpRecord&& r) {
      // One contract per uid, as the store keeps them (the real files overlap).
      if (!r.contract || !uids.insert(r.contract->uid).second) return Status::Ok();
      ++contracts;
      sets.push_back(ContractReleases(*r.contract));
      return Status::Ok();
    });
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  ASSERT_GT(contracts, 8000);
  std::vector<json> all;
  for (const auto& set : sets) all.insert(all.end(), set.begin(), set.end());
  const PackageMeta meta{"https://example.org/p", "2024-01-01T00:00:00Z"};
  for (const auto& f : CheckPackage(ReleasePackage(all, meta))) ADD_FAILURE() << f.path << ": " << f.reason;
  auto records = RecordPackage(sets, EmbeddedMerger(), meta);
  ASSERT_TRUE(records.ok());
  for (const auto& f : CheckPackage(*records)) ADD_FAILURE() << f.path << ": " << f.reason;
}

TEST(OcdsToContract, MapsTheFictionalProcessOntoOneContract) {
  std::ifstream in(kShared + "/ocds/samples/fictional-ocp-1.1/record-ocds-213czf-000-00001.json");
  const json record = json::parse(in)["records"][0];
  auto mapped = ContractsFromCompiled(record["compiledRelease"], "sample.json");
  ASSERT_EQ(mapped.size(), 1u);
  const auto& c = mapped[0].contract;
  EXPECT_EQ(c.uid, "ocds-213czf-000-00001:" + record["compiledRelease"]["contracts"][0]["id"].get<std::string>());
  EXPECT_EQ(c.source, "sample.json");
  EXPECT_FALSE(c.buyer_id.empty());
  EXPECT_FALSE(c.object.empty());
  EXPECT_FALSE(mapped[0].decp_identity);
}

TEST(OcdsToContract, OurOwnReleasesMapBackToTheDecpIdentity) {
  domain::Contract c;
  c.id = "2024-01";
  c.buyer_id = "21690123100011";
  c.uid = domain::MakeUid(c.buyer_id, c.id);
  c.object = "Travaux";
  c.amount = domain::Money{123456};
  c.notified_on = domain::Date{2024, 3, 1};
  const auto releases = ContractReleases(c);
  auto compiled = EmbeddedMerger().Compile(releases);
  ASSERT_TRUE(compiled.ok());
  auto mapped = ContractsFromCompiled(*compiled, "x");
  ASSERT_EQ(mapped.size(), 1u);
  EXPECT_TRUE(mapped[0].decp_identity);
  EXPECT_EQ(mapped[0].contract.uid, c.uid);
  EXPECT_EQ(mapped[0].contract.amount, c.amount);
  EXPECT_EQ(mapped[0].contract.notified_on, c.notified_on);
}

}  // namespace
}  // namespace limpide::formats::ocds
