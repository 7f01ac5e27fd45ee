#include "store/postgres/migrations.h"

#include <string>

namespace limpide::store::postgres {
namespace {

// Types, against SQLite's: text that comes from outside (identifiers, names,
// objects, JSON columns built from them) is BYTEA, because SQLite keeps any
// bytes and a UTF8 database refuses invalid UTF-8; BYTEA also compares byte by
// byte, which is SQLite's BINARY order that keyset cursors rely on. Text we
// generate (codes, dates, times, ledger JSON) is TEXT COLLATE "C" (byte order
// too). Integers are BIGINT.

// Version 1: contracts, their holders and modifications, organizations.
constexpr std::string_view kV1 = R"sql(
CREATE TABLE organizations (
  id   BYTEA PRIMARY KEY,
  name BYTEA NOT NULL DEFAULT '\x'
);

CREATE TABLE contracts (
  seq                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  uid                  BYTEA NOT NULL UNIQUE,
  id                   BYTEA NOT NULL,
  kind                 TEXT COLLATE "C" NOT NULL,   -- 'marche' | 'concession'
  buyer_id             BYTEA NOT NULL,
  buyer_name           BYTEA NOT NULL,
  nature               TEXT COLLATE "C",            -- domain::Code(ContractNature)
  procedure            TEXT COLLATE "C",            -- domain::Code(ProcedureType)
  object               BYTEA NOT NULL,
  object_folded        BYTEA NOT NULL,              -- domain::FoldForSearch(object)
  cpv                  BYTEA NOT NULL,
  cpv8                 BYTEA,                       -- the 8 digits of cpv, NULL when none
  place_code           BYTEA NOT NULL,
  place_code_type      BYTEA NOT NULL,
  place_name           BYTEA NOT NULL,
  duration_months      BIGINT,
  amount_cents         BIGINT,
  public_subsidy_cents BIGINT,
  notified_on          TEXT COLLATE "C" NOT NULL,   -- 'YYYY-MM-DD', '' when absent (sorts last)
  published_on         TEXT COLLATE "C",
  execution_start      TEXT COLLATE "C",
  price_form           BYTEA NOT NULL,
  extra_json           BYTEA NOT NULL,
  schema_version       BYTEA NOT NULL,
  source               BYTEA NOT NULL,
  flags                BYTEA NOT NULL,              -- JSON array of strings
  content_hash         BYTEA NOT NULL,              -- SHA-256, see store/codec.h
  created_at           BIGINT NOT NULL,             -- microseconds since the Unix epoch
  updated_at           BIGINT NOT NULL
);
CREATE INDEX contracts_by_date  ON contracts (notified_on DESC, uid);
CREATE INDEX contracts_by_buyer ON contracts (buyer_id, notified_on DESC, uid);
CREATE INDEX contracts_by_cpv   ON contracts (cpv8);

CREATE TABLE contract_holders (
  contract_seq BIGINT NOT NULL REFERENCES contracts (seq) ON DELETE CASCADE,
  position     INTEGER NOT NULL,
  holder_id    BYTEA NOT NULL,
  id_type      BYTEA NOT NULL,
  name         BYTEA NOT NULL,
  PRIMARY KEY (contract_seq, position)
);
CREATE INDEX contract_holders_by_holder ON contract_holders (holder_id, contract_seq);

CREATE TABLE contract_modifications (
  contract_seq    BIGINT NOT NULL REFERENCES contracts (seq) ON DELETE CASCADE,
  position        INTEGER NOT NULL,
  modification_id BYTEA NOT NULL,
  object          BYTEA NOT NULL,
  signed_on       TEXT COLLATE "C",
  published_on    TEXT COLLATE "C",
  duration_months BIGINT,
  amount_cents    BIGINT,
  holders_json    BYTEA NOT NULL,                   -- [[id, id_type, name], ...]
  PRIMARY KEY (contract_seq, position)
);
)sql";

// Version 2: each contract row also carries its holders and modifications
// (formats in docs/storage.md, migration 2). No backfill: no PostgreSQL store
// was ever released at version 1.
constexpr std::string_view kV2 = R"sql(
ALTER TABLE contracts ADD COLUMN holders_json BYTEA NOT NULL DEFAULT '\x5b5d';        -- '[]'
ALTER TABLE contracts ADD COLUMN modifications_json BYTEA NOT NULL DEFAULT '\x5b5d';  -- '[]'
)sql";

// Version 3: the transparency ledger (docs/ledger.md).
constexpr std::string_view kV3 = R"sql(
CREATE TABLE ledger_entries (
  seq       BIGINT PRIMARY KEY,          -- 0-based leaf index
  time      TEXT COLLATE "C" NOT NULL,   -- RFC 3339 UTC, milliseconds
  kind      TEXT COLLATE "C" NOT NULL,
  subject   TEXT COLLATE "C" NOT NULL,
  entry     TEXT NOT NULL,               -- canonical JSON (valid UTF-8), the leaf input
  leaf_hash BYTEA NOT NULL               -- SHA-256(0x00 || entry)
);
CREATE INDEX ledger_entries_by_subject ON ledger_entries (subject, seq);
CREATE TABLE ledger_nodes (
  level INTEGER NOT NULL,                -- >= 1; covers leaves [idx * 2^level, (idx + 1) * 2^level)
  idx   BIGINT NOT NULL,
  hash  BYTEA NOT NULL,
  PRIMARY KEY (level, idx)
);
)sql";

