#include "store/sqlite/sqlite_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <variant>
#include <vector>

#include "domain/procedure.h"
#include "domain/text.h"
#include "domain/time.h"
#include "ledger/entry.h"
#include "store/codec.h"
#include "store/columns.h"
#include "store/first_load.h"
#include "store/sqlite/db.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/wal_watch.h"

namespace limpide::store::sqlite {
namespace {

using domain::Contract;
using internal::ContentHash;

// Readers kept open for reuse; more may exist while many threads read.
constexpr size_t kMaxIdleReaders = 8;
// An idle reader ends its read transaction after this long: an open one keeps
// a checkpoint from recycling the WAL past its snapshot.
constexpr auto kMaxIdleSnapshot = std::chrono::milliseconds(200);
// The organization-name cache of the writer is dropped beyond this size.
constexpr size_t kMaxCachedOrganizations = 200000;

crypto::Hash HashFromBlob(std::string_view blob) {
  crypto::Hash h{};
  if (blob.size() == h.size()) std::memcpy(h.data(), blob.data(), h.size());
  return h;
}

// Rows for internal::AddInventoryRow, from one statement (one snapshot).
constexpr const char* kInventorySql =
    "SELECT 0, '', count(*), 0 FROM contracts "
    "UNION ALL SELECT 1, '', count(*), 0 FROM organizations "
    "UNION ALL SELECT 2, '', count(*), 0 FROM ledger_entries "
    "UNION ALL SELECT 3, '', count(*), 0 FROM ledger_nodes "
    "UNION ALL SELECT 4, '', count(*), ifnull(sum(size), 0) FROM blobs "
    "UNION ALL SELECT 5, kind, count(*), 0 FROM objects GROUP BY kind";

// Takes the lease when free, expired (?4: now, ms) or already ours; ?3 is the
// new expiry. One row changed when we hold it afterwards.
constexpr const char* kTryLeaseSql =
    "INSERT INTO leases (name, holder, expires) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires = excluded.expires "
    "WHERE leases.holder = excluded.holder OR leases.expires <= ?4";

constexpr const char* kSelectObjectSql =
    "SELECT kind, id, version, body, updated FROM objects WHERE kind = ?1 AND id = ?2";

// The stored name is replaced when it is empty, or when it carries U+FFFD (a
// character lost by a decoder) and the new one does not.
constexpr const char* kUpsertOrganizationSql =
    "INSERT INTO organizations (id, name) VALUES (?1, ?2) "
    "ON CONFLICT (id) DO UPDATE SET name = excluded.name "
    "WHERE excluded.name <> '' AND (organizations.name = '' OR "
    "(instr(organizations.name, char(65533)) > 0 AND instr(excluded.name, char(65533)) = 0))";

using internal::Corrupt;
using internal::InsertContractSql;
using internal::kContractColumns;
using internal::kWriteColumnCount;
using internal::UpdateContractSql;
using internal::DateText;
using internal::FlagsJson;
using internal::HoldersJson;
using internal::KindCode;
using internal::ModificationsJson;
using internal::ParseFlagsJson;
using internal::ParseHoldersJson;
using internal::ParseModificationsJson;

Result<std::optional<domain::Date>> ReadDate(const Query& q, int col, std::string_view uid) {
  if (q.IsNull(col) || q.Text(col).empty()) return std::optional<domain::Date>();
  auto d = domain::ParseDate(q.Text(col));
  if (!d.ok()) return Corrupt("date", uid);
  return std::optional<domain::Date>(*d);
}

std::optional<int> ReadInt(const Query& q, int col) {
  if (q.IsNull(col)) return std::nullopt;
  return static_cast<int>(q.Int(col));
}

std::optional<domain::Money> ReadMoney(const Query& q, int col) {
  if (q.IsNull(col)) return std::nullopt;
  return domain::Money{q.Int(col)};
}

// Steps a contract lookup by `uid` to its row: not_found when there is none.
Status StepToContract(Query& q, std::string_view uid) {
  auto row = q.Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound("no contract with uid " + std::string(uid));
  return Status::Ok();
}

// Decodes a row selected with kContractColumns.
Result<Contract> ReadContractRow(const Query& q) {
  Contract c;
  c.uid = q.Text(0);
  c.id = q.Text(1);
  const std::string_view kind = q.Text(2);
  if (kind == "concession")
    c.kind = domain::ContractKind::kConcession;
  else if (kind == "marche")
    c.kind = domain::ContractKind::kMarche;
  else
    return Corrupt("kind", c.uid);
  c.buyer_id = q.Text(3);
  c.buyer_name = q.Text(4);
  if (!q.IsNull(5)) {
    c.nature = domain::NatureFromCode(q.Text(5));
    if (!c.nature) return Corrupt("nature", c.uid);
  }
  if (!q.IsNull(6)) {
    c.procedure = domain::ProcedureFromCode(q.Text(6));
    if (!c.procedure) return Corrupt("procedure", c.uid);
  }
  c.object = q.Text(7);
  c.cpv = q.Text(8);
  c.place.code = q.Text(9);
  c.place.code_type = q.Text(10);
  c.place.name = q.Text(11);
  c.duration_months = ReadInt(q, 12);
  c.amount = ReadMoney(q, 13);
  c.public_subsidy = ReadMoney(q, 14);
  for (auto [col, field] : {std::pair{15, &c.notified_on}, std::pair{16, &c.published_on},
                            std::pair{17, &c.execution_start}}) {
    auto d = ReadDate(q, col, c.uid);
    if (!d.ok()) return d.status();
    *field = *d;
  }
  c.price_form = q.Text(18);
  c.extra_json = q.Text(19);
  c.schema_version = q.Text(20);
  c.source = q.Text(21);
  const std::string_view flags = q.Text(22);
  if (flags != "[]") {
    auto parsed = ParseFlagsJson(flags, c.uid);
    if (!parsed.ok()) return parsed.status();
    c.flags = std::move(*parsed);
  }
  if (const std::string_view holders = q.Text(23); holders != "[]") {
    auto parsed = ParseHoldersJson(holders, c.uid);
    if (!parsed.ok()) return parsed.status();
    c.holders = std::move(*parsed);
  }
  if (const std::string_view mods = q.Text(24); mods != "[]") {
    auto parsed = ParseModificationsJson(mods, c.uid);
    if (!parsed.ok()) return parsed.status();
    c.modifications = std::move(*parsed);
  }
  return c;
}

// Bound values of a dynamically assembled query. The SQL text depends only on
// which filters are present, never on their values.
class Params {
 public:
  // Returns the placeholder ("?N") of a new text parameter.
  std::string Text(std::string v) {
    values_.emplace_back(std::move(v));
    return "?" + std::to_string(values_.size());
  }
  std::string Int(int64_t v) {
    values_.emplace_back(v);
    return "?" + std::to_string(values_.size());
  }
  void BindAll(Query& q) const {
    for (size_t i = 0; i < values_.size(); ++i) {
      const int n = static_cast<int>(i + 1);
      if (const auto* s = std::get_if<std::string>(&values_[i]))
        q.Bind(n, *s);
      else
        q.Bind(n, std::get<int64_t>(values_[i]));
    }
  }

 private:
  // Bound with SQLITE_STATIC: the values outlive the Query that uses them.
  std::vector<std::variant<std::string, int64_t>> values_;
};

// " AND "-joined conditions for `f` (already checked), or "1".
std::string WhereClause(const ContractFilter& f, Params& p) {
  std::vector<std::string> terms;
  if (!f.buyer_id.empty()) terms.push_back("buyer_id = " + p.Text(f.buyer_id));
  if (!f.holder_id.empty()) {
    terms.push_back("seq IN (SELECT contract_seq FROM contract_holders WHERE holder_id = " +
                    p.Text(f.holder_id) + ")");
  }
  if (!f.cpv_prefix.empty()) {
    // Digits only, so every code starting with the prefix sorts in
    // [prefix, prefix + ':') (':' follows '9' in ASCII): an index range.
    terms.push_back("cpv8 >= " + p.Text(f.cpv_prefix) + " AND cpv8 < " +
                    p.Text(f.cpv_prefix + ":"));
  }
  if (f.procedure)
    terms.push_back("procedure = " + p.Text(std::string(domain::Code(*f.procedure))));
  if (f.nature) terms.push_back("nature = " + p.Text(std::string(domain::Code(*f.nature))));
  if (f.notified_from)
    terms.push_back("notified_on >= " + p.Text(domain::FormatDate(*f.notified_from)));
  if (f.notified_to) {
    terms.push_back("notified_on > '' AND notified_on <= " +
                    p.Text(domain::FormatDate(*f.notified_to)));
  }
  if (f.amount_min) terms.push_back("amount_cents >= " + p.Int(f.amount_min->cents));
  if (f.amount_max) terms.push_back("amount_cents <= " + p.Int(f.amount_max->cents));
  for (auto& word : internal::SearchWords(f.text)) {
    terms.push_back("instr(object_folded, " + p.Text(std::move(word)) + ") > 0");
  }
  if (terms.empty()) return "1";
  std::string out;
  for (size_t i = 0; i < terms.size(); ++i) {
    if (i) out += " AND ";
    out += terms[i];
  }
  return out;
}

class SqliteStore;

// What appending to the ledger needs to know of its end.
struct LedgerTail {
  ledger::Frontier frontier;
  std::string last_time;  // time of the last entry ("" when empty)
};

class SqliteWriteTransaction final : public WriteTransaction {
 public:
  SqliteWriteTransaction(SqliteStore& store, std::unique_lock<std::mutex> lock)
      : store_(store), lock_(std::move(lock)) {}
  ~SqliteWriteTransaction() override;

