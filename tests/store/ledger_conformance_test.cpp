// The ledger half of the Store conformance suite: every engine must keep an
// append-only, gapless ledger whose stored subtree hashes agree with an
// in-memory Merkle tree of the same leaves. Written against store/store.h.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "engines.h"
#include "ledger/entry.h"
#include "ledger/merkle.h"
#include "store/store.h"

namespace limpide::store {
namespace {

using testing::Engine;

class LedgerConformance : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    url_ = GetParam().new_url();
    store_ = Open();
  }
  void TearDown() override {
    store_.reset();
    GetParam().remove(url_);
  }
  std::unique_ptr<Store> Open() {
    auto s = OpenStore(url_);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(*s) : nullptr;
  }
  // Appends `n` entries numbered from `first` in one transaction.
  static void Append(Store& store, int first, int n) {
    auto txn = store.BeginWrite();
    ASSERT_TRUE(txn.ok()) << txn.status().ToString();
    for (int i = first; i < first + n; ++i) {
      auto seq = (*txn)->AppendToLedger(
          {"test.event", "subject-" + std::to_string(i), R"({"n":)" + std::to_string(i) + "}"});
      ASSERT_TRUE(seq.ok()) << seq.status().ToString();
    }
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  // Every entry, checked for density, decoded.
  std::vector<LedgerRecord> All(Store& store) {
    auto size = store.LedgerSize();
    EXPECT_TRUE(size.ok());
    auto entries = store.LedgerEntries(0, *size);
    EXPECT_TRUE(entries.ok());
    for (size_t i = 0; i < entries->size(); ++i) EXPECT_EQ((*entries)[i].seq, i);
    return *entries;
  }
  ledger::NodeReader Reader(Store& store) {
    return [&store](const std::vector<ledger::NodeId>& ids) { return store.LedgerNodes(ids); };
  }

  std::string url_;
  std::unique_ptr<Store> store_;
};

TEST_P(LedgerConformance, EmptyLedger) {
  auto size = store_->LedgerSize();
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(*size, 0u);
  auto root = ledger::RootHash(0, Reader(*store_));
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(*root, ledger::EmptyRoot());
}

TEST_P(LedgerConformance, EntriesAreDenseCanonicalAndHashed) {
  Append(*store_, 0, 5);
  Append(*store_, 5, 8);
  const auto entries = All(*store_);
  ASSERT_EQ(entries.size(), 13u);
  std::string previous_time;
  for (const auto& r : entries) {
    EXPECT_EQ(r.leaf_hash, ledger::LeafHash(r.entry));
    auto e = ledger::DecodeEntry(r.entry);
    ASSERT_TRUE(e.ok()) << e.status().ToString() << " in " << r.entry;
    EXPECT_EQ(e->seq, r.seq);
    EXPECT_EQ(e->kind, "test.event");
    EXPECT_EQ(e->subject, "subject-" + std::to_string(r.seq));
    EXPECT_EQ(e->body["n"], static_cast<int>(r.seq));
    EXPECT_EQ(e->time, r.time);
    EXPECT_GE(r.time, previous_time);  // never goes back
    previous_time = r.time;
  }
}

TEST_P(LedgerConformance, StoredNodesGiveTheRootOfAnInMemoryTree) {
  std::vector<crypto::Hash> leaves;
  for (int batch = 0; batch < 9; ++batch) {
    Append(*store_, static_cast<int>(leaves.size()), batch + 1);
    for (const auto& r : All(*store_)) {
      if (r.seq >= leaves.size()) leaves.push_back(r.leaf_hash);
    }
    for (uint64_t size = 1; size <= leaves.size(); ++size) {
      auto root = ledger::RootHash(size, Reader(*store_));
      ASSERT_TRUE(root.ok()) << root.status().ToString();
      EXPECT_EQ(*root, ledger::RootOf({leaves.begin(), leaves.begin() + size})) << size;
    }
  }
  // Proofs from stored nodes verify against those roots.
  const uint64_t n = leaves.size();
  const auto root = ledger::RootOf(leaves);
  for (uint64_t i = 0; i < n; ++i) {
    auto proof = ledger::InclusionProof(i, n, Reader(*store_));
    ASSERT_TRUE(proof.ok());
    EXPECT_TRUE(ledger::VerifyInclusion(leaves[i], i, n, *proof, root).ok()) << i;
  }
  for (uint64_t m = 1; m <= n; ++m) {
    auto proof = ledger::ConsistencyProof(m, n, Reader(*store_));
    ASSERT_TRUE(proof.ok());
    EXPECT_TRUE(ledger::VerifyConsistency(
                    m, n, *proof, ledger::RootOf({leaves.begin(), leaves.begin() + m}), root)
                    .ok())
        << m;
  }
}

TEST_P(LedgerConformance, NodesBeyondTheLedgerAreNotFound) {
  Append(*store_, 0, 3);
  auto r = store_->LedgerNodes({{0, 3}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kNotFound);
  auto entries = store_->LedgerEntries(2, 100);
  ASSERT_TRUE(entries.ok());
  EXPECT_EQ(entries->size(), 1u);
  entries = store_->LedgerEntries(5, 2);
  ASSERT_TRUE(entries.ok());
  EXPECT_TRUE(entries->empty());
}

TEST_P(LedgerConformance, RollbackAppendsNothing) {
  Append(*store_, 0, 2);
  {
    auto txn = store_->BeginWrite();
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE((*txn)->AppendToLedger({"test.event", "lost", "{}"}).ok());
    // destroyed without Commit
  }
  EXPECT_EQ(*store_->LedgerSize(), 2u);
  Append(*store_, 2, 2);  // the next append reuses position 2
  const auto entries = All(*store_);
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries[2].subject, "subject-2");
  EXPECT_EQ(*ledger::RootHash(4, Reader(*store_)),
            ledger::RootOf({entries[0].leaf_hash, entries[1].leaf_hash, entries[2].leaf_hash,
                            entries[3].leaf_hash}));
}

TEST_P(LedgerConformance, BadEntriesAreRefused) {
  auto txn = store_->BeginWrite();
  ASSERT_TRUE(txn.ok());
  for (const LedgerAppend& bad : std::vector<LedgerAppend>{{"k", "s", "not json"},
                                                           {"k", "s", "[1,2]"},
                                                           {"k", "s", R"({"amount":1.5})"},
                                                           {"", "s", "{}"},
                                                           {"k", "", "{}"}}) {
    auto r = (*txn)->AppendToLedger(bad);
    EXPECT_FALSE(r.ok()) << bad.body;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument) << bad.body;
    }
  }
}

