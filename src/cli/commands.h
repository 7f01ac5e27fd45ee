// One function per `limpide` subcommand; main.cpp wires them to CLI11.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "store/store.h"

namespace limpide::app {
struct ImportOptions;
struct ImportReport;
}  // namespace limpide::app

namespace limpide::cli {

struct ServeArgs {
  std::string data_dir = "var/data";
  std::string database;  // --database: a store URL; empty: DATA_DIR/limpide.db
  std::string listen = "127.0.0.1:8080";
  std::vector<std::string> seeds;  // imported on first start (empty store)
  int demo_tenders = 0;            // synthetic open consultations added with the seeds
  std::string static_dir;          // Pico CSS etc.; default: <binary dir>/static
  int threads = 0;
  double rate_limit = 50;
  double burst = 200;
  bool access_log = true;
  int max_body_mib = 16;           // larger request bodies get 413
  int contract_cache_mib = 64;     // rendered contracts kept (docs/api.md, "Caching"); 0: none
  int deposit_grace_seconds = 60;  // docs/tenders.md, "Deadline"
  // Alerts (docs/alerts.md).
  std::string smtp;        // HOST:PORT of the SMTP relay; empty: mails stay pending
  bool smtp_starttls = false;  // STARTTLS with the relay, its certificate checked
  std::string smtp_user;       // AUTH PLAIN with the relay (needs STARTTLS)
  std::string smtp_password_file;  // its password: the file's first line
  std::string mail_from = "alertes@limpide.invalid";
  std::string public_url;  // for links in feeds and mails; empty: http://LISTEN
  int send_timeout_ms = 5000;
  int retry_base_ms = 30'000;
  int max_attempts = 8;
  int digest_hour = 7;
  int bulk_every_seconds = 600;    // how often bulk files due are cut (0: never; docs/bulk.md)
};
int Serve(const ServeArgs& args);

// The first line of `path` without its line end, or of stdin when `path` is
// empty (not echoed on a terminal): a password kept off the command line.
Result<std::string> ReadPassword(const std::string& path);

struct ImportArgs {
  std::string data_dir = "var/data";
  std::string database;  // --database: a store URL; empty: DATA_DIR/limpide.db
  std::vector<std::string> files;
  bool json = false;
  std::string rejects;  // default: <data-dir>/rejects/import-<UTC time>.jsonl
};
int Import(const ImportArgs& args);

struct ExportArgs {
  std::string data_dir = "var/data";
  std::string database;  // --database: a store URL; empty: DATA_DIR/limpide.db
  std::string format;    // decp-json, decp-xml, csv, ocds-jsonl
  std::string output;    // empty or "-": stdout; else FILE and FILE.sha256
  // Filters, as the API's (docs/api.md); empty: no filter.
  std::string buyer, supplier, cpv, procedure, nature, notified_from, notified_to, amount_min,
      amount_max, q;
};
// Exit 0 (records DECP 2.x cannot hold are reported on stderr), 1 when the
// store or the output fails, 2 for bad arguments.
int Export(const ExportArgs& args);

// `limpide bulk`: cuts the bulk open data files (docs/bulk.md) into
// DATA_DIR/bulk: by default what is due now (the delta of each day that is
// over and has none, and a full dump once a day); `--day` one day's delta,
// `--full` a full dump. Exit 0 done, 1 store or disk failure, 2 bad arguments.
struct BulkArgs {
  std::string data_dir = "var/data";
  std::string database;  // --database: a store URL; empty: DATA_DIR/limpide.db
  std::string day;       // --day YYYY-MM-DD
  bool full = false;     // --full
};
int Bulk(const BulkArgs& args);
// The bulk directory of a data directory: <dir>/bulk.
std::string BulkDir(const std::string& data_dir);
// The OCDS ocid prefix from LIMPIDE_OCDS_PREFIX (empty: the default).
std::string OcidPrefixFromEnv();

// The Ed25519 key that signs the ledger's tree heads: <dir>/ledger.key
// (created on first use, mode 0600).
std::string LedgerKeyPath(const std::string& data_dir);

// `limpide verify dump|inclusion|consistency|receipt`: offline checks of the ledger's files
// (docs/ledger.md) and of deposit receipts (docs/receipt.md). Prints each check; exit 0 all
// held, 1 one failed (named), 2 usage or a file that cannot be read.
struct VerifyArgs {
  std::string what;                // "dump", "inclusion", "consistency" or "receipt"
  std::vector<std::string> files;  // DUMP | PROOF | FIRST_HEAD SECOND_HEAD PROOF | RECEIPT
  std::string head;   // --head (dump, receipt: optional, with --key/--proof; inclusion: required)
  std::string key;    // --key
  std::string proof;  // --proof (receipt: the receipt proof, with --head)
};
int Verify(const VerifyArgs& args);

// `limpide seal`, `open` and `keygen`: sealed documents (docs/receipt.md), chunk by chunk in
// constant memory. Exit 0 done, 1 a file could not be sealed or opened (named on stderr: a
// tampered chunk, another key, a cut file), 2 bad arguments, an unreadable file or key.
struct SealArgs {
  std::string public_key;          // --public-key: base64 of the consultation's X25519 key
  std::string output_dir;          // --output; empty: beside each file
  std::vector<std::string> files;  // each FILE gives FILE.sealed
};
int Seal(const SealArgs& args);

struct OpenArgs {
  std::string secret_key_file;     // --secret-key-file, as written by `limpide keygen`
  std::string output_dir;          // --output; empty: beside each file
  std::vector<std::string> files;  // each FILE.sealed gives FILE (else FILE.opened)
};
int Open(const OpenArgs& args);

// Writes a new X25519 opening key pair: the secret key to `secret_key_file` (mode 0600, never
// replaced), the public key in base64 on stdout.
struct KeygenArgs {
  std::string secret_key_file;
};
int Keygen(const KeygenArgs& args);

// Runs `write` on a temporary file beside `path`, then renames it into place: `path` appears
// whole or not at all. unavailable when the file cannot be written.
Status WriteAtomically(const std::filesystem::path& path,
                       const std::function<Status(std::ostream&)>& write);

// `limpide tender …`: the procedure through the platform's HTTP API with an API token
// (docs/cli.md). Prints the API's JSON with `json`, else a few lines of text. Exit 0 done,
// 1 the API refused (its problem+json title and detail on stderr), 2 bad arguments or a local
// file that cannot be read or written, 3 the server cannot be reached, timed out or failed (5xx).
struct TenderArgs {
  std::string what;  // list, show, create, update, publish, amend, upload, download, questions,
                     // ask, answer, deposit, deposits, withdraw, proof, open, bids, score, award,
                     // sign, cancel, unsuccessful, events, notifications
  std::string server;      // --server / LIMPIDE_SERVER: http://HOST:PORT
  std::string token;       // --token / LIMPIDE_TOKEN; never printed
  std::string token_file;  // --token-file: first line is the token
  bool json = false;       // --json: the API's JSON as is
  int timeout_seconds = 60;
  std::string id;      // the consultation
  std::string target;  // a deposit, question, bid or document (sha256)
  std::string file;    // a JSON file ("-": stdin): consultation form, scores
  std::vector<std::string> files;  // documents to upload or deposit
  std::string text;                // question, answer, amendment summary, reason
  std::string name, type;          // upload: document name and media type
  std::string secret_key_file;     // publish: new file; open: the buyer's key
  std::string output;              // open, proof: directory; download: file ("-": stdout)
  std::string receipt;             // deposit: where the signed receipt goes
  std::string resume;              // deposit: a started deposit to finish
  std::string after;               // list
  int limit = 0;                   // list
  std::string amount;              // sign
  int duration_months = 0;         // sign
  bool include_late = false, plaintext = false, publish = false, test = false;
};
int TenderCommand(const TenderArgs& args);

// `limpide reindex`: rebuilds the search index of a data directory from the
// whole ledger into <dir>/search.new, then swaps it in (docs/search.md).
// Exit 0 done, 1 when the store or the index fails (or a server holds the
// index: stop it first).
struct ReindexArgs {
  std::string data_dir = "var/data";
  std::string database;  // --database: a store URL; empty: DATA_DIR/limpide.db
};
int Reindex(const ReindexArgs& args);
// `limpide gen`: synthetic contracts and open consultations for benchmarks
// at scale (app/generator.h), learnt from real DECP files. Exit 0 written,
// 1 store or file failure, 2 bad arguments.
struct GenArgs {
  std::string data_dir = "var/data";
  std::string database;  // --database: a store URL; empty: DATA_DIR/limpide.db
  uint64_t contracts = 0;
  uint64_t tenders = 0;
  uint64_t seed = 1;
  std::vector<std::string> from;  // DECP files; empty: the real 2019 files of the shared data
};
int Gen(const GenArgs& args);

// The search index of a data directory: <dir>/search.
std::string SearchDir(const std::string& data_dir);

// `limpide account add`: creates a user (and its organization when new) in
// a data directory (docs/accounts.md). The password is the first line of
// `password_file`, or of stdin. Exit 0 done, 1 store failure or e-mail taken,
// 2 bad arguments.
struct AccountAddArgs {
  std::string data_dir = "var/data";
  std::string database;  // --database: a store URL; empty: DATA_DIR/limpide.db
  std::string email, name, org, org_name, role, password_file;
};
int AccountAdd(const AccountAddArgs& args);

// `limpide token create`: a new API token for the user with `email`, printed
// once on stdout. `scopes` is comma-separated; `expires` an ISO 8601 instant
// or empty. Exit codes as AccountAdd.
struct TokenCreateArgs {
  std::string data_dir = "var/data";
  std::string database;  // --database: a store URL; empty: DATA_DIR/limpide.db
  std::string email, scopes, label, expires;
};
int TokenCreate(const TokenCreateArgs& args);

// `limpide copy`: copies a whole platform from one store to an empty one
// (app/copy.h), verified by counts and by the ledger root; prints the
// summary (JSON with `json`). Exit 0 done, 1 a store failed, the destination
// is not empty or the verification failed (nothing is left half-copied), 2
// bad arguments (a URL that is neither sqlite:PATH nor postgresql://…, a
// missing SQLite source).
struct CopyArgs {
  std::string from, to;
  bool json = false;
};
int Copy(const CopyArgs& args);

// The store of a data directory: <dir>/limpide.db (created with the directory).
std::string StoreDbPath(const std::string& data_dir);
std::string StoreUrl(const std::string& data_dir);  // "sqlite:" + StoreDbPath

// Creates `data_dir` if needed (it keeps the ledger key, the search index and
// reject files) and opens the store at `database` (a store URL:
// "postgresql://…", "sqlite:PATH"), or DATA_DIR/limpide.db when it is empty,
// applying pending migrations. On failure prints "limpide COMMAND: reason" on
// stderr and returns nullptr.
std::unique_ptr<store::Store> OpenDataDir(const std::string& data_dir, const std::string& database,
                                          const char* command);
// True when `database` is empty and DATA_DIR/limpide.db does not exist yet:
// an import there is a first load (ImportFirstLoad).
bool IsFirstLoad(const std::string& data_dir, const std::string& database);
// Imports `files` into a new DATA_DIR/limpide.db built as a first load
// (store/first_load.h: journal in memory, then WAL, synced, moved into place).
// The import's report, or the error that kept the store from its place.
Result<app::ImportReport> ImportFirstLoad(const std::string& data_dir,
                                          const std::vector<std::string>& files,
                                          const app::ImportOptions& options);
// The same for commands that read an existing store (export, bulk): reading
// from a directory that holds none is a mistake, not an empty result, so
// none is created ("limpide COMMAND: no store in DIR" and nullptr).
std::unique_ptr<store::Store> OpenExistingDataDir(const std::string& data_dir,
                                                  const std::string& database, const char* command);

// `limpide migrate`: opens the store (applying pending migrations) and prints
// its schema version. Exit 0, or 1 when the store cannot be opened.
struct MigrateArgs {
  std::string data_dir = "var/data";
  std::string database;
};
int Migrate(const MigrateArgs& args);

}  // namespace limpide::cli