  Result<UpsertOutcome> UpsertContract(const Contract& c) override;
  Result<uint64_t> AppendToLedger(const LedgerAppend& entry) override;
  Result<StoredObject> GetObject(std::string_view kind, std::string_view id) override;
  Result<int64_t> PutObject(std::string_view kind, std::string_view id, std::string_view body,
                            int64_t expected_version) override;
  Status DeleteObject(std::string_view kind, std::string_view id) override;
  using WriteTransaction::PutBlob;
  Status PutBlob(std::string_view bytes, const crypto::Hash& hash) override;
  Status CopyLedgerEntry(const LedgerRecord& record) override;
  Status CopyObject(const StoredObject& object) override;
  Status CopyOrganizationName(const OrganizationName& org) override;
  Status Commit() override;

 private:
  // Replaces the index rows of (kind, id) by `orgs` (ListObjectsOf).
  Status IndexOrgs(std::string_view kind, std::string_view id,
                   const std::vector<std::string>& orgs, bool replace);
  Status EnsureOrganization(const std::string& id, const std::string& name);
  // Keeps contracts.has_sources when an object of `kind` under `id` was
  // written (stored true) or deleted (false).
  Status NoteSources(std::string_view kind, std::string_view id, bool stored);
  // Notes that an object of `kind` was written: the contracts' version then
  // moves at commit when it is a contract's sources.
  void NoteObject(std::string_view kind) {
    if (kind == kContractSourcesKind) contracts_changed_ = true;
  }
  // Loads tail_ on the first ledger write of the transaction.
  Status LoadTail();
  // Inserts an encoded entry at the tail and the subtrees it completes.
  Status InsertLedgerEntry(uint64_t seq, const std::string& time, std::string_view kind,
                           std::string_view subject, std::string_view text,
                           const crypto::Hash& leaf);
  // On the first upsert: when `contracts` is empty, drops the secondary
  // indexes of the contract tables until Commit (see docs/storage.md).
  Status MaybeDeferIndexes();
  Status RebuildDeferredIndexes();

  SqliteStore& store_;
  std::unique_lock<std::mutex> lock_;
  bool finished_ = false;
  // Names sent to the organizations table in this transaction; merged into
  // the store's cache on commit, forgotten on rollback.
  std::unordered_map<std::string, std::string> org_names_;
  bool first_upsert_ = true;
  // (name, CREATE INDEX statement) of the indexes dropped by MaybeDeferIndexes.
  std::vector<std::pair<std::string, std::string>> deferred_indexes_;
  // The ledger's right edge as this transaction extends it; loaded on the
  // first append, handed to the store on commit.
  std::optional<LedgerTail> tail_;
  // A contract or a contract's sources was written: Commit bumps the
  // "contracts" counter (Store::ContractsVersion).
  bool contracts_changed_ = false;
};

// A reader connection and the read transaction it keeps open between
// operations (docs/storage.md, "Reads"): `snapshot` is the WAL stamp taken
// just before the transaction began; while the stamp has not changed, nothing
// was committed since, and the transaction still shows the latest data.
struct Reader {
  std::unique_ptr<Connection> conn;
  std::optional<WalWatch::Stamp> snapshot;  // set while a read transaction is open
  std::chrono::steady_clock::time_point idle_since;
};

// A reader borrowed from the pool for one operation; returned on destruction.
// Operations of several statements run inside one read transaction (a
// consistent snapshot); so does a single statement when the store keeps
// snapshots open, otherwise it is its own snapshot and needs none.
class ReadLease {
 public:
  ReadLease(SqliteStore& store, Reader reader);
  ~ReadLease();
  ReadLease(const ReadLease&) = delete;
  ReadLease& operator=(const ReadLease&) = delete;
  Connection& conn() { return *reader_.conn; }
  Status Begin();
  // Leaves the transaction open on release, stamped `stamp`.
  void KeepSnapshot(const WalWatch::Stamp& stamp) { reader_.snapshot = stamp; }

 private:
  SqliteStore& store_;
  Reader reader_;
  bool in_txn_ = false;
};

// Ends the read transaction open on `conn`, if any.
void EndReadTransaction(Connection& conn) {
  if (sqlite3_get_autocommit(conn.raw())) return;
  // Read-only: ending with COMMIT or ROLLBACK is the same; COMMIT is cheaper.
  auto end = conn.Prepare("COMMIT");
  if (!end.ok() || !Query(*end).Run().ok()) (void)conn.Exec("ROLLBACK");
}

void EndSnapshot(Reader& r) {
  if (!r.snapshot) return;
  r.snapshot.reset();
  EndReadTransaction(*r.conn);
}

class SqliteStore final : public Store {
 public:
  // first_load: rollback journal in memory, no fsync per commit, no readers'
  // snapshots (store/first_load.h); WAL otherwise.
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& path,
                                                   bool first_load = false);
  // Ends a first load: WAL mode, then the caller closes the store.
  Status SwitchToWal();
  const std::string& path() const { return path_; }
  bool first_load() const { return first_load_; }
  ~SqliteStore() override {
    if (sweeper_.joinable()) {
      {
        std::lock_guard<std::mutex> lock(pool_mu_);
        stopping_ = true;
      }
      sweep_cv_.notify_all();
      sweeper_.join();
    }
    idle_readers_.clear();
    watch_.reset();  // before the writer, which keeps the -shm file open
    if (writer_) (void)writer_->Exec("PRAGMA optimize");
  }

  Result<std::unique_ptr<WriteTransaction>> BeginWrite() override { return Begin(true); }
  Result<std::unique_ptr<WriteTransaction>> BeginRelaxedWrite() override { return Begin(false); }
  Result<Contract> GetContract(std::string_view uid) override;
  std::optional<uint64_t> ContractsVersion() override;
  Result<ContractWithObject> GetContractWithObject(std::string_view uid,
                                                   std::string_view kind) override;
  Result<ContractPage> ListContracts(const ContractFilter& filter,
                                     const PageRequest& page) override;
  Result<Counts> CountContracts(const ContractFilter& filter) override;
  Result<domain::Organization> GetOrganization(std::string_view id) override;
  Result<std::vector<Partner>> ListPartners(std::string_view id, Role role, int limit) override;
  Result<std::vector<std::string>> DistinctValues(std::string_view column) override;
  Result<uint64_t> LedgerSize() override;
  Result<std::vector<LedgerRecord>> LedgerEntries(uint64_t start, uint64_t end) override;
  Result<std::vector<crypto::Hash>> LedgerNodes(const std::vector<ledger::NodeId>& ids) override;
  Result<StoredObject> GetObject(std::string_view kind, std::string_view id) override;
  Result<ObjectPage> ListObjects(std::string_view kind, std::string_view id_prefix,
                                 const PageRequest& page) override;
  Result<ObjectPage> ListObjectsOf(std::string_view kind, std::string_view org,
                                   std::string_view id_prefix, const PageRequest& page) override;
  // Runs a SELECT of object rows (kind, id, version, body, updated) with
  // `bind` setting its parameters; one row more than `limit` tells the next page.
  Result<ObjectPage> QueryObjectPage(const std::string& sql, int limit,
                                     const std::function<void(Query&)>& bind);
  Result<std::string> GetBlob(const crypto::Hash& hash) override;
  Result<OrganizationPage> ListOrganizations(const PageRequest& page) override;
  Result<std::vector<crypto::Hash>> ListBlobs(const std::optional<crypto::Hash>& after,
                                              int limit) override;
  Result<Inventory> Count() override;
  Result<bool> TryLease(std::string_view name, std::string_view holder, int64_t ttl_ms) override;
  Status ReleaseLease(std::string_view name, std::string_view holder) override;
  int schema_version() const override { return schema_version_; }

 private:
  friend class SqliteWriteTransaction;
  friend class ReadLease;

  explicit SqliteStore(std::string path) : path_(std::move(path)) {}

  enum class Snapshot { kSingleStatement, kTransaction };
  Result<std::unique_ptr<ReadLease>> Read(Snapshot snapshot);
  void Release(Reader reader);
  // Every kMaxIdleSnapshot, ends the read transactions of readers idle longer.
  void SweepSnapshots();

  // Statements of the writer connection, prepared once at open.
  struct WriterStatements {
    sqlite3_stmt* begin = nullptr;
    sqlite3_stmt* commit = nullptr;
    sqlite3_stmt* rollback = nullptr;
    sqlite3_stmt* select_hash = nullptr;
    sqlite3_stmt* insert_contract = nullptr;
    sqlite3_stmt* bump_contracts = nullptr;
    sqlite3_stmt* update_contract = nullptr;
    sqlite3_stmt* delete_holders = nullptr;
    sqlite3_stmt* delete_modifications = nullptr;
    sqlite3_stmt* insert_holder = nullptr;
    sqlite3_stmt* insert_modification = nullptr;
    sqlite3_stmt* upsert_organization = nullptr;
    sqlite3_stmt* ledger_size = nullptr;
    sqlite3_stmt* ledger_last_time = nullptr;
    sqlite3_stmt* insert_entry = nullptr;
    sqlite3_stmt* insert_node = nullptr;
    sqlite3_stmt* select_object = nullptr;
    sqlite3_stmt* insert_object = nullptr;
    sqlite3_stmt* update_object = nullptr;
    sqlite3_stmt* insert_blob = nullptr;
    sqlite3_stmt* select_object_orgs = nullptr;
    sqlite3_stmt* delete_object_org = nullptr;
    sqlite3_stmt* insert_object_org = nullptr;
    sqlite3_stmt* set_has_sources = nullptr;
  };
  // The ledger's end as of the last commit by this process. Another process
  // (an import beside the server) may have appended since: the size on disk
  // is checked at each transaction's first append. Guarded by write_mu_.
  std::optional<LedgerTail> ledger_tail_;
  Result<LedgerTail> LoadLedgerTail(Connection& conn);
  // BEGIN IMMEDIATE on the writer, after setting synchronous to FULL (durable)
  // or NORMAL (WAL: no fsync at commit) when it differs.
  Result<std::unique_ptr<WriteTransaction>> Begin(bool durable);
  bool writer_durable_ = true;  // the writer's synchronous mode; guarded by write_mu_
  bool first_load_ = false;     // opened by OpenFirstLoad: synchronous stays OFF
  Status PrepareWriter();

