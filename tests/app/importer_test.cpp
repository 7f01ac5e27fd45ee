#include "app/importer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "store_fixture.h"

namespace limpide::app {
namespace {

namespace fs = std::filesystem;
const std::string kShared = LIMPIDE_SHARED_DATA;
const std::string kRealFile = kShared + "/decp/real-2019-decp-rama/marches-publics.info.json";

class ImporterTest : public StoreTest {
 protected:
  std::string Write(const std::string& name, const std::string& text) {
    auto p = dir_ / name;
    std::ofstream(p) << text;
    return p.string();
  }
};

TEST_F(ImporterTest, RealFileGoesInAndSecondImportChangesNothing) {
  Importer importer(*store_);
  auto first = importer.Import({kRealFile}, {});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(first->ok());
  EXPECT_EQ(first->totals.read, 4509);
  EXPECT_EQ(first->totals.inserted + first->totals.updated + first->totals.unchanged +
                first->totals.duplicates + first->totals.rejected,
            4509);
  EXPECT_EQ(first->totals.updated, 0);  // a later copy of a uid is a duplicate, not an update
  EXPECT_EQ(first->totals.duplicates, 13);
  auto second = importer.Import({kRealFile}, {});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->totals.inserted, 0);
  EXPECT_EQ(second->totals.updated, 0);
  EXPECT_EQ(second->totals.unchanged, first->totals.inserted);
  EXPECT_EQ(second->totals.duplicates, first->totals.duplicates);
}

TEST_F(ImporterTest, MalformedFileIsRolledBackWholeAndNamedWithLineAndColumn) {
  std::ifstream in(kRealFile);
  std::stringstream all;
  all << in.rdbuf();
  std::string text = all.str();
  const std::string broken = Write("broken.json", text.substr(0, text.size() / 2) + "\n}}}");
  const std::string rejects = (dir_ / "rejects.jsonl").string();
  Importer importer(*store_);
  auto report = importer.Import({broken}, ImportOptions{rejects, nullptr});
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->files.size(), 1u);
  EXPECT_FALSE(report->ok());
  EXPECT_NE(report->files[0].error.find("broken.json:"), std::string::npos)
      << report->files[0].error;
  EXPECT_GT(report->files[0].counts.read, 1000);  // records were read before the error…
  auto counts = store_->CountContracts({});
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->contracts, 0);  // …and none of them was kept.
  std::ifstream lines(rejects);
  std::string line;
  ASSERT_TRUE(std::getline(lines, line));
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["file"], broken);
  EXPECT_TRUE(j.contains("error"));
}

TEST_F(ImporterTest, FailedFileDoesNotStopTheNextOne) {
  const std::string bad = Write("bad.json", "{\"marches\": [ {\"id\": ");
  Importer importer(*store_);
  auto report = importer.Import({bad, kRealFile}, {});
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->files[0].error.empty());
  EXPECT_TRUE(report->files[1].error.empty());
  EXPECT_GT(report->files[1].counts.inserted, 4000);
}

TEST_F(ImporterTest, RejectedRecordsAreWrittenWithEveryReason) {
  const std::string file = Write("dirty.json", R"({"marches":[
    {"_type":"Marché","id":"A1","acheteur":{"id":"21130103100012"},"objet":"Voirie","codeCPV":"45233140-2",
     "procedure":"Appel d'offres ouvert","nature":"Marché","montant":1000,"dureeMois":12,
     "dateNotification":"2019-01-02","lieuExecution":{"code":"13","typeCode":"Code département","nom":"B"},
     "titulaires":[{"typeIdentifiant":"SIRET","id":"42399908500057","denominationSociale":"X"}],"modifications":[]},
    {"_type":"Marché","acheteur":{"id":"123"},"dateNotification":"2019-02-30","codeCPV":"zz"}
  ]})");
  const std::string rejects = (dir_ / "r.jsonl").string();
  Importer importer(*store_);
  auto report = importer.Import({file}, ImportOptions{rejects, nullptr});
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->totals.read, 2);
  EXPECT_EQ(report->totals.inserted, 1);
  EXPECT_EQ(report->totals.rejected, 1);
  std::ifstream lines(rejects);
  std::string line;
  ASSERT_TRUE(std::getline(lines, line));
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["position"], 2);
  ASSERT_GE(j["reasons"].size(), 2u) << line;  // every reason, not only the first
  EXPECT_EQ(j["reasons"][0]["field"], "id");
  EXPECT_EQ(j["reasons"][1]["field"], "acheteur.id");
}

TEST(ImportReport, JsonSummaryHasTotalsAndFiles) {
  ImportReport r;
  r.files.push_back({"a.json", "decp-1-json", {3, 1, 1, 0, 1, 0, 0}, ""});
  r.totals = r.files[0].counts;
  auto j = nlohmann::json::parse(ImportReportJson(r));
  EXPECT_EQ(j["totals"]["read"], 3);
  EXPECT_EQ(j["files"][0]["format"], "decp-1-json");
  EXPECT_TRUE(j["ok"]);
}

}  // namespace
}  // namespace limpide::app
