// A store and a search index in a temporary directory, for the search tests.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "formats/contract_json.h"
#include "search/follower.h"
#include "search/search.h"
#include "store/store.h"

namespace limpide::search {

inline domain::Contract MakeContract(const std::string& id, const std::string& object) {
  domain::Contract c;
  c.buyer_id = "21440109300015";
  c.buyer_name = "Ville de Nantes";
  c.id = id;
  c.uid = domain::MakeUid(c.buyer_id, c.id);
  c.object = object;
  c.schema_version = "1";
  c.source = "test";
  return c;
}

class SearchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("limpide-search-" +
            std::string(::testing::UnitTest::GetInstance()->current_test_suite()->name()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto store = store::OpenStore("sqlite:" + (dir_ / "t.db").string());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    OpenIndex();
  }
  void TearDown() override {
    index_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void OpenIndex() {
    index_.reset();
    auto index = Index::Open((dir_ / "search").string());
    ASSERT_TRUE(index.ok()) << index.status().ToString();
    index_ = std::move(*index);
  }
  // Writes the contracts with their ledger entries, as the importer does.
  void Put(const std::vector<domain::Contract>& contracts) {
    auto txn = store_->BeginWrite();
    ASSERT_TRUE(txn.ok());
    for (const auto& c : contracts) {
      auto outcome = (*txn)->UpsertContract(c);
      ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
      if (*outcome == store::UpsertOutcome::kUnchanged) continue;
      // As app::ContractEvent writes it.
      const char* kind =
          *outcome == store::UpsertOutcome::kInserted ? "contract.created" : "contract.updated";
      ASSERT_TRUE((*txn)->AppendToLedger({kind, c.uid, formats::ContractLedgerText(c)}).ok());
    }
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  uint64_t CatchUp(uint64_t max = UINT64_MAX, uint64_t batch = 3) {
    Follower follower(*store_, *index_, FollowerOptions{.batch = batch});
    auto pos = follower.CatchUp(max);
    EXPECT_TRUE(pos.ok()) << pos.status().ToString();
    return pos.ok() ? *pos : 0;
  }
  SearchResults Find(SearchQuery q) {
    auto r = index_->Search(q);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : SearchResults{};
  }
  SearchResults Find(const std::string& text) {
    SearchQuery q;
    q.text = text;
    return Find(q);
  }
  static std::vector<std::string> Ids(const SearchResults& r) {
    std::vector<std::string> out;
    for (const auto& h : r.hits) out.push_back(h.document.uid.substr(14));  // after the SIRET
    return out;
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Index> index_;
};

}  // namespace limpide::search