  const std::string path_;
  int schema_version_ = 0;

  std::mutex write_mu_;  // held by the live WriteTransaction
  std::unique_ptr<Connection> writer_;
  WriterStatements w_;
  // Last name sent to the organizations table per id, committed. Guarded by
  // write_mu_.
  std::unordered_map<std::string, std::string> org_names_;

  // Watches for commits (nullptr: every read begins its own transaction).
  std::unique_ptr<WalWatch> watch_;
  // ContractsVersion's last reading and the WAL stamp taken before it.
  std::mutex version_mu_;
  std::optional<WalWatch::Stamp> version_stamp_;
  uint64_t version_ = 0;
  std::mutex pool_mu_;
  std::vector<Reader> idle_readers_;
  std::condition_variable sweep_cv_;
  bool stopping_ = false;  // guarded by pool_mu_
  std::thread sweeper_;    // runs SweepSnapshots while watch_ is set
};

// ---- Opening -------------------------------------------------------------------

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path,
                                                       bool first_load) {
  std::unique_ptr<SqliteStore> store(new SqliteStore(path));
  auto writer = Connection::Open(path, /*create=*/true);
  if (!writer.ok()) return writer.status();
  store->writer_ = std::move(*writer);
  store->first_load_ = first_load;
  Connection& w = *store->writer_;
  // A first load writes each page once, into the file; WAL writes it twice
  // (the log, then the checkpoint): 1.7 times the import rate on 105,120
  // contracts (docs/performance.md). ROLLBACK still works with the journal in
  // memory, which a journal_mode of OFF would not give.
  const char* want = first_load ? "memory" : "wal";
  auto mode = w.QueryText(first_load ? "PRAGMA journal_mode = MEMORY" : "PRAGMA journal_mode = WAL");
  if (!mode.ok()) return mode.status();
  if (*mode != want) {
    return Status::Unavailable("cannot switch " + path + " to " + want +
                               " journal mode (journal_mode=" + *mode + ")");
  }
  if (first_load) {
    LIMPIDE_RETURN_IF_ERROR(w.Exec("PRAGMA synchronous = OFF"));
    store->writer_durable_ = false;
  }
  // Checkpoint less often than every 4 MiB of WAL: bulk imports commit in
  // batches, and each checkpoint costs two fsyncs.
  LIMPIDE_RETURN_IF_ERROR(w.Exec("PRAGMA wal_autocheckpoint = 16384"));  // pages: 64 MiB
  auto version = Migrate(w);
  if (!version.ok()) return version.status();
  store->schema_version_ = *version;
  LIMPIDE_RETURN_IF_ERROR(store->PrepareWriter());
  if (first_load) return store;
  // The writer has the -shm file open from here on (WAL mode, migrations run).
  store->watch_ = WalWatch::Open(path);
  if (store->watch_) store->sweeper_ = std::thread([s = store.get()] { s->SweepSnapshots(); });
  return store;
}

