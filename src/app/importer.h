// Import of DECP files into the store (`limpide import`, and the demo seed).
//
// A file is imported whole or not at all: its records go into one store
// transaction, committed only when the file has been read to its end without a
// syntax error. Inside a well-formed file, each bad record is rejected with all
// its reasons and the others go in. Rejections are written as JSON Lines
// (docs/import-report.md); nothing is dropped in silence.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/result.h"
#include "store/store.h"

namespace limpide::app {

struct ImportCounts {
  int64_t read = 0;
  int64_t inserted = 0;
  int64_t updated = 0;
  int64_t unchanged = 0;
  int64_t rejected = 0;
  // Records whose uid already appeared earlier in the same file: the first
  // occurrence is kept, the later ones are listed in the rejects file.
  int64_t duplicates = 0;
  int64_t flagged = 0;  // accepted with at least one repair flag
  ImportCounts& operator+=(const ImportCounts& o);
};

struct FileReport {
  std::string path;
  std::string format;  // "decp-1-json", …, as the reader saw it; empty when no record was read
  ImportCounts counts;
  // Non-empty when the file could not be imported (malformed: "file:line:col:
  // …", or unreadable); then nothing of it was kept and counts say what had
  // been read before the error.
  std::string error;
  // What was accepted but is worth saying (OCDS checks beyond the schema,
  // what an OCDS contract could not map; docs/ocds-import.md): the first
  // kMaxWarnings, and how many in all.
  std::vector<std::string> warnings;
  int64_t warning_count = 0;
  // OCDS extensions the package declares, each with what was checked:
  // "not checked" (well-formed URL; there is no network here) or why it is broken.
  struct Extension {
    std::string url;
    std::string status;
  };
  std::vector<Extension> extensions;
  // OCDS: contracts of the merged processes written (inserted or updated), and
  // found as stored.
  int64_t contracts_written = 0;
  int64_t contracts_unchanged = 0;
  static constexpr size_t kMaxWarnings = 1000;
  void Warn(std::string text);
};

struct ImportReport {
  std::vector<FileReport> files;
  ImportCounts totals;
  std::string rejects_path;  // where rejected records were written ("" if none)
  double seconds = 0;
  bool ok() const;  // every file imported
};

struct ImportProgress {
  size_t file_index = 0;  // 0-based
  size_t file_count = 0;
  const std::string* path = nullptr;
  int64_t bytes_read = 0;
  int64_t bytes_total = 0;
  int64_t records = 0;
};

struct ImportOptions {
  // JSON Lines file for rejected records and failed files; empty: none written
  // (the counts still say how many were rejected).
  std::string rejects_path;
  // Called every few hundred records and at the end of each file.
  std::function<void(const ImportProgress&)> progress;
};

class Importer {
 public:
  explicit Importer(store::Store& store) : store_(store) {}
  // Imports each file in order. A failed file does not stop the others. The
  // returned status is not ok only when the rejects file cannot be written or
  // the store fails (then the current file is rolled back).
  Result<ImportReport> Import(const std::vector<std::string>& paths, const ImportOptions& options);

 private:
  store::Store& store_;
};

// The report as JSON: {"files":[{path,format,read,inserted,updated,unchanged,
// rejected,flagged,error?}], "totals":{…}, "rejectsPath", "seconds"}.
std::string ImportReportJson(const ImportReport& report);
// The report as aligned text lines for a terminal.
std::string ImportReportText(const ImportReport& report);

}  // namespace limpide::app
