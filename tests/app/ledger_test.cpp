#include "app/ledger.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "app/importer.h"
#include "ledger/entry.h"
#include "ledger/merkle.h"

namespace limpide::app {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using std::chrono::milliseconds;

const std::string kExample =
    std::string(LIMPIDE_SHARED_DATA) + "/decp/examples-2.0/json/marches_avec_modifications.json";

domain::Contract Sample(const std::string& id, int64_t cents) {
  domain::Contract c;
  c.buyer_id = "21750001600019";
  c.id = id;
  c.uid = domain::MakeUid(c.buyer_id, c.id);
  c.object = "Travaux de voirie";
  c.schema_version = "2";
  c.source = "test";
  c.amount = domain::Money{cents};
  return c;
}

class LedgerServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("limpide-ledger-app-" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto store = store::OpenStore("sqlite:" + (dir_ / "t.db").string());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    auto key = crypto::LoadOrCreateSigningKey((dir_ / "ledger.key").string());
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    service_ = std::make_unique<LedgerService>(*store_, *key);
  }
  void TearDown() override {
    service_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }
  void Put(const std::vector<domain::Contract>& contracts, bool ledger = true) {
    auto txn = store_->BeginWrite();
    ASSERT_TRUE(txn.ok());
    for (const auto& c : contracts) {
      auto outcome = (*txn)->UpsertContract(c);
      ASSERT_TRUE(outcome.ok());
      if (ledger) {
        ASSERT_TRUE((*txn)->AppendToLedger(ContractEvent(c, *outcome)).ok());
      }
    }
    ASSERT_TRUE((*txn)->Commit().ok());
  }

  fs::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<LedgerService> service_;
};

TEST(ContractEventTest, BodyIsTheApiFormWithAmountsAsStrings) {
  auto created = ContractEvent(Sample("1", 123456), store::UpsertOutcome::kInserted);
  EXPECT_EQ(created.kind, "contract.created");
  EXPECT_EQ(created.subject, Sample("1", 0).uid);
  const json body = json::parse(created.body);
  EXPECT_EQ(body["amount"], "1234.56");
  EXPECT_EQ(body["object"], "Travaux de voirie");
  EXPECT_EQ(ContractEvent(Sample("1", 100000), store::UpsertOutcome::kUpdated).kind,
            "contract.updated");
  EXPECT_EQ(json::parse(
                ContractEvent(Sample("1", 100000), store::UpsertOutcome::kUpdated).body)["amount"],
            "1000");
}

TEST(ContractEventTest, EveryImportedExampleGivesACanonicalBody) {
  // The 2.x examples carry decimals in fields kept under "extra".
  auto dir = fs::temp_directory_path() / ("limpide-ledger-app-import-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto store = store::OpenStore("sqlite:" + (dir / "t.db").string());
  ASSERT_TRUE(store.ok());
  Importer importer(**store);
  auto report = importer.Import({kExample}, {});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_TRUE(report->ok()) << report->files[0].error;
  auto size = (*store)->LedgerSize();
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(static_cast<int64_t>(*size), report->totals.inserted + report->totals.updated);
  // A re-import changes nothing, so it appends nothing.
  ASSERT_TRUE(importer.Import({kExample}, {}).ok());
  EXPECT_EQ(*(*store)->LedgerSize(), *size);
  store->reset();
  fs::remove_all(dir);
}

TEST_F(LedgerServiceTest, BackfillWritesContractsStoredWithoutTheLedger) {
  Put({Sample("1", 100), Sample("2", 200), Sample("3", 300)}, /*ledger=*/false);
  auto appended = BackfillLedger(*store_);
  ASSERT_TRUE(appended.ok()) << appended.status().ToString();
  EXPECT_EQ(*appended, 3);
  EXPECT_EQ(*store_->LedgerSize(), 3u);
  auto again = BackfillLedger(*store_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0);
  EXPECT_EQ(*store_->LedgerSize(), 3u);
}

TEST_F(LedgerServiceTest, HeadIsSignedAndFollowsTheLedger) {
  auto empty = service_->Head();
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->size, 0u);
  Put({Sample("1", 100), Sample("2", 200)});
  auto head = service_->Head();
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->size, 2u);
  EXPECT_TRUE(ledger::VerifyTreeHead(*head, service_->key().public_key).ok());
  auto entries = service_->Entries(0, 2);
  ASSERT_TRUE(entries.ok());
  EXPECT_EQ(head->root, ledger::RootOf({(*entries)[0].leaf_hash, (*entries)[1].leaf_hash}));
  // Same size: the same signed head (not re-signed on every request).
  auto same = service_->Head();
  EXPECT_EQ(same->timestamp_ms, head->timestamp_ms);
  EXPECT_EQ(same->signature, head->signature);
}

TEST_F(LedgerServiceTest, RangesAreChecked) {
  Put({Sample("1", 100), Sample("2", 200), Sample("3", 300)});
  EXPECT_EQ(service_->Entries(0, 4).status().field(), "end");
  EXPECT_EQ(service_->Entries(2, 1).status().field(), "start");
  EXPECT_EQ(service_->InclusionProof(3, 0).status().field(), "leaf_index");
  EXPECT_EQ(service_->InclusionProof(0, 4).status().field(), "tree_size");
  EXPECT_EQ(service_->ConsistencyProof(0, 3).status().field(), "first");
  EXPECT_EQ(service_->ConsistencyProof(1, 4).status().field(), "second");
  auto proof = service_->InclusionProof(1, 0);
  ASSERT_TRUE(proof.ok());
  EXPECT_EQ(proof->size, 3u);
  auto root = service_->Root(3);
  ASSERT_TRUE(root.ok());
  EXPECT_TRUE(ledger::VerifyInclusion(proof->leaf_hash, 1, 3, proof->path, *root).ok());
}

