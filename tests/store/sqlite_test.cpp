// What only the SQLite engine promises: file format, pragmas, migrations, query
// plans; and the engine-neutral helpers of store/codec.h.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>

#include "engines.h"
#include "store/codec.h"
#include "store/first_load.h"
#include "store/sqlite/db.h"
#include "store/sqlite/migrations.h"
#include "store/store.h"

namespace limpide::store {
namespace {

// Runs one query on a raw connection to `path` and returns the rows, cells
// joined with '|'.
std::vector<std::string> Rows(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  std::vector<std::string> rows;
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  while (stmt && sqlite3_step(stmt) == SQLITE_ROW) {
    std::string row;
    for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
      if (i) row += '|';
      const auto* t = sqlite3_column_text(stmt, i);
      row += t ? reinterpret_cast<const char*>(t) : "NULL";
    }
    rows.push_back(row);
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return rows;
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = engine_.new_url();
    path_ = testing::SqlitePathOf(url_);
  }
  void TearDown() override { engine_.remove(url_); }

  std::unique_ptr<Store> Open(const std::string& url) {
    auto s = OpenStore(url);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(*s) : nullptr;
  }

  domain::Contract Sample(const std::string& id) {
    domain::Contract c;
    c.buyer_id = "21750001600019";
    c.id = id;
    c.uid = domain::MakeUid(c.buyer_id, c.id);
    c.object = "Objet";
    c.holders = {{"44306184100047", "SIRET", "Acme"}};
    return c;
  }

