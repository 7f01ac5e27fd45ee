// Bulk open data (docs/bulk.md): a full dump of the contracts and one delta
// per day of change, each in DECP 2.x JSON, OCDS JSON Lines and CSV, written
// to a directory with their SHA-256 and the ledger head they were cut at, and
// listed in an index. The files are plain files on disk, so that any size is
// served in one request (with Range) and any static server can publish them.
//
// Layout under the bulk directory:
//   full/<ledger size>/{decp.json,ocds.jsonl,contracts.csv}[.gz][.sha256], manifest.json
//   daily/YYYY-MM-DD/…  (same files; the day in Europe/Paris)
//   index.json          (every set's manifest; replaced atomically)
// Each set is written in a temporary directory and renamed into place whole,
// so that no reader ever sees a half-written file.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/exporter.h"
#include "base/result.h"
#include "domain/time.h"
#include "store/store.h"

namespace limpide::app {

// One file of a set.
struct BulkFile {
  std::string name;    // "decp.json", "ocds.jsonl", "contracts.csv"
  ExportFormat format;
  int64_t size = 0;    // bytes
  std::string sha256;  // lower-case hex of the file's SHA-256
  int64_t records = 0;  // contracts written
  int64_t skipped = 0;  // contracts left out (DECP 2.x cannot hold them; docs/export.md)
  int64_t lines = 0;    // OCDS JSON Lines: releases (one a line)
  // The gzip copy beside it, "<name>.gz" (RFC 1952, one member, no file name
  // or time in its header, so the same content gives the same bytes): its
  // size and the SHA-256 of its own bytes. Zero and empty for the sets cut
  // before gzip copies existed.
  int64_t gz_size = 0;
  std::string gz_sha256;
};

// A full dump or the delta of one day.
struct BulkSet {
  bool daily = false;
  std::string day;     // daily: "YYYY-MM-DD" (Europe/Paris); full: empty
  std::string dir;     // relative to the bulk directory: "full/1234", "daily/2026-11-28"
  std::string cut_at;  // RFC 3339 UTC instant of the cut
  // The ledger head the set was cut at: the contracts are as they stood after
  // the first `head_size` entries, whose Merkle root is `head_root` (hex).
  uint64_t head_size = 0;
  std::string head_root;
  // daily: the ledger entries of the day, [from, to); the set holds the
  // contracts that are the subject of a "contract.*" entry among them.
  uint64_t from = 0, to = 0;
  // daily: how many of its contracts changed again after the day and before
  // the head (entries [to, head_size)). Their records hold that later state,
  // not the one at the end of the day; 0 (the usual case: a delta is cut
  // minutes after its day) means the set is exactly the state at the end of
  // the day. docs/bulk.md says what a reuser does with it.
  int64_t changed_after_day = 0;
  std::vector<BulkFile> files;
};

// The names of the three files of a set, in the order of BulkSet::files.
inline constexpr std::string_view kBulkFileNames[] = {"decp.json", "ocds.jsonl", "contracts.csv"};
// The suffix of the gzip copy of a bulk file.
inline constexpr std::string_view kGzipSuffix = ".gz";
// The format of a bulk file name, nullopt for another name.
std::optional<ExportFormat> BulkFileFormat(std::string_view name);

// The set as the JSON of its manifest.json and of the index.
std::string BulkSetJson(const BulkSet& set);
// Reads a manifest; invalid_argument when it is not one.
Result<BulkSet> BulkSetFromJson(std::string_view text);

struct BulkIndex {
  std::optional<BulkSet> full;  // the latest full dump
  std::vector<BulkSet> days;    // newest first
};

struct BulkOptions {
  std::string ocid_prefix;  // OCDS ocids (empty: the default placeholder)
  int page_size = 500;
  // Attempts of a cut while contracts keep changing under it (each attempt
  // checks that no "contract.*" entry was appended during the cut).
  int attempts = 3;
};

// What one RunDue did.
struct BulkRunReport {
  std::vector<BulkSet> cut;  // sets written, in order
};

class BulkPublisher {
 public:
  // `store` must outlive the publisher; `dir` is created when needed.
  BulkPublisher(store::Store& store, std::string dir, BulkOptions options = {});

  // Cuts what is due at `now`: the delta of every day (Europe/Paris) before
  // today, from the day of the first ledger entry on, that has none yet; then
  // a full dump when there is none, or when the latest was cut on an earlier
  // day (Paris) and the ledger has grown since. Idempotent: a second call at
  // the same time does nothing. Several nodes may call it; each set is renamed
  // into place once (the lease of scheduled jobs only saves the work).
  Result<BulkRunReport> RunDue(domain::Instant now);

  // A full dump now, whatever is due.
  Result<BulkSet> CutFull(domain::Instant now);
  // The delta of `day`, which must be over at `now` (failed_precondition
  // otherwise); an existing delta of that day is kept and returned.
  Result<BulkSet> CutDay(const domain::Date& day, domain::Instant now);

  // Makes the cut in progress, and every later one, stop soon with
  // unavailable, leaving no file (for a server that shuts down). Thread-safe.
  void Cancel() { cancelled_.store(true); }

  // The index as stored (empty when nothing was cut yet).
  Result<BulkIndex> Index() const;
  const std::string& dir() const { return dir_; }

 private:
  struct Plan;
  Result<BulkSet> Cut(const Plan& plan, domain::Instant now);
  Result<BulkSet> CutDayOnly(const domain::Date& day, domain::Instant now);  // no index written
  Status WriteIndex();

  store::Store& store_;
  const std::string dir_;
  const BulkOptions options_;
  std::atomic<bool> cancelled_{false};
};

// The index of a bulk directory, read from its index.json; an empty index
// when the file is absent.
Result<BulkIndex> ReadBulkIndex(const std::string& dir);
// The manifest of one set directory ("full/1234", "daily/2026-11-28").
Result<BulkSet> ReadBulkSet(const std::string& dir, const std::string& set_dir);

}  // namespace limpide::app
