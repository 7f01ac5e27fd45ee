// What `limpide copy` and the scheduler need of every engine: verbatim copies
// of ledger entries, objects and organization names, whole-store listings and
// counts, and leases shared by every handle on the same store. Written against
// store/store.h only; runs on SQLite and PostgreSQL.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "engines.h"
#include "ledger/merkle.h"
#include "store/store.h"

namespace limpide::store {
namespace {

using testing::Engine;

class CopyConformance : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    source_url_ = GetParam().new_url();
    dest_url_ = GetParam().new_url();
    source_ = Open(source_url_);
    dest_ = Open(dest_url_);
  }
  void TearDown() override {
    source_.reset();
    dest_.reset();
    GetParam().remove(source_url_);
    GetParam().remove(dest_url_);
  }
  static std::unique_ptr<Store> Open(const std::string& url) {
    auto s = OpenStore(url);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(*s) : nullptr;
  }
  static void Append(Store& store, int n) {
    auto txn = store.BeginWrite();
    ASSERT_TRUE(txn.ok());
    for (int i = 0; i < n; ++i) {
      ASSERT_TRUE((*txn)
                      ->AppendToLedger({"test.event", "s-" + std::to_string(i),
                                        R"({"n":)" + std::to_string(i) + "}"})
                      .ok());
    }
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  static crypto::Hash Root(Store& store) {
    auto size = store.LedgerSize();
    EXPECT_TRUE(size.ok());
    auto root = ledger::RootHash(*size, [&store](const std::vector<ledger::NodeId>& ids) {
      return store.LedgerNodes(ids);
    });
    EXPECT_TRUE(root.ok()) << root.status().ToString();
    return *root;
  }
  std::vector<LedgerRecord> SourceEntries() {
    auto size = source_->LedgerSize();
    auto all = source_->LedgerEntries(0, *size);
    EXPECT_TRUE(all.ok());
    return *all;
  }

  std::string source_url_, dest_url_;
  std::unique_ptr<Store> source_, dest_;
};

TEST_P(CopyConformance, CopiedLedgerEntriesKeepTheirBytesTimesAndRoot) {
  Append(*source_, 13);  // not a power of two: the root needs a partial right edge
  const auto entries = SourceEntries();
  ASSERT_EQ(entries.size(), 13u);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));  // the copy is later than the times
  {
    auto txn = dest_->BeginWrite();
    ASSERT_TRUE(txn.ok());
    for (const auto& r : entries) {
      Status st = (*txn)->CopyLedgerEntry(r);
      ASSERT_TRUE(st.ok()) << st.ToString();
    }
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  auto copied = dest_->LedgerEntries(0, 13);
  ASSERT_TRUE(copied.ok());
  for (size_t i = 0; i < entries.size(); ++i) {
    EXPECT_EQ((*copied)[i].entry, entries[i].entry);
    EXPECT_EQ((*copied)[i].time, entries[i].time);
    EXPECT_EQ((*copied)[i].leaf_hash, entries[i].leaf_hash);
  }
  EXPECT_EQ(Root(*dest_), Root(*source_));
  EXPECT_EQ(dest_->Count()->ledger_nodes, source_->Count()->ledger_nodes);
  // Appending after a copy goes on from the copied tail.
  Append(*dest_, 1);
  EXPECT_EQ(*dest_->LedgerSize(), 14u);
}

