// Runs the fuzz seed corpora (fuzz/corpus/*) through the readers under the
// normal compiler, so that every seed and every minimised crash kept there is a
// regression test (the libFuzzer targets themselves need clang).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "formats/contract_json.h"
#include "formats/csv.h"
#include "formats/decp.h"
#include "../../fuzz/ocds_fuzz.h"

namespace limpide::formats {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> CorpusFiles() {
  std::vector<fs::path> files;
  for (const auto& e :
       fs::recursive_directory_iterator(fs::path(LIMPIDE_SOURCE_DIR) / "fuzz/corpus")) {
    // The DECP readers' seeds (fuzz/corpus/decp_*); other targets test theirs.
    if (e.is_regular_file() && e.path().parent_path().filename().string().rfind("decp_", 0) == 0)
      files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

void CheckRecord(const DecpRecord& r, const std::string& where) {
  EXPECT_EQ(r.contract.has_value(), r.errors.empty()) << where;
  if (!r.contract) return;
  EXPECT_EQ(r.contract->uid, domain::MakeUid(r.contract->buyer_id, r.contract->id)) << where;
  EXPECT_NO_THROW((void)ContractToJson(*r.contract).dump()) << where;
  EXPECT_NO_THROW((void)CsvRow(*r.contract)) << where;
}

TEST(FuzzCorpus, HasSeedsForBothTargets) {
  const fs::path root = fs::path(LIMPIDE_SOURCE_DIR) / "fuzz/corpus";
  EXPECT_TRUE(fs::is_directory(root / "decp_json"));
  EXPECT_TRUE(fs::is_directory(root / "decp_xml"));
  EXPECT_GE(CorpusFiles().size(), 10u);
}

TEST(FuzzCorpus, EverySeedIsReadWithoutCrashAndKeepsTheInvariants) {
  for (const auto& path : CorpusFiles()) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream buffer;
    buffer << f.rdbuf();
    const std::string text = buffer.str();
    std::istringstream in(text);
    int64_t last = 0;
    const Status s = ReadDecp(in, "seed", [&](DecpRecord&& r) {
      EXPECT_EQ(r.position, last + 1) << path;
      last = r.position;
      CheckRecord(r, path.string());
      return Status::Ok();
    });
    if (!s.ok()) {
      EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument) << path;
      EXPECT_EQ(s.message().rfind("seed:", 0), 0u) << path << ": " << s.message();
    }
    // Files named broken-* are malformed on purpose.
    EXPECT_EQ(s.ok(), path.filename().string().rfind("broken-", 0) != 0)
        << path << ": " << s.ToString();
    if (path.extension() == ".json") {
      CheckRecord(ParseDecpJsonRecord(text, DecpFormat::kJson1, false, "seed"), path.string());
      CheckRecord(ParseDecpJsonRecord(text, DecpFormat::kJson2, true, "seed"), path.string());
    }
  }
}

// The OCDS seeds through the body of ocds_fuzz (which aborts on a broken
// invariant: reader order and errors, merge DOM == merge text, mapping).
TEST(FuzzCorpus, EveryOcdsSeedKeepsTheInvariants) {
  const fs::path root = fs::path(LIMPIDE_SOURCE_DIR) / "fuzz/corpus/ocds";
  int seeds = 0;
  for (const auto& e : fs::directory_iterator(root)) {
    std::ifstream f(e.path(), std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    fuzz::FuzzOcdsBytes(reinterpret_cast<const uint8_t*>(text.data()), text.size());
    ++seeds;
  }
  EXPECT_GE(seeds, 6);
}

// Found by decp_xml_fuzz: invalid UTF-8 in XML text made the extra JSON throw.
TEST(FuzzRegression, XmlWithInvalidUtf8IsRepairedAndFlagged) {
  std::istringstream in(
      "<marches><marche><id>1</id><acheteur><id>21350238800019</id></acheteur>"
      "<objet>caf\xE9</objet><ccag>Tr\xAEvaux</ccag></marche></marches>");
  std::vector<DecpRecord> records;
  ASSERT_TRUE(ReadDecp(in, "t.xml", [&](DecpRecord&& r) {
                records.push_back(std::move(r));
                return Status::Ok();
              }).ok());
  ASSERT_EQ(records.size(), 1u);
  ASSERT_TRUE(records[0].contract.has_value());
  const auto& c = *records[0].contract;
  EXPECT_EQ(c.object, "caf\xEF\xBF\xBD");
  EXPECT_NE(std::find(c.flags.begin(), c.flags.end(), "text_invalid_utf8"), c.flags.end());
  EXPECT_EQ(c.extra_json, "{\"ccag\":\"Tr\xEF\xBF\xBDvaux\"}");
}

}  // namespace
}  // namespace limpide::formats
