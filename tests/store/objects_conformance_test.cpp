// The objects-and-blobs half of the Store conformance suite: versioned JSON
// objects with optimistic concurrency, prefix listings, immutable blobs, all
// inside write transactions that roll back as a whole. Written against
// store/store.h only.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "crypto/crypto.h"
#include "engines.h"
#include "store/store.h"

namespace limpide::store {
namespace {

using testing::Engine;

class ObjectsConformance : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    url_ = GetParam().new_url();
    auto s = OpenStore(url_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
  }
  void TearDown() override {
    store_.reset();
    GetParam().remove(url_);
  }
  // Puts one object in its own transaction; returns the new version or the error.
  Result<int64_t> Put(std::string_view kind, std::string_view id, std::string_view body,
                      int64_t expected) {
    auto txn = store_->BeginWrite();
    if (!txn.ok()) return txn.status();
    auto v = (*txn)->PutObject(kind, id, body, expected);
    if (!v.ok()) return v.status();
    LIMPIDE_RETURN_IF_ERROR((*txn)->Commit());
    return *v;
  }

  std::string url_;
  std::unique_ptr<Store> store_;
};

TEST_P(ObjectsConformance, CreateReadUpdate) {
  auto v1 = Put("tender", "t-1", R"({"title":"Élagage"})", 0);
  ASSERT_TRUE(v1.ok()) << v1.status().ToString();
  EXPECT_EQ(*v1, 1);
  auto got = store_->GetObject("tender", "t-1");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->kind, "tender");
  EXPECT_EQ(got->id, "t-1");
  EXPECT_EQ(got->version, 1);
  EXPECT_EQ(got->body, R"({"title":"Élagage"})");
  EXPECT_EQ(got->updated.size(), 24u) << got->updated;  // 2026-11-29T06:00:00.000Z
  EXPECT_EQ(got->updated.back(), 'Z');