Status SqliteStore::PrepareWriter() {
  const std::string insert =
      InsertContractSql('?', "'" + std::string(kContractSourcesKind) + "'");
  const std::string update = UpdateContractSql('?', "WHERE seq = ?" + std::to_string(kWriteColumnCount + 1));
  const std::pair<sqlite3_stmt**, const char*> statements[] = {
      {&w_.begin, "BEGIN IMMEDIATE"},
      {&w_.commit, "COMMIT"},
      {&w_.rollback, "ROLLBACK"},
      {&w_.select_hash,
       "SELECT seq, content_hash, modifications_json FROM contracts WHERE uid = ?1"},
      {&w_.insert_contract, insert.c_str()},
      {&w_.update_contract, update.c_str()},
      {&w_.delete_holders, "DELETE FROM contract_holders WHERE contract_seq = ?1"},
      {&w_.delete_modifications, "DELETE FROM contract_modifications WHERE contract_seq = ?1"},
      {&w_.insert_holder,
       "INSERT INTO contract_holders (contract_seq, position, holder_id, id_type, name) "
       "VALUES (?1, ?2, ?3, ?4, ?5)"},
      {&w_.insert_modification,
       "INSERT INTO contract_modifications (contract_seq, position, modification_id, object, "
       "signed_on, published_on, duration_months, amount_cents, holders_json) "
       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"},
      {&w_.upsert_organization, kUpsertOrganizationSql},
      {&w_.ledger_size, "SELECT ifnull(max(seq) + 1, 0) FROM ledger_entries"},
      {&w_.ledger_last_time, "SELECT time FROM ledger_entries ORDER BY seq DESC LIMIT 1"},
      {&w_.insert_entry,
       "INSERT INTO ledger_entries (seq, time, kind, subject, entry, leaf_hash) "
       "VALUES (?1, ?2, ?3, ?4, ?5, ?6)"},
      {&w_.insert_node, "INSERT INTO ledger_nodes (level, idx, hash) VALUES (?1, ?2, ?3)"},
      {&w_.select_object, kSelectObjectSql},
      {&w_.insert_object,
       "INSERT INTO objects (kind, id, version, body, updated) VALUES (?1, ?2, 1, ?3, ?4) "
       "ON CONFLICT DO NOTHING"},
      {&w_.update_object,
       "UPDATE objects SET version = version + 1, body = ?3, updated = ?4 "
       "WHERE kind = ?1 AND id = ?2 AND version = ?5"},
      {&w_.insert_blob,
       "INSERT INTO blobs (hash, size, data) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING"},
      {&w_.select_object_orgs, "SELECT org FROM object_orgs WHERE kind = ?1 AND id = ?2"},
      {&w_.delete_object_org, "DELETE FROM object_orgs WHERE kind = ?1 AND org = ?2 AND id = ?3"},
      {&w_.insert_object_org,
       "INSERT INTO object_orgs (kind, org, id) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING"},
      {&w_.set_has_sources,
       "UPDATE contracts SET has_sources = ?2 WHERE uid = ?1 AND has_sources <> ?2"},
      {&w_.bump_contracts, "UPDATE counters SET value = value + 1 WHERE name = 'contracts'"},
  };
  for (const auto& [slot, sql] : statements) {
    auto stmt = writer_->Prepare(sql);
    if (!stmt.ok()) return stmt.status();
    *slot = *stmt;
  }
  return Status::Ok();
}

// ---- Writes --------------------------------------------------------------------

Result<std::unique_ptr<WriteTransaction>> SqliteStore::Begin(bool durable) {
  std::unique_lock<std::mutex> lock(write_mu_);
  if (durable != writer_durable_ && !first_load_) {
    // Not allowed inside a transaction: set between them.
    LIMPIDE_RETURN_IF_ERROR(
        writer_->Exec(durable ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL"));
    writer_durable_ = durable;
  }
  LIMPIDE_RETURN_IF_ERROR(Query(w_.begin).Run());
  return std::unique_ptr<WriteTransaction>(new SqliteWriteTransaction(*this, std::move(lock)));
}

SqliteWriteTransaction::~SqliteWriteTransaction() {
  if (!finished_) (void)Query(store_.w_.rollback).Run();
}

Status SqliteWriteTransaction::MaybeDeferIndexes() {
  first_upsert_ = false;
  Connection& conn = *store_.writer_;
  const auto empty = [&](const char* sql) -> Result<bool> {
    auto any = conn.Prepare(sql);
    if (!any.ok()) return any.status();
    Query q(*any);
    auto row = q.Step();
    if (!row.ok()) return row.status();
    return !*row;
  };
  auto no_contracts = empty("SELECT 1 FROM contracts LIMIT 1");
  if (!no_contracts.ok()) return no_contracts.status();
  if (!*no_contracts) return Status::Ok();
  // The ledger gets one entry per contract: its subject index too, when the
  // ledger is empty as well.
  auto no_entries = empty("SELECT 1 FROM ledger_entries LIMIT 1");
  if (!no_entries.ok()) return no_entries.status();
  // Indexes declared by the migrations (automatic ones, for PRIMARY KEY and
  // UNIQUE, have no SQL and stay: the upsert needs them).
  {
    auto list = conn.Prepare(
        *no_entries
            ? "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND "
              "tbl_name IN ('contracts', 'contract_holders', 'contract_modifications', "
              "'ledger_entries') ORDER BY name"
            : "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND "
              "tbl_name IN ('contracts', 'contract_holders', 'contract_modifications') "
              "ORDER BY name");
    if (!list.ok()) return list.status();
    Query q(*list);
    for (;;) {
      auto row = q.Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      deferred_indexes_.emplace_back(q.Text(0), q.Text(1));
    }
  }
  for (const auto& [name, sql] : deferred_indexes_) {
    // Index names come from sqlite_master, never from input.
    LIMPIDE_RETURN_IF_ERROR(conn.Exec(("DROP INDEX \"" + name + "\"").c_str()));
  }
  return Status::Ok();
}

Status SqliteWriteTransaction::RebuildDeferredIndexes() {
  for (const auto& [name, sql] : deferred_indexes_) {
    LIMPIDE_RETURN_IF_ERROR(store_.writer_->Exec(sql.c_str()));
  }
  deferred_indexes_.clear();
  return Status::Ok();
}

Status SqliteWriteTransaction::Commit() {
  if (finished_) return Status::FailedPrecondition("transaction already finished");
  // Inside the transaction: a failure rolls the drop back with everything else.
  Status st = RebuildDeferredIndexes();
  if (st.ok() && contracts_changed_) st = Query(store_.w_.bump_contracts).Run();
  if (st.ok()) st = Query(store_.w_.commit).Run();
  if (!st.ok()) {
    // A failed COMMIT may leave the transaction open: roll it back so that the
    // writer connection is usable again.
    if (!sqlite3_get_autocommit(store_.writer_->raw())) (void)Query(store_.w_.rollback).Run();
    finished_ = true;
    lock_.unlock();
    return st;
  }
  finished_ = true;
  if (tail_) store_.ledger_tail_ = std::move(tail_);
  auto& cache = store_.org_names_;
  if (cache.size() + org_names_.size() > kMaxCachedOrganizations) cache.clear();
  for (auto& [id, name] : org_names_) cache[id] = std::move(name);
  lock_.unlock();
  return Status::Ok();
}

Status SqliteWriteTransaction::EnsureOrganization(const std::string& id, const std::string& name) {
  if (id.empty()) return Status::Ok();
  // Skip the statement when it cannot change anything: the row exists and the
  // stored name is at least as good as `name` (see kUpsertOrganizationSql).
  const std::string* known = nullptr;
  if (auto it = org_names_.find(id); it != org_names_.end())
    known = &it->second;
  else if (auto it2 = store_.org_names_.find(id); it2 != store_.org_names_.end())
    known = &it2->second;
  if (known && (name.empty() || name == *known ||
                (domain::HasReplacementChar(name) && !known->empty() &&
                 !domain::HasReplacementChar(*known)))) {
    return Status::Ok();
  }
  Query q(store_.w_.upsert_organization);
  q.Bind(1, id);
  q.Bind(2, name);
  LIMPIDE_RETURN_IF_ERROR(q.Run());
  org_names_[id] = name;
  return Status::Ok();
}

Result<UpsertOutcome> SqliteWriteTransaction::UpsertContract(const Contract& c) {
  if (finished_) return Status::FailedPrecondition("transaction already finished");
  if (c.uid.empty()) return Status::InvalidArgument("contract without uid", "uid");
  if (first_upsert_) LIMPIDE_RETURN_IF_ERROR(MaybeDeferIndexes());
  const auto& w = store_.w_;
  const ContentHash hash = internal::HashContent(c);

  const std::string folded = domain::FoldForSearch(c.object);
  const std::string cpv8 = internal::Cpv8(c.cpv);
  const std::string notified = DateText(c.notified_on);
  const std::string published = DateText(c.published_on);
  const std::string start = DateText(c.execution_start);
  const std::string flags = c.flags.empty() ? std::string("[]") : FlagsJson(c.flags);
  const std::string holders_json = HoldersJson(c.holders);
  const std::string modifications_json = ModificationsJson(c.modifications);
  const auto bind_row = [&](Query& q) {
    q.Bind(1, c.uid);
    q.Bind(2, c.id);
    q.Bind(3, KindCode(c.kind));
    q.Bind(4, c.buyer_id);
    q.Bind(5, c.buyer_name);
    if (c.nature)
      q.Bind(6, domain::Code(*c.nature));
    else
      q.BindNull(6);
    if (c.procedure)
      q.Bind(7, domain::Code(*c.procedure));
    else
      q.BindNull(7);
    q.Bind(8, c.object);
    q.Bind(9, folded);
    q.Bind(10, c.cpv);
    q.BindOrNull(11, cpv8);
    q.Bind(12, c.place.code);
    q.Bind(13, c.place.code_type);
    q.Bind(14, c.place.name);
    q.BindOptional(15, c.duration_months);
    if (c.amount)
      q.Bind(16, c.amount->cents);
    else
      q.BindNull(16);
    if (c.public_subsidy)
      q.Bind(17, c.public_subsidy->cents);
    else
      q.BindNull(17);
    q.Bind(18, notified);  // '' when absent: sorts last
    q.BindOrNull(19, published);
    q.BindOrNull(20, start);
    q.Bind(21, c.price_form);
    q.Bind(22, c.extra_json);
    q.Bind(23, c.schema_version);
    q.Bind(24, c.source);
    q.Bind(25, flags);
    q.Bind(26, holders_json);
    q.Bind(27, modifications_json);
    q.BindBlob(28, hash.data(), static_cast<int>(hash.size()));
    q.Bind(29, internal::NowMicros());
  };

  // New contracts are the common case of an import: try the insert first, so
  // that its uniqueness check doubles as the lookup (ON CONFLICT DO NOTHING).
  bool exists = false;
  int64_t seq = 0;
  {
    Query q(w.insert_contract);
    bind_row(q);
    LIMPIDE_RETURN_IF_ERROR(q.Run());
    sqlite3* db = store_.writer_->raw();
    exists = sqlite3_changes(db) == 0;
    if (!exists) seq = sqlite3_last_insert_rowid(db);
  }
  if (!exists) contracts_changed_ = true;
  if (exists) {
    std::optional<Contract> kept;  // c with the stored modifications it lacks
    {
      Query q(w.select_hash);
      q.Bind(1, c.uid);
      auto row = q.Step();
      if (!row.ok()) return row.status();
      if (!*row) return Status::Internal("contract vanished during upsert: " + c.uid);
      seq = q.Int(0);
      const std::string_view stored = q.Blob(1);
      if (stored.size() == hash.size() &&
          std::equal(hash.begin(), hash.end(), reinterpret_cast<const uint8_t*>(stored.data()))) {
        return UpsertOutcome::kUnchanged;
      }
      auto stored_mods = ParseModificationsJson(q.Text(2), c.uid);
      if (!stored_mods.ok()) return stored_mods.status();
      kept = internal::KeepStoredModifications(c, *stored_mods);
    }
    // Amendments keep their history: write c with them (once: nothing is missing then).
    if (kept) return UpsertContract(*kept);
    for (sqlite3_stmt* del : {w.delete_holders, w.delete_modifications}) {
      Query q(del);
      q.Bind(1, seq);
      LIMPIDE_RETURN_IF_ERROR(q.Run());
    }
    contracts_changed_ = true;
    Query q(w.update_contract);
    bind_row(q);
    q.Bind(kWriteColumnCount + 1, seq);
    LIMPIDE_RETURN_IF_ERROR(q.Run());
  }

  for (size_t i = 0; i < c.holders.size(); ++i) {
    const auto& h = c.holders[i];
    Query q(w.insert_holder);
    q.Bind(1, seq);
    q.Bind(2, static_cast<int64_t>(i));
    q.Bind(3, h.id);
    q.Bind(4, h.id_type);
    q.Bind(5, h.name);
    LIMPIDE_RETURN_IF_ERROR(q.Run());
  }
  for (size_t i = 0; i < c.modifications.size(); ++i) {
    const auto& m = c.modifications[i];
    const std::string signed_on = DateText(m.signed_on);
    const std::string published_on = DateText(m.published_on);
    const std::string holders = HoldersJson(m.holders);
    Query q(w.insert_modification);
    q.Bind(1, seq);
    q.Bind(2, static_cast<int64_t>(i));
    q.Bind(3, m.id);
    q.Bind(4, m.object);
    q.BindOrNull(5, signed_on);
    q.BindOrNull(6, published_on);
    q.BindOptional(7, m.duration_months);
    if (m.amount)
      q.Bind(8, m.amount->cents);
    else
      q.BindNull(8);
    q.Bind(9, holders);
    LIMPIDE_RETURN_IF_ERROR(q.Run());
  }

  LIMPIDE_RETURN_IF_ERROR(EnsureOrganization(c.buyer_id, c.buyer_name));
  for (const auto& h : c.holders) LIMPIDE_RETURN_IF_ERROR(EnsureOrganization(h.id, h.name));
  return exists ? UpsertOutcome::kUpdated : UpsertOutcome::kInserted;
}

// ---- Ledger --------------------------------------------------------------------

// Reads the hashes of perfect subtrees through `conn` (level 0 from the
// entries, higher levels from ledger_nodes).
Result<std::vector<crypto::Hash>> ReadLedgerNodes(Connection& conn,
                                                  const std::vector<ledger::NodeId>& ids) {
  auto leaf = conn.Prepare("SELECT leaf_hash FROM ledger_entries WHERE seq = ?1");
  if (!leaf.ok()) return leaf.status();
  auto node = conn.Prepare("SELECT hash FROM ledger_nodes WHERE level = ?1 AND idx = ?2");
  if (!node.ok()) return node.status();
  std::vector<crypto::Hash> out;
  out.reserve(ids.size());
  for (const auto& id : ids) {
    Query q(id.level == 0 ? *leaf : *node);
    if (id.level == 0) {
      q.Bind(1, static_cast<int64_t>(id.index));
    } else {
      q.Bind(1, int64_t{id.level});
      q.Bind(2, static_cast<int64_t>(id.index));
    }
    auto row = q.Step();
    if (!row.ok()) return row.status();
    if (!*row) {
      return Status::NotFound("ledger node (level " + std::to_string(id.level) + ", index " +
                              std::to_string(id.index) + ") is not stored");
    }
    out.push_back(HashFromBlob(q.Blob(0)));
  }
  return out;
}

Result<LedgerTail> SqliteStore::LoadLedgerTail(Connection& conn) {
  uint64_t size = 0;
  {
    Query q(w_.ledger_size);
    auto row = q.Step();
    if (!row.ok()) return row.status();
    size = static_cast<uint64_t>(q.Int(0));
  }
  if (ledger_tail_ && ledger_tail_->frontier.size() == size) return *ledger_tail_;
  LedgerTail tail;
  auto hashes = ReadLedgerNodes(conn, ledger::Frontier::NodesOf(size));
  if (!hashes.ok()) return hashes.status();
  tail.frontier = ledger::Frontier(size, std::move(*hashes));
  Query q(w_.ledger_last_time);
  auto row = q.Step();
  if (!row.ok()) return row.status();
  if (*row) tail.last_time = std::string(q.Text(0));
  return tail;
}

Status SqliteWriteTransaction::LoadTail() {
  if (tail_) return Status::Ok();
  auto tail = store_.LoadLedgerTail(*store_.writer_);
  if (!tail.ok()) return tail.status();
  tail_ = std::move(*tail);
  return Status::Ok();
}

Status SqliteWriteTransaction::InsertLedgerEntry(uint64_t seq, const std::string& time,
                                                 std::string_view kind, std::string_view subject,
                                                 std::string_view text,
                                                 const crypto::Hash& leaf) {
  {
    Query q(store_.w_.insert_entry);
    q.Bind(1, static_cast<int64_t>(seq));
    q.Bind(2, time);
    q.Bind(3, kind);
    q.Bind(4, subject);
    q.Bind(5, text);
    q.BindBlob(6, leaf.data(), static_cast<int>(leaf.size()));
    LIMPIDE_RETURN_IF_ERROR(q.Run());
  }
  std::vector<std::pair<ledger::NodeId, crypto::Hash>> completed;
  tail_->frontier.Append(leaf, &completed);
  for (const auto& [id, hash] : completed) {
    Query q(store_.w_.insert_node);
    q.Bind(1, int64_t{id.level});
    q.Bind(2, static_cast<int64_t>(id.index));
    q.BindBlob(3, hash.data(), static_cast<int>(hash.size()));
    LIMPIDE_RETURN_IF_ERROR(q.Run());
  }
  tail_->last_time = time;
  return Status::Ok();
}

Status SqliteWriteTransaction::CopyLedgerEntry(const LedgerRecord& r) {
  if (finished_) return Status::FailedPrecondition("transaction already finished");
  LIMPIDE_RETURN_IF_ERROR(LoadTail());
  LIMPIDE_RETURN_IF_ERROR(internal::CheckCopiedEntry(r, tail_->frontier.size(), tail_->last_time));
  return InsertLedgerEntry(r.seq, r.time, r.kind, r.subject, r.entry, r.leaf_hash);
}

Result<uint64_t> SqliteWriteTransaction::AppendToLedger(const LedgerAppend& e) {
  if (finished_) return Status::FailedPrecondition("transaction already finished");
  LIMPIDE_RETURN_IF_ERROR(LoadTail());
  const uint64_t seq = tail_->frontier.size();
  const std::string time = std::max(internal::LedgerNow(), tail_->last_time);
  auto text = internal::EncodeLedgerAppend(e, seq, time);
  if (!text.ok()) return text.status();
  const crypto::Hash leaf = ledger::LeafHash(*text);
  LIMPIDE_RETURN_IF_ERROR(
      InsertLedgerEntry(seq, time, e.kind, e.subject, *text, leaf));
  return seq;
}

Result<uint64_t> SqliteStore::LedgerSize() {
  auto lease = Read(Snapshot::kSingleStatement);
  if (!lease.ok()) return lease.status();
  auto stmt = (*lease)->conn().Prepare("SELECT ifnull(max(seq) + 1, 0) FROM ledger_entries");
  if (!stmt.ok()) return stmt.status();
  Query q(*stmt);
  auto row = q.Step();
  if (!row.ok()) return row.status();
  return static_cast<uint64_t>(q.Int(0));
}

Result<std::vector<LedgerRecord>> SqliteStore::LedgerEntries(uint64_t start, uint64_t end) {
  std::vector<LedgerRecord> out;
  if (end <= start) return out;
  auto lease = Read(Snapshot::kSingleStatement);
  if (!lease.ok()) return lease.status();
  auto stmt = (*lease)->conn().Prepare(
      "SELECT seq, time, kind, subject, entry, leaf_hash FROM ledger_entries "
      "WHERE seq >= ?1 AND seq < ?2 ORDER BY seq");
  if (!stmt.ok()) return stmt.status();
  Query q(*stmt);
  q.Bind(1, static_cast<int64_t>(std::min<uint64_t>(start, INT64_MAX)));
  q.Bind(2, static_cast<int64_t>(std::min<uint64_t>(end, INT64_MAX)));
  for (;;) {
    auto row = q.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    LedgerRecord r;
    r.seq = static_cast<uint64_t>(q.Int(0));
    r.time = q.Text(1);
    r.kind = q.Text(2);
    r.subject = q.Text(3);
    r.entry = q.Text(4);
    r.leaf_hash = HashFromBlob(q.Blob(5));
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::vector<crypto::Hash>> SqliteStore::LedgerNodes(const std::vector<ledger::NodeId>& ids) {
  auto lease = Read(Snapshot::kTransaction);
  if (!lease.ok()) return lease.status();
  return ReadLedgerNodes((*lease)->conn(), ids);
}

// ---- Objects and blobs ---------------------------------------------------------

StoredObject ReadObjectRow(Query& q) {
  StoredObject o;
  o.kind = q.Text(0);
  o.id = q.Text(1);
  o.version = q.Int(2);
  o.body = q.Text(3);
  o.updated = q.Text(4);
  return o;
}

Result<StoredObject> SelectObject(sqlite3_stmt* stmt, std::string_view kind, std::string_view id) {
  Query q(stmt);
  q.Bind(1, kind);
  q.Bind(2, id);
  auto row = q.Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound("no " + std::string(kind) + " with id " + std::string(id));
  return ReadObjectRow(q);
}

Result<StoredObject> SqliteWriteTransaction::GetObject(std::string_view kind, std::string_view id) {
  if (finished_) return Status::FailedPrecondition("transaction already finished");
  return SelectObject(store_.w_.select_object, kind, id);
}

Result<int64_t> SqliteWriteTransaction::PutObject(std::string_view kind, std::string_view id,
                                                  std::string_view body, int64_t expected_version) {
  if (finished_) return Status::FailedPrecondition("transaction already finished");
  LIMPIDE_RETURN_IF_ERROR(internal::CheckObject(kind, id, body));
  if (expected_version < 0) {
    return Status::InvalidArgument("expected version is negative", "expected_version");
  }
  auto orgs = internal::ObjectOrgs(body);
  if (!orgs.ok()) return orgs.status();
  const std::string now = internal::LedgerNow();
  Query q(expected_version == 0 ? store_.w_.insert_object : store_.w_.update_object);
  q.Bind(1, kind);
  q.Bind(2, id);
  q.Bind(3, body);
  q.Bind(4, now);
  if (expected_version > 0) q.Bind(5, expected_version);
  LIMPIDE_RETURN_IF_ERROR(q.Run());
  if (sqlite3_changes(store_.writer_->raw()) == 1) {
    LIMPIDE_RETURN_IF_ERROR(IndexOrgs(kind, id, *orgs, /*replace=*/expected_version > 0));
    if (expected_version == 0) LIMPIDE_RETURN_IF_ERROR(NoteSources(kind, id, true));
    NoteObject(kind);
    return expected_version + 1;
  }
  const std::string what = std::string(kind) + " " + std::string(id);
  if (expected_version == 0) return Status::Conflict(what + " already exists");
  return Status::Conflict(what + " is not at version " + std::to_string(expected_version) +
                          " (changed meanwhile, or absent)");
}

Status SqliteWriteTransaction::DeleteObject(std::string_view kind, std::string_view id) {
  if (finished_) return Status::FailedPrecondition("transaction already finished");
  auto stmt = store_.writer_->Prepare("DELETE FROM objects WHERE kind = ?1 AND id = ?2");
  if (!stmt.ok()) return stmt.status();
  Query q(*stmt);
  q.Bind(1, kind);
  q.Bind(2, id);
  LIMPIDE_RETURN_IF_ERROR(q.Run());
  if (sqlite3_changes(store_.writer_->raw()) != 1)
    return Status::NotFound("no " + std::string(kind) + " " + std::string(id));
  LIMPIDE_RETURN_IF_ERROR(NoteSources(kind, id, false));
  NoteObject(kind);
  // Its rows in the organizations index go with it.
  auto orgs = store_.writer_->Prepare("DELETE FROM object_orgs WHERE kind = ?1 AND id = ?2");
  if (!orgs.ok()) return orgs.status();
  Query o(*orgs);
  o.Bind(1, kind);
  o.Bind(2, id);
  return o.Run();
}

Status SqliteWriteTransaction::IndexOrgs(std::string_view kind, std::string_view id,
                                         const std::vector<std::string>& orgs, bool replace) {
  // Only the difference is written: a consultation lists every company that
  // downloaded its documents, and each download rewrites the body.
  std::vector<std::string> stored;
  if (replace) {
    Query sel(store_.w_.select_object_orgs);
    sel.Bind(1, kind);
    sel.Bind(2, id);
    for (;;) {
      auto row = sel.Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      stored.emplace_back(sel.Text(0));
    }
  }
  const auto has = [](const std::vector<std::string>& v, const std::string& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
  };
  const bool small = orgs.size() < 64 && stored.size() < 64;
  std::set<std::string> now_set, stored_set;
  if (!small) {
    now_set.insert(orgs.begin(), orgs.end());
    stored_set.insert(stored.begin(), stored.end());
  }
  for (const auto& org : stored) {
    if (small ? has(orgs, org) : now_set.count(org) > 0) continue;
    Query del(store_.w_.delete_object_org);
    del.Bind(1, kind);
    del.Bind(2, org);
    del.Bind(3, id);
    LIMPIDE_RETURN_IF_ERROR(del.Run());
  }
  for (const auto& org : orgs) {
    if (small ? has(stored, org) : stored_set.count(org) > 0) continue;
    Query ins(store_.w_.insert_object_org);
    ins.Bind(1, kind);
    ins.Bind(2, org);
    ins.Bind(3, id);
    LIMPIDE_RETURN_IF_ERROR(ins.Run());
  }
  return Status::Ok();
}

Status SqliteWriteTransaction::PutBlob(std::string_view bytes, const crypto::Hash& hash) {
  if (finished_) return Status::FailedPrecondition("transaction already finished");
  if (bytes.size() > static_cast<size_t>(INT32_MAX)) {
    return Status::ResourceExhausted("blob larger than 2 GiB");
  }
  Query q(store_.w_.insert_blob);
  q.BindBlob(1, hash.data(), static_cast<int>(hash.size()));
  q.Bind(2, static_cast<int64_t>(bytes.size()));
  q.BindBlob(3, bytes.data(), static_cast<int>(bytes.size()));
  return q.Run();
}

Status SqliteWriteTransaction::CopyObject(const StoredObject& o) {
  if (finished_) return Status::FailedPrecondition("transaction already finished");
  LIMPIDE_RETURN_IF_ERROR(internal::CheckCopiedObject(o));
  auto orgs = internal::ObjectOrgs(o.body);
  if (!orgs.ok()) return orgs.status();
  auto stmt = store_.writer_->Prepare(
      "INSERT INTO objects (kind, id, version, body, updated) VALUES (?1, ?2, ?3, ?4, ?5) "
      "ON CONFLICT DO NOTHING");
  if (!stmt.ok()) return stmt.status();
  Query q(*stmt);
  q.Bind(1, o.kind);
  q.Bind(2, o.id);
  q.Bind(3, o.version);
  q.Bind(4, o.body);
  q.Bind(5, o.updated);
  LIMPIDE_RETURN_IF_ERROR(q.Run());
  if (sqlite3_changes(store_.writer_->raw()) != 1)
    return Status::Conflict(o.kind + " " + o.id + " already exists");
  LIMPIDE_RETURN_IF_ERROR(NoteSources(o.kind, o.id, true));
  NoteObject(o.kind);
  return IndexOrgs(o.kind, o.id, *orgs, /*replace=*/false);
}

Status SqliteWriteTransaction::NoteSources(std::string_view kind, std::string_view id,
                                           bool stored) {
  if (kind != kContractSourcesKind) return Status::Ok();
  Query q(store_.w_.set_has_sources);
  q.Bind(1, id);
  q.Bind(2, int64_t{stored ? 1 : 0});
  return q.Run();
}

Status SqliteWriteTransaction::CopyOrganizationName(const OrganizationName& org) {
  if (finished_) return Status::FailedPrecondition("transaction already finished");
  if (org.id.empty()) return Status::InvalidArgument("organization without id", "id");
  auto stmt = store_.writer_->Prepare(
      "INSERT INTO organizations (id, name) VALUES (?1, ?2) "
      "ON CONFLICT (id) DO UPDATE SET name = excluded.name");
  if (!stmt.ok()) return stmt.status();
  Query q(*stmt);
  q.Bind(1, org.id);
  q.Bind(2, org.name);
  LIMPIDE_RETURN_IF_ERROR(q.Run());
  org_names_[org.id] = org.name;
  return Status::Ok();
}

// ---- Reads ---------------------------------------------------------------------

ReadLease::ReadLease(SqliteStore& store, Reader reader)
    : store_(store), reader_(std::move(reader)) {}

Status ReadLease::Begin() {
  auto begin = reader_.conn->Prepare("BEGIN");
  if (!begin.ok()) return begin.status();
  LIMPIDE_RETURN_IF_ERROR(Query(*begin).Run());
  in_txn_ = true;
  return Status::Ok();
}

ReadLease::~ReadLease() {
  // A failed statement may have ended the transaction: then nothing is kept.
  if (reader_.snapshot && sqlite3_get_autocommit(reader_.conn->raw())) reader_.snapshot.reset();
  if (in_txn_ && !reader_.snapshot) EndReadTransaction(*reader_.conn);
  store_.Release(std::move(reader_));
}

Result<std::unique_ptr<ReadLease>> SqliteStore::Read(Snapshot snapshot) {
  Reader reader;
  {
    std::lock_guard<std::mutex> lock(pool_mu_);
    if (!idle_readers_.empty()) {
      reader = std::move(idle_readers_.back());
      idle_readers_.pop_back();
    }
  }
  if (!reader.conn) {
    auto opened = Connection::Open(path_, /*create=*/false);
    if (!opened.ok()) return opened.status();
    reader.conn = std::move(*opened);
    LIMPIDE_RETURN_IF_ERROR(reader.conn->Exec("PRAGMA query_only = ON"));
    // Readers read through the OS page cache, shared by every connection and
    // process, with a small private cache each. A memory map per reader
    // counts every page it touched once per connection in the server's
    // resident memory (4 readers over a 235 MB store: 265 MB of RssFile) for
    // no measured gain on lookups by uid (docs/performance.md).
    LIMPIDE_RETURN_IF_ERROR(reader.conn->Exec("PRAGMA mmap_size = 0"));
    LIMPIDE_RETURN_IF_ERROR(reader.conn->Exec("PRAGMA cache_size = -2048"));  // 2 MiB
  }
  if (!watch_) {
    reader.conn->TrimCache();
    auto lease = std::make_unique<ReadLease>(*this, std::move(reader));
    if (snapshot == Snapshot::kTransaction) LIMPIDE_RETURN_IF_ERROR(lease->Begin());
    return lease;
  }
  // Keeping the read transaction open between operations saves the system
  // calls that begin and end one (locks on the -shm and database files, the
  // file size): the open snapshot is reused while nothing was committed since
  // it began, whichever process commits.
  const WalWatch::Stamp now = watch_->Now();
  if (reader.snapshot && *reader.snapshot == now) {
    return std::make_unique<ReadLease>(*this, std::move(reader));
  }
  EndSnapshot(reader);
  reader.conn->TrimCache();
  auto lease = std::make_unique<ReadLease>(*this, std::move(reader));
  LIMPIDE_RETURN_IF_ERROR(lease->Begin());
  // Taken before the transaction's first read: a commit in between makes the
  // snapshot newer than its stamp, which only costs a new one next time.
  lease->KeepSnapshot(now);
  return lease;
}

void SqliteStore::Release(Reader reader) {
  reader.idle_since = std::chrono::steady_clock::now();
  std::lock_guard<std::mutex> lock(pool_mu_);
  if (idle_readers_.size() < kMaxIdleReaders) idle_readers_.push_back(std::move(reader));
}

void SqliteStore::SweepSnapshots() {
  std::unique_lock<std::mutex> lock(pool_mu_);
  while (!stopping_) {
    sweep_cv_.wait_for(lock, kMaxIdleSnapshot);
    if (stopping_) break;
    const auto cutoff = std::chrono::steady_clock::now() - kMaxIdleSnapshot;
    std::vector<Reader> stale;
    for (size_t i = 0; i < idle_readers_.size();) {
      if (idle_readers_[i].snapshot && idle_readers_[i].idle_since < cutoff) {
        stale.push_back(std::move(idle_readers_[i]));
        idle_readers_.erase(idle_readers_.begin() + static_cast<std::ptrdiff_t>(i));
      } else {
        ++i;
      }
    }
    if (stale.empty()) continue;
    lock.unlock();
    for (Reader& r : stale) EndSnapshot(r);
    lock.lock();
    for (Reader& r : stale) {
      if (idle_readers_.size() < kMaxIdleReaders) idle_readers_.push_back(std::move(r));
    }
  }
}

Result<Contract> SqliteStore::GetContract(std::string_view uid) {
  // One row, children included (schema version 2): no transaction needed.
  static const std::string kSql =
      std::string("SELECT ") + kContractColumns + " FROM contracts WHERE uid = ?1";
  auto lease = Read(Snapshot::kSingleStatement);
  if (!lease.ok()) return lease.status();
  auto stmt = (*lease)->conn().Prepare(kSql);
  if (!stmt.ok()) return stmt.status();
  Query q(*stmt);
  q.Bind(1, uid);
  LIMPIDE_RETURN_IF_ERROR(StepToContract(q, uid));
  return ReadContractRow(q);
}

std::optional<uint64_t> SqliteStore::ContractsVersion() {
  if (!watch_) return std::nullopt;
  // The counter is read again only when something was committed since the
  // last reading: most commits (leases, deposits, alerts) leave it as it was.
  const WalWatch::Stamp now = watch_->Now();
  {
    std::lock_guard lock(version_mu_);
    if (version_stamp_ && *version_stamp_ == now) return version_;
  }
  // Read after `now` was taken: at least as new as it.
  auto lease = Read(Snapshot::kSingleStatement);
  if (!lease.ok()) return std::nullopt;
  auto stmt = (*lease)->conn().Prepare("SELECT value FROM counters WHERE name = 'contracts'");
  if (!stmt.ok()) return std::nullopt;
  Query q(*stmt);
  auto row = q.Step();
  if (!row.ok() || !*row) return std::nullopt;
  const auto value = static_cast<uint64_t>(q.Int(0));
  std::lock_guard lock(version_mu_);
  version_stamp_ = now;
  version_ = value;
  return value;
}

Result<ContractWithObject> SqliteStore::GetContractWithObject(std::string_view uid,
                                                              std::string_view kind) {
  // The object's primary key (kind, id) is probed in the same statement: for
  // the contracts without one, a lookup in the index of a few pages (no second
  // statement, no second read of the pool).
  static const std::string kSql = "SELECT " + internal::ContractColumnsOf("c") +
                                  ", o.version, o.body, o.updated FROM contracts c "
                                  "LEFT JOIN objects o ON o.kind = ?2 AND o.id = c.uid "
                                  "WHERE c.uid = ?1";
  constexpr int kObject = 25;  // first column after kContractColumns
  auto lease = Read(Snapshot::kSingleStatement);
  if (!lease.ok()) return lease.status();
  if (kind == kContractSourcesKind) {
    // The row says whether the object exists: most contracts have no sources
    // stored, and for them the object's index is not searched (this read then
    // costs 0.2 µs more than GetContract, bench/uid_store_bench.cpp).
    static const std::string kFlagged =
        std::string("SELECT ") + kContractColumns + ", has_sources FROM contracts WHERE uid = ?1";
    auto stmt = (*lease)->conn().Prepare(kFlagged);
    if (!stmt.ok()) return stmt.status();
    Query q(*stmt);
    q.Bind(1, uid);
    LIMPIDE_RETURN_IF_ERROR(StepToContract(q, uid));
    if (q.Int(kObject) == 0) {
      auto c = ReadContractRow(q);
      if (!c.ok()) return c.status();
      return ContractWithObject{std::move(*c), std::nullopt};
    }
    // Some: both are read below in one statement, one snapshot.
  }
  auto stmt = (*lease)->conn().Prepare(kSql);
  if (!stmt.ok()) return stmt.status();
  Query q(*stmt);
  q.Bind(1, uid);
  q.Bind(2, kind);
  LIMPIDE_RETURN_IF_ERROR(StepToContract(q, uid));
  auto c = ReadContractRow(q);
  if (!c.ok()) return c.status();
  ContractWithObject out{std::move(*c), std::nullopt};
  if (!q.IsNull(kObject)) {
    out.object = StoredObject{std::string(kind), out.contract.uid, q.Int(kObject),
                              std::string(q.Text(kObject + 1)),
                              std::string(q.Text(kObject + 2))};
  }
  return out;
}

Result<ContractPage> SqliteStore::ListContracts(const ContractFilter& filter,
                                                const PageRequest& page) {
  LIMPIDE_RETURN_IF_ERROR(internal::CheckLimit(page.limit));
  LIMPIDE_RETURN_IF_ERROR(internal::CheckFilter(filter));
  std::optional<internal::SortKey> after;
  if (!page.after.empty()) {
    auto key = internal::DecodeCursor(page.after);
    if (!key.ok()) return key.status();
    after = std::move(*key);
  }

  Params p;
  const std::string where = WhereClause(filter, p);
  // One row more than asked tells whether a next page exists.
  const std::string limit = p.Int(page.limit + 1);
  const std::string select =
      std::string("SELECT ") + kContractColumns + " FROM contracts WHERE " + where;
  std::string sql;
  if (!after) {
    sql = select + " ORDER BY notified_on DESC, uid LIMIT " + limit;
  } else {
    // Two index ranges rather than one OR, so that each arm seeks straight to
    // the cursor: the rest of the cursor's date, then the older dates.
    const std::string date = p.Text(after->date);
    const std::string uid = p.Text(after->uid);
    sql = "SELECT * FROM (" + select + " AND notified_on = " + date + " AND uid > " + uid +
          " ORDER BY uid LIMIT " + limit + ") UNION ALL SELECT * FROM (" + select +
          " AND notified_on < " + date + " ORDER BY notified_on DESC, uid LIMIT " + limit +
          ") ORDER BY notified_on DESC, uid LIMIT " + limit;
  }

  // A single statement, children included: its own snapshot.
  auto lease = Read(Snapshot::kSingleStatement);
  if (!lease.ok()) return lease.status();
  auto stmt = (*lease)->conn().Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  ContractPage out;
  out.items.reserve(static_cast<size_t>(page.limit));
  bool more = false;
  {
    Query q(*stmt);
    p.BindAll(q);
    for (;;) {
      auto row = q.Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      if (static_cast<int>(out.items.size()) == page.limit) {
        more = true;
        break;
      }
      auto c = ReadContractRow(q);
      if (!c.ok()) return c.status();
      out.items.push_back(std::move(*c));
    }
  }
  if (more) {
    const Contract& last = out.items.back();
    out.next = internal::EncodeCursor({DateText(last.notified_on), last.uid});
  }
  return out;
}

Result<Counts> SqliteStore::CountContracts(const ContractFilter& filter) {
  LIMPIDE_RETURN_IF_ERROR(internal::CheckFilter(filter));
  Params p;
  const std::string where = WhereClause(filter, p);
  auto lease = Read(Snapshot::kTransaction);
  if (!lease.ok()) return lease.status();
  Connection& conn = (*lease)->conn();
  Counts counts;
  {
    auto stmt = conn.Prepare(
        "SELECT count(*), ifnull(sum(amount_cents), 0), count(DISTINCT nullif(buyer_id, '')) "
        "FROM contracts WHERE " +
        where);
    if (!stmt.ok()) return stmt.status();
    Query q(*stmt);
    p.BindAll(q);
    auto row = q.Step();
    if (!row.ok()) return row.status();
    counts.contracts = q.Int(0);
    counts.total_amount = domain::Money{q.Int(1)};
    counts.buyers = q.Int(2);
  }
  auto stmt = conn.Prepare(
      "SELECT count(DISTINCT holder_id) FROM contract_holders WHERE holder_id <> '' AND "
      "contract_seq IN (SELECT seq FROM contracts WHERE " +
      where + ")");
  if (!stmt.ok()) return stmt.status();
  Query q(*stmt);
  p.BindAll(q);
  auto row = q.Step();
  if (!row.ok()) return row.status();
  counts.holders = q.Int(0);
  return counts;
}

Result<domain::Organization> SqliteStore::GetOrganization(std::string_view id) {
  auto lease = Read(Snapshot::kTransaction);
  if (!lease.ok()) return lease.status();
  Connection& conn = (*lease)->conn();
  domain::Organization org;
  org.id = id;
  const std::pair<const char*, std::pair<int64_t*, domain::Money*>> totals[] = {
      {"SELECT count(*), ifnull(sum(amount_cents), 0) FROM contracts WHERE buyer_id = ?1",
       {&org.contracts_as_buyer, &org.amount_as_buyer}},
      {"SELECT count(*), ifnull(sum(amount_cents), 0) FROM contracts WHERE seq IN "
       "(SELECT contract_seq FROM contract_holders WHERE holder_id = ?1)",
       {&org.contracts_as_holder, &org.amount_as_holder}},
  };
  for (const auto& [sql, out] : totals) {
    auto stmt = conn.Prepare(sql);
    if (!stmt.ok()) return stmt.status();
    Query q(*stmt);
    q.Bind(1, id);
    auto row = q.Step();
    if (!row.ok()) return row.status();
    *out.first = q.Int(0);
    *out.second = domain::Money{q.Int(1)};
  }
  if (id.empty() || (org.contracts_as_buyer == 0 && org.contracts_as_holder == 0)) {
    return Status::NotFound("no organization with id " + std::string(id));
  }
  auto stmt = conn.Prepare("SELECT name FROM organizations WHERE id = ?1");
  if (!stmt.ok()) return stmt.status();
  Query q(*stmt);
  q.Bind(1, id);
  auto row = q.Step();
  if (!row.ok()) return row.status();
  if (*row) org.name = q.Text(0);
  return org;
}

Result<std::vector<Partner>> SqliteStore::ListPartners(std::string_view id, Role role, int limit) {
  LIMPIDE_RETURN_IF_ERROR(internal::CheckLimit(limit));
  // Each contract counts once per partner, with its whole amount.
  const char* sql =
      role == Role::kBuyer
          ? "SELECT h.holder_id, ifnull(o.name, ''), count(*), ifnull(sum(c.amount_cents), 0) AS "
            "amt "
            "FROM (SELECT DISTINCT contract_seq, holder_id FROM contract_holders WHERE "
            "holder_id <> '' AND contract_seq IN (SELECT seq FROM contracts WHERE buyer_id = ?1)) "
            "h "
            "JOIN contracts c ON c.seq = h.contract_seq "
            "LEFT JOIN organizations o ON o.id = h.holder_id "
            "GROUP BY h.holder_id ORDER BY amt DESC, count(*) DESC, h.holder_id LIMIT ?2"
          : "SELECT c.buyer_id, ifnull(o.name, ''), count(*), ifnull(sum(c.amount_cents), 0) AS "
            "amt "
            "FROM contracts c LEFT JOIN organizations o ON o.id = c.buyer_id "
            "WHERE c.buyer_id <> '' AND c.seq IN "
            "(SELECT contract_seq FROM contract_holders WHERE holder_id = ?1) "
            "GROUP BY c.buyer_id ORDER BY amt DESC, count(*) DESC, c.buyer_id LIMIT ?2";
  auto lease = Read(Snapshot::kTransaction);
  if (!lease.ok()) return lease.status();
  auto stmt = (*lease)->conn().Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  Query q(*stmt);
  q.Bind(1, id);
  q.Bind(2, int64_t{limit});
  std::vector<Partner> out;
  for (;;) {
    auto row = q.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back(
        {std::string(q.Text(0)), std::string(q.Text(1)), q.Int(2), domain::Money{q.Int(3)}});
  }
  return out;
}

Result<std::vector<std::string>> SqliteStore::DistinctValues(std::string_view column) {
  const char* sql = nullptr;
  if (column == "procedure") {
    sql = "SELECT DISTINCT procedure FROM contracts WHERE procedure <> '' ORDER BY 1";
  } else if (column == "nature") {
    sql = "SELECT DISTINCT nature FROM contracts WHERE nature <> '' ORDER BY 1";
  } else if (column == "holder_id_type") {
    sql = "SELECT DISTINCT id_type FROM contract_holders WHERE id_type <> '' ORDER BY 1";
  } else if (column == "place_code_type") {
    sql = "SELECT DISTINCT place_code_type FROM contracts WHERE place_code_type <> '' ORDER BY 1";
  } else if (column == "price_form") {
    sql = "SELECT DISTINCT price_form FROM contracts WHERE price_form <> '' ORDER BY 1";
  } else {
    return Status::InvalidArgument("unknown column " + std::string(column), "column");
  }
  auto lease = Read(Snapshot::kTransaction);
  if (!lease.ok()) return lease.status();
  auto stmt = (*lease)->conn().Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  Query q(*stmt);
  std::vector<std::string> out;
  for (;;) {
    auto row = q.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.emplace_back(q.Text(0));
  }
  return out;
}

Result<StoredObject> SqliteStore::GetObject(std::string_view kind, std::string_view id) {
  auto lease = Read(Snapshot::kSingleStatement);
  if (!lease.ok()) return lease.status();
  auto stmt = (*lease)->conn().Prepare(kSelectObjectSql);
  if (!stmt.ok()) return stmt.status();
  return SelectObject(*stmt, kind, id);
}

Result<ObjectPage> SqliteStore::ListObjects(std::string_view kind, std::string_view id_prefix,
                                            const PageRequest& page) {
  LIMPIDE_RETURN_IF_ERROR(internal::CheckLimit(page.limit));
  auto cursor = internal::ObjectCursorKey(page.after);
  if (!cursor.ok()) return cursor.status();
  const std::string after = std::move(*cursor);
  // Ids starting with the prefix sort in [prefix, successor(prefix)): an index range.
  const std::string upper = internal::PrefixUpperBound(id_prefix);
  std::string sql =
      "SELECT kind, id, version, body, updated FROM objects WHERE kind = ?1 AND id >= ?2";
  if (!upper.empty()) sql += " AND id < ?3";
  if (!after.empty()) sql += " AND id > ?4";
  sql += " ORDER BY id LIMIT ?5";
  return QueryObjectPage(sql, page.limit, [&](Query& q) {
    q.Bind(1, kind);
    q.Bind(2, id_prefix);
    if (!upper.empty()) q.Bind(3, upper);
    if (!after.empty()) q.Bind(4, after);
    q.Bind(5, int64_t{page.limit} + 1);
  });
}

Result<ObjectPage> SqliteStore::ListObjectsOf(std::string_view kind, std::string_view org,
                                              std::string_view id_prefix,
                                              const PageRequest& page) {
  LIMPIDE_RETURN_IF_ERROR(internal::CheckLimit(page.limit));
  auto cursor = internal::ObjectCursorKey(page.after);
  if (!cursor.ok()) return cursor.status();
  const std::string before = std::move(*cursor);
  const std::string upper = internal::PrefixUpperBound(id_prefix);
  // A backward range of the (kind, org, id) key, then the objects by key.
  std::string sql =
      "SELECT o.kind, o.id, o.version, o.body, o.updated FROM object_orgs x "
      "JOIN objects o ON o.kind = x.kind AND o.id = x.id "
      "WHERE x.kind = ?1 AND x.org = ?2 AND x.id >= ?3";
  if (!upper.empty()) sql += " AND x.id < ?4";
  if (!before.empty()) sql += " AND x.id < ?5";
  sql += " ORDER BY x.id DESC LIMIT ?6";
  return QueryObjectPage(sql, page.limit, [&](Query& q) {
    q.Bind(1, kind);
    q.Bind(2, org);
    q.Bind(3, id_prefix);
    if (!upper.empty()) q.Bind(4, upper);
    if (!before.empty()) q.Bind(5, before);
    q.Bind(6, int64_t{page.limit} + 1);
  });
}

Result<ObjectPage> SqliteStore::QueryObjectPage(const std::string& sql, int limit,
                                                const std::function<void(Query&)>& bind) {
  auto lease = Read(Snapshot::kSingleStatement);
  if (!lease.ok()) return lease.status();
  auto stmt = (*lease)->conn().Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  Query q(*stmt);
  bind(q);
  ObjectPage out;
  for (;;) {
    auto row = q.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.items.push_back(ReadObjectRow(q));
  }
  internal::FinishObjectPage(out, limit);
  return out;
}

Result<std::string> SqliteStore::GetBlob(const crypto::Hash& hash) {
  auto lease = Read(Snapshot::kSingleStatement);
  if (!lease.ok()) return lease.status();
  auto stmt = (*lease)->conn().Prepare("SELECT data FROM blobs WHERE hash = ?1");
  if (!stmt.ok()) return stmt.status();
  Query q(*stmt);
  q.BindBlob(1, hash.data(), static_cast<int>(hash.size()));
  auto row = q.Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound("no blob with SHA-256 " + crypto::ToHex(hash));
  return std::string(q.Blob(0));
}

Result<OrganizationPage> SqliteStore::ListOrganizations(const PageRequest& page) {
  LIMPIDE_RETURN_IF_ERROR(internal::CheckLimit(page.limit));
  auto cursor = internal::ObjectCursorKey(page.after);
  if (!cursor.ok()) return cursor.status();
  const std::string after = std::move(*cursor);
  auto lease = Read(Snapshot::kSingleStatement);
  if (!lease.ok()) return lease.status();
  auto stmt =
      (*lease)->conn().Prepare("SELECT id, name FROM organizations WHERE id > ?1 ORDER BY id LIMIT ?2");
  if (!stmt.ok()) return stmt.status();
  Query q(*stmt);
  q.Bind(1, after);
  q.Bind(2, int64_t{page.limit} + 1);
  OrganizationPage out;
  for (;;) {
    auto row = q.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.items.push_back({std::string(q.Text(0)), std::string(q.Text(1))});
  }
  internal::FinishObjectPage(out, page.limit);
  return out;
}

Result<std::vector<crypto::Hash>> SqliteStore::ListBlobs(const std::optional<crypto::Hash>& after,
                                                         int limit) {
  LIMPIDE_RETURN_IF_ERROR(internal::CheckLimit(limit));
  auto lease = Read(Snapshot::kSingleStatement);
  if (!lease.ok()) return lease.status();
  auto stmt =
      (*lease)->conn().Prepare("SELECT hash FROM blobs WHERE hash > ?1 ORDER BY hash LIMIT ?2");
  if (!stmt.ok()) return stmt.status();
  Query q(*stmt);
  const crypto::Hash zero{};
  // A zero-length blob sorts before every hash.
  if (after)
    q.BindBlob(1, after->data(), static_cast<int>(after->size()));
  else
    q.BindBlob(1, zero.data(), 0);
  q.Bind(2, int64_t{limit});
  std::vector<crypto::Hash> out;
  for (;;) {
    auto row = q.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back(HashFromBlob(q.Blob(0)));
  }
  return out;
}

Result<Inventory> SqliteStore::Count() {
  auto lease = Read(Snapshot::kSingleStatement);
  if (!lease.ok()) return lease.status();
  auto stmt = (*lease)->conn().Prepare(kInventorySql);
  if (!stmt.ok()) return stmt.status();
  Query q(*stmt);
  Inventory out;
  for (;;) {
    auto row = q.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    internal::AddInventoryRow(out, q.Int(0), q.Text(1), q.Int(2), q.Int(3));
  }
  return out;
}

Result<bool> SqliteStore::TryLease(std::string_view name, std::string_view holder,
                                   int64_t ttl_ms) {
  if (name.empty() || holder.empty())
    return Status::InvalidArgument("lease without name or holder", "name");
  if (ttl_ms <= 0) return Status::InvalidArgument("lease duration must be positive", "ttl");
  const int64_t now = internal::NowMicros() / 1000;
  std::lock_guard<std::mutex> lock(write_mu_);
  auto stmt = writer_->Prepare(kTryLeaseSql);
  if (!stmt.ok()) return stmt.status();
  Query q(*stmt);
  q.Bind(1, name);
  q.Bind(2, holder);
  q.Bind(3, now + ttl_ms);
  q.Bind(4, now);
  LIMPIDE_RETURN_IF_ERROR(q.Run());
  return sqlite3_changes(writer_->raw()) == 1;
}

Status SqliteStore::ReleaseLease(std::string_view name, std::string_view holder) {
  std::lock_guard<std::mutex> lock(write_mu_);
  auto stmt = writer_->Prepare("DELETE FROM leases WHERE name = ?1 AND holder = ?2");
  if (!stmt.ok()) return stmt.status();
  Query q(*stmt);
  q.Bind(1, name);
  q.Bind(2, holder);
  return q.Run();
}

}  // namespace

Status SqliteStore::SwitchToWal() {
  std::lock_guard<std::mutex> write_lock(write_mu_);
  {
    std::lock_guard<std::mutex> lock(pool_mu_);
    idle_readers_.clear();  // no other connection may hold the file
  }
  LIMPIDE_RETURN_IF_ERROR(writer_->Exec("PRAGMA synchronous = FULL"));
  auto mode = writer_->QueryText("PRAGMA journal_mode = WAL");
  if (!mode.ok()) return mode.status();
  if (*mode != "wal") {
    return Status::Unavailable("cannot switch " + path_ + " to WAL mode (journal_mode=" + *mode +
                               ")");
  }
  return Status::Ok();
}

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path) {
  auto store = SqliteStore::Open(path);
  if (!store.ok()) return store.status();
  return std::unique_ptr<Store>(std::move(*store));
}

}  // namespace limpide::store::sqlite

namespace limpide::store {

namespace {

Status SyncPath(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return Status::Unavailable("cannot open " + path + ": " + std::strerror(errno));
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return Status::Unavailable("cannot sync " + path + ": " + std::strerror(err));
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<Store>> OpenFirstLoad(const std::string& loading_path) {
  for (const char* suffix : {"", "-journal", "-wal", "-shm"}) {
    const std::string p = loading_path + suffix;
    if (::unlink(p.c_str()) != 0 && errno != ENOENT) {
      return Status::Unavailable("cannot remove " + p + ": " + std::strerror(errno));
    }
  }
  auto store = sqlite::SqliteStore::Open(loading_path, /*first_load=*/true);
  if (!store.ok()) return store.status();
  return std::unique_ptr<Store>(std::move(*store));
}

Status FinishFirstLoad(std::unique_ptr<Store> store, const std::string& final_path) {
  auto* s = dynamic_cast<sqlite::SqliteStore*>(store.get());
  if (s == nullptr || !s->first_load()) {
    return Status::Internal("FinishFirstLoad: the store was not opened by OpenFirstLoad");
  }
  const std::string loading = s->path();
  LIMPIDE_RETURN_IF_ERROR(s->SwitchToWal());
  store.reset();  // the last connection: SQLite checkpoints and removes -wal and -shm
  LIMPIDE_RETURN_IF_ERROR(SyncPath(loading, O_RDONLY));
  // link() fails when the name exists, where rename() would replace it.
  if (::link(loading.c_str(), final_path.c_str()) != 0) {
    if (errno == EEXIST) {
      return Status::FailedPrecondition(final_path + " appeared during the first load; the loaded "
                                        "store is left at " + loading);
    }
    return Status::Unavailable("cannot move " + loading + " to " + final_path + ": " +
                               std::strerror(errno));
  }
  if (::unlink(loading.c_str()) != 0) {
    return Status::Unavailable("cannot remove " + loading + ": " + std::strerror(errno));
  }
  const std::string dir = std::filesystem::path(final_path).parent_path().string();
  return SyncPath(dir.empty() ? "." : dir, O_RDONLY | O_DIRECTORY);
}

}  // namespace limpide::store
