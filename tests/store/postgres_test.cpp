// What only the PostgreSQL engine promises: clear errors when the server is
// not there, one linear ledger for several handles (nodes) writing at once,
// recovery from lost connections. The conformance suites run against it too
// when LIMPIDE_TEST_POSTGRES is set (engines.h).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

#include "engines.h"
#include "ledger/merkle.h"
#include "store/store.h"

namespace limpide::store {
namespace {

using testing::Engine;

// A loopback port that nothing listens on (bound, then released).
int UnusedPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    return 1;  // privileged: refused as well
  }
  close(fd);
  return ntohs(addr.sin_port);
}

TEST(PostgresEngine, ConformanceRunsOnlyWithATestServer) {
  if (testing::PostgresTestServer().empty()) {
    GTEST_SKIP() << "PostgreSQL skipped: LIMPIDE_TEST_POSTGRES is not set (./dev test sets it; "
                    "or scripts/pg-test-cluster.sh start DIR)";
  }
  SUCCEED() << "PostgreSQL engine tested on " << testing::PostgresTestServer();
}

TEST(PostgresEngine, UnreachableServerIsUnavailableWithAClearMessage) {
  const std::string port = std::to_string(UnusedPort());
  auto s = OpenStore("postgresql://limpide:s3cret@127.0.0.1:" + port + "/limpide");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), ErrorCode::kUnavailable) << s.status().ToString();
  const std::string& message = s.status().message();
  EXPECT_NE(message.find("cannot connect to PostgreSQL at 127.0.0.1:" + port + "/limpide"),
            std::string::npos)
      << message;
  EXPECT_EQ(message.find("s3cret"), std::string::npos) << "the password leaked: " << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

TEST(PostgresEngine, MalformedUrlIsInvalidArgument) {
  auto s = OpenStore("postgresql://127.0.0.1:5432/db?no_such_option=1");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), ErrorCode::kInvalidArgument) << s.status().ToString();
  EXPECT_EQ(s.status().field(), "store");
}

std::vector<Engine> PostgresOnly() {
  std::vector<Engine> out;
  for (auto& e : testing::AllEngines()) {
    if (e.name == "Postgres") out.push_back(e);
  }
  return out;
}

class PostgresStoreTest : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override { url_ = GetParam().new_url(); }
  void TearDown() override { GetParam().remove(url_); }
  std::unique_ptr<Store> Open() {
    auto s = OpenStore(url_);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(*s) : nullptr;
  }
  std::string url_;
};

// Two handles on one database stand for two nodes: each has its own writer
// connection and its own cached frontier; only the advisory lock orders them.
TEST_P(PostgresStoreTest, TwoStoresAppendingConcurrentlyKeepOneLinearLedger) {
  auto a = Open();
  auto b = Open();
  ASSERT_TRUE(a && b);
  constexpr int kTransactions = 60;
  const auto writer = [](Store& store, const std::string& node) {
    for (int t = 0; t < kTransactions; ++t) {
      auto txn = store.BeginWrite();
      ASSERT_TRUE(txn.ok()) << txn.status().ToString();
      for (int i = 0; i < 1 + t % 3; ++i) {
        const std::string subject = node + "-" + std::to_string(t) + "-" + std::to_string(i);
        auto seq =
            (*txn)->AppendToLedger({"test.event", subject, R"({"t":)" + std::to_string(t) + "}"});
        ASSERT_TRUE(seq.ok()) << seq.status().ToString();
      }
      ASSERT_TRUE((*txn)->Commit().ok());
    }
  };
  std::thread ta(writer, std::ref(*a), "a");
  std::thread tb(writer, std::ref(*b), "b");
  ta.join();
  tb.join();

  const uint64_t expected = 2 * (kTransactions / 3) * (1 + 2 + 3);
  for (Store* store : {a.get(), b.get()}) {
    auto size = store->LedgerSize();
    ASSERT_TRUE(size.ok());
    EXPECT_EQ(*size, expected);
  }
  auto entries = a->LedgerEntries(0, expected);
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), expected);
  std::set<std::string> subjects;
  std::vector<crypto::Hash> leaves;
  std::string previous_time;
  for (size_t i = 0; i < entries->size(); ++i) {
    const auto& r = (*entries)[i];
    EXPECT_EQ(r.seq, i);  // no gap
    EXPECT_TRUE(subjects.insert(r.subject).second) << "duplicate " << r.subject;
    EXPECT_EQ(r.leaf_hash, ledger::LeafHash(r.entry));
    EXPECT_GE(r.time, previous_time);
    previous_time = r.time;
    leaves.push_back(r.leaf_hash);
  }
  const auto root = ledger::RootOf(leaves);
  for (Store* store : {a.get(), b.get()}) {
    auto stored = ledger::RootHash(expected, [store](const std::vector<ledger::NodeId>& ids) {
      return store->LedgerNodes(ids);
    });
    ASSERT_TRUE(stored.ok()) << stored.status().ToString();
    EXPECT_EQ(*stored, root);
  }
}