TEST_P(LedgerConformance, TwoStoresOnOneDatabaseKeepOneLinearLedger) {
  // Two handles on the same store (as two processes, or two nodes) take turns
  // writing; each must pick up the other's appends.
  auto other = Open();
  ASSERT_TRUE(other);
  Append(*store_, 0, 3);
  Append(*other, 3, 4);
  Append(*store_, 7, 1);
  Append(*other, 8, 9);
  const auto entries = All(*store_);
  ASSERT_EQ(entries.size(), 17u);
  std::vector<crypto::Hash> leaves;
  for (const auto& r : entries) {
    EXPECT_EQ(r.subject, "subject-" + std::to_string(r.seq));
    leaves.push_back(r.leaf_hash);
  }
  EXPECT_EQ(*ledger::RootHash(17, Reader(*other)), ledger::RootOf(leaves));
}

TEST_P(LedgerConformance, ReopenContinuesTheSameTree) {
  Append(*store_, 0, 6);
  store_.reset();
  store_ = Open();
  Append(*store_, 6, 7);
  std::vector<crypto::Hash> leaves;
  for (const auto& r : All(*store_)) leaves.push_back(r.leaf_hash);
  EXPECT_EQ(*ledger::RootHash(13, Reader(*store_)), ledger::RootOf(leaves));
}

TEST_P(LedgerConformance, ReadersSeeWholeTransactionsOnly) {
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int b = 0; b < 30; ++b) Append(*store_, b * 5, 5);
    done = true;
  });
  while (!done) {
    auto size = store_->LedgerSize();
    ASSERT_TRUE(size.ok());
    EXPECT_EQ(*size % 5, 0u);
    auto root = ledger::RootHash(*size, Reader(*store_));
    EXPECT_TRUE(root.ok()) << root.status().ToString();
  }
  writer.join();
  EXPECT_EQ(All(*store_).size(), 150u);
}

INSTANTIATE_TEST_SUITE_P(Engines, LedgerConformance, ::testing::ValuesIn(testing::AllEngines()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace limpide::store
