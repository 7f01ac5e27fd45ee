// The Store: where contracts and organizations live. One interface, several
// engines (SQLite now, PostgreSQL next); the conformance suite in tests/store/
// is written against this header only.
//
// Thread safety: a Store is safe to use from many threads. Reads run in
// parallel; writes are serialised (one WriteTransaction at a time; BeginWrite
// waits for the previous one to finish).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "crypto/crypto.h"
#include "domain/contract.h"
#include "ledger/merkle.h"

namespace limpide::store {

enum class UpsertOutcome { kInserted, kUpdated, kUnchanged };

// Filters of a contract listing; empty/nullopt fields do not filter.
struct ContractFilter {
  std::string buyer_id;    // exact SIRET of the buyer
  std::string holder_id;   // exact id of one of the holders
  std::string cpv_prefix;  // 2..8 digits: codes starting with these digits
  std::optional<domain::ProcedureType> procedure;
  std::optional<domain::ContractNature> nature;
  std::optional<domain::Date> notified_from;  // inclusive
  std::optional<domain::Date> notified_to;    // inclusive
  std::optional<domain::Money> amount_min;    // inclusive
  std::optional<domain::Money> amount_max;    // inclusive
  // Words that must all appear in the object (matched on FoldForSearch forms,
  // as substrings).
  std::string text;
};

// Keyset pagination. Listings are ordered by notification date, newest first
// (contracts without a date last), then by uid.
struct PageRequest {
  std::string after;  // opaque cursor from a previous page's `next`; empty = first page
  int limit = 50;     // 1..1000
};

struct ContractPage {
  std::vector<domain::Contract> items;
  std::string next;  // cursor of the following page; empty when this is the last
};

struct Counts {
  int64_t contracts = 0;
  int64_t buyers = 0;
  int64_t holders = 0;
  domain::Money total_amount;
};

// A counterpart of an organization: for a buyer, the holders it contracted
// with; for a holder, the buyers it contracted with.
struct Partner {
  std::string id;
  std::string name;
  int64_t contracts = 0;
  domain::Money amount;
};
enum class Role { kBuyer, kHolder };

// What a write makes public, before the store gives it its position and time
// (docs/ledger.md). `body` is a JSON object; it is stored in canonical form.
struct LedgerAppend {
  std::string kind;     // "contract.created", "contract.updated", …
  std::string subject;  // id of what changed
  std::string body;     // JSON object text (integers only, no floats)
};

// One stored ledger entry.
struct LedgerRecord {
  uint64_t seq = 0;
  std::string time;  // RFC 3339 UTC with milliseconds
  std::string kind;
  std::string subject;
  std::string entry;  // the canonical bytes hashed as the leaf (ledger::EncodeEntry)
  crypto::Hash leaf_hash{};
};

// A JSON document of the procedure's state (accounts, tokens, consultations,
// deposits…; docs/storage.md), identified by (kind, id). Its version grows by
// one at each write, so that read-modify-write can detect a concurrent change.
struct StoredObject {
  std::string kind;  // "tender", "user", "token", …
  std::string id;
  int64_t version = 0;  // 1 after the first write
  std::string body;     // JSON text, as written
  std::string updated;  // RFC 3339 UTC with milliseconds, time of the last write
};

// The kind of the object the app keeps under a contract's uid listing the
// sources it was read from (app/ocds_import.h). Most contracts have none: the
// contract row records whether one is stored (docs/storage.md, migration 7),
// so that GetContractWithObject(uid, kContractSourcesKind) looks for it only
// then.
inline constexpr std::string_view kContractSourcesKind = "contract-sources";

// A contract and the object stored under its uid in one kind
// (Store::GetContractWithObject).
struct ContractWithObject {
  domain::Contract contract;
  std::optional<StoredObject> object;  // nullopt when no (kind, uid) object is stored
};

struct ObjectPage {
  std::vector<StoredObject> items;
  std::string next;  // cursor of the following page; empty when this is the last
};

// An organization's stored name (organizations are created by the contracts
// that name them; docs/storage.md).
struct OrganizationName {
  std::string id;
  std::string name;
};

struct OrganizationPage {
  std::vector<OrganizationName> items;
  std::string next;  // cursor of the following page; empty when this is the last
};

// How many rows a store holds, per table and per object kind: what
// `limpide copy` compares between source and destination.
struct Inventory {
  int64_t contracts = 0;
  int64_t organizations = 0;
  int64_t ledger_entries = 0;
  int64_t ledger_nodes = 0;  // stored subtrees of level >= 1
  int64_t blobs = 0;
  int64_t blob_bytes = 0;
  std::vector<std::pair<std::string, int64_t>> objects;  // (kind, count), sorted by kind
};

// All writes happen inside a WriteTransaction. Destroying it without Commit()
// rolls everything back.
class WriteTransaction {
 public:
  virtual ~WriteTransaction() = default;
  // Inserts the contract, or replaces the stored one with the same uid when its content differs
  // (kUpdated), or does nothing (kUnchanged). Source and flags are not content. Organizations are
  // created or named. Stored modifications that `c` lacks (by id) are kept: a later import of the
  // initial data never undoes an amendment (docs/ocds-import.md).
  virtual Result<UpsertOutcome> UpsertContract(const domain::Contract& c) = 0;
  // Appends an entry to the transparency ledger in this transaction: it gets
  // the next sequence number and the current time (never earlier than the
  // previous entry's), and the Merkle subtrees it completes are stored with
  // it. Returns the entry's sequence number. invalid_argument when the body
  // is not a JSON object in integers only or kind/subject are empty.
  virtual Result<uint64_t> AppendToLedger(const LedgerAppend& entry) = 0;
  // Reads (kind, id) as this transaction sees it, its own writes included.
  // not_found when absent.
  virtual Result<StoredObject> GetObject(std::string_view kind, std::string_view id) = 0;
  // Writes (kind, id). `expected_version` 0: the object must not exist yet;
  // otherwise it must be the stored version. conflict when it is not;
  // invalid_argument when kind or id is empty or body is not a JSON object.
  // Returns the new version.
  virtual Result<int64_t> PutObject(std::string_view kind, std::string_view id,
                                    std::string_view body, int64_t expected_version) = 0;
  // Removes (kind, id): not_found when absent. For derived objects (indexes
  // kept by the app, expired sessions); a later PutObject with version 0
  // creates it anew.
  virtual Status DeleteObject(std::string_view kind, std::string_view id) = 0;
  // Stores `bytes` under their SHA-256 (nothing more when already stored) and
  // returns the hash. Blobs are immutable and never deleted.
  Result<crypto::Hash> PutBlob(std::string_view bytes) {
    const crypto::Hash hash = crypto::Sha256(bytes);
    LIMPIDE_RETURN_IF_ERROR(PutBlob(bytes, hash));
    return hash;
  }
  // The same when the caller has just computed `sha256` = crypto::Sha256(bytes)
  // (a deposit hashes its chunk for the receipt outside the write lock): 1 MB
  // is not hashed twice. A wrong hash would break the content addressing.
  virtual Status PutBlob(std::string_view bytes, const crypto::Hash& sha256) = 0;

