#include "app/bulk.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <utility>

#include "crypto/crypto.h"
#include "ledger/merkle.h"

namespace limpide::app {
namespace fs = std::filesystem;
using nlohmann::json;

std::optional<ExportFormat> BulkFileFormat(std::string_view name) {
  if (name == kBulkFileNames[0]) return ExportFormat::kDecpJson;
  if (name == kBulkFileNames[1]) return ExportFormat::kOcdsJsonl;
  if (name == kBulkFileNames[2]) return ExportFormat::kCsv;
  return std::nullopt;
}

std::string BulkSetJson(const BulkSet& set) {
  json files = json::array();
  for (const BulkFile& f : set.files) {
    json j = {{"name", f.name},       {"format", ExportFormatName(f.format)},
              {"size", f.size},       {"sha256", f.sha256},
              {"records", f.records}, {"skipped", f.skipped}};
    if (f.format == ExportFormat::kOcdsJsonl) j["releases"] = f.lines;
    if (!f.gz_sha256.empty()) {
      j["gzip"] = {{"name", f.name + std::string(kGzipSuffix)},
                   {"size", f.gz_size},
                   {"sha256", f.gz_sha256}};
    }
    files.push_back(std::move(j));
  }
  json j = {{"kind", set.daily ? "daily" : "full"},
            {"dir", set.dir},
            {"cut_at", set.cut_at},
            {"ledger_head", {{"tree_size", set.head_size}, {"root_hash", set.head_root}}},
            {"files", std::move(files)}};
  if (set.daily) {
    j["day"] = set.day;
    j["ledger_range"] = {{"from", set.from}, {"to", set.to}};
    j["changed_after_day"] = set.changed_after_day;
  }
  return j.dump(2) + "\n";
}

Result<BulkSet> BulkSetFromJson(std::string_view text) {
  try {
    const json j = json::parse(text);
    BulkSet set;
    set.daily = j.at("kind").get<std::string>() == "daily";
    set.dir = j.at("dir").get<std::string>();
    set.cut_at = j.at("cut_at").get<std::string>();
    set.head_size = j.at("ledger_head").at("tree_size").get<uint64_t>();
    set.head_root = j.at("ledger_head").at("root_hash").get<std::string>();
    if (set.daily) {
      set.day = j.at("day").get<std::string>();
      set.from = j.at("ledger_range").at("from").get<uint64_t>();
      set.to = j.at("ledger_range").at("to").get<uint64_t>();
      set.changed_after_day = j.value("changed_after_day", int64_t{0});
    }
    for (const json& f : j.at("files")) {
      BulkFile file;
      file.name = f.at("name").get<std::string>();
      const auto format = BulkFileFormat(file.name);
      if (!format) return Status::InvalidArgument("unknown bulk file " + file.name, "files");
      file.format = *format;
      file.size = f.at("size").get<int64_t>();
      file.sha256 = f.at("sha256").get<std::string>();
      file.records = f.at("records").get<int64_t>();
      file.skipped = f.value("skipped", int64_t{0});
      file.lines = f.value("releases", int64_t{0});
      if (f.contains("gzip")) {
        file.gz_size = f.at("gzip").at("size").get<int64_t>();
        file.gz_sha256 = f.at("gzip").at("sha256").get<std::string>();
      }
      set.files.push_back(std::move(file));
    }
    return set;
  } catch (const json::exception& e) {
    return Status::InvalidArgument(std::string("not a bulk manifest: ") + e.what());
  }
}

namespace {

bool IsContractChange(const store::LedgerRecord& r) { return r.kind.rfind("contract.", 0) == 0; }

std::string NowText(domain::Instant now) {
  return domain::FormatInstantMillis(domain::Instant{now.micros});
}

Result<std::string> ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("no file " + path.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Writes `text` to `path` through a temporary file and a rename.
Status WriteAtomically(const fs::path& path, std::string_view text) {
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.flush();
    if (!out) return Status::Unavailable("cannot write " + tmp.string());
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return Status::Unavailable("cannot rename " + tmp.string() + ": " + ec.message());
  return Status::Ok();
}

// Flushes a file or directory to disk (the data before the rename that
// publishes it).
void SyncPath(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

// The Paris date of a ledger entry's time.
Result<domain::Date> EntryDay(const store::LedgerRecord& r) {
  auto t = domain::ParseInstant(r.time);
  if (!t.ok()) return Status::Internal("ledger entry " + std::to_string(r.seq) + ": bad time");
  return domain::ParisDate(*t);
}

// The first position in [0, size) whose entry falls on a day after `day`
// (strictly after when `after`, else on or after), by binary search: ledger
// times never go back.
Result<uint64_t> FirstEntryFrom(store::Store& store, uint64_t size, const domain::Date& day,
                                bool after) {
  uint64_t lo = 0, hi = size;
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo) / 2;
    auto entries = store.LedgerEntries(mid, mid + 1);
    if (!entries.ok()) return entries.status();
    if (entries->empty()) return Status::Internal("ledger entry " + std::to_string(mid) + " missing");
    auto d = EntryDay(entries->front());
    if (!d.ok()) return d.status();
    if (after ? *d > day : *d >= day) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return lo;
}

// Whether entries [from, to) change a contract.
Result<bool> ContractChangesIn(store::Store& store, uint64_t from, uint64_t to) {
  for (uint64_t pos = from; pos < to; pos += 1000) {
    auto entries = store.LedgerEntries(pos, std::min(to, pos + 1000));
    if (!entries.ok()) return entries.status();
    for (const auto& r : *entries) {
      if (IsContractChange(r)) return true;
    }
  }
  return false;
}

using SubjectKey = std::array<uint8_t, 16>;
SubjectKey KeyOf(std::string_view subject) {
  const crypto::Hash h = crypto::Sha256(subject);
  SubjectKey k;
  std::memcpy(k.data(), h.data(), k.size());
  return k;
}

// The contracts changed in ledger entries [from, to), each once (at its first
// change), as they are now. Memory: 16 bytes and a bit per distinct contract
// (a truncated SHA-256 of its uid), not the uids themselves.
class ChangedContracts {
 public:
  ChangedContracts(store::Store& store, uint64_t from, uint64_t to,
                   std::shared_ptr<const std::vector<SubjectKey>> keys)
      : store_(store), from_(from), to_(to), keys_(std::move(keys)), emitted_(keys_->size()) {}

  static Result<std::shared_ptr<const std::vector<SubjectKey>>> Keys(store::Store& store,
                                                                     uint64_t from, uint64_t to) {
    auto keys = std::make_shared<std::vector<SubjectKey>>();
    for (uint64_t pos = from; pos < to; pos += 1000) {
      auto entries = store.LedgerEntries(pos, std::min(to, pos + 1000));
      if (!entries.ok()) return entries.status();
      for (const auto& r : *entries) {
        if (IsContractChange(r)) keys->push_back(KeyOf(r.subject));
      }
    }
    std::sort(keys->begin(), keys->end());
    keys->erase(std::unique(keys->begin(), keys->end()), keys->end());
    return std::shared_ptr<const std::vector<SubjectKey>>(std::move(keys));
  }

  // How many of `keys` are the subject of a "contract.*" entry in [from, to).
  static Result<int64_t> CountChangedIn(store::Store& store, uint64_t from, uint64_t to,
                                        const std::vector<SubjectKey>& keys) {
    std::vector<bool> seen(keys.size());
    int64_t n = 0;
    for (uint64_t pos = from; pos < to; pos += 1000) {
      auto entries = store.LedgerEntries(pos, std::min(to, pos + 1000));
      if (!entries.ok()) return entries.status();
      for (const auto& r : *entries) {
        if (!IsContractChange(r)) continue;
        const auto it = std::lower_bound(keys.begin(), keys.end(), KeyOf(r.subject));
        if (it == keys.end() || *it != KeyOf(r.subject)) continue;
        const size_t i = static_cast<size_t>(it - keys.begin());
        if (!seen[i]) ++n;
        seen[i] = true;
      }
    }
    return n;
  }

  Result<store::ContractPage> Page(const std::string& after, int limit) {
    uint64_t pos = from_;
    if (!after.empty()) pos = std::stoull(after);
    const uint64_t end = std::min(to_, pos + static_cast<uint64_t>(limit));
    store::ContractPage page;
    auto entries = store_.LedgerEntries(pos, end);
    if (!entries.ok()) return entries.status();
    for (const auto& r : *entries) {
      if (!IsContractChange(r)) continue;
      const SubjectKey k = KeyOf(r.subject);
      const auto it = std::lower_bound(keys_->begin(), keys_->end(), k);
      if (it == keys_->end() || *it != k) continue;  // cannot happen: the keys come from here
      const size_t i = static_cast<size_t>(it - keys_->begin());
      if (emitted_[i]) continue;
      emitted_[i] = true;
      auto c = store_.GetContract(r.subject);
      if (c.status().code() == ErrorCode::kNotFound) continue;  // gone since: nothing to publish
      if (!c.ok()) return c.status();
      page.items.push_back(std::move(*c));
    }
    if (end < to_) page.next = std::to_string(end);
    return page;
  }

 private:
  store::Store& store_;
  const uint64_t from_, to_;
  const std::shared_ptr<const std::vector<SubjectKey>> keys_;
  std::vector<bool> emitted_;
};

// Hands the same page to the exporters of the three formats, which ask for
// the same cursors in lockstep: each page is read from the store once.
class SharedPages {
 public:
  explicit SharedPages(ContractSource source) : source_(std::move(source)) {}
  ContractSource Source() {
    return [this](const std::string& after, int limit) -> Result<store::ContractPage> {
      if (!cached_ || cached_after_ != after) {
        auto page = source_(after, limit);
        if (!page.ok()) return page.status();
        cached_ = std::move(*page);
        cached_after_ = after;
      }
      return *cached_;
    };
  }

 private:
  ContractSource source_;
  std::optional<store::ContractPage> cached_;
  std::string cached_after_;
};

// A file being written: pieces go to disk and into its SHA-256.
class FileOut {
 public:
  explicit FileOut(const fs::path& path) : file_(std::fopen(path.c_str(), "wb")), path_(path) {
    if (file_) std::setvbuf(file_, nullptr, _IOFBF, 1 << 20);
  }
  ~FileOut() {
    if (file_) std::fclose(file_);
  }
  FileOut(const FileOut&) = delete;
  FileOut& operator=(const FileOut&) = delete;

  Status Write(std::string_view piece) {
    if (!file_) return Status::Unavailable("cannot write " + path_.string());
    if (std::fwrite(piece.data(), 1, piece.size(), file_) != piece.size())
      return Status::Unavailable("write failed: " + path_.string());
    hash_.Update(piece);
    size_ += static_cast<int64_t>(piece.size());
    return Status::Ok();
  }
  // Flushes to disk and closes; returns the hex SHA-256.
  Result<std::string> Close() {
    if (!file_) return Status::Unavailable("cannot write " + path_.string());
    const bool ok = std::fflush(file_) == 0 && ::fsync(::fileno(file_)) == 0;
    const bool closed = std::fclose(file_) == 0;
    file_ = nullptr;
    if (!ok || !closed) return Status::Unavailable("write failed: " + path_.string());
    const crypto::Hash h = hash_.Final();
    return crypto::ToHex(h);
  }
  int64_t size() const { return size_; }

 private:
  std::FILE* file_;
  fs::path path_;
  crypto::Sha256Stream hash_;
  int64_t size_ = 0;
};

// The gzip copy of a file being written: pieces are deflated (zlib, gzip
// wrapper) into a FileOut, whose size and SHA-256 are those of the
// compressed bytes. The header zlib writes has no name and time 0, so the
// same input always gives the same bytes.
class GzipOut {
 public:
  explicit GzipOut(const fs::path& path) : file_(path) {
    ok_ = deflateInit2(&z_, kLevel, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK;
  }
  ~GzipOut() {
    if (ok_) deflateEnd(&z_);
  }
  GzipOut(const GzipOut&) = delete;
  GzipOut& operator=(const GzipOut&) = delete;

  Status Write(std::string_view piece) { return Deflate(piece, Z_NO_FLUSH); }
  // Ends the gzip member, then flushes and closes the file; returns its hex SHA-256.
  Result<std::string> Close() {
    LIMPIDE_RETURN_IF_ERROR(Deflate({}, Z_FINISH));
    return file_.Close();
  }
  int64_t size() const { return file_.size(); }

 private:
  // Level 1: JSON compresses 8 to 10 times at it, several times faster than
  // the default level 6, which gains little more on such text
  // (docs/performance.md); the cut's CPU time matters more.
  static constexpr int kLevel = 1;

  Status Deflate(std::string_view in, int flush) {
    if (!ok_) return Status::Internal("zlib: deflateInit2 failed");
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z_.avail_in = static_cast<uInt>(in.size());
    for (;;) {
      z_.next_out = reinterpret_cast<Bytef*>(buffer_.data());
      z_.avail_out = static_cast<uInt>(buffer_.size());
      const int rc = deflate(&z_, flush);
      if (rc == Z_STREAM_ERROR) return Status::Internal("zlib: deflate failed");
      const size_t produced = buffer_.size() - z_.avail_out;
      if (produced > 0) LIMPIDE_RETURN_IF_ERROR(file_.Write({buffer_.data(), produced}));
      if (flush == Z_FINISH ? rc == Z_STREAM_END : z_.avail_out != 0) return Status::Ok();
    }
  }

  FileOut file_;
  z_stream z_{};
  bool ok_ = false;
  std::array<char, 1 << 16> buffer_{};
};

std::string RandomSuffix() {
  std::random_device rd;
  char buf[17];
  std::snprintf(buf, sizeof buf, "%08x%08x", rd(), rd());
  return buf;
}

}  // namespace

// What a cut covers: all contracts (full) or those changed in a day.
struct BulkPublisher::Plan {
  bool daily = false;
  domain::Date day;
  uint64_t from = 0, to = 0;
  std::shared_ptr<const std::vector<SubjectKey>> keys;  // daily
};

BulkPublisher::BulkPublisher(store::Store& store, std::string dir, BulkOptions options)
    : store_(store), dir_(std::move(dir)), options_(std::move(options)) {}

Result<BulkSet> BulkPublisher::Cut(const Plan& plan, domain::Instant now) {
  std::error_code ec;
  const fs::path root(dir_);
  const std::string final_rel =
      plan.daily ? "daily/" + domain::FormatDate(plan.day) : std::string("full/");
  for (int attempt = 0; attempt < std::max(1, options_.attempts); ++attempt) {
    auto n0 = store_.LedgerSize();
    if (!n0.ok()) return n0.status();
    const fs::path tmp = root / (".tmp-" + RandomSuffix());
    fs::create_directories(tmp, ec);
    if (ec) return Status::Unavailable("cannot create " + tmp.string() + ": " + ec.message());
    auto cleanup = [&] { fs::remove_all(tmp, ec); };

    ContractSource source;
    std::shared_ptr<ChangedContracts> changed;
    if (plan.daily) {
      changed = std::make_shared<ChangedContracts>(store_, plan.from, plan.to, plan.keys);
      source = [changed](const std::string& after, int limit) {
        return changed->Page(after, limit);
      };
    } else {
      source = [this](const std::string& after, int limit) {
        return store_.ListContracts({}, store::PageRequest{after, limit});
      };
    }
    SharedPages pages(std::move(source));
    ExportOptions export_options;
    export_options.page_size = options_.page_size;
    export_options.ocid_prefix = options_.ocid_prefix;
    struct Output {
      std::string name;
      std::unique_ptr<Exporter> exporter;
      std::unique_ptr<FileOut> file;
      std::unique_ptr<GzipOut> gz;
      bool more = true;
    };
    std::vector<Output> outputs;
    for (std::string_view name : kBulkFileNames) {
      const ExportFormat format = *BulkFileFormat(name);
      outputs.push_back(Output{
          std::string(name), std::make_unique<Exporter>(pages.Source(), format, export_options),
          std::make_unique<FileOut>(tmp / name),
          std::make_unique<GzipOut>(tmp / (std::string(name) + std::string(kGzipSuffix)))});
    }
    Status status = Status::Ok();
    std::string piece;
    for (bool any = true; any && status.ok();) {
      if (cancelled_.load()) {
        status = Status::Unavailable("bulk cut cancelled");
        break;
      }
      any = false;
      for (Output& o : outputs) {
        if (!o.more) continue;
        piece.clear();
        auto more = o.exporter->Next(piece);
        if (!more.ok()) {
          status = more.status();
          break;
        }
        o.more = *more;
        any = any || o.more;
        if (!piece.empty()) {
          status = o.file->Write(piece);
          if (status.ok()) status = o.gz->Write(piece);
          if (!status.ok()) break;
        }
      }
    }
    BulkSet set;
    set.daily = plan.daily;
    set.cut_at = NowText(now);
    set.from = plan.from;
    set.to = plan.to;
    if (plan.daily) set.day = domain::FormatDate(plan.day);
    for (Output& o : outputs) {
      if (!status.ok()) break;
      auto sha = o.file->Close();
      if (!sha.ok()) {
        status = sha.status();
        break;
      }
      auto gz_sha = o.gz->Close();
      if (!gz_sha.ok()) {
        status = gz_sha.status();
        break;
      }
      const ExportReport& report = o.exporter->report();
      set.files.push_back(BulkFile{o.name, *BulkFileFormat(o.name), o.file->size(), *sha,
                                   report.counts.written, report.counts.skipped,
                                   report.counts.lines, o.gz->size(), *gz_sha});
      // sha256sum's format, the name relative to the checksum file.
      status = WriteAtomically(tmp / (o.name + ".sha256"), *sha + "  " + o.name + "\n");
      const std::string gz_name = o.name + std::string(kGzipSuffix);
      if (status.ok()) {
        status = WriteAtomically(tmp / (gz_name + ".sha256"), *gz_sha + "  " + gz_name + "\n");
      }
    }
    if (!status.ok()) {
      cleanup();
      return status;
    }
    auto n1 = store_.LedgerSize();
    if (!n1.ok()) {
      cleanup();
      return n1.status();
    }
    auto moved = ContractChangesIn(store_, *n0, *n1);
    if (!moved.ok()) {
      cleanup();
      return moved.status();
    }
    if (*moved) {  // contracts changed during the cut: it is no state of the ledger
      cleanup();
      continue;
    }
    auto root_hash = ledger::RootHash(*n1, [this](const std::vector<ledger::NodeId>& ids) {
      return store_.LedgerNodes(ids);
    });
    if (!root_hash.ok()) {
      cleanup();
      return root_hash.status();
    }
    set.head_size = *n1;
    set.head_root = crypto::ToHex(*root_hash);
    if (plan.daily) {
      auto later = ChangedContracts::CountChangedIn(store_, plan.to, *n1, *plan.keys);
      if (!later.ok()) {
        cleanup();
        return later.status();
      }
      set.changed_after_day = *later;
    }
    set.dir = plan.daily ? final_rel : final_rel + std::to_string(*n1);
    status = WriteAtomically(tmp / "manifest.json", BulkSetJson(set));
    if (!status.ok()) {
      cleanup();
      return status;
    }
    SyncPath(tmp);
    const fs::path final_dir = root / set.dir;
    fs::create_directories(final_dir.parent_path(), ec);
    fs::rename(tmp, final_dir, ec);
    if (ec) {
      cleanup();
      // Another run (another node) published this set first: keep its files.
      if (fs::exists(final_dir / "manifest.json")) return ReadBulkSet(dir_, set.dir);
      return Status::Unavailable("cannot rename into " + final_dir.string() + ": " + ec.message());
    }
    SyncPath(final_dir.parent_path());
    return set;
  }
  return Status::Unavailable("contracts kept changing during " +
                             std::to_string(options_.attempts) + " attempts to cut " + final_rel);
}

Result<BulkSet> BulkPublisher::CutFull(domain::Instant now) {
  auto set = Cut(Plan{}, now);
  if (!set.ok()) return set;
  LIMPIDE_RETURN_IF_ERROR(WriteIndex());
  // Older full dumps go once the index names the new one (downloads in
  // progress keep their open file).
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(fs::path(dir_) / "full", ec)) {
    if (entry.path().filename().string() != set->dir.substr(5)) fs::remove_all(entry.path(), ec);
  }
  return set;
}

Result<BulkSet> BulkPublisher::CutDay(const domain::Date& day, domain::Instant now) {
  auto set = CutDayOnly(day, now);
  if (!set.ok()) return set;
  LIMPIDE_RETURN_IF_ERROR(WriteIndex());
  return set;
}

Result<BulkSet> BulkPublisher::CutDayOnly(const domain::Date& day, domain::Instant now) {
  if (!(day < domain::ParisDate(now))) {
    return Status::FailedPrecondition("day " + domain::FormatDate(day) +
                                      " is not over yet (Europe/Paris)");
  }
  const std::string rel = "daily/" + domain::FormatDate(day);
  if (fs::exists(fs::path(dir_) / rel / "manifest.json")) return ReadBulkSet(dir_, rel);
  auto size = store_.LedgerSize();
  if (!size.ok()) return size.status();
  Plan plan;
  plan.daily = true;
  plan.day = day;
  auto from = FirstEntryFrom(store_, *size, day, /*after=*/false);
  if (!from.ok()) return from.status();
  auto to = FirstEntryFrom(store_, *size, day, /*after=*/true);
  if (!to.ok()) return to.status();
  plan.from = *from;
  plan.to = *to;
  auto keys = ChangedContracts::Keys(store_, plan.from, plan.to);
  if (!keys.ok()) return keys.status();
  plan.keys = *keys;
  return Cut(plan, now);
}

Result<BulkRunReport> BulkPublisher::RunDue(domain::Instant now) {
  BulkRunReport report;
  auto size = store_.LedgerSize();
  if (!size.ok()) return size.status();
  if (*size == 0) return report;
  auto first = store_.LedgerEntries(0, 1);
  if (!first.ok()) return first.status();
  if (first->empty()) return report;
  auto first_day = EntryDay(first->front());
  if (!first_day.ok()) return first_day.status();
  const domain::Date today = domain::ParisDate(now);
  for (int64_t d = domain::DaysFromCivil(*first_day); d < domain::DaysFromCivil(today); ++d) {
    const domain::Date day = domain::CivilFromDays(d);
    if (fs::exists(fs::path(dir_) / "daily" / domain::FormatDate(day) / "manifest.json")) continue;
    auto set = CutDayOnly(day, now);
    if (!set.ok()) return set.status();
    report.cut.push_back(std::move(*set));
  }
  // One index for all the days cut (a catch-up may cut many).
  if (!report.cut.empty()) LIMPIDE_RETURN_IF_ERROR(WriteIndex());
  auto index = Index();
  if (!index.ok()) return index.status();
  bool full_due = !index->full;
  if (index->full) {
    auto cut = domain::ParseInstant(index->full->cut_at);
    const bool earlier_day = !cut.ok() || domain::ParisDate(*cut) < today;
    full_due = earlier_day && *size > index->full->head_size;
  }
  if (full_due) {
    auto set = CutFull(now);
    if (!set.ok()) return set.status();
    report.cut.push_back(std::move(*set));
  }
  return report;
}

Status BulkPublisher::WriteIndex() {
  std::error_code ec;
  const fs::path root(dir_);
  json full = nullptr;
  uint64_t full_size = 0;
  for (const auto& entry : fs::directory_iterator(root / "full", ec)) {
    auto text = ReadText(entry.path() / "manifest.json");
    if (!text.ok()) continue;
    auto set = BulkSetFromJson(*text);
    if (!set.ok()) continue;
    if (full.is_null() || set->head_size > full_size) {
      full = json::parse(*text);
      full_size = set->head_size;
    }
  }
  std::vector<std::string> days;
  for (const auto& entry : fs::directory_iterator(root / "daily", ec)) {
    if (fs::exists(entry.path() / "manifest.json")) days.push_back(entry.path().filename());
  }
  std::sort(days.rbegin(), days.rend());
  json daily = json::array();
  for (const std::string& day : days) {
    auto text = ReadText(root / "daily" / day / "manifest.json");
    if (!text.ok()) continue;
    try {
      daily.push_back(json::parse(*text));
    } catch (const json::exception&) {
      continue;
    }
  }
  const json index = {{"full", std::move(full)}, {"daily", std::move(daily)}};
  return WriteAtomically(root / "index.json", index.dump(2) + "\n");
}

Result<BulkIndex> BulkPublisher::Index() const { return ReadBulkIndex(dir_); }

Result<BulkIndex> ReadBulkIndex(const std::string& dir) {
  BulkIndex index;
  auto text = ReadText(fs::path(dir) / "index.json");
  if (!text.ok()) return index;
  try {
    const json j = json::parse(*text);
    if (j.contains("full") && !j["full"].is_null()) {
      auto set = BulkSetFromJson(j["full"].dump());
      if (!set.ok()) return set.status();
      index.full = std::move(*set);
    }
    for (const json& d : j.value("daily", json::array())) {
      auto set = BulkSetFromJson(d.dump());
      if (!set.ok()) return set.status();
      index.days.push_back(std::move(*set));
    }
  } catch (const json::exception& e) {
    return Status::Internal(std::string("bulk index unreadable: ") + e.what());
  }
  return index;
}

Result<BulkSet> ReadBulkSet(const std::string& dir, const std::string& set_dir) {
  auto text = ReadText(fs::path(dir) / set_dir / "manifest.json");
  if (!text.ok()) return text.status();
  return BulkSetFromJson(*text);
}

}  // namespace limpide::app