TEST_P(CopyConformance, ACopiedEntryOutOfPlaceOrTamperedIsRefusedAndRolledBack) {
  Append(*source_, 3);
  const auto entries = SourceEntries();
  auto txn = dest_->BeginWrite();
  ASSERT_TRUE(txn.ok());
  // Entry 1 before entry 0.
  EXPECT_EQ((*txn)->CopyLedgerEntry(entries[1]).code(), ErrorCode::kFailedPrecondition);
  // A leaf hash that is not that of the bytes.
  LedgerRecord forged = entries[0];
  forged.leaf_hash[0] ^= 1;
  EXPECT_EQ((*txn)->CopyLedgerEntry(forged).code(), ErrorCode::kInvalidArgument);
  // Bytes that are not an entry, with their own leaf hash.
  forged = entries[0];
  forged.entry = "not json";
  forged.leaf_hash = ledger::LeafHash(forged.entry);
  EXPECT_EQ((*txn)->CopyLedgerEntry(forged).code(), ErrorCode::kInvalidArgument);
  // The entry of seq 1 given as seq 0.
  forged = entries[1];
  forged.seq = 0;
  EXPECT_EQ((*txn)->CopyLedgerEntry(forged).code(), ErrorCode::kInvalidArgument);
  ASSERT_TRUE((*txn)->CopyLedgerEntry(entries[0]).ok());
  // A time earlier than the last entry's.
  forged = entries[1];
  forged.time = "2000-01-01T00:00:00.000Z";
  EXPECT_EQ((*txn)->CopyLedgerEntry(forged).code(), ErrorCode::kFailedPrecondition);
  txn->reset();  // rolled back
  EXPECT_EQ(*dest_->LedgerSize(), 0u);
}

