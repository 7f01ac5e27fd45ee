#include "store/postgres/postgres_store.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "domain/procedure.h"
#include "domain/text.h"
#include "domain/time.h"
#include "ledger/entry.h"
#include "store/codec.h"
#include "store/columns.h"
#include "store/postgres/migrations.h"
#include "store/postgres/pg.h"

namespace limpide::store::postgres {
namespace {

using domain::Contract;
using internal::ContentHash;

// Readers kept open for reuse; more may exist while many threads read.
constexpr size_t kMaxIdleReaders = 8;
// The organization-name cache of the writer is dropped beyond this size.
constexpr size_t kMaxCachedOrganizations = 200000;
// A bytea value holds at most 1 GiB.
constexpr size_t kMaxBlobBytes = (size_t{1} << 30) - 1;

crypto::Hash HashFromBytes(std::string_view bytes) {
  crypto::Hash h{};
  if (bytes.size() == h.size()) std::memcpy(h.data(), bytes.data(), h.size());
  return h;
}

std::string_view HashBytes(const crypto::Hash& h) {
  return {reinterpret_cast<const char*>(h.data()), h.size()};
}

// The stored name is replaced when it is empty, or when it carries U+FFFD (a
// character lost by a decoder, bytes EF BF BD) and the new one does not.
constexpr const char* kUpsertOrganizationSql =
    "INSERT INTO organizations (id, name) VALUES ($1, $2) "
    "ON CONFLICT (id) DO UPDATE SET name = excluded.name "
    "WHERE excluded.name <> '\\x'::bytea AND (organizations.name = '\\x'::bytea OR "
    "(position('\\xefbfbd'::bytea in organizations.name) > 0 AND "
    "position('\\xefbfbd'::bytea in excluded.name) = 0))";

constexpr const char* kSelectObjectSql =
    "SELECT kind, id, version, body, updated FROM objects WHERE kind = $1 AND id = $2";

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

Result<std::optional<domain::Date>> ReadDate(const Rows& r, int row, int col,
                                             std::string_view uid) {
  const std::string_view text = r.Bytes(row, col);
  if (text.empty()) return std::optional<domain::Date>();
  auto d = domain::ParseDate(text);
  if (!d.ok()) return Corrupt("date", uid);
  return std::optional<domain::Date>(*d);
}

std::optional<int> ReadInt(const Rows& r, int row, int col) {
  if (r.IsNull(row, col)) return std::nullopt;
  return static_cast<int>(r.Int(row, col));
}

std::optional<domain::Money> ReadMoney(const Rows& r, int row, int col) {
  if (r.IsNull(row, col)) return std::nullopt;
  return domain::Money{r.Int(row, col)};
}

// Decodes a row selected with kContractColumns.
Result<Contract> ReadContractRow(const Rows& r, int row) {
  const auto text = [&](int col) { return std::string(r.Bytes(row, col)); };
  Contract c;
  c.uid = text(0);
  c.id = text(1);
  const std::string_view kind = r.Bytes(row, 2);
  if (kind == "concession")
    c.kind = domain::ContractKind::kConcession;
  else if (kind == "marche")
    c.kind = domain::ContractKind::kMarche;
  else
    return Corrupt("kind", c.uid);
  c.buyer_id = text(3);
  c.buyer_name = text(4);
  if (!r.IsNull(row, 5)) {
    c.nature = domain::NatureFromCode(r.Bytes(row, 5));
    if (!c.nature) return Corrupt("nature", c.uid);
  }
  if (!r.IsNull(row, 6)) {
    c.procedure = domain::ProcedureFromCode(r.Bytes(row, 6));
    if (!c.procedure) return Corrupt("procedure", c.uid);
  }
  c.object = text(7);
  c.cpv = text(8);
  c.place.code = text(9);
  c.place.code_type = text(10);
  c.place.name = text(11);
  c.duration_months = ReadInt(r, row, 12);
  c.amount = ReadMoney(r, row, 13);
  c.public_subsidy = ReadMoney(r, row, 14);
  for (auto [col, field] : {std::pair{15, &c.notified_on}, std::pair{16, &c.published_on},
                            std::pair{17, &c.execution_start}}) {
    auto d = ReadDate(r, row, col, c.uid);
    if (!d.ok()) return d.status();
    *field = *d;
  }
  c.price_form = text(18);
  c.extra_json = text(19);
  c.schema_version = text(20);
  c.source = text(21);
  if (const std::string_view flags = r.Bytes(row, 22); flags != "[]") {
    auto parsed = ParseFlagsJson(flags, c.uid);
    if (!parsed.ok()) return parsed.status();
    c.flags = std::move(*parsed);
  }
  if (const std::string_view holders = r.Bytes(row, 23); holders != "[]") {
    auto parsed = ParseHoldersJson(holders, c.uid);
    if (!parsed.ok()) return parsed.status();
    c.holders = std::move(*parsed);
  }
  if (const std::string_view mods = r.Bytes(row, 24); mods != "[]") {
    auto parsed = ParseModificationsJson(mods, c.uid);
    if (!parsed.ok()) return parsed.status();
    c.modifications = std::move(*parsed);
  }
  return c;
}

// `word` as a LIKE pattern matching it anywhere, '%', '_' and '\' taken literally.
std::string ContainsPattern(std::string_view word) {
  std::string out = "%";
  for (const char ch : word) {
    if (ch == '%' || ch == '_' || ch == '\\') out.push_back('\\');
    out.push_back(ch);
  }
  out.push_back('%');
  return out;
}

// " AND "-joined conditions for `f` (already checked), or "TRUE". The SQL text
// depends only on which filters are present, never on their values.
std::string WhereClause(const ContractFilter& f, Params& p) {
  std::vector<std::string> terms;
  if (!f.buyer_id.empty()) terms.push_back("buyer_id = " + p.Bytes(f.buyer_id));
  if (!f.holder_id.empty()) {
    terms.push_back("seq IN (SELECT contract_seq FROM contract_holders WHERE holder_id = " +
                    p.Bytes(f.holder_id) + ")");
  }
  if (!f.cpv_prefix.empty()) {
    // Digits only, so every code starting with the prefix sorts in
    // [prefix, prefix + ':') (':' follows '9' in ASCII): an index range.
    terms.push_back("cpv8 >= " + p.Bytes(f.cpv_prefix) + " AND cpv8 < " +
                    p.CopyBytes(f.cpv_prefix + ":"));
  }
  if (f.procedure) terms.push_back("procedure = " + p.Bytes(domain::Code(*f.procedure)));
  if (f.nature) terms.push_back("nature = " + p.Bytes(domain::Code(*f.nature)));
  if (f.notified_from)
    terms.push_back("notified_on >= " + p.CopyBytes(domain::FormatDate(*f.notified_from)));
  if (f.notified_to) {
    terms.push_back("notified_on > '' AND notified_on <= " +
                    p.CopyBytes(domain::FormatDate(*f.notified_to)));
  }
  if (f.amount_min) terms.push_back("amount_cents >= " + p.Int(f.amount_min->cents));
  if (f.amount_max) terms.push_back("amount_cents <= " + p.Int(f.amount_max->cents));
  for (const auto& word : internal::SearchWords(f.text)) {
    terms.push_back("object_folded LIKE " + p.CopyBytes(ContainsPattern(word)));
  }
  if (terms.empty()) return "TRUE";
  std::string out;
  for (size_t i = 0; i < terms.size(); ++i) {
    if (i) out += " AND ";
    out += terms[i];
  }
  return out;
}

// "($a, $b), ($c, $d)" placeholders for a multi-row VALUES list: `rows`
// groups of `cols`, numbered from `first`.
std::string ValuesList(int rows, int cols, int first) {
  std::string out;
  int n = first;
  for (int r = 0; r < rows; ++r) {
    out += r ? ", (" : "(";
    for (int c = 0; c < cols; ++c) {
      if (c) out += ", ";
      out += "$" + std::to_string(n++);
    }
    out += ")";
  }
  return out;
}

// Child rows of a contract: "INSERT INTO table (contract_seq, columns...)".
constexpr const char* kInsertHolders =
    "INSERT INTO contract_holders (contract_seq, position, holder_id, id_type, name)";
constexpr const char* kInsertModifications =
    "INSERT INTO contract_modifications (contract_seq, position, modification_id, object, "
    "signed_on, published_on, duration_months, amount_cents, holders_json)";

// `insert` SELECT `seq`, v.* FROM `from` `values`: the child rows of one
// contract in one statement, whatever their number.
std::string InsertChildrenSql(const char* insert, const std::string& seq, const char* from,
                              const std::string& values) {
  return std::string(insert) + " SELECT " + seq + ", v.* FROM " + from + values;
}

// "(VALUES (...), ...) AS v" for the holders, their values added to `p` (typed:
// a VALUES list in a SELECT does not take its types from the insert target).
std::string HoldersValues(const std::vector<domain::Holder>& holders, Params& p) {
  std::string out = "(VALUES ";
  for (size_t i = 0; i < holders.size(); ++i) {
    const auto& h = holders[i];
    out += i ? ", (" : "(";
    out += p.Int(static_cast<int64_t>(i)) + "::int4, " + p.Bytes(h.id) + "::bytea, " +
           p.Bytes(h.id_type) + "::bytea, " + p.Bytes(h.name) + "::bytea)";
  }
  return out + ") AS v";
}

std::string ModificationsValues(const std::vector<domain::Modification>& mods, Params& p) {
  const auto date_or_null = [&p](const std::optional<domain::Date>& d) {
    return d ? p.CopyBytes(domain::FormatDate(*d)) : p.Null();
  };
  std::string out = "(VALUES ";
  for (size_t i = 0; i < mods.size(); ++i) {
    const auto& m = mods[i];
    out += i ? ", (" : "(";
    out += p.Int(static_cast<int64_t>(i)) + "::int4, " + p.Bytes(m.id) + "::bytea, " +
           p.Bytes(m.object) + "::bytea, " + date_or_null(m.signed_on) + "::text, " +
           date_or_null(m.published_on) + "::text, " + p.OptionalInt(m.duration_months) +
           "::int8, " +
           p.OptionalInt(m.amount ? std::optional<int64_t>(m.amount->cents) : std::nullopt) +
           "::int8, " + p.CopyBytes(HoldersJson(m.holders)) + "::bytea)";
  }
  return out + ") AS v";
}

class PostgresStore;

// What appending to the ledger needs to know of its end.
struct LedgerTail {
  ledger::Frontier frontier;
  std::string last_time;  // time of the last entry ("" when empty)
};

class PostgresWriteTransaction final : public WriteTransaction {
 public:
  PostgresWriteTransaction(PostgresStore& store, std::unique_lock<std::mutex> lock)
      : store_(store), lock_(std::move(lock)) {}
  ~PostgresWriteTransaction() override;

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
  // Replaces the index rows of (kind, id) by `orgs` (ListObjectsOf).
  Status IndexOrgs(std::string_view kind, std::string_view id,
                   const std::vector<std::string>& orgs, bool replace);