  // ---- Copying a whole store (limpide copy) ----
  // Appends an entry read from another store's ledger as it is (its time and
  // bytes kept), with the subtrees it completes. failed_precondition when
  // record.seq is not the next sequence number or its time is earlier than the
  // last entry's; invalid_argument when leaf_hash is not the leaf hash of
  // record.entry.
  virtual Status CopyLedgerEntry(const LedgerRecord& record) = 0;
  // Writes an object read from another store as it is (version and updated
  // time kept). conflict when (kind, id) exists already.
  virtual Status CopyObject(const StoredObject& object) = 0;
  // Sets an organization's stored name as it is, creating the row if needed.
  virtual Status CopyOrganizationName(const OrganizationName& org) = 0;

  virtual Status Commit() = 0;
};

class Store {
 public:
  virtual ~Store() = default;
  Store() = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // A write transaction whose Commit is durable: on disk before it returns.
  virtual Result<std::unique_ptr<WriteTransaction>> BeginWrite() = 0;
  // A write transaction whose Commit may be lost in a power cut (never half
  // applied) until the next durable commit, which saves an fsync. For writes
  // that acknowledge nothing lasting (an upload's chunk, a download event).
  // Engines without the distinction make it durable.
  virtual Result<std::unique_ptr<WriteTransaction>> BeginRelaxedWrite() { return BeginWrite(); }

  // A number that changes with every commit, by this process or another, that
  // changes a contract or the sources stored for one; equal numbers: no such
  // commit in between. Taken before a read, it is at most as new as what the
  // read sees. nullopt when the engine cannot tell without a query per call
  // (PostgreSQL): then nothing read about contracts may be reused.
  virtual std::optional<uint64_t> ContractsVersion() { return std::nullopt; }

