// The relevance set (tests/search/relevance.tsv): French queries over the
// bundled demo data, each with what must come first or within the first
// results. A reviewer can read and extend the file without C++.
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/importer.h"
#include "search/follower.h"
#include "search/search.h"

namespace limpide::search {
namespace {

namespace fs = std::filesystem;

struct Case {
  int line = 0;
  std::string query;
  int within = 1;
  std::string expected;  // "uid:…", or words the object must hold (folded)
};

std::vector<Case> ReadCases() {
  std::ifstream in(std::string(LIMPIDE_SOURCE_DIR) + "/tests/search/relevance.tsv");
  std::vector<Case> cases;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    Case c;
    c.line = n;
    std::string within;
    std::getline(fields, c.query, '\t');
    std::getline(fields, within, '\t');
    std::getline(fields, c.expected, '\t');
    c.within = std::stoi(within);
    cases.push_back(c);
  }
  return cases;
}

class Relevance : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("limpide-search-relevance-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto store = store::OpenStore("sqlite:" + (dir_ / "t.db").string());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store).release();
    std::vector<std::string> files;
    const std::string shared = LIMPIDE_SHARED_DATA;
    for (const char* f : {"/decp/real-2019-decp-rama/marches-publics.info.json",
                          "/decp/real-2019-decp-rama/data.gouv.fr_aife.json"}) {
      files.push_back(shared + f);
    }
    for (const auto& e : fs::directory_iterator(fs::path(LIMPIDE_SOURCE_DIR) / "data/demo")) {
      if (e.path().extension() == ".json" || e.path().extension() == ".xml") {
        files.push_back(e.path());
      }
    }
    app::Importer importer(*store_);
    auto report = importer.Import(files, {});
    ASSERT_TRUE(report.ok());
    auto index = Index::Open((dir_ / "search").string());
    ASSERT_TRUE(index.ok());
    index_ = std::move(*index).release();
    Follower follower(*store_, *index_);
    auto reached = follower.CatchUp();
    ASSERT_TRUE(reached.ok()) << reached.status().ToString();
    ASSERT_GT(*reached, 8000u);
  }
  static void TearDownTestSuite() {
    delete index_;
    delete store_;
    fs::remove_all(dir_);
  }
  static inline fs::path dir_;
  static inline store::Store* store_ = nullptr;
  static inline Index* index_ = nullptr;
};

TEST_F(Relevance, EveryQueryOfTheSetFindsItsExpectedResult) {
  const auto cases = ReadCases();
  ASSERT_GE(cases.size(), 10u);
  for (const auto& c : cases) {
    SearchQuery q;
    q.text = c.query;
    q.limit = c.within;
    q.facet_values = 0;
    auto r = index_->Search(q);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    bool found = false;
    std::string seen;
    for (const auto& hit : r->hits) {
      const Document& d = hit.document;
      seen += "\n  " + d.uid + " " + d.object;
      if (c.expected.rfind("uid:", 0) == 0) {
        found = found || d.uid == c.expected.substr(4);
      } else {
        found = found || FoldText(d.object).find(FoldText(c.expected)) != std::string::npos;
      }
    }
    EXPECT_TRUE(found) << "relevance.tsv line " << c.line << ": '" << c.query << "' should have '"
                       << c.expected << "' within the first " << c.within << ", got:" << seen;
  }
}

}  // namespace
}  // namespace limpide::search
