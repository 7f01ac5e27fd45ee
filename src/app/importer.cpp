#include "app/importer.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <thread>
#include <unordered_map>

#include "app/ledger.h"
#include "app/ocds_import.h"
#include "formats/contract_json.h"
#include "formats/decp.h"
#include "formats/ocds/reader.h"

namespace limpide::app {
namespace {

using nlohmann::json;

json CountsJson(const ImportCounts& c) {
  return {{"read", c.read},           {"inserted", c.inserted},     {"updated", c.updated},
          {"unchanged", c.unchanged}, {"duplicates", c.duplicates}, {"rejected", c.rejected},
          {"flagged", c.flagged}};
}

constexpr size_t kBatch = 256;

// A record as the reader thread hands it over: with the ledger body of its
// contract already written, which takes that work (7% of an import's CPU)
// off the writing thread.
struct ParsedRecord {
  formats::DecpRecord rec;
  std::string ledger_text;  // formats::ContractLedgerText(*rec.contract); "" when rejected
};

// A bounded queue of record batches between the reader thread and the writer.
class RecordQueue {
 public:
  explicit RecordQueue(size_t capacity) : capacity_(capacity) {}
  // Blocks while full; false once cancelled (the batch is dropped).
  bool Push(std::vector<ParsedRecord>&& batch) {
    std::unique_lock lock(mu_);
    not_full_.wait(lock, [&] { return items_.size() < capacity_ || cancelled_; });
    if (cancelled_) return false;
    items_.push_back(std::move(batch));
    not_empty_.notify_one();
    return true;
  }
  // Blocks while empty; false once closed and drained, or cancelled.
  bool Pop(std::vector<ParsedRecord>& out) {
    std::unique_lock lock(mu_);
    not_empty_.wait(lock, [&] { return !items_.empty() || closed_ || cancelled_; });
    if (cancelled_ || items_.empty()) return false;
    out = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return true;
  }
  void Close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    not_empty_.notify_all();
  }
  void Cancel() {
    std::lock_guard lock(mu_);
    cancelled_ = true;
    not_full_.notify_all();
    not_empty_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable not_full_, not_empty_;
  std::deque<std::vector<ParsedRecord>> items_;
  size_t capacity_;
  bool closed_ = false;
  bool cancelled_ = false;
};

std::string RejectLine(const std::string& path, const formats::DecpRecord& rec, json reasons,
                       std::optional<int64_t> duplicate_of = std::nullopt) {
  json j = {{"file", path}, {"position", rec.position}, {"line", rec.line}, {"id", rec.id}};
  if (duplicate_of) j["duplicateOf"] = *duplicate_of;
  j["reasons"] = std::move(reasons);
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// Counts one record and writes it when accepted and new in this file. Only a
// store failure is returned as an error.
Status Apply(ParsedRecord& parsed, const std::string& path, store::WriteTransaction& txn,
             std::unordered_map<std::string, int64_t>& seen, std::vector<std::string>& rejects,
             ImportCounts& counts) {
  formats::DecpRecord& rec = parsed.rec;
  ++counts.read;
  if (!rec.errors.empty() || !rec.contract) {
    ++counts.rejected;
    json reasons = json::array();
    for (const auto& e : rec.errors) reasons.push_back({{"field", e.field}, {"reason", e.reason}});
    rejects.push_back(RejectLine(path, rec, std::move(reasons)));
    return Status::Ok();
  }
  if (auto [it, fresh] = seen.emplace(rec.contract->uid, rec.position); !fresh) {
    // Keeping the first makes a repeated import of the file idempotent.
    ++counts.duplicates;
    json reasons = json::array({{{"field", "id"},
                                 {"reason", "same uid as record " + std::to_string(it->second) +
                                                " of this file, which is kept"}}});
    rejects.push_back(RejectLine(path, rec, std::move(reasons), it->second));
    return Status::Ok();
  }
  if (!rec.contract->flags.empty()) ++counts.flagged;
  auto outcome = txn.UpsertContract(*rec.contract);
  if (!outcome.ok()) return outcome.status();
  // What became public goes to the ledger in the same transaction.
  if (*outcome != store::UpsertOutcome::kUnchanged) {
    auto seq =
        txn.AppendToLedger(ContractEvent(*rec.contract, *outcome, std::move(parsed.ledger_text)));
    if (!seq.ok()) return seq.status();
  }
  // One contract, one identity: a contract stored before, met again in this
  // file, lists this file among its sources (docs/ocds-import.md).
  if (*outcome != store::UpsertOutcome::kInserted) {
    LIMPIDE_RETURN_IF_ERROR(AddContractSource(
        txn, rec.contract->uid,
        {{"source", rec.contract->source}, {"format", formats::DecpFormatName(rec.format)}}));
  }
  switch (*outcome) {
    case store::UpsertOutcome::kInserted:
      ++counts.inserted;
      break;
    case store::UpsertOutcome::kUpdated:
      ++counts.updated;
      break;
    case store::UpsertOutcome::kUnchanged:
      ++counts.unchanged;
      break;
  }
  return Status::Ok();
}

}  // namespace

ImportCounts& ImportCounts::operator+=(const ImportCounts& o) {
  read += o.read;
  inserted += o.inserted;
  updated += o.updated;
  unchanged += o.unchanged;
  rejected += o.rejected;
  duplicates += o.duplicates;
  flagged += o.flagged;
  return *this;
}

void FileReport::Warn(std::string text) {
  if (warnings.size() < kMaxWarnings) warnings.push_back(std::move(text));
  ++warning_count;
}

bool ImportReport::ok() const {
  for (const auto& f : files) {
    if (!f.error.empty()) return false;
  }
  return true;
}

Result<ImportReport> Importer::Import(const std::vector<std::string>& paths,
                                      const ImportOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  ImportReport report;
  std::ofstream rejects;
  if (!options.rejects_path.empty()) {
    rejects.open(options.rejects_path, std::ios::out | std::ios::trunc);
    if (!rejects) {
      return Status::Unavailable("cannot write rejects file " + options.rejects_path);
    }
    report.rejects_path = options.rejects_path;
  }

  for (size_t index = 0; index < paths.size(); ++index) {
    const std::string& path = paths[index];
    FileReport file{path, "", {}, ""};
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      file.error = path + ": cannot open file";
    } else if (const auto form = formats::ocds::DetectOcds(in)) {
      // OCDS in (app/ocds_import.h): its own reader and merge, same report.
      std::vector<std::string> file_rejects;
      LIMPIDE_RETURN_IF_ERROR(ImportOcdsFile(store_, path, in, *form, file, file_rejects));
      if (rejects.is_open()) {
        for (const auto& line : file_rejects) rejects << line << '\n';
      }
      if (options.progress) options.progress({index, paths.size(), &path, 1, 1, file.counts.read});
    } else {
      in.seekg(0, std::ios::end);
      const int64_t total = static_cast<int64_t>(in.tellg());
      in.seekg(0);
      auto txn = store_.BeginWrite();
      if (!txn.ok()) return txn.status();
      // Rejections of this file are held until it commits: a malformed file
      // leaves one line naming the file error, not records that never landed.
      std::vector<std::string> file_rejects;
      // uid -> position of its first record in this file.
      std::unordered_map<std::string, int64_t> seen;
      const std::string source = path.substr(path.find_last_of('/') + 1);

      // Reading and parsing run on a second thread while this one writes: the
      // two costs overlap instead of adding up. The queue is bounded, so
      // memory stays constant whatever the file size.
      RecordQueue queue(/*capacity_batches=*/16);
      std::atomic<int64_t> bytes_read{0};
      Status read;
      std::thread reader([&] {
        std::vector<ParsedRecord> batch;
        batch.reserve(kBatch);
        read = formats::ReadDecp(in, source, [&](formats::DecpRecord&& rec) -> Status {
          std::string text;
          if (rec.errors.empty() && rec.contract) text = formats::ContractLedgerText(*rec.contract);
          batch.push_back({std::move(rec), std::move(text)});
          if (batch.size() == kBatch) {
            bytes_read = static_cast<int64_t>(in.tellg());
            if (!queue.Push(std::move(batch))) return Status::Internal("import cancelled");
            batch.clear();
            batch.reserve(kBatch);
          }
          return Status::Ok();
        });
        if (!batch.empty()) queue.Push(std::move(batch));
        queue.Close();
      });

      Status store_error;
      std::vector<ParsedRecord> batch;
      while (store_error.ok() && queue.Pop(batch)) {
        for (auto& parsed : batch) {
          if (file.format.empty()) file.format = formats::DecpFormatName(parsed.rec.format);
          store_error = Apply(parsed, path, **txn, seen, file_rejects, file.counts);
          if (!store_error.ok()) break;
        }
        if (options.progress) {
          options.progress(
              {index, paths.size(), &path, bytes_read.load(), total, file.counts.read});
        }
      }
      queue.Cancel();  // unblocks the reader if we stopped early
      reader.join();
      if (!store_error.ok()) return store_error;  // the transaction rolls back
      if (!read.ok()) {
        file.error = read.message();
      } else {
        Status committed = (*txn)->Commit();
        if (!committed.ok()) return committed;
        if (rejects.is_open()) {
          for (const auto& line : file_rejects) rejects << line << '\n';
        }
      }
      if (options.progress) {
        options.progress({index, paths.size(), &path, total, total, file.counts.read});
      }
    }
    if (!file.error.empty()) {
      // Nothing of a failed file is kept: its counts of written rows go to 0.
      file.counts.inserted = file.counts.updated = file.counts.unchanged = 0;
      if (rejects.is_open()) {
        rejects << json{{"file", path}, {"error", file.error}}.dump(-1, ' ', false,
                                                                    json::error_handler_t::replace)
                << '\n';
      }
    }
    report.totals += file.counts;
    report.files.push_back(std::move(file));
  }
  if (rejects.is_open()) {
    rejects.flush();
    if (!rejects) return Status::Unavailable("cannot write rejects file " + options.rejects_path);
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

std::string ImportReportJson(const ImportReport& report) {
  json files = json::array();
  for (const auto& f : report.files) {
    json j = CountsJson(f.counts);
    j["path"] = f.path;
    j["format"] = f.format;
    if (!f.error.empty()) j["error"] = f.error;
    if (f.warning_count > 0) {
      j["warningCount"] = f.warning_count;
      j["warnings"] = f.warnings;
    }
    if (!f.extensions.empty()) {
      json ext = json::array();
      for (const auto& e : f.extensions) ext.push_back({{"url", e.url}, {"status", e.status}});
      j["extensions"] = std::move(ext);
    }
    if (f.format.rfind("ocds", 0) == 0) {
      j["contracts"] = {{"written", f.contracts_written}, {"unchanged", f.contracts_unchanged}};
    }
    files.push_back(std::move(j));
  }
  json out = {{"files", std::move(files)},
              {"totals", CountsJson(report.totals)},
              {"ok", report.ok()},
              {"seconds", report.seconds}};
  if (!report.rejects_path.empty()) out["rejectsPath"] = report.rejects_path;
  return out.dump(2, ' ', false, json::error_handler_t::replace);
}

std::string ImportReportText(const ImportReport& report) {
  std::ostringstream out;
  auto line = [&](const std::string& name, const ImportCounts& c) {
    out << name << "\n  read " << c.read << ", inserted " << c.inserted << ", updated " << c.updated
        << ", unchanged " << c.unchanged << ", duplicates " << c.duplicates << ", rejected "
        << c.rejected << " (accepted with repairs: " << c.flagged << ")\n";
  };
  for (const auto& f : report.files) {
    line(f.path + (f.format.empty() ? "" : " [" + f.format + "]"), f.counts);
    if (!f.error.empty()) out << "  FAILED, nothing imported from this file: " << f.error << "\n";
    if (f.format.rfind("ocds", 0) == 0) {
      out << "  OCDS contracts written " << f.contracts_written << ", unchanged "
          << f.contracts_unchanged << "\n";
    }
    for (const auto& e : f.extensions) out << "  extension " << e.url << ": " << e.status << "\n";
    if (f.warning_count > 0) {
      out << "  warnings: " << f.warning_count << " (--json lists the first "
          << FileReport::kMaxWarnings << "), first: " << f.warnings.front() << "\n";
    }
  }
  if (report.files.size() > 1) line("total", report.totals);
  if (report.totals.inserted + report.totals.updated == 0 && report.ok()) {
    out << "nothing changed: every accepted record was already stored as is\n";
  }
  if (!report.rejects_path.empty() && report.totals.rejected + report.totals.duplicates > 0) {
    out << "rejected and duplicate records, with reasons: " << report.rejects_path << "\n";
  }
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.2f", report.seconds);
  out << "time: " << seconds << " s\n";
  return out.str();
}

}  // namespace limpide::app