TEST_P(CopyConformance, CopiedObjectsKeepVersionAndTimeAndNeverOverwrite) {
  {
    auto txn = source_->BeginWrite();
    ASSERT_TRUE((*txn)->PutObject("user", "u-1", R"({"name":"Aline"})", 0).ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  {
    auto txn = source_->BeginWrite();
    ASSERT_TRUE((*txn)->PutObject("user", "u-1", R"({"name":"Aline M."})", 1).ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  const StoredObject original = *source_->GetObject("user", "u-1");
  ASSERT_EQ(original.version, 2);
  {
    auto txn = dest_->BeginWrite();
    ASSERT_TRUE((*txn)->CopyObject(original).ok());
    EXPECT_EQ((*txn)->CopyObject(original).code(), ErrorCode::kConflict);
    StoredObject bad = original;
    bad.id = "u-2";
    bad.version = 0;
    EXPECT_EQ((*txn)->CopyObject(bad).code(), ErrorCode::kInvalidArgument);
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  auto copied = dest_->GetObject("user", "u-1");
  ASSERT_TRUE(copied.ok());
  EXPECT_EQ(copied->version, 2);
  EXPECT_EQ(copied->updated, original.updated);
  EXPECT_EQ(copied->body, original.body);
  // The next write goes on from the copied version.
  auto txn = dest_->BeginWrite();
  EXPECT_EQ(*(*txn)->PutObject("user", "u-1", R"({"name":"A"})", 2), 3);
}

TEST_P(CopyConformance, OrganizationsAreListedInIdOrderAndTheirNamesCopiedAsTheyAre) {
  {
    auto txn = dest_->BeginWrite();
    for (int i = 0; i < 5; ++i) {
      ASSERT_TRUE(
          (*txn)->CopyOrganizationName({"org-" + std::to_string(i), "Name " + std::to_string(i)})
              .ok());
    }
    // A second write replaces the name, even by an empty one.
    ASSERT_TRUE((*txn)->CopyOrganizationName({"org-3", ""}).ok());
    EXPECT_EQ((*txn)->CopyOrganizationName({"", "x"}).code(), ErrorCode::kInvalidArgument);
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  std::vector<OrganizationName> all;
  PageRequest page{"", 2};
  for (;;) {
    auto got = dest_->ListOrganizations(page);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    all.insert(all.end(), got->items.begin(), got->items.end());
    if (got->next.empty()) break;
    page.after = got->next;
  }
  ASSERT_EQ(all.size(), 5u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(all[i].id, "org-" + std::to_string(i));
  EXPECT_EQ(all[3].name, "");
  EXPECT_EQ(all[4].name, "Name 4");
  EXPECT_EQ(dest_->ListOrganizations({"not a cursor", 2}).status().code(),
            ErrorCode::kInvalidArgument);
}

TEST_P(CopyConformance, BlobsAreListedInHashOrderPageByPage) {
  std::vector<crypto::Hash> hashes;
  {
    auto txn = source_->BeginWrite();
    for (int i = 0; i < 7; ++i) hashes.push_back(*(*txn)->PutBlob("blob " + std::to_string(i)));
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  std::sort(hashes.begin(), hashes.end());
  std::vector<crypto::Hash> listed;
  std::optional<crypto::Hash> after;
  for (;;) {
    auto got = source_->ListBlobs(after, 3);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    if (got->empty()) break;
    listed.insert(listed.end(), got->begin(), got->end());
    after = got->back();
  }
  EXPECT_EQ(listed, hashes);
  EXPECT_EQ(source_->ListBlobs(std::nullopt, 0).status().code(), ErrorCode::kInvalidArgument);
}

TEST_P(CopyConformance, CountSaysHowManyRowsEachTableAndKindHolds) {
  auto empty = dest_->Count();
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_EQ(empty->contracts + empty->organizations + empty->ledger_entries + empty->blobs, 0);
  EXPECT_TRUE(empty->objects.empty());
  Append(*source_, 4);
  {
    auto txn = source_->BeginWrite();
    ASSERT_TRUE((*txn)->PutObject("user", "a", "{}", 0).ok());
    ASSERT_TRUE((*txn)->PutObject("user", "b", "{}", 0).ok());
    ASSERT_TRUE((*txn)->PutObject("token", "a", "{}", 0).ok());
    ASSERT_TRUE((*txn)->PutBlob("12345").ok());
    ASSERT_TRUE((*txn)->CopyOrganizationName({"o", "O"}).ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  auto inv = source_->Count();
  ASSERT_TRUE(inv.ok()) << inv.status().ToString();
  EXPECT_EQ(inv->ledger_entries, 4);
  EXPECT_EQ(inv->ledger_nodes, 3);  // levels 1 (two) and 2 (one)
  EXPECT_EQ(inv->organizations, 1);
  EXPECT_EQ(inv->blobs, 1);
  EXPECT_EQ(inv->blob_bytes, 5);
  using Kinds = std::vector<std::pair<std::string, int64_t>>;
  EXPECT_EQ(inv->objects, (Kinds{{"token", 1}, {"user", 2}}));
}

TEST_P(CopyConformance, ALeaseHasOneHolderUntilItExpiresOrIsReleased) {
  // Two handles on one store: two nodes.
  auto other = Open(source_url_);
  ASSERT_TRUE(other);
  EXPECT_EQ(*source_->TryLease("job", "node-a", 60'000), true);
  EXPECT_EQ(*other->TryLease("job", "node-b", 60'000), false);
  EXPECT_EQ(*source_->TryLease("job", "node-a", 60'000), true);  // renewed
  // Leases are independent by name.
  EXPECT_EQ(*other->TryLease("another-job", "node-b", 60'000), true);
  // Released: the other takes it at once.
  ASSERT_TRUE(source_->ReleaseLease("job", "node-a").ok());
  EXPECT_EQ(*other->TryLease("job", "node-b", 200), true);
  // Releasing a lease one does not hold changes nothing.
  ASSERT_TRUE(source_->ReleaseLease("job", "node-a").ok());
  EXPECT_EQ(*source_->TryLease("job", "node-a", 60'000), false);
  // Expired: another holder takes it.
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  EXPECT_EQ(*source_->TryLease("job", "node-a", 60'000), true);
  EXPECT_EQ(*other->TryLease("job", "node-b", 60'000), false);
  EXPECT_EQ(source_->TryLease("", "node-a", 1000).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(source_->TryLease("job", "node-a", 0).status().code(), ErrorCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Engines, CopyConformance, ::testing::ValuesIn(testing::AllEngines()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace limpide::store