  testing::Engine engine_ = testing::SqliteEngine();
  std::string url_;
  std::string path_;
};

TEST_F(SqliteStoreTest, FileIsInWalMode) {
  auto store = Open(url_);
  EXPECT_THAT(Rows(path_, "PRAGMA journal_mode"), ::testing::ElementsAre("wal"));
}

TEST_F(SqliteStoreTest, PlainPathAndSqliteUrlOpenTheSameFile) {
  {
    auto store = Open(path_);
    auto txn = store->BeginWrite();
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE((*txn)->UpsertContract(Sample("1")).ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  auto store = Open("sqlite:" + path_);
  EXPECT_TRUE(store->GetContract(Sample("1").uid).ok());
}

TEST_F(SqliteStoreTest, ConnectionsEnforceForeignKeys) {
  auto conn = sqlite::Connection::Open(path_, /*create=*/true);
  ASSERT_TRUE(conn.ok());
  EXPECT_EQ(*(*conn)->QueryText("PRAGMA foreign_keys"), "1");
  EXPECT_EQ(*(*conn)->QueryText("PRAGMA synchronous"), "2");  // FULL
  EXPECT_NE(*(*conn)->QueryText("PRAGMA busy_timeout"), "0");
  ASSERT_TRUE(sqlite::Migrate(**conn).ok());
  // A holder row without its contract is refused.
  const Status st = (*conn)->Exec(
      "INSERT INTO contract_holders (contract_seq, position, holder_id, id_type, name) "
      "VALUES (12345, 0, 'h', 'SIRET', '')");
  EXPECT_EQ(st.code(), ErrorCode::kConflict) << st.ToString();
}

TEST_F(SqliteStoreTest, MigrationVersionsAreRecorded) {
  auto store = Open(url_);
  const auto versions = Rows(path_, "SELECT version FROM schema_migrations ORDER BY version");
  ASSERT_EQ(versions.size(), sqlite::Migrations().size());
  for (size_t i = 0; i < versions.size(); ++i) EXPECT_EQ(versions[i], std::to_string(i + 1));
  EXPECT_EQ(store->schema_version(), static_cast<int>(sqlite::Migrations().size()));
  const auto applied = Rows(path_, "SELECT applied_at FROM schema_migrations");
  EXPECT_THAT(applied[0], ::testing::MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z"));
}

TEST_F(SqliteStoreTest, ReopeningAppliesNoMigrationTwice) {
  Open(url_).reset();
  Open(url_).reset();
  EXPECT_THAT(Rows(path_, "SELECT count(*) FROM schema_migrations"),
              ::testing::ElementsAre(std::to_string(sqlite::Migrations().size())));
}

TEST_F(SqliteStoreTest, MigrationTwoCopiesTheChildRowsIntoTheirContract) {
  // Tricky bytes: quotes, backslashes, control characters, invalid UTF-8.
  const std::string odd = "a\"b\\c\n\t\x01\xff\\\"";
  domain::Contract with_children = Sample("1");
  with_children.holders = {{"44306184100047", "SIRET", odd}, {"", "", ""}, {odd, "TVA", "B"}};
  domain::Modification m1;
  m1.id = odd;
  m1.object = "Avenant";
  m1.signed_on = domain::Date{2021, 3, 4};
  m1.duration_months = 7;
  m1.amount = domain::Money{-12345};
  m1.holders = {{"1", "SIRET", odd}};
  with_children.modifications = {m1, domain::Modification{}};
  const domain::Contract without_children = [&] {
    domain::Contract c = Sample("2");
    c.holders.clear();
    return c;
  }();
  {
    auto store = Open(url_);
    auto txn = store->BeginWrite();
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE((*txn)->UpsertContract(with_children).ok());
    ASSERT_TRUE((*txn)->UpsertContract(without_children).ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  // Back to a version 1 file: the child tables only.
  Rows(path_, "ALTER TABLE contracts DROP COLUMN holders_json");
  Rows(path_, "ALTER TABLE contracts DROP COLUMN modifications_json");
  Rows(path_, "DROP TABLE ledger_entries");  // version 3
  Rows(path_, "DROP TABLE ledger_nodes");
  Rows(path_, "DROP TABLE objects");  // version 4
  Rows(path_, "DROP TABLE blobs");
  Rows(path_, "DROP TABLE leases");  // version 5
  Rows(path_, "DROP TABLE object_orgs");  // version 6
  Rows(path_, "ALTER TABLE contracts DROP COLUMN has_sources");  // version 7
  Rows(path_, "DROP TABLE counters");                            // version 8
  Rows(path_, "DELETE FROM schema_migrations WHERE version >= 2");
  ASSERT_THAT(Rows(path_, "SELECT max(version) FROM schema_migrations"),
              ::testing::ElementsAre("1"));

  auto store = Open(url_);
  ASSERT_TRUE(store);
  ASSERT_GE(store->schema_version(), 2);
  for (const auto& expected : {with_children, without_children}) {
    auto got = store->GetContract(expected.uid);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(got->holders, expected.holders);
    EXPECT_EQ(got->modifications, expected.modifications);
  }
}

TEST_F(SqliteStoreTest, MigrationSevenFlagsTheContractsThatHaveSources) {
  const domain::Contract with = Sample("1");
  const domain::Contract without = Sample("2");
  {
    auto store = Open(url_);
    auto txn = store->BeginWrite();
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE((*txn)->UpsertContract(with).ok());
    ASSERT_TRUE((*txn)->UpsertContract(without).ok());
    ASSERT_TRUE((*txn)->PutObject(kContractSourcesKind, with.uid, R"({"s":1})", 0).ok());
    ASSERT_TRUE((*txn)->PutObject("other", without.uid, "{}", 0).ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  // Back to version 6: no flag.
  Rows(path_, "ALTER TABLE contracts DROP COLUMN has_sources");
  Rows(path_, "DROP TABLE counters");  // version 8
  Rows(path_, "DELETE FROM schema_migrations WHERE version >= 7");
  auto store = Open(url_);
  ASSERT_TRUE(store);
  EXPECT_THAT(Rows(path_, "SELECT uid, has_sources FROM contracts ORDER BY uid"),
              ::testing::ElementsAre(with.uid + "|1", without.uid + "|0"));
  auto got = store->GetContractWithObject(with.uid, kContractSourcesKind);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_TRUE(got->object.has_value());
  EXPECT_EQ(got->object->body, R"({"s":1})");
  got = store->GetContractWithObject(without.uid, kContractSourcesKind);
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->object.has_value());
}

TEST_F(SqliteStoreTest, MigrationEightStartsTheContractsCounter) {
  {
    auto store = Open(url_);
    auto txn = store->BeginWrite();
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE((*txn)->UpsertContract(Sample("1")).ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  Rows(path_, "DROP TABLE counters");
  Rows(path_, "DELETE FROM schema_migrations WHERE version = 8");
  auto store = Open(url_);
  ASSERT_TRUE(store);
  EXPECT_THAT(Rows(path_, "SELECT name, value FROM counters"),
              ::testing::ElementsAre("contracts|0"));
  auto txn = store->BeginWrite();
  ASSERT_TRUE(txn.ok());
  auto changed = Sample("1");
  changed.object = "Autre objet";
  ASSERT_TRUE((*txn)->UpsertContract(changed).ok());
  ASSERT_TRUE((*txn)->Commit().ok());
  EXPECT_THAT(Rows(path_, "SELECT value FROM counters"), ::testing::ElementsAre("1"));
}

// ContractsVersion moves with the commits that change a contract or its
// sources, and only with those (api/body_cache.h keeps rendered contracts
// while it stays).
TEST_F(SqliteStoreTest, ContractsVersionMovesOnlyWithContractsAndTheirSources) {
  auto store = Open(url_);
  const auto version = [&] {
    auto v = store->ContractsVersion();
    EXPECT_TRUE(v.has_value());
    return v.value_or(0);
  };
  const auto commit = [&](const std::function<void(WriteTransaction&)>& write) {
    auto txn = store->BeginWrite();
    ASSERT_TRUE(txn.ok());
    write(**txn);
    ASSERT_TRUE((*txn)->Commit().ok());
  };
  uint64_t last = version();
  const auto moved = [&] {
    const uint64_t now = version();
    const bool m = now != last;
    last = now;
    return m;
  };
  const domain::Contract c = Sample("1");
  commit([&](WriteTransaction& t) { ASSERT_TRUE(t.UpsertContract(c).ok()); });
  EXPECT_TRUE(moved()) << "insert";
  commit([&](WriteTransaction& t) { ASSERT_EQ(*t.UpsertContract(c), UpsertOutcome::kUnchanged); });
  EXPECT_FALSE(moved()) << "unchanged upsert";
  domain::Contract changed = c;
  changed.object = "Autre objet";
  commit([&](WriteTransaction& t) { ASSERT_TRUE(t.UpsertContract(changed).ok()); });
  EXPECT_TRUE(moved()) << "update";
  commit([&](WriteTransaction& t) { ASSERT_TRUE(t.PutObject("tender", "t1", "{}", 0).ok()); });
  EXPECT_FALSE(moved()) << "another kind of object";
  auto leased = store->TryLease("job", "me", 10'000);
  ASSERT_TRUE(leased.ok() && *leased);
  EXPECT_FALSE(moved()) << "a lease";
  commit([&](WriteTransaction& t) {
    ASSERT_TRUE(t.PutObject(kContractSourcesKind, c.uid, R"({"s":1})", 0).ok());
  });
  EXPECT_TRUE(moved()) << "sources stored";
  commit([&](WriteTransaction& t) {
    ASSERT_TRUE(t.PutObject(kContractSourcesKind, c.uid, R"({"s":2})", 1).ok());
  });
  EXPECT_TRUE(moved()) << "sources changed";
  commit(
      [&](WriteTransaction& t) { ASSERT_TRUE(t.DeleteObject(kContractSourcesKind, c.uid).ok()); });
  EXPECT_TRUE(moved()) << "sources deleted";
  {
    // Rolled back: nothing moves.
    auto txn = store->BeginWrite();
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE((*txn)->UpsertContract(Sample("2")).ok());
  }
  EXPECT_FALSE(moved()) << "rollback";
  // A commit by another store on the same file (another process) is seen.
  {
    auto other = Open(url_);
    auto txn = other->BeginWrite();
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE((*txn)->UpsertContract(Sample("3")).ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  EXPECT_TRUE(moved()) << "another store's commit";
}

TEST_F(SqliteStoreTest, NoForeignKeyViolationsAfterUpdates) {
  auto store = Open(url_);
  for (int round = 0; round < 3; ++round) {
    auto txn = store->BeginWrite();
    ASSERT_TRUE(txn.ok());
    auto c = Sample("1");
    c.holders.resize(static_cast<size_t>(3 - round), c.holders[0]);
    c.modifications.resize(static_cast<size_t>(round));
    ASSERT_TRUE((*txn)->UpsertContract(c).ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  EXPECT_TRUE(Rows(path_, "PRAGMA foreign_key_check").empty());
  EXPECT_THAT(Rows(path_, "SELECT count(*) FROM contract_holders"), ::testing::ElementsAre("1"));
  EXPECT_THAT(Rows(path_, "SELECT count(*) FROM contract_modifications"),
              ::testing::ElementsAre("2"));
}

TEST_F(SqliteStoreTest, UnchangedUpsertWritesNothing) {
  auto store = Open(url_);
  auto put = [&](const domain::Contract& c) {
    auto txn = store->BeginWrite();
    auto r = (*txn)->UpsertContract(c);
    EXPECT_TRUE((*txn)->Commit().ok());
    return *r;
  };
  ASSERT_EQ(put(Sample("1")), UpsertOutcome::kInserted);
  const auto before = Rows(path_, "SELECT updated_at, hex(content_hash) FROM contracts");
  ASSERT_EQ(put(Sample("1")), UpsertOutcome::kUnchanged);
  EXPECT_EQ(Rows(path_, "SELECT updated_at, hex(content_hash) FROM contracts"), before);
}

// Readers keep their read transaction open between operations and reuse it
// while the WAL stamp is unchanged (docs/storage.md, "Reads"): a commit by
// another connection, another store or another process is seen by the next
// read all the same.
TEST_F(SqliteStoreTest, ReadsSeeWhatOtherConnectionsCommittedAtOnce) {
  auto a = Open(url_);
  auto b = Open(url_);
  auto put = [](Store& store, domain::Contract c) {
    auto txn = store.BeginWrite();
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE((*txn)->UpsertContract(c).ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  };
  domain::Contract c = Sample("1");
  put(*a, c);
  for (int round = 0; round < 3; ++round) {
    const std::string object = "v" + std::to_string(round);
    // Twice: the second read reuses the snapshot the first one opened.
    for (int i = 0; i < 2; ++i) EXPECT_NE(a->GetContract(c.uid)->object, object);
    c.object = object;
    put(*b, c);
    EXPECT_EQ(a->GetContract(c.uid)->object, object);
    EXPECT_EQ(a->CountContracts({.text = object})->contracts, 1);
  }
  // A plain connection, as another program would write.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "UPDATE contracts SET object = 'raw'", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  EXPECT_EQ(a->GetContract(c.uid)->object, "raw");
  EXPECT_EQ(b->GetContract(c.uid)->object, "raw");
}

// An idle reader ends its read transaction within a fraction of a second, so
// that a checkpoint can recycle the whole WAL.
TEST_F(SqliteStoreTest, IdleReadersLetTheWalBeTruncated) {
  auto store = Open(url_);
  {
    auto txn = store->BeginWrite();
    for (int i = 0; i < 50; ++i)
      ASSERT_TRUE((*txn)->UpsertContract(Sample(std::to_string(i))).ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  ASSERT_TRUE(store->GetContract(Sample("7").uid).ok());
  ASSERT_GT(std::filesystem::file_size(path_ + "-wal"), 0u);
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  // busy|log|checkpointed: busy 0 once no reader holds an old snapshot.
  const auto rows = Rows(path_, "PRAGMA wal_checkpoint(TRUNCATE)");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].substr(0, 2), "0|") << rows[0];
  EXPECT_EQ(std::filesystem::file_size(path_ + "-wal"), 0u);
  EXPECT_TRUE(store->GetContract(Sample("7").uid).ok());
}

// A first load into an empty store builds the secondary indexes at commit
// (faster than random inserts); committed or not, the schema ends the same.
TEST_F(SqliteStoreTest, IndexesDeferredByAFirstLoadAreBackAfterCommitOrRollback) {
  auto store = Open(url_);
  const std::string indexes =
      "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name";
  const auto before = Rows(path_, indexes);
  ASSERT_GE(before.size(), 4u);
  {
    auto txn = store->BeginWrite();
    ASSERT_TRUE((*txn)->UpsertContract(Sample("1")).ok());
    // Readers still see the indexes while the load runs.
    EXPECT_EQ(Rows(path_, indexes), before);
  }
  EXPECT_EQ(Rows(path_, indexes), before);
  {
    auto txn = store->BeginWrite();
    for (const char* id : {"1", "2"}) {
      ASSERT_TRUE((*txn)->UpsertContract(Sample(id)).ok());
      // With its ledger entry: the ledger's subject index is deferred too.
      ASSERT_TRUE((*txn)->AppendToLedger({"contract.created", Sample(id).uid, "{}"}).ok());
    }
    // Readers still see every index while the load runs.
    EXPECT_EQ(Rows(path_, indexes), before);
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  EXPECT_EQ(Rows(path_, indexes), before);
  EXPECT_THAT(Rows(path_, "PRAGMA integrity_check"), ::testing::ElementsAre("ok"));
  EXPECT_THAT(Rows(path_,
                   "SELECT seq FROM ledger_entries INDEXED BY ledger_entries_by_subject "
                   "WHERE subject = '" +
                       Sample("2").uid + "'"),
              ::testing::ElementsAre("1"));
  ContractFilter by_holder;
  by_holder.holder_id = "44306184100047";
  auto page = store->ListContracts(by_holder, {});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->items.size(), 2u);
}

TEST_F(SqliteStoreTest, FirstLoadRollsBackAFileAndEndsInPlaceInWalMode) {
  const std::string loading = path_ + ".loading";
  std::ofstream(loading) << "left by an unfinished first load";
  auto opened = OpenFirstLoad(loading);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  std::unique_ptr<Store> store = std::move(*opened);
  const auto load = [&](const char* id, bool commit) {
    auto txn = store->BeginRelaxedWrite();
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE((*txn)->UpsertContract(Sample(id)).ok());
    ASSERT_TRUE((*txn)->AppendToLedger({"contract.created", Sample(id).uid, "{}"}).ok());
    if (commit) {
      ASSERT_TRUE((*txn)->Commit().ok());
    }
  };
  load("1", true);
  load("2", false);  // a file that failed: rolled back whole
  load("3", true);
  EXPECT_EQ(store->GetContract(Sample("2").uid).status().code(), ErrorCode::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(path_));

  ASSERT_TRUE(FinishFirstLoad(std::move(store), path_).ok());
  for (const char* suffix : {"", "-journal", "-wal", "-shm"}) {
    EXPECT_FALSE(std::filesystem::exists(loading + suffix)) << suffix;
  }
  EXPECT_THAT(Rows(path_, "PRAGMA journal_mode"), ::testing::ElementsAre("wal"));
  EXPECT_THAT(Rows(path_, "PRAGMA integrity_check"), ::testing::ElementsAre("ok"));
  auto reopened = Open(url_);
  ASSERT_TRUE(reopened);
  EXPECT_TRUE(reopened->GetContract(Sample("1").uid).ok());
  EXPECT_TRUE(reopened->GetContract(Sample("3").uid).ok());
  EXPECT_EQ(reopened->GetContract(Sample("2").uid).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(*reopened->LedgerSize(), 2u);
}

TEST_F(SqliteStoreTest, FirstLoadNeverReplacesAStoreCreatedMeanwhile) {
  const std::string loading = path_ + ".loading";
  auto store = OpenFirstLoad(loading);
  ASSERT_TRUE(store.ok());
  {
    auto txn = (*store)->BeginRelaxedWrite();
    ASSERT_TRUE((*txn)->UpsertContract(Sample("1")).ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  Open(url_).reset();  // another process creates the platform's store
  const Status finished = FinishFirstLoad(std::move(*store), path_);
  EXPECT_EQ(finished.code(), ErrorCode::kFailedPrecondition) << finished.ToString();
  EXPECT_THAT(finished.message(), ::testing::HasSubstr(loading));
  EXPECT_THAT(Rows(path_, "SELECT count(*) FROM contracts"), ::testing::ElementsAre("0"));
  EXPECT_THAT(Rows(loading, "SELECT count(*) FROM contracts"), ::testing::ElementsAre("1"));
  std::filesystem::remove(loading);
}

TEST_F(SqliteStoreTest, MissingDirectoryIsUnavailable) {
  auto s = OpenStore("sqlite:/nonexistent-dir-for-limpide/x.db");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), ErrorCode::kUnavailable);
}

TEST_F(SqliteStoreTest, FileThatIsNotADatabaseIsRefused) {
  std::ofstream(path_) << std::string(4096, 'x');
  auto s = OpenStore(url_);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), ErrorCode::kFailedPrecondition) << s.status().ToString();
}

TEST_F(SqliteStoreTest, UnknownUrlSchemesAreRefused) {
  auto s = OpenStore("mysql://localhost/limpide");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(s.status().message(), "unsupported store URL");
}

// The listing queries must seek with an index, not scan and sort the table.
TEST_F(SqliteStoreTest, ListingQueriesUseIndexes) {
  Open(url_).reset();
  const std::string cols = "SELECT uid FROM contracts WHERE ";
  const auto plan = [&](const std::string& sql) {
    std::string all;
    for (const auto& r : Rows(path_, "EXPLAIN QUERY PLAN " + sql)) all += r + "\n";
    return all;
  };
  const std::string first_page = plan(cols + "1 ORDER BY notified_on DESC, uid LIMIT 51");
  EXPECT_THAT(first_page, ::testing::HasSubstr("contracts_by_date"));
  EXPECT_THAT(first_page, ::testing::Not(::testing::HasSubstr("TEMP B-TREE")));
  const std::string by_buyer =
      plan(cols +
           "buyer_id = 'b' AND notified_on < '2020-01-01' ORDER BY notified_on DESC, uid LIMIT 51");
  EXPECT_THAT(by_buyer, ::testing::HasSubstr("contracts_by_buyer"));
  EXPECT_THAT(by_buyer, ::testing::Not(::testing::HasSubstr("TEMP B-TREE")));
  EXPECT_THAT(plan(cols + "cpv8 >= '45' AND cpv8 < '45:'"),
              ::testing::HasSubstr("contracts_by_cpv"));
  EXPECT_THAT(plan("SELECT contract_seq FROM contract_holders WHERE holder_id = 'h'"),
              ::testing::HasSubstr("contract_holders_by_holder"));
}

// ---- store/codec.h --------------------------------------------------------------


TEST(ContentHash, IgnoresSourceAndFlagsOnly) {
  domain::Contract a;
  a.uid = "u";
  domain::Contract b = a;
  b.source = "other";
  b.flags = {"f"};
  EXPECT_EQ(internal::HashContent(a), internal::HashContent(b));
  b.object = "o";
  EXPECT_NE(internal::HashContent(a), internal::HashContent(b));
  // Length prefixes keep field boundaries apart.
  domain::Contract c = a, d = a;
  c.id = "ab";
  d.id = "a";
  d.buyer_id = "b";
  EXPECT_NE(internal::HashContent(c), internal::HashContent(d));
}

TEST(Cursor, RoundTripsAnyUid) {
  for (const internal::SortKey& key :
       {internal::SortKey{"2024-02-29", "21750001600019-2024\n01"}, internal::SortKey{"", "x"},
        internal::SortKey{"1999-12-31", "é\xff"}}) {
    auto back = internal::DecodeCursor(internal::EncodeCursor(key));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back->date, key.date);
    EXPECT_EQ(back->uid, key.uid);
  }
}

TEST(Base64Url, RoundTripsAndRejectsNonCanonicalText) {
  std::string out;
  for (const std::string& s : std::vector<std::string>{"", "f", "fo", "foo", "foob", "fooba",
                                                       "foobar", std::string("\0\xff", 2)}) {
    ASSERT_TRUE(internal::Base64UrlDecode(internal::Base64UrlEncode(s), out));
    EXPECT_EQ(out, s);
  }
  EXPECT_EQ(internal::Base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_FALSE(internal::Base64UrlDecode("Zh", out));  // trailing bits set
  EXPECT_FALSE(internal::Base64UrlDecode("Zm9v+", out));
}

}  // namespace
}  // namespace limpide::store
