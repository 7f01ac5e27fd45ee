#include "app/exporter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>
#include <set>
#include <sstream>

#include "app/catalogue.h"
#include "app/importer.h"
#include "formats/csv.h"
#include "store_fixture.h"

namespace limpide::app {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kShared = LIMPIDE_SHARED_DATA;
const std::string kExamples = kShared + "/decp/examples-2.0/";
const std::string kRealFile = kShared + "/decp/real-2019-decp-rama/marches-publics.info.json";

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class ExporterTest : public StoreTest {
 protected:

  void Import(const std::vector<std::string>& files) {
    Importer importer(*store_);
    auto report = importer.Import(files, {});
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    ASSERT_TRUE(report->ok());
  }

  std::string Export(ExportFormat format, store::ContractFilter filter = {},
                     ExportOptions options = {}, ExportReport* report = nullptr) {
    Exporter exporter(*store_, format, std::move(filter), std::move(options));
    std::string out;
    Status s = exporter.Run([&out](std::string_view piece) {
      out.append(piece);
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(exporter.report().bytes, static_cast<int64_t>(out.size()));
    if (report) *report = exporter.report();
    return out;
  }

};

// The records of a DECP 2.x JSON document keyed by list and buyer + id, so
// that the export's order (notification date) does not matter. A record
// repeated in the input is one contract.
std::map<std::string, json> RecordsByKey(const json& doc) {
  std::map<std::string, json> out;
  for (const char* list : {"marche", "contrat-concession"}) {
    for (const json& rec : doc["marches"].value(list, json::array())) {
      const json& buyer = rec.contains("acheteur") ? rec["acheteur"] : rec["autoriteConcedante"];
      out[std::string(list) + "/" + buyer["id"].get<std::string>() + "/" +
          rec["id"].get<std::string>()] = rec;
    }
  }
  return out;
}

class JsonRoundTrip : public ExporterTest, public ::testing::WithParamInterface<std::string> {};

TEST_P(JsonRoundTrip, ImportedThenExportedGivesTheSameRecords) {
  const std::string path = kExamples + "json/" + GetParam();
  Import({path});
  ExportReport report;
  const json out = json::parse(Export(ExportFormat::kDecpJson, {}, {}, &report));
  EXPECT_EQ(report.counts.skipped, 0);
  EXPECT_EQ(report.counts.partial, 0);
  const auto expected = RecordsByKey(json::parse(Slurp(path)));
  const auto actual = RecordsByKey(out);
  ASSERT_EQ(actual.size(), expected.size());
  for (const auto& [key, rec] : expected) {
    ASSERT_TRUE(actual.count(key)) << key;
    // Field by field, key order aside (json objects compare as maps), numbers
    // by value (25.0 == 25).
    for (auto it = rec.begin(); it != rec.end(); ++it) {
      EXPECT_EQ(actual.at(key).value(it.key(), json()), it.value()) << key << " ." << it.key();
    }
    EXPECT_EQ(actual.at(key).size(), rec.size()) << key << ": " << actual.at(key).dump();
  }
}

INSTANTIATE_TEST_SUITE_P(Exporter, JsonRoundTrip,
                         ::testing::Values("marches_avec_modifications.json",
                                           "marches_concessions.json", "concessions.json",
                                           "concessions_avec_modifications.json"));

// XML records as canonical strings: child order aside, booleans and numbers
// by value.
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

std::set<std::string> XmlRecords(const std::string& xml) {
  pugi::xml_document doc;
  EXPECT_TRUE(doc.load_string(xml.c_str()));
  std::set<std::string> out;  // a record repeated in the input is one contract
  for (auto rec = doc.child("marches").first_child(); rec; rec = rec.next_sibling()) {
    if (rec.type() == pugi::node_element) out.insert(Canonical(rec));
  }
  return out;
}

class XmlRoundTrip : public ExporterTest, public ::testing::WithParamInterface<std::string> {};

TEST_P(XmlRoundTrip, ImportedThenExportedGivesTheSameRecords) {
  const std::string path = kExamples + "xml/" + GetParam();
  Import({path});
  ExportReport report;
  const std::string out = Export(ExportFormat::kDecpXml, {}, {}, &report);
  EXPECT_EQ(report.counts.skipped, 0);
  EXPECT_EQ(XmlRecords(out), XmlRecords(Slurp(path)));
}

INSTANTIATE_TEST_SUITE_P(Exporter, XmlRoundTrip,
                         ::testing::Values("Marche.xml", "Contrat-concession.xml",
                                           "Contrat-concession-modification.xml"));

TEST_F(ExporterTest, JsonPutsEveryMarcheAndEveryConcessionInItsListWhateverThePageSize) {
  Import({kExamples + "json/marches_concessions.json", kExamples + "json/concessions.json",
          kExamples + "json/marches_avec_modifications.json",
          kExamples + "json/concessions_avec_modifications.json"});
  const json whole = json::parse(Export(ExportFormat::kDecpJson));
  for (int page : {1, 2, 3, 1000}) {
    ExportOptions options;
    options.page_size = page;
    ExportReport report;
    const json paged = json::parse(Export(ExportFormat::kDecpJson, {}, options, &report));
    EXPECT_EQ(RecordsByKey(paged), RecordsByKey(whole)) << "page size " << page;
    auto counts = store_->CountContracts({});
    ASSERT_TRUE(counts.ok());
    EXPECT_EQ(report.counts.read, counts->contracts) << "page size " << page;
    EXPECT_EQ(report.counts.written, counts->contracts);
  }
  EXPECT_FALSE(whole["marches"]["marche"].empty());
  EXPECT_FALSE(whole["marches"]["contrat-concession"].empty());
}

TEST_F(ExporterTest, Decp1RecordsAreCountedAndReportedNotWritten) {
  Import({kRealFile, kExamples + "json/marches_avec_modifications.json"});
  std::vector<RecordIssues> reported;
  ExportOptions options;
  options.on_issues = [&](const RecordIssues& r) { reported.push_back(r); };
  ExportReport report;
  const json out = json::parse(Export(ExportFormat::kDecpJson, {}, options, &report));
  EXPECT_EQ(report.counts.written, 2);  // the two 2.x records
  EXPECT_EQ(report.counts.read, report.counts.written + report.counts.skipped);
  EXPECT_EQ(static_cast<int64_t>(reported.size()), report.counts.skipped + report.counts.partial);
  EXPECT_EQ(out["marches"]["marche"].size(), 2u);
  // Every 1.x record lacks the 2.x-only fields: counted once per record.
  EXPECT_EQ(report.skip_reasons.at("considerationsSociales: missing"), report.counts.skipped);
  EXPECT_GT(report.skip_reasons.at("ccag: missing"), 4000);  // the marchés
  for (const auto& r : reported) {
    EXPECT_TRUE(r.skipped);
    EXPECT_FALSE(r.uid.empty());
    EXPECT_NE(RecordIssuesText(r).find("considerationsSociales: required by DECP 2.x"),
              std::string::npos);
  }
  const std::string text = ExportReportText(report, ExportFormat::kDecpJson);
  EXPECT_NE(text.find("exported 2 of "), std::string::npos) << text;
  EXPECT_NE(text.find("ccag: missing"), std::string::npos) << text;
}

TEST_F(ExporterTest, FiltersAreTheListingFilters) {
  Import({kExamples + "json/marches_concessions.json",
          kExamples + "json/concessions_avec_modifications.json"});
  auto query = ParseContractQuery({{"buyer", "21750001630040"}}, true);
  ASSERT_TRUE(query.ok()) << query.status().ToString();
  ExportReport report;
  const json out = json::parse(Export(ExportFormat::kDecpJson, query->filter, {}, &report));
  auto listed = store_->ListContracts(query->filter, {"", 1000});
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(report.counts.read, static_cast<int64_t>(listed->items.size()));
  for (const auto& [key, rec] : RecordsByKey(out)) {
    EXPECT_NE(key.find("/21750001630040/"), std::string::npos) << key;
  }
  EXPECT_GT(report.counts.written, 0);
}

TEST_F(ExporterTest, CsvIsTheListingCsvWithEveryContract) {
  Import({kRealFile});
  ExportOptions options;
  options.page_size = 7;
  ExportReport report;
  const std::string csv = Export(ExportFormat::kCsv, {}, options, &report);
  ASSERT_EQ(csv.rfind(formats::CsvHeader(), 0), 0u);
  auto counts = store_->CountContracts({});
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(report.counts.written, counts->contracts);
  EXPECT_EQ(report.counts.skipped, 0);
  // Same bytes as the API's CSV stream.
  Catalogue catalogue(*store_);
  auto producer = catalogue.ContractsCsv({});
  std::string api;
  while (producer(api)) {
  }
  EXPECT_EQ(csv, api);
}

TEST_F(ExporterTest, EmptyStoreGivesEmptyValidDocuments) {
  EXPECT_EQ(Export(ExportFormat::kDecpJson), "{\"marches\":{\"marche\":[]}}\n");
  EXPECT_EQ(Export(ExportFormat::kDecpXml),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<marches>\n</marches>\n");
  EXPECT_EQ(Export(ExportFormat::kCsv), formats::CsvHeader());
}

TEST_F(ExporterTest, PiecesAreOnePageEach) {
  Import({kRealFile});
  Exporter exporter(*store_, ExportFormat::kCsv, {}, ExportOptions{10, {}});
  std::string piece;
  size_t largest = 0;
  int calls = 0;
  for (;;) {
    piece.clear();
    auto more = exporter.Next(piece);
    ASSERT_TRUE(more.ok());
    largest = std::max(largest, piece.size());
    ++calls;
    if (!*more) break;
  }
  EXPECT_GT(calls, 400);          // 4,496 contracts, 10 a page
  EXPECT_LT(largest, 64u << 10);  // ten rows, never the whole file
}

TEST(ExportFormat, NamesParseBack) {
  for (auto f : {ExportFormat::kDecpJson, ExportFormat::kDecpXml, ExportFormat::kCsv}) {
    EXPECT_EQ(ParseExportFormat(ExportFormatName(f)), f);
  }
  EXPECT_FALSE(ParseExportFormat("decp").has_value());
  EXPECT_FALSE(ParseExportFormat("").has_value());
}

}  // namespace
}  // namespace limpide::app
