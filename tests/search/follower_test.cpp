#include "search/follower.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "search_fixture.h"

namespace limpide::search {
namespace {

using ::testing::ElementsAre;

class FollowerTest : public SearchTest {
 protected:
  // Ten contracts, then five of them updated: fifteen ledger entries, ten
  // documents.
  void PutLedger() {
    std::vector<domain::Contract> batch;
    for (int i = 0; i < 10; ++i) batch.push_back(MakeContract("C" + std::to_string(i), "Voirie"));
    Put(batch);
    batch.resize(5);
    for (auto& c : batch) c.object = "Éclairage public";
    Put(batch);
    ASSERT_EQ(*store_->LedgerSize(), 15u);
  }
  int64_t Count(const std::string& text) { return Find(text).total; }
};

TEST_F(FollowerTest, IndexesTheWholeLedgerInBatches) {
  PutLedger();
  EXPECT_EQ(CatchUp(), 15u);
  EXPECT_EQ(*index_->Position(), 15u);
  EXPECT_EQ(*index_->DocumentCount(), 10u);
  EXPECT_EQ(Count("voirie"), 5);
  EXPECT_EQ(Count("eclairage"), 5);
}

TEST_F(FollowerTest, ARestartResumesFromTheCommittedPosition) {
  PutLedger();
  EXPECT_EQ(CatchUp(7), 7u);  // batches of 3: commits at 3, 6, 7
  EXPECT_EQ(*index_->DocumentCount(), 7u);
  OpenIndex();  // as after a restart
  EXPECT_EQ(*index_->Position(), 7u);
  EXPECT_EQ(CatchUp(), 15u);
  EXPECT_EQ(*index_->DocumentCount(), 10u);
  EXPECT_EQ(Count("voirie"), 5);
  EXPECT_EQ(Count("eclairage"), 5);
}

TEST_F(FollowerTest, ReapplyingEntriesChangesNothing) {
  PutLedger();
  EXPECT_EQ(CatchUp(), 15u);
  auto all = store_->LedgerEntries(0, 15);
  ASSERT_TRUE(all.ok());
  // As if the documents of a batch had been committed without the position:
  // the same entries come again.
  ASSERT_TRUE(index_->Apply(*all).ok());
  ASSERT_TRUE(index_->Apply({all->begin() + 4, all->begin() + 9}).ok());
  EXPECT_EQ(*index_->Position(), 15u);
  EXPECT_EQ(*index_->DocumentCount(), 10u);
  // Entry 9's contract was updated by entry 14: re-applying 4..8 brought the
  // old objects back until the entries after them are applied again.
  ASSERT_TRUE(index_->Apply({all->begin() + 9, all->end()}).ok());
  EXPECT_EQ(Count("voirie"), 5);
  EXPECT_EQ(Count("eclairage"), 5);
}

TEST_F(FollowerTest, AGapIsRefused) {
  PutLedger();
  auto later = store_->LedgerEntries(5, 10);
  ASSERT_TRUE(later.ok());
  Status st = index_->Apply(*later);
  EXPECT_EQ(st.code(), ErrorCode::kFailedPrecondition) << st.ToString();
  EXPECT_EQ(*index_->Position(), 0u);
}

TEST_F(FollowerTest, OtherKindsAreSkippedButCounted) {
  auto txn = store_->BeginWrite();
  ASSERT_TRUE(txn.ok());
  // A kind search does not index: skipped, not counted.
  ASSERT_TRUE((*txn)->AppendToLedger({"other.kind", "O-1", R"({"title":"x"})"}).ok());
  // Kinds it indexes, with unreadable bodies: skipped and counted.
  ASSERT_TRUE((*txn)->AppendToLedger({"tender.published", "T-1", R"({"title":"no id"})"}).ok());
  ASSERT_TRUE(
      (*txn)->AppendToLedger({"contract.created", "broken", R"({"object":"no uid"})"}).ok());
  ASSERT_TRUE((*txn)->Commit().ok());
  Put({MakeContract("A", "Voirie")});
  EXPECT_EQ(CatchUp(), 4u);
  EXPECT_EQ(*index_->DocumentCount(), 1u);
  EXPECT_EQ(index_->skipped(), 2);
}

TEST_F(FollowerTest, TheBackgroundThreadFollowsNewEntries) {
  Follower follower(*store_, *index_,
                    FollowerOptions{.batch = 100, .poll = std::chrono::milliseconds(20)});
  follower.Start();
  PutLedger();
  follower.Poke();
  for (int i = 0; i < 250 && *index_->Position() < 15; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(*index_->Position(), 15u);
  // Searches see the new commits while the follower runs.
  EXPECT_EQ(Count("eclairage"), 5);
  follower.Stop();
}

}  // namespace
}  // namespace limpide::search
