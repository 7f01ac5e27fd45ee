// Catalogue reads over a real SQLite store (the conformance suite checks the
// store calls on both engines).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "app/catalogue.h"
#include "app/ocds_import.h"
#include "store/store.h"
#include "store_fixture.h"

namespace limpide::app {
namespace {

namespace fs = std::filesystem;

class CatalogueTest : public StoreTest {
 protected:
  domain::Contract Put(const std::string& id, const std::string& source) {
    domain::Contract c;
    c.buyer_id = "21750001600019";
    c.id = id;
    c.uid = domain::MakeUid(c.buyer_id, c.id);
    c.source = source;
    auto txn = store_->BeginWrite();
    EXPECT_TRUE(txn.ok());
    EXPECT_TRUE((*txn)->UpsertContract(c).ok());
    EXPECT_TRUE((*txn)->Commit().ok());
    return c;
  }

};

TEST_F(CatalogueTest, AContractWithoutAStoredListHasItsOwnSourceOnly) {
  const domain::Contract c = Put("1", "decp \"2019\".json");
  const domain::Contract bare = Put("2", "");
  Catalogue cat(*store_);
  auto got = cat.GetContractWithSources(c.uid);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->contract, c);
  EXPECT_EQ(got->sources, R"([{"source":"decp \"2019\".json"}])");
  auto none = cat.GetContractWithSources(bare.uid);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->sources, "[]");
}

TEST_F(CatalogueTest, StoredSourcesFollowTheContractsOwnWhenTheyDoNotNameIt) {
  const domain::Contract c = Put("1", "a.json");
  {
    auto txn = store_->BeginWrite();
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE(AddContractSource(**txn, c.uid, {{"source", "b.json"}, {"format", "ocds"}}).ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  Catalogue cat(*store_);
  auto got = cat.GetContractWithSources(c.uid);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->sources, R"([{"source":"a.json"},{"format":"ocds","source":"b.json"}])");
  {
    auto txn = store_->BeginWrite();
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE(AddContractSource(**txn, c.uid, {{"source", "a.json"}, {"format", "decp"}}).ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  got = cat.GetContractWithSources(c.uid);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->sources,
            R"([{"format":"ocds","source":"b.json"},{"format":"decp","source":"a.json"}])");
}

TEST_F(CatalogueTest, ContractWithSourcesRefusesBadUidsAndReportsUnknownOnes) {
  Catalogue cat(*store_);
  EXPECT_EQ(cat.GetContractWithSources("").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(cat.GetContractWithSources(std::string(201, 'x')).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(cat.GetContractWithSources("nope").status().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace limpide::app