// The server dropping every connection (a restart, a failover) costs no
// error to the next read or write: the store reconnects.
TEST_P(PostgresStoreTest, RecoversWhenItsConnectionsAreCut) {
  auto store = Open();
  ASSERT_TRUE(store);
  {
    auto txn = store->BeginWrite();
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE((*txn)->AppendToLedger({"test.event", "before", "{}"}).ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  ASSERT_TRUE(store->LedgerSize().ok());  // a pooled reader exists
  testing::PostgresExec(testing::PostgresTestServer(),
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" +
                            testing::PostgresDatabaseOf(url_) + "'");
  auto size = store->LedgerSize();
  ASSERT_TRUE(size.ok()) << size.status().ToString();
  EXPECT_EQ(*size, 1u);
  auto txn = store->BeginWrite();
  ASSERT_TRUE(txn.ok()) << txn.status().ToString();
  auto seq = (*txn)->AppendToLedger({"test.event", "after", "{}"});
  ASSERT_TRUE(seq.ok()) << seq.status().ToString();
  EXPECT_EQ(*seq, 1u);
  ASSERT_TRUE((*txn)->Commit().ok());
}

// A statement that fails inside a transaction aborts it on the server (unlike
// SQLite, where the transaction goes on): its Commit must say so, not report
// success while PostgreSQL rolls back. A NUL byte, which PostgreSQL text
// cannot hold, in a ledger subject is such a statement.
TEST_P(PostgresStoreTest, CommitAfterAFailedStatementIsRefusedAndRollsBack) {
  auto store = Open();
  ASSERT_TRUE(store);
  auto txn = store->BeginWrite();
  ASSERT_TRUE(txn.ok());
  ASSERT_TRUE((*txn)->AppendToLedger({"test.event", "kept?", "{}"}).ok());
  auto bad = (*txn)->AppendToLedger({"test.event", std::string("nul\0byte", 8), "{}"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kInvalidArgument) << bad.status().ToString();
  const Status commit = (*txn)->Commit();
  EXPECT_EQ(commit.code(), ErrorCode::kFailedPrecondition) << commit.ToString();
  EXPECT_EQ(*store->LedgerSize(), 0u);
  // The store stays writable.
  auto next = store->BeginWrite();
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  ASSERT_TRUE((*next)->AppendToLedger({"test.event", "after", "{}"}).ok());
  ASSERT_TRUE((*next)->Commit().ok());
  EXPECT_EQ(*store->LedgerSize(), 1u);
}

TEST_P(PostgresStoreTest, MigrationSevenFlagsTheContractsThatHaveSources) {
  domain::Contract with;
  with.uid = "with-sources";
  domain::Contract without;
  without.uid = "without";
  {
    auto store = Open();
    ASSERT_TRUE(store);
    auto txn = store->BeginWrite();
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE((*txn)->UpsertContract(with).ok());
    ASSERT_TRUE((*txn)->UpsertContract(without).ok());
    ASSERT_TRUE((*txn)->PutObject(kContractSourcesKind, with.uid, R"({"s":1})", 0).ok());
    ASSERT_TRUE((*txn)->PutObject("other", without.uid, "{}", 0).ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  // Back to version 6: no flag.
  testing::PostgresExec(url_,
                        "ALTER TABLE contracts DROP COLUMN has_sources; "
                        "DELETE FROM schema_migrations WHERE version = 7");
  auto store = Open();
  ASSERT_TRUE(store);
  auto got = store->GetContractWithObject(with.uid, kContractSourcesKind);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_TRUE(got->object.has_value());
  EXPECT_EQ(got->object->body, R"({"s":1})");
  got = store->GetContractWithObject(without.uid, kContractSourcesKind);
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->object.has_value());
}

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(PostgresStoreTest);
INSTANTIATE_TEST_SUITE_P(Engines, PostgresStoreTest, ::testing::ValuesIn(PostgresOnly()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace limpide::store