TEST_F(LedgerServiceTest, DumpLinesCarryRunningRoots) {
  Put({Sample("1", 100), Sample("2", 200), Sample("3", 300)});
  auto produce = service_->Dump(3);
  std::string text;
  while (produce(text)) {
  }
  std::istringstream lines(text);
  std::string line;
  std::vector<crypto::Hash> leaves;
  int n = 0;
  while (std::getline(lines, line)) {
    const json j = json::parse(line);
    auto bytes = ledger::EncodeEntry(*ledger::DecodeEntry(j["entry"].dump()));
    ASSERT_TRUE(bytes.ok());
    leaves.push_back(ledger::LeafHash(*bytes));
    EXPECT_EQ(j["leaf_hash"], crypto::ToHex(leaves.back()));
    EXPECT_EQ(j["tree_root"], crypto::ToHex(ledger::RootOf(leaves)));
    ++n;
  }
  EXPECT_EQ(n, 3);
}

TEST_F(LedgerServiceTest, FeedPagesChainAndTamperedCursorsAreRefused) {
  std::vector<domain::Contract> many;
  for (int i = 0; i < 25; ++i) many.push_back(Sample(std::to_string(i), 100 * i));
  Put(many);
  std::vector<uint64_t> seen;
  std::string cursor;
  std::vector<std::string> cursors;
  for (;;) {
    auto page = service_->Feed(cursor, 10);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    EXPECT_EQ(page->head, 25u);
    for (const auto& r : page->items) seen.push_back(r.seq);
    if (page->items.empty()) {
      EXPECT_EQ(page->next, cursor);  // at the end: the same cursor again
      break;
    }
    cursor = page->next;
    cursors.push_back(cursor);
  }
  ASSERT_EQ(seen.size(), 25u);
  for (size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], i);
  EXPECT_EQ(*service_->CursorAt(25), cursor);
  EXPECT_EQ(*service_->PositionOf(cursors[0]), 10u);
  // Another position with the same hash part, bad hex, wrong length.
  std::string moved = cursors[0];
  moved[15] = moved[15] == '0' ? '1' : '0';
  for (const std::string& bad : {moved, std::string(32, 'g'), std::string("abc"),
                                 std::string("ffffffffffffffff0000000000000000")}) {
    auto r = service_->Feed(bad, 10);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(r.status().field(), "after");
  }
  EXPECT_EQ(service_->Feed("", 0).status().field(), "limit");
  EXPECT_EQ(service_->Feed("", 1001).status().field(), "limit");
}

TEST_F(LedgerServiceTest, WatcherWakesOnGrowthAndAtTheDeadline) {
  LedgerWatcher watcher(*store_, milliseconds(20));
  std::promise<void> timed_out;
  const auto t0 = std::chrono::steady_clock::now();
  watcher.Wait(0, t0 + milliseconds(100), [&] { timed_out.set_value(); });
  ASSERT_EQ(timed_out.get_future().wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, milliseconds(100));

  std::promise<void> grown;
  watcher.Wait(0, std::chrono::steady_clock::now() + std::chrono::seconds(30),
               [&] { grown.set_value(); });
  Put({Sample("1", 100)});
  ASSERT_EQ(grown.get_future().wait_for(std::chrono::seconds(5)), std::future_status::ready);

  // Already past the position: answered at once.
  std::promise<void> already;
  watcher.Wait(0, std::chrono::steady_clock::now() + std::chrono::seconds(30),
               [&] { already.set_value(); });
  ASSERT_EQ(already.get_future().wait_for(std::chrono::seconds(5)), std::future_status::ready);

  // Stop answers those still waiting.
  std::atomic<int> called{0};
  watcher.Wait(1, std::chrono::steady_clock::now() + std::chrono::seconds(30), [&] { ++called; });
  watcher.Stop();
  EXPECT_EQ(called, 1);
}

TEST_F(LedgerServiceTest, ListenersHearEachGrowthOnceAndAPokeWakesThemAtOnce) {
  // A poll period far longer than the test: only Poke() can wake the watcher.
  LedgerWatcher watcher(*store_, std::chrono::hours(1));
  std::mutex mu;
  std::condition_variable cv;
  std::vector<uint64_t> heard;
  watcher.Listen([&](uint64_t size) {
    std::lock_guard lock(mu);
    heard.push_back(size);
    cv.notify_all();
  });
  auto wait_for = [&](size_t n) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(5), [&] { return heard.size() >= n; });
  };
  ASSERT_TRUE(wait_for(1));  // the size at the first check
  Put({Sample("1", 100)});
  const auto t0 = std::chrono::steady_clock::now();
  watcher.Poke();
  ASSERT_TRUE(wait_for(2));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(1));
  watcher.Poke();  // no growth: not heard again
  std::this_thread::sleep_for(milliseconds(50));
  watcher.Stop();
  std::lock_guard lock(mu);
  ASSERT_EQ(heard.size(), 2u);
  EXPECT_GT(heard[1], heard[0]);
}

}  // namespace
}  // namespace limpide::app
