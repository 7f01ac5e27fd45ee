#include "app/bulk.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/importer.h"
#include "crypto/crypto.h"
#include "store_fixture.h"

namespace limpide::app {
namespace {

namespace fs = std::filesystem;

const std::string kExamples = std::string(LIMPIDE_SHARED_DATA) + "/decp/examples-2.0/";

std::string Slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The content of a gzip file (every member), or "<bad gzip>".
std::string Gunzip(const std::string& gz) {
  z_stream z{};
  if (inflateInit2(&z, 15 + 16) != Z_OK) return "<bad gzip>";
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
  z.avail_in = static_cast<uInt>(gz.size());
  std::string out;
  char buf[1 << 16];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) break;
    out.append(buf, sizeof buf - z.avail_out);
  }
  inflateEnd(&z);
  return rc == Z_STREAM_END && z.avail_in == 0 ? out : "<bad gzip>";
}

domain::Instant Now() {
  return domain::Instant{std::chrono::duration_cast<std::chrono::microseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count()};
}

class BulkTest : public StoreTest {
 protected:
  void Import(const std::string& file) {
    Importer importer(*store_);
    auto report = importer.Import({file}, {});
    ASSERT_TRUE(report.ok()) << report.status().ToString();
  }
  std::string BulkDir() const { return (dir_ / "bulk").string(); }

};

TEST_F(BulkTest, AFullDumpHoldsEveryContractInThreeFormatsWithTheirChecksums) {
  Import(kExamples + "json/marches_avec_modifications.json");
  BulkPublisher publisher(*store_, BulkDir());
  auto set = publisher.CutFull(Now());
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  auto size = store_->LedgerSize();
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(set->head_size, *size);
  EXPECT_EQ(set->dir, "full/" + std::to_string(*size));
  EXPECT_EQ(set->head_root.size(), 64u);
  ASSERT_EQ(set->files.size(), 3u);
  for (const BulkFile& f : set->files) {
    const std::string bytes = Slurp(fs::path(BulkDir()) / set->dir / f.name);
    EXPECT_EQ(f.size, static_cast<int64_t>(bytes.size())) << f.name;
    EXPECT_EQ(f.sha256, crypto::ToHex(crypto::Sha256(bytes))) << f.name;
    EXPECT_EQ(Slurp(fs::path(BulkDir()) / set->dir / (f.name + ".sha256")),
              f.sha256 + "  " + f.name + "\n");
    EXPECT_EQ(f.records, 2) << f.name;
    // Its gzip copy: the same bytes once decompressed, with its own size and checksum.
    const std::string gz = Slurp(fs::path(BulkDir()) / set->dir / (f.name + ".gz"));
    EXPECT_EQ(Gunzip(gz), bytes) << f.name;
    EXPECT_EQ(f.gz_size, static_cast<int64_t>(gz.size())) << f.name;
    EXPECT_EQ(f.gz_sha256, crypto::ToHex(crypto::Sha256(gz))) << f.name;
    EXPECT_EQ(Slurp(fs::path(BulkDir()) / set->dir / (f.name + ".gz.sha256")),
              f.gz_sha256 + "  " + f.name + ".gz\n");
  }
  EXPECT_GE(set->files[1].lines, 2);  // one release per contract, plus its modifications
  // No temporary directory is left behind.
  for (const auto& e : fs::directory_iterator(BulkDir()))
    EXPECT_NE(e.path().filename().string().rfind(".tmp", 0), 0u) << e.path();
}