  // not_found when no contract has this uid.
  virtual Result<domain::Contract> GetContract(std::string_view uid) = 0;
  // The contract `uid` and the object (kind, uid) when one is stored, read in
  // one statement: one snapshot, one lookup of the contract. For a document the
  // app keeps per contract (its list of sources), which most contracts lack.
  // not_found when no contract has this uid, whether the object exists or not.
  virtual Result<ContractWithObject> GetContractWithObject(std::string_view uid,
                                                           std::string_view kind) = 0;
  // invalid_argument (field "after") for a cursor this store did not produce.
  virtual Result<ContractPage> ListContracts(const ContractFilter& filter,
                                             const PageRequest& page) = 0;
  // Number and total amount of the contracts matching `filter`.
  virtual Result<Counts> CountContracts(const ContractFilter& filter) = 0;
  // not_found when the id appears neither as a buyer nor as a holder.
  virtual Result<domain::Organization> GetOrganization(std::string_view id) = 0;
  // Top counterparts of `id` acting as `role`, by amount, at most `limit`.
  virtual Result<std::vector<Partner>> ListPartners(std::string_view id, Role role, int limit) = 0;
  // Distinct non-empty values present in the data, sorted. `column` is one of
  // "procedure", "nature" (API codes), "holder_id_type", "place_code_type",
  // "price_form"; invalid_argument otherwise.
  virtual Result<std::vector<std::string>> DistinctValues(std::string_view column) = 0;
  // ---- Ledger (append-only; docs/ledger.md) ----
  // Number of entries committed.
  virtual Result<uint64_t> LedgerSize() = 0;
  // Entries [start, end) in order (fewer when the ledger is shorter).
  virtual Result<std::vector<LedgerRecord>> LedgerEntries(uint64_t start, uint64_t end) = 0;
  // Hashes of perfect subtrees (level 0: leaf hashes), in the order asked;
  // not_found when one is not stored (beyond the committed size). Serves
  // ledger::NodeReader.
  virtual Result<std::vector<crypto::Hash>> LedgerNodes(const std::vector<ledger::NodeId>& ids) = 0;

  // ---- Objects and blobs ----
  // not_found when absent.
  virtual Result<StoredObject> GetObject(std::string_view kind, std::string_view id) = 0;
  // Objects of `kind` whose id starts with `id_prefix`, ordered by id (bytes),
  // keyset-paginated. invalid_argument (field "after") for a foreign cursor.
  virtual Result<ObjectPage> ListObjects(std::string_view kind, std::string_view id_prefix,
                                         const PageRequest& page) = 0;
  // Objects of `kind` whose body lists `org` in its top-level "orgs" array of
  // strings, and whose id starts with `id_prefix`: ordered by id from the
  // greatest (newest first for ids that begin with their creation time),
  // keyset-paginated. The store indexes "orgs" at every write (PutObject,
  // CopyObject), so this reads only the organization's objects
  // (docs/storage.md). invalid_argument (field "after") for a foreign cursor.
  virtual Result<ObjectPage> ListObjectsOf(std::string_view kind, std::string_view org,
                                           std::string_view id_prefix,
                                           const PageRequest& page) = 0;
  // not_found when no blob has this hash.
  virtual Result<std::string> GetBlob(const crypto::Hash& hash) = 0;

  // ---- Whole-store listings (limpide copy) ----
  // Every organization with its stored name, ordered by id (bytes),
  // keyset-paginated. invalid_argument (field "after") for a foreign cursor.
  virtual Result<OrganizationPage> ListOrganizations(const PageRequest& page) = 0;
  // Hashes of the stored blobs greater than `after` (all when nullopt), in
  // byte order, at most `limit` (1..1000).
  virtual Result<std::vector<crypto::Hash>> ListBlobs(const std::optional<crypto::Hash>& after,
                                                      int limit) = 0;
  // Row counts per table and per object kind, from one snapshot.
  virtual Result<Inventory> Count() = 0;

  // ---- Leases (scheduled work across nodes; app/scheduler.h) ----
  // Takes or renews the lease `name` for `holder` until `ttl_ms` from now:
  // true when `holder` holds it afterwards, false when another holder's lease
  // has not expired. Several processes sharing the store agree on who holds
  // it (the engine's clock decides expiry: PostgreSQL's on a shared server).
  virtual Result<bool> TryLease(std::string_view name, std::string_view holder,
                                int64_t ttl_ms) = 0;
  // Gives the lease up when `holder` holds it (a clean shutdown), so that
  // another holder need not wait for it to expire. Ok when it was not held.
  virtual Status ReleaseLease(std::string_view name, std::string_view holder) = 0;

  // Version of the last migration applied.
  virtual int schema_version() const = 0;
};

// The ListObjects cursor that resumes after the object `id` (for callers that
// filter a listing and stop in the middle of a page).
std::string ObjectCursorAfter(std::string_view id);

// Opens (creating if needed) the store at `url` and applies pending migrations.
// Accepted: "sqlite:PATH" or a plain PATH (a SQLite file), and
// "postgresql://…" or "postgres://…" (a libpq connection URI; docs/storage.md). unavailable when
// the file cannot be opened; failed_precondition when its schema is newer than this binary.
Result<std::unique_ptr<Store>> OpenStore(const std::string& url);

}  // namespace limpide::store
