#include "store/sqlite/migrations.h"

#include <string>

namespace limpide::store::sqlite {
namespace {

// Version 1: contracts, their holders and modifications, organizations.
constexpr std::string_view kV1 = R"sql(
CREATE TABLE organizations (
  id   TEXT PRIMARY KEY,
  name TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;

CREATE TABLE contracts (
  seq                  INTEGER PRIMARY KEY,   -- rowid; children refer to it
  uid                  TEXT NOT NULL UNIQUE,
  id                   TEXT NOT NULL,
  kind                 TEXT NOT NULL,         -- 'marche' | 'concession'
  buyer_id             TEXT NOT NULL,
  buyer_name           TEXT NOT NULL,
  nature               TEXT,                  -- domain::Code(ContractNature)
  procedure            TEXT,                  -- domain::Code(ProcedureType)
  object               TEXT NOT NULL,
  object_folded        TEXT NOT NULL,         -- domain::FoldForSearch(object)
  cpv                  TEXT NOT NULL,
  cpv8                 TEXT,                  -- the 8 digits of cpv, NULL when none
  place_code           TEXT NOT NULL,
  place_code_type      TEXT NOT NULL,
  place_name           TEXT NOT NULL,
  duration_months      INTEGER,
  amount_cents         INTEGER,
  public_subsidy_cents INTEGER,
  notified_on          TEXT NOT NULL,         -- 'YYYY-MM-DD', '' when absent (sorts last)
  published_on         TEXT,
  execution_start      TEXT,
  price_form           TEXT NOT NULL,
  extra_json           TEXT NOT NULL,
  schema_version       TEXT NOT NULL,
  source               TEXT NOT NULL,
  flags                TEXT NOT NULL,         -- JSON array of strings
  content_hash         BLOB NOT NULL,         -- SHA-256, see store/codec.h
  created_at           INTEGER NOT NULL,      -- microseconds since the Unix epoch
  updated_at           INTEGER NOT NULL
);
CREATE INDEX contracts_by_date      ON contracts (notified_on DESC, uid);
CREATE INDEX contracts_by_buyer     ON contracts (buyer_id, notified_on DESC, uid);
CREATE INDEX contracts_by_cpv       ON contracts (cpv8);

CREATE TABLE contract_holders (
  contract_seq INTEGER NOT NULL REFERENCES contracts (seq) ON DELETE CASCADE,
  position     INTEGER NOT NULL,
  holder_id    TEXT NOT NULL,
  id_type      TEXT NOT NULL,
  name         TEXT NOT NULL,
  PRIMARY KEY (contract_seq, position)
) WITHOUT ROWID;
CREATE INDEX contract_holders_by_holder ON contract_holders (holder_id, contract_seq);

CREATE TABLE contract_modifications (
  contract_seq    INTEGER NOT NULL REFERENCES contracts (seq) ON DELETE CASCADE,
  position        INTEGER NOT NULL,
  modification_id TEXT NOT NULL,
  object          TEXT NOT NULL,
  signed_on       TEXT,
  published_on    TEXT,
  duration_months INTEGER,
  amount_cents    INTEGER,
  holders_json    TEXT NOT NULL,               -- [[id, id_type, name], ...]
  PRIMARY KEY (contract_seq, position)
) WITHOUT ROWID;
)sql";

// Version 2: each contract row also carries its holders and modifications,
// so that reading a contract is one row lookup (docs/storage.md). The child
// tables stay: they serve the holder filter and the organization queries.
//   holders_json:       [[id, id_type, name], ...]
//   modifications_json: [[id, object, signed_on|null, published_on|null,
//                         duration_months|null, amount_cents|null, holders], ...]
// Strings are written by the engine with only \" \\ \n \r \t \u00XX escapes;
// the backfill below escapes only '"' and '\' (its control characters stay
// raw, which the reader accepts).
constexpr std::string_view kV2 = R"sql(
ALTER TABLE contracts ADD COLUMN holders_json TEXT NOT NULL DEFAULT '[]';
ALTER TABLE contracts ADD COLUMN modifications_json TEXT NOT NULL DEFAULT '[]';
UPDATE contracts SET
  holders_json = (
    SELECT '[' || ifnull(group_concat(
             '["' || replace(replace(holder_id, '\', '\\'), '"', '\"') ||
             '","' || replace(replace(id_type, '\', '\\'), '"', '\"') ||
             '","' || replace(replace(name, '\', '\\'), '"', '\"') || '"]', ','), '') || ']'
    FROM (SELECT holder_id, id_type, name FROM contract_holders
          WHERE contract_seq = contracts.seq ORDER BY position)),
  modifications_json = (
    SELECT '[' || ifnull(group_concat(
             '["' || replace(replace(modification_id, '\', '\\'), '"', '\"') ||
             '","' || replace(replace(object, '\', '\\'), '"', '\"') || '",' ||
             ifnull('"' || signed_on || '"', 'null') || ',' ||
             ifnull('"' || published_on || '"', 'null') || ',' ||
             ifnull(duration_months, 'null') || ',' ||
             ifnull(amount_cents, 'null') || ',' || holders_json || ']', ','), '') || ']'
    FROM (SELECT * FROM contract_modifications
          WHERE contract_seq = contracts.seq ORDER BY position))
WHERE seq IN (SELECT contract_seq FROM contract_holders
              UNION SELECT contract_seq FROM contract_modifications);
)sql";

// Version 3: the transparency ledger (docs/ledger.md). Entries are the leaves
// of an RFC 9162 Merkle tree; ledger_nodes keeps the hash of every perfect
// subtree of level >= 1 (about one row per entry), so that roots and proofs
// need O(log n) lookups. Both tables are append-only.
constexpr std::string_view kV3 = R"sql(
CREATE TABLE ledger_entries (
  seq       INTEGER PRIMARY KEY,   -- 0-based leaf index
  time      TEXT NOT NULL,         -- RFC 3339 UTC, milliseconds
  kind      TEXT NOT NULL,
  subject   TEXT NOT NULL,
  entry     TEXT NOT NULL,         -- canonical JSON, the leaf input
  leaf_hash BLOB NOT NULL          -- SHA-256(0x00 || entry)
);
CREATE INDEX ledger_entries_by_subject ON ledger_entries (subject, seq);
CREATE TABLE ledger_nodes (
  level INTEGER NOT NULL,          -- >= 1; covers leaves [idx * 2^level, (idx + 1) * 2^level)
  idx   INTEGER NOT NULL,
  hash  BLOB NOT NULL,
  PRIMARY KEY (level, idx)
) WITHOUT ROWID;
)sql";

// Version 4: the procedure's state as versioned JSON objects (accounts,
// tokens, consultations, deposits; docs/storage.md), and immutable blobs
// addressed by their SHA-256 (consultation documents, sealed bids).
constexpr std::string_view kV4 = R"sql(
CREATE TABLE objects (
  kind    TEXT NOT NULL,
  id      TEXT NOT NULL,
  version INTEGER NOT NULL,        -- 1 at creation, +1 per write
  body    TEXT NOT NULL,           -- JSON object
  updated TEXT NOT NULL,           -- RFC 3339 UTC, milliseconds
  PRIMARY KEY (kind, id)
) WITHOUT ROWID;
CREATE TABLE blobs (
  hash BLOB PRIMARY KEY,           -- SHA-256 of data
  size INTEGER NOT NULL,
  data BLOB NOT NULL
);
)sql";

// Version 5: leases, so that scheduled work runs on one process at a time
// among those sharing the store (app/scheduler.h).
constexpr std::string_view kV5 = R"sql(
CREATE TABLE leases (
  name    TEXT PRIMARY KEY,
  holder  TEXT NOT NULL,
  expires INTEGER NOT NULL         -- milliseconds since the Unix epoch
) WITHOUT ROWID;
)sql";

// Version 6: the organizations an object lists in its body's "orgs" member,
// so that a buyer's consultations or a company's deposits are read without
// reading every object (Store::ListObjectsOf). Bodies that already carry
// "orgs" are indexed here; later writes keep the index.
constexpr std::string_view kV6 = R"sql(
CREATE TABLE object_orgs (
  kind TEXT NOT NULL,
  org  TEXT NOT NULL,              -- an organization id (SIRET) listed in the body's "orgs"
  id   TEXT NOT NULL,
  PRIMARY KEY (kind, org, id)
) WITHOUT ROWID;
CREATE INDEX object_orgs_by_object ON object_orgs (kind, id);
INSERT OR IGNORE INTO object_orgs (kind, org, id)
  SELECT o.kind, j.value, o.id FROM objects o, json_each(o.body, '$.orgs') j
  WHERE o.body LIKE '%"orgs"%' AND json_type(o.body, '$.orgs') = 'array' AND j.type = 'text';
)sql";

// Version 7: whether an object of kind "contract-sources" (store::
// kContractSourcesKind) is stored under the contract's uid, kept by every
// write of such an object and by the insert of a contract, so that reading a
// contract with its sources looks for them only when there are some.
constexpr std::string_view kV7 = R"sql(
ALTER TABLE contracts ADD COLUMN has_sources INTEGER NOT NULL DEFAULT 0;
UPDATE contracts SET has_sources = 1
  WHERE uid IN (SELECT id FROM objects WHERE kind = 'contract-sources');
)sql";

// Version 8: counters that writes keep, so that a reader can tell cheaply
// whether something changed. "contracts" grows by one with every transaction
// that changes a contract or its stored sources (Store::ContractsVersion).
constexpr std::string_view kV8 = R"sql(
CREATE TABLE counters (
  name  TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO counters (name, value) VALUES ('contracts', 0);
)sql";

constexpr std::string_view kMigrations[] = {kV1, kV2, kV3, kV4, kV5, kV6, kV7, kV8};

constexpr const char* kCreateMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY,"
    " applied_at TEXT NOT NULL)";  // ISO 8601 UTC

Result<int> CurrentVersion(Connection& conn) {
  auto stmt = conn.Prepare("SELECT ifnull(max(version), 0) FROM schema_migrations");
  if (!stmt.ok()) return stmt.status();
  Query q(*stmt);
  auto row = q.Step();
  if (!row.ok()) return row.status();
  return static_cast<int>(q.Int(0));
}

// Rolls back unless committed.
class ImmediateTransaction {
 public:
  explicit ImmediateTransaction(Connection& conn) : conn_(conn) {}
  ~ImmediateTransaction() {
    if (open_) (void)conn_.Exec("ROLLBACK");
  }
  Status Begin() {
    LIMPIDE_RETURN_IF_ERROR(conn_.Exec("BEGIN IMMEDIATE"));
    open_ = true;
    return Status::Ok();
  }
  Status Commit() {
    LIMPIDE_RETURN_IF_ERROR(conn_.Exec("COMMIT"));
    open_ = false;
    return Status::Ok();
  }

 private:
  Connection& conn_;
  bool open_ = false;
};

}  // namespace

std::span<const std::string_view> Migrations() { return kMigrations; }

Result<int> Migrate(Connection& conn) {
  LIMPIDE_RETURN_IF_ERROR(conn.Exec(kCreateMigrationsTable));
  const int known = static_cast<int>(std::size(kMigrations));
  auto version = CurrentVersion(conn);
  if (!version.ok()) return version.status();
  if (*version > known) {
    return Status::FailedPrecondition("store schema version " + std::to_string(*version) +
                                      " is newer than this binary (" + std::to_string(known) +
                                      "); upgrade limpide");
  }
  while (*version < known) {
    ImmediateTransaction txn(conn);
    LIMPIDE_RETURN_IF_ERROR(txn.Begin());
    // Another process may have migrated between our read and BEGIN IMMEDIATE.
    version = CurrentVersion(conn);
    if (!version.ok()) return version.status();
    if (*version >= known) break;
    const int next = *version + 1;
    const std::string sql(kMigrations[next - 1]);
    LIMPIDE_RETURN_IF_ERROR(conn.Exec(sql.c_str()));
    auto insert = conn.Prepare(
        "INSERT INTO schema_migrations (version, applied_at) "
        "VALUES (?1, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))");
    if (!insert.ok()) return insert.status();
    {
      Query q(*insert);
      q.Bind(1, int64_t{next});
      LIMPIDE_RETURN_IF_ERROR(q.Run());
    }
    LIMPIDE_RETURN_IF_ERROR(txn.Commit());
    *version = next;
  }
  return *version;
}

}  // namespace limpide::store::sqlite