  auto v2 = Put("tender", "t-1", R"({"title":"Élagage des arbres"})", 1);
  ASSERT_TRUE(v2.ok()) << v2.status().ToString();
  EXPECT_EQ(*v2, 2);
  got = store_->GetObject("tender", "t-1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->version, 2);
  EXPECT_EQ(got->body, R"({"title":"Élagage des arbres"})");
}

TEST_P(ObjectsConformance, DeleteRemovesAndAbsentIsNotFound) {
  ASSERT_TRUE(Put("due", "2026/t-1", "{}", 0).ok());
  ASSERT_TRUE(Put("due", "2026/t-2", "{}", 0).ok());
  {
    auto txn = store_->BeginWrite();
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE((*txn)->DeleteObject("due", "2026/t-1").ok());
    // The transaction sees its own delete.
    EXPECT_EQ((*txn)->GetObject("due", "2026/t-1").status().code(), ErrorCode::kNotFound);
    EXPECT_EQ((*txn)->DeleteObject("due", "2026/t-1").code(), ErrorCode::kNotFound);
    EXPECT_EQ((*txn)->DeleteObject("other", "2026/t-2").code(), ErrorCode::kNotFound);
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  EXPECT_EQ(store_->GetObject("due", "2026/t-1").status().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(store_->GetObject("due", "2026/t-2").ok());
  auto page = store_->ListObjects("due", "", {"", 10});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].id, "2026/t-2");
  // Created anew from version 0.
  auto again = Put("due", "2026/t-1", "{}", 0);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(*again, 1);
  // A rolled-back delete leaves the object.
  {
    auto txn = store_->BeginWrite();
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE((*txn)->DeleteObject("due", "2026/t-2").ok());
  }
  EXPECT_TRUE(store_->GetObject("due", "2026/t-2").ok());
  // A deleted object leaves nothing in the organizations index.
  ASSERT_TRUE(Put("tender", "t-9", R"({"orgs":["B"]})", 0).ok());
  ASSERT_EQ(store_->ListObjectsOf("tender", "B", "", {"", 10})->items.size(), 1u);
  {
    auto txn = store_->BeginWrite();
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE((*txn)->DeleteObject("tender", "t-9").ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  EXPECT_TRUE(store_->ListObjectsOf("tender", "B", "", {"", 10})->items.empty());
  ASSERT_TRUE(Put("tender", "t-9", R"({"orgs":["C"]})", 0).ok());
  EXPECT_TRUE(store_->ListObjectsOf("tender", "B", "", {"", 10})->items.empty());
  EXPECT_EQ(store_->ListObjectsOf("tender", "C", "", {"", 10})->items.size(), 1u);
}

TEST_P(ObjectsConformance, KindsAreSeparateNamespaces) {
  ASSERT_TRUE(Put("user", "same", R"({"a":1})", 0).ok());
  ASSERT_TRUE(Put("token", "same", R"({"b":2})", 0).ok());
  EXPECT_EQ(store_->GetObject("user", "same")->body, R"({"a":1})");
  EXPECT_EQ(store_->GetObject("token", "same")->body, R"({"b":2})");
  EXPECT_EQ(store_->GetObject("tender", "same").status().code(), ErrorCode::kNotFound);
}

TEST_P(ObjectsConformance, StaleOrDuplicateWritesConflict) {
  ASSERT_TRUE(Put("tender", "t-1", R"({"n":1})", 0).ok());
  // Creating again.
  auto again = Put("tender", "t-1", R"({"n":9})", 0);
  EXPECT_EQ(again.status().code(), ErrorCode::kConflict);
  // Writing from a stale read.
  ASSERT_TRUE(Put("tender", "t-1", R"({"n":2})", 1).ok());
  auto stale = Put("tender", "t-1", R"({"n":3})", 1);
  EXPECT_EQ(stale.status().code(), ErrorCode::kConflict);
  EXPECT_NE(stale.status().message().find("version 1"), std::string::npos)
      << stale.status().message();
  // Updating what does not exist.
  EXPECT_EQ(Put("tender", "absent", R"({})", 4).status().code(), ErrorCode::kConflict);
  // Nothing of the refused writes is visible.
  auto got = store_->GetObject("tender", "t-1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->version, 2);
  EXPECT_EQ(got->body, R"({"n":2})");
  EXPECT_EQ(store_->GetObject("tender", "absent").status().code(), ErrorCode::kNotFound);
}

TEST_P(ObjectsConformance, BadInputIsRefusedWithTheField) {
  struct Case {
    std::string kind, id, body, field;
  };
  const std::vector<Case> cases = {
      {"", "x", "{}", "kind"},
      {"tender", "", "{}", "id"},
      {"tender", std::string(513, 'a'), "{}", "id"},
      {"tender", "a\nb", "{}", "id"},
      {"tender", "x", "", "body"},
      {"tender", "x", "[1,2]", "body"},
      {"tender", "x", "{\"a\":", "body"},
      {"tender", "x", "\"text\"", "body"},
  };
  for (const auto& c : cases) {
    auto v = Put(c.kind, c.id, c.body, 0);
    ASSERT_FALSE(v.ok()) << c.kind << "/" << c.id << "/" << c.body;
    EXPECT_EQ(v.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(v.status().field(), c.field) << v.status().ToString();
  }
  auto negative = Put("tender", "x", "{}", -1);
  EXPECT_EQ(negative.status().code(), ErrorCode::kInvalidArgument);
  auto page = store_->ListObjects("tender", "", {});
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->items.empty());
}

TEST_P(ObjectsConformance, RollbackLeavesNothing) {
  {
    auto txn = store_->BeginWrite();
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE((*txn)->PutObject("tender", "t-1", R"({"n":1})", 0).ok());
    // The transaction sees its own write.
    auto inside = (*txn)->GetObject("tender", "t-1");
    ASSERT_TRUE(inside.ok()) << inside.status().ToString();
    EXPECT_EQ(inside->version, 1);
    auto blob = (*txn)->PutBlob("sealed bytes");
    ASSERT_TRUE(blob.ok());
    ASSERT_TRUE((*txn)->AppendToLedger({"tender.published", "t-1", R"({"n":1})"}).ok());
    // Destroyed without Commit.
  }
  EXPECT_EQ(store_->GetObject("tender", "t-1").status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store_->GetBlob(crypto::Sha256("sealed bytes")).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(*store_->LedgerSize(), 0u);
}

TEST_P(ObjectsConformance, ObjectAndLedgerEntryCommitTogether) {
  auto txn = store_->BeginWrite();
  ASSERT_TRUE(txn.ok());
  ASSERT_TRUE((*txn)->PutObject("tender", "t-1", R"({"state":"published"})", 0).ok());
  ASSERT_TRUE((*txn)->AppendToLedger({"tender.published", "t-1", R"({"title":"x"})"}).ok());
  ASSERT_TRUE((*txn)->Commit().ok());
  EXPECT_EQ(store_->GetObject("tender", "t-1")->version, 1);
  EXPECT_EQ(*store_->LedgerSize(), 1u);
}

TEST_P(ObjectsConformance, ListByPrefixInIdOrderWithPages) {
  // Deposits of two tenders, and one of a tender whose id extends the first.
  const std::vector<std::string> ids = {"t-1/d-3",  "t-1/d-1", "t-2/d-1", "t-1/d-2",
                                        "t-10/d-1", "t-1/d-4", "t-1/d-5"};
  for (const auto& id : ids) ASSERT_TRUE(Put("deposit", id, R"({})", 0).ok()) << id;
  ASSERT_TRUE(Put("other", "t-1/d-9", R"({})", 0).ok());

  std::vector<std::string> seen;
  PageRequest page{.after = "", .limit = 2};
  int pages = 0;
  for (;;) {
    auto got = store_->ListObjects("deposit", "t-1/", page);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    ++pages;
    for (const auto& o : got->items) {
      EXPECT_EQ(o.kind, "deposit");
      seen.push_back(o.id);
    }
    if (got->next.empty()) break;
    page.after = got->next;
    ASSERT_LT(pages, 10);
  }
  EXPECT_EQ(seen,
            (std::vector<std::string>{"t-1/d-1", "t-1/d-2", "t-1/d-3", "t-1/d-4", "t-1/d-5"}));
  EXPECT_EQ(pages, 3);

  auto all = store_->ListObjects("deposit", "", {.after = "", .limit = 100});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->items.size(), ids.size());
  EXPECT_TRUE(all->next.empty());
  auto none = store_->ListObjects("deposit", "t-3/", {});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->items.empty());
}

TEST_P(ObjectsConformance, ListRefusesForeignCursorsAndBadLimits) {
  auto bad = store_->ListObjects("deposit", "", {.after = "not-a-cursor", .limit = 10});
  EXPECT_EQ(bad.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad.status().field(), "after");
  EXPECT_EQ(store_->ListObjects("deposit", "", {.after = "", .limit = 0}).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(store_->ListObjects("deposit", "", {.after = "", .limit = 1001}).status().code(),
            ErrorCode::kInvalidArgument);
}

// The ids ListObjectsOf gives, following every page.
std::vector<std::string> IdsOf(Store& store, std::string_view kind, std::string_view org,
                               std::string_view prefix, int limit, int* pages = nullptr) {
  std::vector<std::string> ids;
  PageRequest page{.after = "", .limit = limit};
  for (int n = 1;; ++n) {
    auto got = store.ListObjectsOf(kind, org, prefix, page);
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    if (!got.ok()) break;
    for (const auto& o : got->items) {
      EXPECT_EQ(o.kind, kind);
      ids.push_back(o.id);
    }
    if (pages) *pages = n;
    if (got->next.empty() || n > 20) break;
    page.after = got->next;
  }
  return ids;
}

TEST_P(ObjectsConformance, ListObjectsOfAnOrganizationNewestFirstWithPages) {
  ASSERT_TRUE(Put("tender", "2026-01-01-a", R"({"orgs":["A"]})", 0).ok());
  ASSERT_TRUE(Put("tender", "2026-01-02-b", R"({"orgs":["B","A"],"n":1})", 0).ok());
  ASSERT_TRUE(Put("tender", "2026-01-03-c", R"({"orgs":["B"]})", 0).ok());
  ASSERT_TRUE(Put("tender", "2026-01-04-d", R"({"orgs":["A","A"]})", 0).ok());
  ASSERT_TRUE(Put("tender", "2026-01-05-e", R"({"title":"no orgs"})", 0).ok());
  ASSERT_TRUE(Put("deposit", "2026-01-03-c/d1", R"({"orgs":["A"]})", 0).ok());

  int pages = 0;
  EXPECT_EQ(IdsOf(*store_, "tender", "A", "", 2, &pages),
            (std::vector<std::string>{"2026-01-04-d", "2026-01-02-b", "2026-01-01-a"}));
  EXPECT_EQ(pages, 2);
  EXPECT_EQ(IdsOf(*store_, "tender", "B", "", 50),
            (std::vector<std::string>{"2026-01-03-c", "2026-01-02-b"}));
  EXPECT_TRUE(IdsOf(*store_, "tender", "C", "", 50).empty());
  EXPECT_EQ(IdsOf(*store_, "deposit", "A", "", 50),
            (std::vector<std::string>{"2026-01-03-c/d1"}));
  // A prefix narrows to one consultation's objects.
  EXPECT_EQ(IdsOf(*store_, "tender", "A", "2026-01-0", 1).size(), 3u);
  EXPECT_TRUE(IdsOf(*store_, "deposit", "A", "2026-01-02-b/", 50).empty());
  // The bodies come with the ids.
  auto got = store_->ListObjectsOf("tender", "B", "2026-01-02", {});
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->items.size(), 1u);
  EXPECT_EQ(got->items[0].body, R"({"orgs":["B","A"],"n":1})");
  EXPECT_EQ(got->items[0].version, 1);
}

TEST_P(ObjectsConformance, ListObjectsOfFollowsEveryWrite) {
  ASSERT_TRUE(Put("tender", "t-1", R"({"orgs":["A"]})", 0).ok());
  // B joins; then A leaves; then "orgs" disappears.
  ASSERT_TRUE(Put("tender", "t-1", R"({"orgs":["A","B"]})", 1).ok());
  EXPECT_EQ(IdsOf(*store_, "tender", "B", "", 10), std::vector<std::string>{"t-1"});
  ASSERT_TRUE(Put("tender", "t-1", R"({"orgs":["B"]})", 2).ok());
  EXPECT_TRUE(IdsOf(*store_, "tender", "A", "", 10).empty());
  ASSERT_TRUE(Put("tender", "t-1", R"({"x":1})", 3).ok());
  EXPECT_TRUE(IdsOf(*store_, "tender", "B", "", 10).empty());
  // A refused write (stale version) and a rolled back one leave the index alone.
  EXPECT_EQ(Put("tender", "t-1", R"({"orgs":["C"]})", 1).status().code(), ErrorCode::kConflict);
  {
    auto txn = store_->BeginWrite();
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE((*txn)->PutObject("tender", "t-2", R"({"orgs":["C"]})", 0).ok());
    // Seen inside its transaction, gone with it.
  }
  EXPECT_TRUE(IdsOf(*store_, "tender", "C", "", 10).empty());
  // A copied object is indexed like a written one.
  {
    auto txn = store_->BeginWrite();
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE((*txn)->CopyObject({"tender", "t-9", 7, R"({"orgs":["D"]})",
                                    "2026-01-01T00:00:00.000Z"}).ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  EXPECT_EQ(IdsOf(*store_, "tender", "D", "", 10), std::vector<std::string>{"t-9"});
}

TEST_P(ObjectsConformance, BadOrgsAreRefusedAndNothingIsWritten) {
  for (const char* body : {R"({"orgs":"A"})", R"({"orgs":[]})", R"({"orgs":[1]})",
                           R"({"orgs":[""]})", R"({"orgs":["a\nb"]})", R"({"orgs":[null]})"}) {
    auto v = Put("tender", "t-1", body, 0);
    EXPECT_EQ(v.status().code(), ErrorCode::kInvalidArgument) << body;
    EXPECT_EQ(v.status().field(), "body") << body;
  }
  const std::string long_org(65, '1');
  EXPECT_EQ(Put("tender", "t-1", R"({"orgs":[")" + long_org + R"("]})", 0).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(store_->GetObject("tender", "t-1").status().code(), ErrorCode::kNotFound);
  // "orgs" deeper in the body is not the index's.
  ASSERT_TRUE(Put("tender", "t-1", R"({"a":{"orgs":5},"s":"\"orgs\""})", 0).ok());
  auto bad = store_->ListObjectsOf("tender", "A", "", {.after = "not-a-cursor", .limit = 10});
  EXPECT_EQ(bad.status().field(), "after");
  EXPECT_EQ(store_->ListObjectsOf("tender", "A", "", {.after = "", .limit = 0}).status().code(),
            ErrorCode::kInvalidArgument);
}

TEST_P(ObjectsConformance, BlobsAreAddressedByTheirHash) {
  std::string big(3 * 1024 * 1024 + 7, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 131 + 7);
  auto txn = store_->BeginWrite();
  ASSERT_TRUE(txn.ok());
  auto h1 = (*txn)->PutBlob(big);
  auto h2 = (*txn)->PutBlob(big);  // stored once
  auto h3 = (*txn)->PutBlob("");
  ASSERT_TRUE(h1.ok() && h2.ok() && h3.ok());
  ASSERT_TRUE((*txn)->Commit().ok());
  EXPECT_EQ(*h1, crypto::Sha256(big));
  EXPECT_EQ(*h1, *h2);
  auto back = store_->GetBlob(*h1);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->size(), big.size());
  EXPECT_TRUE(*back == big);
  auto empty = store_->GetBlob(*h3);
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_TRUE(empty->empty());
  auto missing = store_->GetBlob(crypto::Sha256("never stored"));
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
}

TEST_P(ObjectsConformance, ConcurrentReadModifyWriteLosesNoUpdate) {
  ASSERT_TRUE(Put("counter", "c", R"({"n":0})", 0).ok());
  constexpr int kThreads = 4, kIncrements = 25;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this] {
      for (int i = 0; i < kIncrements; ++i) {
        auto txn = store_->BeginWrite();
        ASSERT_TRUE(txn.ok());
        auto cur = (*txn)->GetObject("counter", "c");
        ASSERT_TRUE(cur.ok());
        const int n = std::stoi(cur->body.substr(5));
        ASSERT_TRUE(
            (*txn)
                ->PutObject("counter", "c", "{\"n\":" + std::to_string(n + 1) + "}", cur->version)
                .ok());
        ASSERT_TRUE((*txn)->Commit().ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  auto got = store_->GetObject("counter", "c");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->body, "{\"n\":" + std::to_string(kThreads * kIncrements) + "}");
  EXPECT_EQ(got->version, 1 + kThreads * kIncrements);
}

TEST_P(ObjectsConformance, RelaxedWritesCommitAndRollBackLikeDurableOnes) {
  {
    auto txn = store_->BeginRelaxedWrite();
    ASSERT_TRUE(txn.ok()) << txn.status().ToString();
    ASSERT_TRUE((*txn)->PutObject("deposit", "t/d1", R"({"chunk":0})", 0).ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  {
    auto txn = store_->BeginRelaxedWrite();
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE((*txn)->PutObject("deposit", "t/d2", R"({})", 0).ok());
  }  // rolled back
  // A durable write after relaxed ones, then relaxed again: all in order.
  ASSERT_TRUE(Put("deposit", "t/d1", R"({"chunk":1})", 1).ok());
  {
    auto txn = store_->BeginRelaxedWrite();
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE((*txn)->PutObject("deposit", "t/d1", R"({"chunk":2})", 2).ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  EXPECT_EQ(store_->GetObject("deposit", "t/d1")->body, R"({"chunk":2})");
  EXPECT_EQ(store_->GetObject("deposit", "t/d2").status().code(), ErrorCode::kNotFound);
}

TEST_P(ObjectsConformance, ObjectsSurviveReopening) {
  ASSERT_TRUE(Put("user", "u-1", R"({"email":"a@b.fr"})", 0).ok());
  store_.reset();
  auto s = OpenStore(url_);
  ASSERT_TRUE(s.ok());
  store_ = std::move(*s);
  EXPECT_EQ(store_->GetObject("user", "u-1")->body, R"({"email":"a@b.fr"})");
}

}  // namespace

INSTANTIATE_TEST_SUITE_P(Engines, ObjectsConformance, ::testing::ValuesIn(testing::AllEngines()),
                         [](const auto& info) { return info.param.name; });

}  // namespace limpide::store