TEST_F(BulkTest, TheManifestReadsBackAsWritten) {
  Import(kExamples + "json/concessions.json");
  BulkPublisher publisher(*store_, BulkDir());
  auto set = publisher.CutFull(Now());
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  auto back = ReadBulkSet(BulkDir(), set->dir);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(BulkSetJson(*back), BulkSetJson(*set));
  auto index = publisher.Index();
  ASSERT_TRUE(index.ok());
  ASSERT_TRUE(index->full.has_value());
  EXPECT_EQ(BulkSetJson(*index->full), BulkSetJson(*set));
  EXPECT_FALSE(BulkSetFromJson("{\"kind\":\"full\"}").ok());
  EXPECT_FALSE(BulkSetFromJson("not json").ok());
  // A manifest written before the gzip copies reads as a set without them.
  nlohmann::json old = nlohmann::json::parse(BulkSetJson(*set));
  for (auto& f : old["files"]) f.erase("gzip");
  auto without = BulkSetFromJson(old.dump());
  ASSERT_TRUE(without.ok()) << without.status().ToString();
  EXPECT_TRUE(without->files[0].gz_sha256.empty());
  EXPECT_EQ(without->files[0].sha256, set->files[0].sha256);
}

TEST_F(BulkTest, ANewFullDumpReplacesTheOldOneWhenTheLedgerGrew) {
  Import(kExamples + "json/concessions.json");
  BulkPublisher publisher(*store_, BulkDir());
  auto first = publisher.CutFull(Now());
  ASSERT_TRUE(first.ok());
  Import(kExamples + "json/marches_avec_modifications.json");
  auto second = publisher.CutFull(Now());
  ASSERT_TRUE(second.ok());
  EXPECT_GT(second->head_size, first->head_size);
  EXPECT_FALSE(fs::exists(fs::path(BulkDir()) / first->dir));
  // The same contracts cut again give the same bytes, gzip copies included
  // (no time or name in their header).
  auto third = publisher.CutFull(Now());
  ASSERT_TRUE(third.ok());
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(third->files[i].sha256, second->files[i].sha256);
    EXPECT_EQ(third->files[i].gz_sha256, second->files[i].gz_sha256);
    EXPECT_LT(second->files[i].gz_size, second->files[i].size);
  }
  EXPECT_TRUE(fs::exists(fs::path(BulkDir()) / second->dir / "decp.json"));
  EXPECT_EQ(publisher.Index()->full->dir, second->dir);
}

TEST_F(BulkTest, TodayCannotBeCutAndRunDueCutsOnlyOnceADay) {
  Import(kExamples + "json/concessions.json");
  BulkPublisher publisher(*store_, BulkDir());
  const domain::Instant now = Now();
  auto today = publisher.CutDay(domain::ParisDate(now), now);
  EXPECT_EQ(today.status().code(), ErrorCode::kFailedPrecondition);
  // Today's changes: no day is over yet, so RunDue cuts the first full dump only.
  auto run = publisher.RunDue(now);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  ASSERT_EQ(run->cut.size(), 1u);
  EXPECT_FALSE(run->cut[0].daily);
  auto again = publisher.RunDue(now);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->cut.empty());
  // Tomorrow: today's delta, and a new full dump only if the ledger grew (it did not).
  const domain::Instant tomorrow{now.micros + 86'400'000'000};
  auto next = publisher.RunDue(tomorrow);
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  ASSERT_EQ(next->cut.size(), 1u);
  EXPECT_TRUE(next->cut[0].daily);
  EXPECT_EQ(next->cut[0].day, domain::FormatDate(domain::ParisDate(now)));
  EXPECT_EQ(next->cut[0].from, 0u);
  EXPECT_EQ(next->cut[0].to, *store_->LedgerSize());
}

TEST_F(BulkTest, AnEmptyStoreGivesEmptyButWellFormedFiles) {
  BulkPublisher publisher(*store_, BulkDir());
  auto set = publisher.CutFull(Now());
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  const fs::path d = fs::path(BulkDir()) / set->dir;
  nlohmann::json doc;
  EXPECT_NO_THROW(doc = nlohmann::json::parse(Slurp(d / "decp.json")));
  EXPECT_TRUE(doc.is_object());
  EXPECT_EQ(Slurp(d / "ocds.jsonl"), "");
  EXPECT_FALSE(Slurp(d / "contracts.csv").empty());  // the header
  EXPECT_EQ(set->head_size, 0u);
}

}  // namespace
}  // namespace limpide::app