 private:
  Connection& conn();
  // Loads tail_ on the first ledger write of the transaction.
  Status LoadTail();
  // Inserts an encoded entry at the tail and the subtrees it completes, in
  // one statement.
  Status InsertLedgerEntry(uint64_t seq, const std::string& time, std::string_view kind,
                           std::string_view subject, std::string_view text,
                           const crypto::Hash& leaf);
  Status EnsureOrganization(const std::string& id, const std::string& name);
  // Keeps contracts.has_sources when an object of `kind` under `id` was
  // written (stored true) or deleted (false).
  Status NoteSources(std::string_view kind, std::string_view id, bool stored);
  // Ends the transaction after a failed statement or commit.
  void Abandon();

  PostgresStore& store_;
  std::unique_lock<std::mutex> lock_;
  bool finished_ = false;
  // Names sent to the organizations table in this transaction; merged into
  // the store's cache on commit, forgotten on rollback.
  std::unordered_map<std::string, std::string> org_names_;
  // The ledger's right edge as this transaction extends it; loaded on the
  // first append, handed to the store on commit.
  std::optional<LedgerTail> tail_;
};

class PostgresStore final : public Store {
 public:
  static Result<std::unique_ptr<PostgresStore>> Open(const std::string& url);

  Result<std::unique_ptr<WriteTransaction>> BeginWrite() override;
  Result<Contract> GetContract(std::string_view uid) override;
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
  // Runs a SELECT of object rows with parameters `p` on a reader; one row
  // more than `limit` tells the next page.
  Result<ObjectPage> QueryObjectPage(const std::string& sql, const Params& p, int limit);
  Result<std::string> GetBlob(const crypto::Hash& hash) override;
  Result<OrganizationPage> ListOrganizations(const PageRequest& page) override;
  Result<std::vector<crypto::Hash>> ListBlobs(const std::optional<crypto::Hash>& after,
                                              int limit) override;
  Result<Inventory> Count() override;
  Result<bool> TryLease(std::string_view name, std::string_view holder, int64_t ttl_ms) override;
  Status ReleaseLease(std::string_view name, std::string_view holder) override;
  int schema_version() const override { return schema_version_; }

 private:
  friend class PostgresWriteTransaction;

  explicit PostgresStore(std::string url) : url_(std::move(url)) {}

  // Runs `read` on a pooled reader connection. Every read is one statement,
  // hence one snapshot. A connection found broken is dropped with the idle
  // ones (the server restarted, most likely) and the read is tried once more
  // on a new connection.
  template <typename T, typename F>
  Result<T> WithReader(F&& read);
  Result<std::unique_ptr<Connection>> Acquire();
  void Release(std::unique_ptr<Connection> conn);

  Result<LedgerTail> LoadLedgerTail(Connection& conn);

  const std::string url_;
  int schema_version_ = 0;

  std::mutex write_mu_;  // held by the live WriteTransaction
  // Reconnected by BeginWrite when lost. Guarded by write_mu_.
  std::unique_ptr<Connection> writer_;
  // The ledger's end as of the last commit through this handle. Other
  // processes append too: the size in the database is checked at each
  // transaction's first append, under the advisory lock. Guarded by write_mu_.
  std::optional<LedgerTail> ledger_tail_;
  // Last name sent to the organizations table per id, committed. Names only
  // improve, so a name another process wrote since can only make the skip in
  // EnsureOrganization more right. Guarded by write_mu_.
  std::unordered_map<std::string, std::string> org_names_;