// Version 4: versioned JSON objects and immutable blobs addressed by SHA-256.
constexpr std::string_view kV4 = R"sql(
CREATE TABLE objects (
  kind    BYTEA NOT NULL,
  id      BYTEA NOT NULL,
  version BIGINT NOT NULL,               -- 1 at creation, +1 per write
  body    TEXT NOT NULL,                 -- JSON object, as written
  updated TEXT COLLATE "C" NOT NULL,     -- RFC 3339 UTC, milliseconds
  PRIMARY KEY (kind, id)
);
CREATE TABLE blobs (
  hash BYTEA PRIMARY KEY,                -- SHA-256 of data
  size BIGINT NOT NULL,
  data BYTEA NOT NULL
);
)sql";

// Version 5: leases, so that scheduled work runs on one node at a time
// (app/scheduler.h). Expiry is the server's clock: nodes need not agree on
// theirs.
constexpr std::string_view kV5 = R"sql(
CREATE TABLE leases (
  name    TEXT COLLATE "C" PRIMARY KEY,
  holder  TEXT COLLATE "C" NOT NULL,
  expires TIMESTAMPTZ NOT NULL
);
)sql";

// Version 6: the organizations an object lists in its body's "orgs" member
// (Store::ListObjectsOf), as in SQLite's version 6. Bodies that already carry
// "orgs" are indexed here; later writes keep the index.
constexpr std::string_view kV6 = R"sql(
CREATE TABLE object_orgs (
  kind BYTEA NOT NULL,
  org  BYTEA NOT NULL,                   -- an organization id listed in the body's "orgs"
  id   BYTEA NOT NULL,
  PRIMARY KEY (kind, org, id)
);
CREATE INDEX object_orgs_by_object ON object_orgs (kind, id);
INSERT INTO object_orgs (kind, org, id)
  SELECT o.kind, convert_to(e.value, 'UTF8'), o.id
  FROM objects o, jsonb_array_elements_text((o.body::jsonb) -> 'orgs') e
  WHERE o.body LIKE '%"orgs"%' AND jsonb_typeof((o.body::jsonb) -> 'orgs') = 'array'
  ON CONFLICT DO NOTHING;
)sql";

// Version 7: whether an object of kind "contract-sources" (store::
// kContractSourcesKind) is stored under the contract's uid, as on SQLite.
constexpr std::string_view kV7 = R"sql(
ALTER TABLE contracts ADD COLUMN has_sources BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE contracts SET has_sources = TRUE
  WHERE uid IN (SELECT id FROM objects WHERE kind = 'contract-sources'::bytea);
)sql";

constexpr std::string_view kMigrations[] = {kV1, kV2, kV3, kV4, kV5, kV6, kV7};

// Rolls back unless committed.
class LockedTransaction {
 public:
  explicit LockedTransaction(Connection& conn) : conn_(conn) {}
  ~LockedTransaction() {
    if (open_) (void)conn_.Exec("ROLLBACK");
  }
  Status Begin() {
    LIMPIDE_RETURN_IF_ERROR(
        conn_.Exec("BEGIN; SELECT pg_advisory_xact_lock(" + std::to_string(kWriteLockKey) + ")"));
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
  const int known = static_cast<int>(std::size(kMigrations));
  for (;;) {
    // Under the lock: CREATE TABLE IF NOT EXISTS is not safe against a
    // concurrent creation, and the version read must not go stale.
    LockedTransaction txn(conn);
    LIMPIDE_RETURN_IF_ERROR(txn.Begin());
    LIMPIDE_RETURN_IF_ERROR(
        conn.Exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
                  " version INTEGER PRIMARY KEY,"
                  " applied_at TEXT NOT NULL)"));  // ISO 8601 UTC
    auto version = conn.RunInt("SELECT coalesce(max(version), 0)::int8 FROM schema_migrations");
    if (!version.ok()) return version.status();
    if (*version > known) {
      return Status::FailedPrecondition("store schema version " + std::to_string(*version) +
                                        " is newer than this binary (" + std::to_string(known) +
                                        "); upgrade limpide");
    }
    if (*version == known) {
      LIMPIDE_RETURN_IF_ERROR(txn.Commit());
      return known;
    }
    const int next = static_cast<int>(*version) + 1;
    LIMPIDE_RETURN_IF_ERROR(conn.Exec(kMigrations[next - 1]));
    Params p;
    const std::string v = p.Int(next);
    auto inserted = conn.Run("INSERT INTO schema_migrations (version, applied_at) VALUES (" + v +
                                 "::int4, to_char(now() AT TIME ZONE 'UTC', "
                                 "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))",
                             p);
    if (!inserted.ok()) return inserted.status();
    LIMPIDE_RETURN_IF_ERROR(txn.Commit());
  }
}

}  // namespace limpide::store::postgres
