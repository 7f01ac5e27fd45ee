#include "app/exporter.h"

#include <algorithm>
#include <set>
#include <utility>

#include "formats/csv.h"
#include "formats/ocds/release.h"

namespace limpide::app {

std::optional<ExportFormat> ParseExportFormat(std::string_view name) {
  if (name == "decp-json") return ExportFormat::kDecpJson;
  if (name == "decp-xml") return ExportFormat::kDecpXml;
  if (name == "csv") return ExportFormat::kCsv;
  if (name == "ocds-jsonl") return ExportFormat::kOcdsJsonl;
  return std::nullopt;
}

std::string_view ExportFormatName(ExportFormat f) {
  switch (f) {
    case ExportFormat::kDecpJson:
      return "decp-json";
    case ExportFormat::kDecpXml:
      return "decp-xml";
    case ExportFormat::kCsv:
      return "csv";
    case ExportFormat::kOcdsJsonl:
      return "ocds-jsonl";
  }
  return "";
}

std::string_view ExportContentType(ExportFormat f) {
  switch (f) {
    case ExportFormat::kDecpJson:
      return "application/json; charset=utf-8";
    case ExportFormat::kDecpXml:
      return "application/xml; charset=utf-8";
    case ExportFormat::kCsv:
      return "text/csv; charset=utf-8";
    case ExportFormat::kOcdsJsonl:
      return "application/jsonl; charset=utf-8";
  }
  return "";
}

std::string_view ExportExtension(ExportFormat f) {
  switch (f) {
    case ExportFormat::kDecpJson:
      return "json";
    case ExportFormat::kDecpXml:
      return "xml";
    case ExportFormat::kCsv:
      return "csv";
    case ExportFormat::kOcdsJsonl:
      return "jsonl";
  }
  return "";
}

Exporter::Exporter(store::Store& store, ExportFormat format, store::ContractFilter filter,
                   ExportOptions options)
    : Exporter(
          [&store, filter = std::move(filter)](const std::string& after, int limit) {
            return store.ListContracts(filter, store::PageRequest{after, limit});
          },
          format, std::move(options)) {}

Exporter::Exporter(ContractSource source, ExportFormat format, ExportOptions options)
    : source_(std::move(source)), format_(format), options_(std::move(options)) {
  if (options_.ocid_prefix.empty())
    options_.ocid_prefix = std::string(formats::ocds::kDefaultOcidPrefix);
  if (options_.page_size < 1) options_.page_size = 1;
  if (options_.page_size > 1000) options_.page_size = 1000;
  if (format_ == ExportFormat::kDecpJson)
    writer_ = formats::MakeDecpWriter(formats::DecpSyntax::kJson);
  if (format_ == ExportFormat::kDecpXml)
    writer_ = formats::MakeDecpWriter(formats::DecpSyntax::kXml);
}

Exporter::~Exporter() = default;

Result<bool> Exporter::Next(std::string& out) {
  const size_t before = out.size();
  bool more = true;
  switch (phase_) {
    case Phase::kBegin:
      if (writer_) {
        writer_->Begin(out);
      } else if (format_ == ExportFormat::kCsv) {
        out += formats::CsvHeader();
      }
      phase_ = Phase::kPages;
      break;
    case Phase::kPages: {
      auto page = source_(after_, options_.page_size);
      if (!page.ok()) return page.status();
      const formats::ocds::ReleaseOptions ocds{options_.ocid_prefix};
      for (const domain::Contract& c : page->items) {
        if (writer_) {
          Count(c, writer_->Write(c, out));
          continue;
        }
        if (format_ == ExportFormat::kCsv) {
          out += formats::CsvRow(c);
        } else {
          // One release a line (docs/bulk.md): the contract's release, then one per modification.
          report_.counts.lines += formats::ocds::AppendReleases(out, c, ocds, '\n');
        }
        ++report_.counts.read;
        ++report_.counts.written;
      }
      after_ = page->next;
      if (after_.empty()) phase_ = Phase::kEnd;
      break;
    }
    case Phase::kEnd:
      if (!writer_ || writer_->End(out)) {
        phase_ = Phase::kDone;
        more = false;
      }
      break;
    case Phase::kDone:
      more = false;
      break;
  }
  report_.bytes += static_cast<int64_t>(out.size() - before);
  if (writer_ && !writer_->status().ok()) return writer_->status();
  return more;
}

void Exporter::Count(const domain::Contract& c, const formats::DecpWriteOutcome& outcome) {
  ++report_.counts.read;
  if (outcome.written) {
    ++report_.counts.written;
    if (!outcome.issues.empty()) ++report_.counts.partial;
  } else {
    ++report_.counts.skipped;
  }
  if (outcome.issues.empty()) return;
  // Each reason counts once per record.
  std::set<std::string> seen;
  for (const auto& issue : outcome.issues) {
    if (!outcome.written && !issue.skips_record) continue;
    std::string key = formats::IssueField(issue.field);
    key += key.empty() ? issue.code : ": " + issue.code;
    if (!seen.insert(key).second) continue;
    ++(outcome.written ? report_.left_out : report_.skip_reasons)[key];
  }
  if (options_.on_issues) {
    options_.on_issues(RecordIssues{c.uid, !outcome.written, outcome.issues});
  }
}

Status Exporter::Run(const std::function<Status(std::string_view)>& sink) {
  std::string buffer;
  for (;;) {
    auto more = Next(buffer);
    if (!more.ok()) return more.status();
    if (!buffer.empty()) {
      Status s = sink(buffer);
      if (!s.ok()) return s;
      buffer.clear();
    }
    if (!*more) return Status::Ok();
  }
}

namespace {

// 1234567 -> "1,234,567"
std::string Grouped(int64_t n) {
  std::string out = std::to_string(n);
  const size_t start = out.front() == '-' ? 1 : 0;
  for (size_t i = out.size(); i > start + 3; i -= 3) out.insert(i - 3, 1, ',');
  return out;
}

void AppendReasons(std::string& out, const std::map<std::string, int64_t>& reasons) {
  std::vector<std::pair<std::string, int64_t>> sorted(reasons.begin(), reasons.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  for (const auto& [key, n] : sorted) {
    std::string count = Grouped(n);
    if (count.size() < 9) count.insert(0, 9 - count.size(), ' ');
    out += count;
    out += "  ";
    out += key;
    out += '\n';
  }
}

}  // namespace

std::string ExportReportText(const ExportReport& report, ExportFormat format) {
  const ExportCounts& n = report.counts;
  std::string out = "exported " + Grouped(n.written) + " of " + Grouped(n.read) + " contracts as " +
                    std::string(ExportFormatName(format)) + " (" + Grouped(report.bytes) +
                    " bytes): " + Grouped(n.written - n.partial) + " whole, " + Grouped(n.partial) +
                    " with fields left out, " + Grouped(n.skipped) + " skipped\n";
  if (!report.skip_reasons.empty()) {
    out += "skipped records, by reason (a record can have several):\n";
    AppendReasons(out, report.skip_reasons);
  }
  if (!report.left_out.empty()) {
    out += "fields left out of written records:\n";
    AppendReasons(out, report.left_out);
  }
  return out;
}

std::string RecordIssuesText(const RecordIssues& r) {
  std::string out = r.skipped ? "skipped " + r.uid + ": " : "written " + r.uid + " without: ";
  bool first = true;
  for (const auto& issue : r.issues) {
    if (r.skipped && !issue.skips_record) continue;
    if (!first) out += " | ";
    first = false;
    if (!issue.field.empty()) out += issue.field + ": ";
    out += issue.reason;
  }
  return out;
}

}  // namespace limpide::app
