// Export of the stored contracts as DECP 2.x JSON, DECP 2.x XML, CSV or OCDS
// JSON Lines (`limpide export`, GET /api/v1/export/decp.json|xml, the bulk
// files of docs/bulk.md): walks the store with
// keyset pages under the same filters as the API and feeds a streaming
// writer, in constant memory whatever the size. Records that DECP 2.x cannot
// hold are skipped and reported with their reasons, never guessed
// (docs/export.md).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "formats/decp_writer.h"
#include "store/store.h"

namespace limpide::app {

enum class ExportFormat { kDecpJson, kDecpXml, kCsv, kOcdsJsonl };

// "decp-json", "decp-xml", "csv", "ocds-jsonl"; nullopt for anything else.
std::optional<ExportFormat> ParseExportFormat(std::string_view name);
std::string_view ExportFormatName(ExportFormat f);
// "application/json; charset=utf-8", …
std::string_view ExportContentType(ExportFormat f);
// "json", "xml", "csv", "jsonl"
std::string_view ExportExtension(ExportFormat f);

// Pages of the contracts to export: called with "" first, then with each
// page's `next`, until a page comes with an empty `next`.
using ContractSource =
    std::function<Result<store::ContractPage>(const std::string& after, int limit)>;

// A record written with fields left out, or skipped.
struct RecordIssues {
  std::string uid;
  bool skipped = false;
  std::vector<formats::ExportIssue> issues;
};

struct ExportCounts {
  int64_t read = 0;     // contracts matching the filter, read from the store
  int64_t lines = 0;    // OCDS JSON Lines: releases written (one a line)
  int64_t written = 0;  // written, whole or with fields left out
  int64_t partial = 0;  // of the written, those with something left out
  int64_t skipped = 0;  // not written (read = written + skipped)
};

struct ExportReport {
  ExportCounts counts;
  int64_t bytes = 0;  // bytes produced
  // Records per "field: code" (positions removed: "titulaires[].typeIdentifiant:
  // not_in_code_list"), for the reasons that skipped records and for the
  // fields left out of written ones. Bounded by the number of distinct
  // fields, not by the number of records.
  std::map<std::string, int64_t> skip_reasons;
  std::map<std::string, int64_t> left_out;
};

struct ExportOptions {
  int page_size = 500;  // contracts per store page, and so per piece of output
  // Called for each record skipped or written with something left out, as it
  // happens (the CLI prints them). May be empty.
  std::function<void(const RecordIssues&)> on_issues;
  // OCDS JSON Lines: the ocid prefix (formats::ocds::kDefaultOcidPrefix when empty).
  std::string ocid_prefix;
};

// One export run. Next() is called until it returns false; each call reads
// one page of the store and appends its output to `out` (then, for DECP
// JSON, the concessions held back by the writer, in pieces). The export is
// not a snapshot: contracts written during an export may or may not be in it.
class Exporter {
 public:
  // `store` must outlive the exporter.
  Exporter(store::Store& store, ExportFormat format, store::ContractFilter filter,
           ExportOptions options = {});
  // Exports the contracts that `source` gives, in its order.
  Exporter(ContractSource source, ExportFormat format, ExportOptions options = {});
  ~Exporter();
  Exporter(const Exporter&) = delete;
  Exporter& operator=(const Exporter&) = delete;

  // Appends the next piece to `out` (possibly nothing). Returns true while
  // there is more, false once the document is complete. A store error (or
  // the JSON writer's temporary file failing) is returned as is; the output
  // is then incomplete and must be discarded.
  Result<bool> Next(std::string& out);

  // Runs the whole export, handing each non-empty piece to `sink`; a non-ok
  // Status from the sink stops the export and is returned.
  Status Run(const std::function<Status(std::string_view)>& sink);

  const ExportReport& report() const { return report_; }

 private:
  enum class Phase { kBegin, kPages, kEnd, kDone };
  void Count(const domain::Contract& c, const formats::DecpWriteOutcome& outcome);

  ContractSource source_;
  ExportFormat format_;
  ExportOptions options_;
  std::unique_ptr<formats::DecpWriter> writer_;  // null for CSV
  ExportReport report_;
  Phase phase_ = Phase::kBegin;
  std::string after_;  // cursor of the next page
};

// The report as text lines for a terminal (counts, then reasons by count).
std::string ExportReportText(const ExportReport& report, ExportFormat format);

// One record's issues as one line: "skipped UID: field: reason | field:
// reason" (the reasons that skipped it), or "written UID without: …".
std::string RecordIssuesText(const RecordIssues& r);

}  // namespace limpide::app