  std::mutex pool_mu_;
  std::vector<std::unique_ptr<Connection>> idle_readers_;
};

// ---- Opening -------------------------------------------------------------------

Result<std::unique_ptr<PostgresStore>> PostgresStore::Open(const std::string& url) {
  std::unique_ptr<PostgresStore> store(new PostgresStore(url));
  auto writer = Connection::Open(url);
  if (!writer.ok()) return writer.status();
  store->writer_ = std::move(*writer);
  auto version = Migrate(*store->writer_);
  if (!version.ok()) return version.status();
  store->schema_version_ = *version;
  return store;
}

// ---- Writes --------------------------------------------------------------------

const std::string& WriteLockSql() {
  static const std::string sql =
      "BEGIN; SELECT pg_advisory_xact_lock(" + std::to_string(kWriteLockKey) + ")";
  return sql;
}

Result<std::unique_ptr<WriteTransaction>> PostgresStore::BeginWrite() {
  std::unique_lock<std::mutex> lock(write_mu_);
  // A connection lost since the last transaction (server restarted, idle
  // connection cut) shows only when used: then reconnect once and retry,
  // which is safe since nothing was written yet.
  for (int attempt = 0;; ++attempt) {
    if (!writer_ || writer_->broken()) {
      writer_.reset();
      auto conn = Connection::Open(url_);
      if (!conn.ok()) return conn.status();
      writer_ = std::move(*conn);
    }
    // The advisory lock serialises writers of every process sharing the
    // database: the ledger stays one line.
    Status st = writer_->Exec(WriteLockSql());
    if (st.ok()) break;
    if (writer_->broken()) {
      writer_.reset();
      if (attempt == 0) continue;
    } else if (writer_->in_transaction()) {
      (void)writer_->Exec("ROLLBACK");
    }
    return st;
  }
  return std::unique_ptr<WriteTransaction>(new PostgresWriteTransaction(*this, std::move(lock)));
}

Connection& PostgresWriteTransaction::conn() { return *store_.writer_; }

void PostgresWriteTransaction::Abandon() {
  finished_ = true;
  if (store_.writer_) {
    if (store_.writer_->broken())
      store_.writer_.reset();
    else if (store_.writer_->in_transaction())
      (void)store_.writer_->Exec("ROLLBACK");
  }
  if (lock_.owns_lock()) lock_.unlock();
}

PostgresWriteTransaction::~PostgresWriteTransaction() {
  if (!finished_) Abandon();
}

Status PostgresWriteTransaction::Commit() {
  if (finished_) return Status::FailedPrecondition("transaction already finished");
  if (conn().broken()) {
    Abandon();
    return Status::Unavailable("PostgreSQL connection lost before commit");
  }
  // COMMIT of a transaction that a failed statement aborted succeeds as a
  // ROLLBACK: refuse it explicitly.
  if (conn().transaction_failed()) {
    Abandon();
    return Status::FailedPrecondition("transaction aborted by an earlier error; rolled back");
  }
  Status st = conn().Exec("COMMIT");
  if (!st.ok()) {
    Abandon();
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

Status PostgresWriteTransaction::EnsureOrganization(const std::string& id,
                                                    const std::string& name) {
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
  Params p;
  p.Bytes(id);
  p.Bytes(name);
  auto r = conn().Run(kUpsertOrganizationSql, p);
  if (!r.ok()) return r.status();
  org_names_[id] = name;
  return Status::Ok();
}

Result<UpsertOutcome> PostgresWriteTransaction::UpsertContract(const Contract& c) {
  if (finished_) return Status::FailedPrecondition("transaction already finished");
  if (c.uid.empty()) return Status::InvalidArgument("contract without uid", "uid");
  static const std::string kInsert =
      InsertContractSql('$', "'" + std::string(kContractSourcesKind) + "'::bytea", " RETURNING seq");
  static const std::string kUpdate = UpdateContractSql('$', "WHERE uid = $1");
  const ContentHash hash = internal::HashContent(c);

  const std::string folded = domain::FoldForSearch(c.object);
  const std::string cpv8 = internal::Cpv8(c.cpv);
  const std::string notified = DateText(c.notified_on);
  const std::string published = DateText(c.published_on);
  const std::string start = DateText(c.execution_start);
  const std::string flags = c.flags.empty() ? std::string("[]") : FlagsJson(c.flags);
  const std::string holders_json = HoldersJson(c.holders);
  const std::string modifications_json = ModificationsJson(c.modifications);
  Params row;
  row.Bytes(c.uid);
  row.Bytes(c.id);
  row.Bytes(KindCode(c.kind));
  row.Bytes(c.buyer_id);
  row.Bytes(c.buyer_name);
  if (c.nature)
    row.Bytes(domain::Code(*c.nature));
  else
    row.Null();
  if (c.procedure)
    row.Bytes(domain::Code(*c.procedure));
  else
    row.Null();
  row.Bytes(c.object);
  row.Bytes(folded);
  row.Bytes(c.cpv);
  row.BytesOrNull(cpv8);
  row.Bytes(c.place.code);
  row.Bytes(c.place.code_type);
  row.Bytes(c.place.name);
  row.OptionalInt(c.duration_months);
  row.OptionalInt(c.amount ? std::optional<int64_t>(c.amount->cents) : std::nullopt);
  row.OptionalInt(c.public_subsidy ? std::optional<int64_t>(c.public_subsidy->cents)
                                   : std::nullopt);
  row.Bytes(notified);  // '' when absent: sorts last
  row.BytesOrNull(published);
  row.BytesOrNull(start);
  row.Bytes(c.price_form);
  row.Bytes(c.extra_json);
  row.Bytes(c.schema_version);
  row.Bytes(c.source);
  row.Bytes(flags);
  row.Bytes(holders_json);
  row.Bytes(modifications_json);
  row.Bytes(std::string_view(reinterpret_cast<const char*>(hash.data()), hash.size()));
  row.Int(internal::NowMicros());

  // New contracts are the common case of an import: try the insert first, so
  // that its uniqueness check doubles as the lookup (ON CONFLICT DO NOTHING),
  // and insert the children in the same statement (one round trip): they
  // join the RETURNING row, so nothing is inserted when the uid exists.
  int64_t seq = 0;
  bool exists = false;
  {
    // A copy: `row` alone serves the UPDATE below. (The copy's values point
    // into `row`, which outlives it.)
    Params with_children = row;
    std::string sql = "WITH c AS (" + kInsert + ")";
    if (!c.holders.empty()) {
      sql += ", h AS (" +
             InsertChildrenSql(kInsertHolders, "c.seq", "c, ",
                               HoldersValues(c.holders, with_children)) +
             ")";
    }
    if (!c.modifications.empty()) {
      sql += ", m AS (" +
             InsertChildrenSql(kInsertModifications, "c.seq", "c, ",
                               ModificationsValues(c.modifications, with_children)) +
             ")";
    }
    sql += " SELECT seq FROM c";
    auto inserted = conn().Run(sql, with_children);
    if (!inserted.ok()) return inserted.status();
    exists = inserted->size() == 0;
    if (!exists) seq = inserted->Int(0, 0);
  }
  if (exists) {
    Params key;
    key.Bytes(c.uid);
    auto stored = conn().Run("SELECT seq, content_hash, modifications_json FROM contracts WHERE uid = $1", key);
    if (!stored.ok()) return stored.status();
    if (stored->size() != 1) return Status::Internal("contract vanished during upsert: " + c.uid);
    seq = stored->Int(0, 0);
    const std::string_view stored_hash = stored->Bytes(0, 1);
    if (stored_hash.size() == hash.size() &&
        std::equal(hash.begin(), hash.end(),
                   reinterpret_cast<const uint8_t*>(stored_hash.data()))) {
      return UpsertOutcome::kUnchanged;
    }
    // Amendments keep their history: write c with the stored modifications it
    // lacks (once: nothing is missing then).
    auto stored_mods = ParseModificationsJson(stored->Bytes(0, 2), c.uid);
    if (!stored_mods.ok()) return stored_mods.status();
    if (auto kept = internal::KeepStoredModifications(c, *stored_mods)) return UpsertContract(*kept);
    Params s;
    s.Int(seq);
    for (const char* sql : {"DELETE FROM contract_holders WHERE contract_seq = $1",
                            "DELETE FROM contract_modifications WHERE contract_seq = $1"}) {
      auto deleted = conn().Run(sql, s);
      if (!deleted.ok()) return deleted.status();
    }
    auto updated = conn().Run(kUpdate, row);
    if (!updated.ok()) return updated.status();
    if (!c.holders.empty()) {
      Params p;
      const std::string seq_param = p.Int(seq) + "::int8";
      auto r = conn().Run(
          InsertChildrenSql(kInsertHolders, seq_param, "", HoldersValues(c.holders, p)), p);
      if (!r.ok()) return r.status();
    }
    if (!c.modifications.empty()) {
      Params p;
      const std::string seq_param = p.Int(seq) + "::int8";
      auto r = conn().Run(InsertChildrenSql(kInsertModifications, seq_param, "",
                                            ModificationsValues(c.modifications, p)),
                          p);
      if (!r.ok()) return r.status();
    }
  }

  LIMPIDE_RETURN_IF_ERROR(EnsureOrganization(c.buyer_id, c.buyer_name));
  for (const auto& h : c.holders) LIMPIDE_RETURN_IF_ERROR(EnsureOrganization(h.id, h.name));
  return exists ? UpsertOutcome::kUpdated : UpsertOutcome::kInserted;
}

// ---- Ledger --------------------------------------------------------------------

// Reads the hashes of perfect subtrees in one statement (level 0 from the
// entries, higher levels from ledger_nodes), in the order of `ids`.
Result<std::vector<crypto::Hash>> ReadLedgerNodes(Connection& conn,
                                                  const std::vector<ledger::NodeId>& ids) {
  std::vector<crypto::Hash> out;
  if (ids.empty()) return out;
  // Array literals of integers, sent as text.
  std::string leaves = "{", levels = "{", indexes = "{";
  for (const auto& id : ids) {
    if (id.level == 0) {
      if (leaves.size() > 1) leaves += ',';
      leaves += std::to_string(id.index);
    } else {
      if (levels.size() > 1) {
        levels += ',';
        indexes += ',';
      }
      levels += std::to_string(id.level);
      indexes += std::to_string(id.index);
    }
  }
  leaves += '}';
  levels += '}';
  indexes += '}';
  Params p;
  p.CopyText(std::move(leaves));
  p.CopyText(std::move(levels));
  p.CopyText(std::move(indexes));
  auto rows = conn.Run(
      "SELECT 0::int4, seq, leaf_hash FROM ledger_entries WHERE seq = ANY($1::int8[]) "
      "UNION ALL SELECT n.level, n.idx, n.hash FROM ledger_nodes n "
      "JOIN unnest($2::int4[], $3::int8[]) AS w (level, idx) "
      "ON n.level = w.level AND n.idx = w.idx",
      p);
  if (!rows.ok()) return rows.status();
  std::map<std::pair<int64_t, int64_t>, crypto::Hash> found;
  for (int i = 0; i < rows->size(); ++i) {
    found[{rows->Int(i, 0), rows->Int(i, 1)}] = HashFromBytes(rows->Bytes(i, 2));
  }
  out.reserve(ids.size());
  for (const auto& id : ids) {
    auto it = found.find({int64_t{id.level}, static_cast<int64_t>(id.index)});
    if (it == found.end()) {
      return Status::NotFound("ledger node (level " + std::to_string(id.level) + ", index " +
                              std::to_string(id.index) + ") is not stored");
    }
    out.push_back(it->second);
  }
  return out;
}

Result<LedgerTail> PostgresStore::LoadLedgerTail(Connection& conn) {
  // Under the advisory lock: nobody else appends until this transaction ends.
  auto size = conn.RunInt("SELECT coalesce(max(seq) + 1, 0)::int8 FROM ledger_entries");
  if (!size.ok()) return size.status();
  const uint64_t n = static_cast<uint64_t>(*size);
  if (ledger_tail_ && ledger_tail_->frontier.size() == n) return *ledger_tail_;
  LedgerTail tail;
  auto hashes = ReadLedgerNodes(conn, ledger::Frontier::NodesOf(n));
  if (!hashes.ok()) return hashes.status();
  tail.frontier = ledger::Frontier(n, std::move(*hashes));
  auto last = conn.Run("SELECT time FROM ledger_entries ORDER BY seq DESC LIMIT 1");
  if (!last.ok()) return last.status();
  if (last->size() == 1) tail.last_time = std::string(last->Bytes(0, 0));
  return tail;
}

Status PostgresWriteTransaction::LoadTail() {
  if (tail_) return Status::Ok();
  auto tail = store_.LoadLedgerTail(conn());
  if (!tail.ok()) return tail.status();
  tail_ = std::move(*tail);
  return Status::Ok();
}

Status PostgresWriteTransaction::InsertLedgerEntry(uint64_t seq, const std::string& time,
                                                   std::string_view kind,
                                                   std::string_view subject,
                                                   std::string_view text,
                                                   const crypto::Hash& leaf) {
  std::vector<std::pair<ledger::NodeId, crypto::Hash>> completed;
  ledger::Frontier next = tail_->frontier;
  next.Append(leaf, &completed);
  Params p;
  std::string sql =
      "INSERT INTO ledger_entries (seq, time, kind, subject, entry, leaf_hash) "
      "VALUES ($1, $2, $3, $4, $5, $6)";
  p.Int(static_cast<int64_t>(seq));
  p.Bytes(time);
  p.Bytes(kind);
  p.Bytes(subject);
  p.Bytes(text);
  p.Bytes(HashBytes(leaf));
  if (!completed.empty()) {
    for (const auto& [id, hash] : completed) {
      p.Int(int64_t{id.level});
      p.Int(static_cast<int64_t>(id.index));
      p.Bytes(HashBytes(hash));
    }
    sql = "WITH e AS (" + sql + ") INSERT INTO ledger_nodes (level, idx, hash) VALUES " +
          ValuesList(static_cast<int>(completed.size()), 3, /*first=*/7);
  }
  auto r = conn().Run(sql, p);
  if (!r.ok()) return r.status();
  tail_->frontier = std::move(next);
  tail_->last_time = time;
  return Status::Ok();
}

Status PostgresWriteTransaction::CopyLedgerEntry(const LedgerRecord& r) {
  if (finished_) return Status::FailedPrecondition("transaction already finished");
  LIMPIDE_RETURN_IF_ERROR(LoadTail());
  LIMPIDE_RETURN_IF_ERROR(internal::CheckCopiedEntry(r, tail_->frontier.size(), tail_->last_time));
  return InsertLedgerEntry(r.seq, r.time, r.kind, r.subject, r.entry, r.leaf_hash);
}

Result<uint64_t> PostgresWriteTransaction::AppendToLedger(const LedgerAppend& e) {
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

// ---- Objects and blobs (writes) --------------------------------------------------

StoredObject ReadObjectRow(const Rows& r, int row) {
  StoredObject o;
  o.kind = r.Bytes(row, 0);
  o.id = r.Bytes(row, 1);
  o.version = r.Int(row, 2);
  o.body = r.Bytes(row, 3);
  o.updated = r.Bytes(row, 4);
  return o;
}

Result<StoredObject> SelectObject(Connection& conn, std::string_view kind, std::string_view id) {
  Params p;
  p.Bytes(kind);
  p.Bytes(id);
  auto rows = conn.Run(kSelectObjectSql, p);
  if (!rows.ok()) return rows.status();
  if (rows->size() == 0) {
    return Status::NotFound("no " + std::string(kind) + " with id " + std::string(id));
  }
  return ReadObjectRow(*rows, 0);
}

Result<StoredObject> PostgresWriteTransaction::GetObject(std::string_view kind,
                                                         std::string_view id) {
  if (finished_) return Status::FailedPrecondition("transaction already finished");
  return SelectObject(conn(), kind, id);
}

Result<int64_t> PostgresWriteTransaction::PutObject(std::string_view kind, std::string_view id,
                                                    std::string_view body,
                                                    int64_t expected_version) {
  if (finished_) return Status::FailedPrecondition("transaction already finished");
  LIMPIDE_RETURN_IF_ERROR(internal::CheckObject(kind, id, body));
  if (expected_version < 0) {
    return Status::InvalidArgument("expected version is negative", "expected_version");
  }
  auto orgs = internal::ObjectOrgs(body);
  if (!orgs.ok()) return orgs.status();
  const std::string now = internal::LedgerNow();
  Params p;
  p.Bytes(kind);
  p.Bytes(id);
  p.Bytes(body);
  p.Bytes(now);
  if (expected_version > 0) p.Int(expected_version);
  auto r = conn().Run(expected_version == 0
                          ? "INSERT INTO objects (kind, id, version, body, updated) "
                            "VALUES ($1, $2, 1, $3, $4) ON CONFLICT DO NOTHING"
                          : "UPDATE objects SET version = version + 1, body = $3, updated = $4 "
                            "WHERE kind = $1 AND id = $2 AND version = $5",
                      p);
  if (!r.ok()) return r.status();
  if (r->Affected() == 1) {
    LIMPIDE_RETURN_IF_ERROR(IndexOrgs(kind, id, *orgs, /*replace=*/expected_version > 0));
    if (expected_version == 0) LIMPIDE_RETURN_IF_ERROR(NoteSources(kind, id, true));
    return expected_version + 1;
  }
  const std::string what = std::string(kind) + " " + std::string(id);
  if (expected_version == 0) return Status::Conflict(what + " already exists");
  return Status::Conflict(what + " is not at version " + std::to_string(expected_version) +
                          " (changed meanwhile, or absent)");
}

Status PostgresWriteTransaction::DeleteObject(std::string_view kind, std::string_view id) {
  if (finished_) return Status::FailedPrecondition("transaction already finished");
  Params p;
  p.Bytes(kind);
  p.Bytes(id);
  auto r = conn().Run("DELETE FROM objects WHERE kind = $1 AND id = $2", p);
  if (!r.ok()) return r.status();
  if (r->Affected() != 1) return Status::NotFound("no " + std::string(kind) + " " + std::string(id));
  LIMPIDE_RETURN_IF_ERROR(NoteSources(kind, id, false));
  // Its rows in the organizations index go with it.
  auto o = conn().Run("DELETE FROM object_orgs WHERE kind = $1 AND id = $2", p);
  return o.ok() ? Status::Ok() : o.status();
}

Status PostgresWriteTransaction::IndexOrgs(std::string_view kind, std::string_view id,
                                           const std::vector<std::string>& orgs, bool replace) {
  // Only the difference is written: a consultation lists every company that
  // downloaded its documents, and each download rewrites the body.
  std::set<std::string> stored;
  if (replace) {
    Params p;
    p.Bytes(kind);
    p.Bytes(id);
    auto rows = conn().Run("SELECT org FROM object_orgs WHERE kind = $1 AND id = $2", p);
    if (!rows.ok()) return rows.status();
    for (int i = 0; i < rows->size(); ++i) stored.insert(std::string(rows->Bytes(i, 0)));
  }
  const std::set<std::string> now(orgs.begin(), orgs.end());
  for (const auto& org : stored) {
    if (now.count(org)) continue;
    Params p;
    p.Bytes(kind);
    p.Bytes(org);
    p.Bytes(id);
    auto r = conn().Run("DELETE FROM object_orgs WHERE kind = $1 AND org = $2 AND id = $3", p);
    if (!r.ok()) return r.status();
  }
  for (const auto& org : orgs) {
    if (stored.count(org)) continue;
    Params p;
    p.Bytes(kind);
    p.Bytes(org);
    p.Bytes(id);
    auto r = conn().Run(
        "INSERT INTO object_orgs (kind, org, id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", p);
    if (!r.ok()) return r.status();
  }
  return Status::Ok();
}

Status PostgresWriteTransaction::PutBlob(std::string_view bytes, const crypto::Hash& hash) {
  if (finished_) return Status::FailedPrecondition("transaction already finished");
  if (bytes.size() > kMaxBlobBytes) {
    return Status::ResourceExhausted("blob larger than 1 GiB (PostgreSQL's bytea limit)");
  }
  Params p;
  p.Bytes(HashBytes(hash));
  p.Int(static_cast<int64_t>(bytes.size()));
  p.Bytes(bytes);
  auto r = conn().Run(
      "INSERT INTO blobs (hash, size, data) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", p);
  return r.status();
}

Status PostgresWriteTransaction::CopyObject(const StoredObject& o) {
  if (finished_) return Status::FailedPrecondition("transaction already finished");
  LIMPIDE_RETURN_IF_ERROR(internal::CheckCopiedObject(o));
  auto orgs = internal::ObjectOrgs(o.body);
  if (!orgs.ok()) return orgs.status();
  Params p;
  p.Bytes(o.kind);
  p.Bytes(o.id);
  p.Int(o.version);
  p.Bytes(o.body);
  p.Bytes(o.updated);
  auto r = conn().Run(
      "INSERT INTO objects (kind, id, version, body, updated) VALUES ($1, $2, $3, $4, $5) "
      "ON CONFLICT DO NOTHING",
      p);
  if (!r.ok()) return r.status();
  if (r->Affected() != 1) return Status::Conflict(o.kind + " " + o.id + " already exists");
  LIMPIDE_RETURN_IF_ERROR(NoteSources(o.kind, o.id, true));
  return IndexOrgs(o.kind, o.id, *orgs, /*replace=*/false);
}

Status PostgresWriteTransaction::NoteSources(std::string_view kind, std::string_view id,
                                             bool stored) {
  if (kind != kContractSourcesKind) return Status::Ok();
  Params p;
  p.Bytes(id);
  auto r = conn().Run(stored ? "UPDATE contracts SET has_sources = TRUE "
                               "WHERE uid = $1 AND NOT has_sources"
                             : "UPDATE contracts SET has_sources = FALSE WHERE uid = $1 AND has_sources",
                      p);
  return r.status();
}

Status PostgresWriteTransaction::CopyOrganizationName(const OrganizationName& org) {
  if (finished_) return Status::FailedPrecondition("transaction already finished");
  if (org.id.empty()) return Status::InvalidArgument("organization without id", "id");
  Params p;
  p.Bytes(org.id);
  p.Bytes(org.name);
  auto r = conn().Run(
      "INSERT INTO organizations (id, name) VALUES ($1, $2) "
      "ON CONFLICT (id) DO UPDATE SET name = excluded.name",
      p);
  if (!r.ok()) return r.status();
  org_names_[org.id] = org.name;
  return Status::Ok();
}

// ---- Reads ---------------------------------------------------------------------

Result<std::unique_ptr<Connection>> PostgresStore::Acquire() {
  {
    std::lock_guard<std::mutex> lock(pool_mu_);
    if (!idle_readers_.empty()) {
      auto conn = std::move(idle_readers_.back());
      idle_readers_.pop_back();
      return conn;
    }
  }
  return Connection::Open(url_);
}

void PostgresStore::Release(std::unique_ptr<Connection> conn) {
  if (conn->broken() || conn->in_transaction()) return;
  conn->TrimCache();
  std::lock_guard<std::mutex> lock(pool_mu_);
  if (idle_readers_.size() < kMaxIdleReaders) idle_readers_.push_back(std::move(conn));
}

template <typename T, typename F>
Result<T> PostgresStore::WithReader(F&& read) {
  for (int attempt = 0;; ++attempt) {
    auto conn = Acquire();
    if (!conn.ok()) return conn.status();
    Result<T> out = read(**conn);
    if (out.ok() || !(*conn)->broken() || attempt > 0) {
      Release(std::move(*conn));
      return out;
    }
    std::lock_guard<std::mutex> lock(pool_mu_);
    idle_readers_.clear();
  }
}

Result<Contract> PostgresStore::GetContract(std::string_view uid) {
  static const std::string kSql =
      std::string("SELECT ") + kContractColumns + " FROM contracts WHERE uid = $1";
  return WithReader<Contract>([&](Connection& conn) -> Result<Contract> {
    Params p;
    p.Bytes(uid);
    auto rows = conn.Run(kSql, p);
    if (!rows.ok()) return rows.status();
    if (rows->size() == 0) return Status::NotFound("no contract with uid " + std::string(uid));
    return ReadContractRow(*rows, 0);
  });
}

Result<ContractWithObject> PostgresStore::GetContractWithObject(std::string_view uid,
                                                                std::string_view kind) {
  // One statement, one round trip: the object's primary key is probed in the
  // same query.
  static const std::string kSql = "SELECT " + internal::ContractColumnsOf("c") +
                                  ", o.version, o.body, o.updated FROM contracts c "
                                  "LEFT JOIN objects o ON o.kind = $2 AND o.id = c.uid "
                                  "WHERE c.uid = $1";
  // For the sources, the row's flag decides (as on SQLite, which reads it
  // first): the same answer, one round trip either way.
  static const std::string kFlaggedSql = "SELECT " + internal::ContractColumnsOf("c") +
                                         ", o.version, o.body, o.updated FROM contracts c "
                                         "LEFT JOIN objects o ON c.has_sources AND o.kind = $2 "
                                         "AND o.id = c.uid WHERE c.uid = $1";
  constexpr int kObject = 25;  // first column after kContractColumns
  return WithReader<ContractWithObject>([&](Connection& conn) -> Result<ContractWithObject> {
    Params p;
    p.Bytes(uid);
    p.Bytes(kind);
    auto rows = conn.Run(kind == kContractSourcesKind ? kFlaggedSql : kSql, p);
    if (!rows.ok()) return rows.status();
    if (rows->size() == 0) return Status::NotFound("no contract with uid " + std::string(uid));
    auto c = ReadContractRow(*rows, 0);
    if (!c.ok()) return c.status();
    ContractWithObject out{std::move(*c), std::nullopt};
    if (!rows->IsNull(0, kObject)) {
      out.object = StoredObject{std::string(kind), out.contract.uid, rows->Int(0, kObject),
                                std::string(rows->Bytes(0, kObject + 1)),
                                std::string(rows->Bytes(0, kObject + 2))};
    }
    return out;
  });
}

Result<ContractPage> PostgresStore::ListContracts(const ContractFilter& filter,
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
    const std::string date = p.Bytes(after->date);
    const std::string uid = p.Bytes(after->uid);
    sql = "(" + select + " AND notified_on = " + date + " AND uid > " + uid +
          " ORDER BY uid LIMIT " + limit + ") UNION ALL (" + select + " AND notified_on < " + date +
          " ORDER BY notified_on DESC, uid LIMIT " + limit +
          ") ORDER BY notified_on DESC, uid LIMIT " + limit;
  }
  return WithReader<ContractPage>([&](Connection& conn) -> Result<ContractPage> {
    auto rows = conn.Run(sql, p);
    if (!rows.ok()) return rows.status();
    ContractPage out;
    const int n = std::min(rows->size(), page.limit);
    out.items.reserve(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
      auto c = ReadContractRow(*rows, i);
      if (!c.ok()) return c.status();
      out.items.push_back(std::move(*c));
    }
    if (rows->size() > page.limit) {
      const Contract& last = out.items.back();
      out.next = internal::EncodeCursor({DateText(last.notified_on), last.uid});
    }
    return out;
  });
}

Result<Counts> PostgresStore::CountContracts(const ContractFilter& filter) {
  LIMPIDE_RETURN_IF_ERROR(internal::CheckFilter(filter));
  Params p;
  const std::string where = WhereClause(filter, p);
  // One statement, hence one snapshot: the counts agree with each other.
  const std::string sql =
      "SELECT count(*)::int8, coalesce(sum(amount_cents), 0)::int8, "
      "count(DISTINCT nullif(buyer_id, '\\x'::bytea))::int8, "
      "(SELECT count(DISTINCT holder_id)::int8 FROM contract_holders "
      "WHERE holder_id <> '\\x'::bytea AND contract_seq IN (SELECT seq FROM contracts WHERE " +
      where + ")) FROM contracts WHERE " + where;
  return WithReader<Counts>([&](Connection& conn) -> Result<Counts> {
    auto rows = conn.Run(sql, p);
    if (!rows.ok()) return rows.status();
    Counts counts;
    counts.contracts = rows->Int(0, 0);
    counts.total_amount = domain::Money{rows->Int(0, 1)};
    counts.buyers = rows->Int(0, 2);
    counts.holders = rows->Int(0, 3);
    return counts;
  });
}

Result<domain::Organization> PostgresStore::GetOrganization(std::string_view id) {
  if (id.empty()) return Status::NotFound("no organization with an empty id");
  return WithReader<domain::Organization>([&](Connection& conn) -> Result<domain::Organization> {
    Params p;
    p.Bytes(id);
    auto rows = conn.Run(
        "SELECT b.n, b.amount, h.n, h.amount, "
        "(SELECT name FROM organizations WHERE id = $1) FROM "
        "(SELECT count(*)::int8 AS n, coalesce(sum(amount_cents), 0)::int8 AS amount "
        "FROM contracts WHERE buyer_id = $1) b, "
        "(SELECT count(*)::int8 AS n, coalesce(sum(amount_cents), 0)::int8 AS amount "
        "FROM contracts WHERE seq IN "
        "(SELECT contract_seq FROM contract_holders WHERE holder_id = $1)) h",
        p);
    if (!rows.ok()) return rows.status();
    domain::Organization org;
    org.id = id;
    org.contracts_as_buyer = rows->Int(0, 0);
    org.amount_as_buyer = domain::Money{rows->Int(0, 1)};
    org.contracts_as_holder = rows->Int(0, 2);
    org.amount_as_holder = domain::Money{rows->Int(0, 3)};
    if (org.contracts_as_buyer == 0 && org.contracts_as_holder == 0) {
      return Status::NotFound("no organization with id " + std::string(id));
    }
    org.name = rows->Bytes(0, 4);
    return org;
  });
}

Result<std::vector<Partner>> PostgresStore::ListPartners(std::string_view id, Role role,
                                                         int limit) {
  LIMPIDE_RETURN_IF_ERROR(internal::CheckLimit(limit));
  // Each contract counts once per partner, with its whole amount.
  const char* sql =
      role == Role::kBuyer
          ? "SELECT h.holder_id, coalesce(o.name, '\\x'::bytea), count(*)::int8 AS n, "
            "coalesce(sum(c.amount_cents), 0)::int8 AS amt "
            "FROM (SELECT DISTINCT contract_seq, holder_id FROM contract_holders WHERE "
            "holder_id <> '\\x'::bytea AND contract_seq IN "
            "(SELECT seq FROM contracts WHERE buyer_id = $1)) h "
            "JOIN contracts c ON c.seq = h.contract_seq "
            "LEFT JOIN organizations o ON o.id = h.holder_id "
            "GROUP BY h.holder_id, o.name ORDER BY amt DESC, n DESC, h.holder_id LIMIT $2"
          : "SELECT c.buyer_id, coalesce(o.name, '\\x'::bytea), count(*)::int8 AS n, "
            "coalesce(sum(c.amount_cents), 0)::int8 AS amt "
            "FROM contracts c LEFT JOIN organizations o ON o.id = c.buyer_id "
            "WHERE c.buyer_id <> '\\x'::bytea AND c.seq IN "
            "(SELECT contract_seq FROM contract_holders WHERE holder_id = $1) "
            "GROUP BY c.buyer_id, o.name ORDER BY amt DESC, n DESC, c.buyer_id LIMIT $2";
  return WithReader<std::vector<Partner>>([&](Connection& conn) -> Result<std::vector<Partner>> {
    Params p;
    p.Bytes(id);
    p.Int(limit);
    auto rows = conn.Run(sql, p);
    if (!rows.ok()) return rows.status();
    std::vector<Partner> out;
    for (int i = 0; i < rows->size(); ++i) {
      out.push_back({std::string(rows->Bytes(i, 0)), std::string(rows->Bytes(i, 1)),
                     rows->Int(i, 2), domain::Money{rows->Int(i, 3)}});
    }
    return out;
  });
}

Result<std::vector<std::string>> PostgresStore::DistinctValues(std::string_view column) {
  const char* sql = nullptr;
  if (column == "procedure") {
    sql = "SELECT DISTINCT procedure FROM contracts WHERE procedure <> '' ORDER BY 1";
  } else if (column == "nature") {
    sql = "SELECT DISTINCT nature FROM contracts WHERE nature <> '' ORDER BY 1";
  } else if (column == "holder_id_type") {
    sql = "SELECT DISTINCT id_type FROM contract_holders WHERE id_type <> '\\x'::bytea ORDER BY 1";
  } else if (column == "place_code_type") {
    sql =
        "SELECT DISTINCT place_code_type FROM contracts WHERE place_code_type <> '\\x'::bytea "
        "ORDER BY 1";
  } else if (column == "price_form") {
    sql = "SELECT DISTINCT price_form FROM contracts WHERE price_form <> '\\x'::bytea ORDER BY 1";
  } else {
    return Status::InvalidArgument("unknown column " + std::string(column), "column");
  }
  return WithReader<std::vector<std::string>>(
      [&](Connection& conn) -> Result<std::vector<std::string>> {
        auto rows = conn.Run(sql);
        if (!rows.ok()) return rows.status();
        std::vector<std::string> out;
        for (int i = 0; i < rows->size(); ++i) out.emplace_back(rows->Bytes(i, 0));
        return out;
      });
}

Result<uint64_t> PostgresStore::LedgerSize() {
  return WithReader<uint64_t>([&](Connection& conn) -> Result<uint64_t> {
    auto n = conn.RunInt("SELECT coalesce(max(seq) + 1, 0)::int8 FROM ledger_entries");
    if (!n.ok()) return n.status();
    return static_cast<uint64_t>(*n);
  });
}

Result<std::vector<LedgerRecord>> PostgresStore::LedgerEntries(uint64_t start, uint64_t end) {
  std::vector<LedgerRecord> none;
  if (end <= start) return none;
  return WithReader<std::vector<LedgerRecord>>(
      [&](Connection& conn) -> Result<std::vector<LedgerRecord>> {
        Params p;
        p.Int(static_cast<int64_t>(std::min<uint64_t>(start, INT64_MAX)));
        p.Int(static_cast<int64_t>(std::min<uint64_t>(end, INT64_MAX)));
        auto rows = conn.Run(
            "SELECT seq, time, kind, subject, entry, leaf_hash FROM ledger_entries "
            "WHERE seq >= $1 AND seq < $2 ORDER BY seq",
            p);
        if (!rows.ok()) return rows.status();
        std::vector<LedgerRecord> out;
        out.reserve(static_cast<size_t>(rows->size()));
        for (int i = 0; i < rows->size(); ++i) {
          LedgerRecord r;
          r.seq = static_cast<uint64_t>(rows->Int(i, 0));
          r.time = rows->Bytes(i, 1);
          r.kind = rows->Bytes(i, 2);
          r.subject = rows->Bytes(i, 3);
          r.entry = rows->Bytes(i, 4);
          r.leaf_hash = HashFromBytes(rows->Bytes(i, 5));
          out.push_back(std::move(r));
        }
        return out;
      });
}

Result<std::vector<crypto::Hash>> PostgresStore::LedgerNodes(
    const std::vector<ledger::NodeId>& ids) {
  return WithReader<std::vector<crypto::Hash>>(
      [&](Connection& conn) { return ReadLedgerNodes(conn, ids); });
}

Result<StoredObject> PostgresStore::GetObject(std::string_view kind, std::string_view id) {
  return WithReader<StoredObject>([&](Connection& conn) { return SelectObject(conn, kind, id); });
}

Result<ObjectPage> PostgresStore::ListObjects(std::string_view kind, std::string_view id_prefix,
                                              const PageRequest& page) {
  LIMPIDE_RETURN_IF_ERROR(internal::CheckLimit(page.limit));
  auto cursor = internal::ObjectCursorKey(page.after);
  if (!cursor.ok()) return cursor.status();
  const std::string after = std::move(*cursor);
  // Ids starting with the prefix sort in [prefix, successor(prefix)): an index range.
  const std::string upper = internal::PrefixUpperBound(id_prefix);
  Params p;
  std::string sql =
      "SELECT kind, id, version, body, updated FROM objects WHERE kind = " + p.Bytes(kind) +
      " AND id >= " + p.Bytes(id_prefix);
  if (!upper.empty()) sql += " AND id < " + p.Bytes(upper);
  if (!after.empty()) sql += " AND id > " + p.Bytes(after);
  sql += " ORDER BY id LIMIT " + p.Int(int64_t{page.limit} + 1);
  return QueryObjectPage(sql, p, page.limit);
}

Result<ObjectPage> PostgresStore::ListObjectsOf(std::string_view kind, std::string_view org,
                                                std::string_view id_prefix,
                                                const PageRequest& page) {
  LIMPIDE_RETURN_IF_ERROR(internal::CheckLimit(page.limit));
  auto cursor = internal::ObjectCursorKey(page.after);
  if (!cursor.ok()) return cursor.status();
  const std::string before = std::move(*cursor);
  const std::string upper = internal::PrefixUpperBound(id_prefix);
  Params p;
  std::string sql =
      "SELECT o.kind, o.id, o.version, o.body, o.updated FROM object_orgs x "
      "JOIN objects o ON o.kind = x.kind AND o.id = x.id WHERE x.kind = " +
      p.Bytes(kind) + " AND x.org = " + p.Bytes(org) + " AND x.id >= " + p.Bytes(id_prefix);
  if (!upper.empty()) sql += " AND x.id < " + p.Bytes(upper);
  if (!before.empty()) sql += " AND x.id < " + p.Bytes(before);
  sql += " ORDER BY x.id DESC LIMIT " + p.Int(int64_t{page.limit} + 1);
  return QueryObjectPage(sql, p, page.limit);
}

Result<ObjectPage> PostgresStore::QueryObjectPage(const std::string& sql, const Params& p,
                                                  int limit) {
  return WithReader<ObjectPage>([&](Connection& conn) -> Result<ObjectPage> {
    auto rows = conn.Run(sql, p);
    if (!rows.ok()) return rows.status();
    ObjectPage out;
    for (int i = 0; i < rows->size(); ++i) out.items.push_back(ReadObjectRow(*rows, i));
    internal::FinishObjectPage(out, limit);
    return out;
  });
}

Result<std::string> PostgresStore::GetBlob(const crypto::Hash& hash) {
  return WithReader<std::string>([&](Connection& conn) -> Result<std::string> {
    Params p;
    p.Bytes(HashBytes(hash));
    auto rows = conn.Run("SELECT data FROM blobs WHERE hash = $1", p);
    if (!rows.ok()) return rows.status();
    if (rows->size() == 0) return Status::NotFound("no blob with SHA-256 " + crypto::ToHex(hash));
    return std::string(rows->Bytes(0, 0));
  });
}

Result<OrganizationPage> PostgresStore::ListOrganizations(const PageRequest& page) {
  LIMPIDE_RETURN_IF_ERROR(internal::CheckLimit(page.limit));
  auto cursor = internal::ObjectCursorKey(page.after);
  if (!cursor.ok()) return cursor.status();
  const std::string after = std::move(*cursor);
  return WithReader<OrganizationPage>([&](Connection& conn) -> Result<OrganizationPage> {
    Params p;
    p.Bytes(after);
    p.Int(int64_t{page.limit} + 1);
    auto rows =
        conn.Run("SELECT id, name FROM organizations WHERE id > $1 ORDER BY id LIMIT $2", p);
    if (!rows.ok()) return rows.status();
    OrganizationPage out;
    for (int i = 0; i < rows->size(); ++i) {
      out.items.push_back({std::string(rows->Bytes(i, 0)), std::string(rows->Bytes(i, 1))});
    }
    internal::FinishObjectPage(out, page.limit);
    return out;
  });
}

Result<std::vector<crypto::Hash>> PostgresStore::ListBlobs(
    const std::optional<crypto::Hash>& after, int limit) {
  LIMPIDE_RETURN_IF_ERROR(internal::CheckLimit(limit));
  return WithReader<std::vector<crypto::Hash>>(
      [&](Connection& conn) -> Result<std::vector<crypto::Hash>> {
        Params p;
        // The empty bytea sorts before every hash.
        p.Bytes(after ? HashBytes(*after) : std::string_view());
        p.Int(limit);
        auto rows = conn.Run("SELECT hash FROM blobs WHERE hash > $1 ORDER BY hash LIMIT $2", p);
        if (!rows.ok()) return rows.status();
        std::vector<crypto::Hash> out;
        for (int i = 0; i < rows->size(); ++i) out.push_back(HashFromBytes(rows->Bytes(i, 0)));
        return out;
      });
}

Result<Inventory> PostgresStore::Count() {
  return WithReader<Inventory>([&](Connection& conn) -> Result<Inventory> {
    // One statement: one snapshot.
    auto rows = conn.Run(
        "SELECT 0::int8, '\\x'::bytea, count(*)::int8, 0::int8 FROM contracts "
        "UNION ALL SELECT 1, '\\x', count(*), 0 FROM organizations "
        "UNION ALL SELECT 2, '\\x', count(*), 0 FROM ledger_entries "
        "UNION ALL SELECT 3, '\\x', count(*), 0 FROM ledger_nodes "
        "UNION ALL SELECT 4, '\\x', count(*), coalesce(sum(size), 0)::int8 FROM blobs "
        "UNION ALL SELECT 5, kind, count(*), 0 FROM objects GROUP BY kind");
    if (!rows.ok()) return rows.status();
    Inventory out;
    for (int i = 0; i < rows->size(); ++i) {
      internal::AddInventoryRow(out, rows->Int(i, 0), rows->Bytes(i, 1), rows->Int(i, 2),
                                rows->Int(i, 3));
    }
    return out;
  });
}

Result<bool> PostgresStore::TryLease(std::string_view name, std::string_view holder,
                                     int64_t ttl_ms) {
  if (name.empty() || holder.empty())
    return Status::InvalidArgument("lease without name or holder", "name");
  if (ttl_ms <= 0) return Status::InvalidArgument("lease duration must be positive", "ttl");
  return WithReader<bool>([&](Connection& conn) -> Result<bool> {
    Params p;
    p.Bytes(name);
    p.Bytes(holder);
    p.Int(ttl_ms);
    // The server's clock decides: nodes need not agree on theirs.
    auto r = conn.Run(
        "INSERT INTO leases (name, holder, expires) "
        "VALUES ($1, $2, clock_timestamp() + $3::int8 * interval '1 millisecond') "
        "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires = excluded.expires "
        "WHERE leases.holder = excluded.holder OR leases.expires <= clock_timestamp()",
        p);
    if (!r.ok()) return r.status();
    return r->Affected() == 1;
  });
}

Status PostgresStore::ReleaseLease(std::string_view name, std::string_view holder) {
  auto done = WithReader<bool>([&](Connection& conn) -> Result<bool> {
    Params p;
    p.Bytes(name);
    p.Bytes(holder);
    auto r = conn.Run("DELETE FROM leases WHERE name = $1 AND holder = $2", p);
    if (!r.ok()) return r.status();
    return true;
  });
  return done.status();
}

}  // namespace

Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url) {
  auto store = PostgresStore::Open(url);
  if (!store.ok()) return store.status();
  return std::unique_ptr<Store>(std::move(*store));
}

}  // namespace limpide::store::postgres
