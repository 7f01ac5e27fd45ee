#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>

#include "app/importer.h"
#include "app/ledger.h"
#include "cli/commands.h"
#include "store/first_load.h"

namespace limpide::cli {
namespace {

std::string UtcStamp() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

// A one-line progress bar on stderr, only when stderr is a terminal.
void DrawProgress(const app::ImportProgress& p) {
  // At most ten redraws a second, and always the last one of a file.
  static auto last = std::chrono::steady_clock::time_point{};
  const auto now = std::chrono::steady_clock::now();
  const bool done = p.bytes_read >= p.bytes_total;
  if (!done && now - last < std::chrono::milliseconds(100)) return;
  last = now;
  const int width = 30;
  double frac = p.bytes_total > 0 ? static_cast<double>(p.bytes_read) / p.bytes_total : 1.0;
  if (frac > 1) frac = 1;
  const int filled = static_cast<int>(frac * width);
  std::string name = p.path ? std::filesystem::path(*p.path).filename().string() : "";
  if (name.size() > 32) name = name.substr(0, 29) + "...";
  std::fprintf(stderr, "\r\033[K[%zu/%zu] %-32s [%s%s] %3d%% %lld records", p.file_index + 1,
               p.file_count, name.c_str(), std::string(filled, '#').c_str(),
               std::string(width - filled, ' ').c_str(), static_cast<int>(frac * 100),
               static_cast<long long>(p.records));
  if (done) std::fputc('\n', stderr);
}

}  // namespace

std::string StoreDbPath(const std::string& data_dir) {
  return (std::filesystem::path(data_dir) / "limpide.db").string();
}

std::string StoreUrl(const std::string& data_dir) { return "sqlite:" + StoreDbPath(data_dir); }

std::string LedgerKeyPath(const std::string& data_dir) {
  return (std::filesystem::path(data_dir) / "ledger.key").string();
}

std::unique_ptr<store::Store> OpenExistingDataDir(const std::string& data_dir,
                                                  const std::string& database, const char* command) {
  if (IsFirstLoad(data_dir, database)) {
    std::fprintf(stderr, "limpide %s: no store in %s (expected %s)\n", command, data_dir.c_str(),
                 StoreDbPath(data_dir).c_str());
    return nullptr;
  }
  return OpenDataDir(data_dir, database, command);
}

std::unique_ptr<store::Store> OpenDataDir(const std::string& data_dir, const std::string& database,
                                          const char* command) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) {
    std::fprintf(stderr, "limpide %s: cannot create data directory %s: %s\n", command,
                 data_dir.c_str(), ec.message().c_str());
    return nullptr;
  }
  auto store = store::OpenStore(database.empty() ? StoreUrl(data_dir) : database);
  if (!store.ok()) {
    std::fprintf(stderr, "limpide %s: %s\n", command, store.status().ToString().c_str());
    return nullptr;
  }
  auto backfilled = app::BackfillLedger(**store);
  if (!backfilled.ok()) {
    std::fprintf(stderr, "limpide %s: writing the ledger of existing contracts: %s\n", command,
                 backfilled.status().ToString().c_str());
    return nullptr;
  }
  if (*backfilled > 0) {
    std::fprintf(stderr,
                 "limpide %s: %lld contracts stored before the ledger existed are now in it\n",
                 command, static_cast<long long>(*backfilled));
  }
  return std::move(store).value();
}

bool IsFirstLoad(const std::string& data_dir, const std::string& database) {
  std::error_code ec;
  return database.empty() && !std::filesystem::exists(StoreDbPath(data_dir), ec) && !ec;
}

Result<app::ImportReport> ImportFirstLoad(const std::string& data_dir,
                                          const std::vector<std::string>& files,
                                          const app::ImportOptions& options) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) return Status::Unavailable("cannot create data directory " + data_dir + ": " + ec.message());
  const std::string final_path = StoreDbPath(data_dir);
  auto store = store::OpenFirstLoad(final_path + ".loading");
  if (!store.ok()) return store.status();
  app::Importer importer(**store);
  auto report = importer.Import(files, options);
  // Files already committed are kept even when a later one failed.
  Status finished = store::FinishFirstLoad(std::move(*store), final_path);
  if (!finished.ok()) return finished;
  return report;
}

int Import(const ImportArgs& args) {
  std::error_code ec;
  app::ImportOptions options;
  options.rejects_path = args.rejects;
  if (options.rejects_path.empty()) {
    auto dir = std::filesystem::path(args.data_dir) / "rejects";
    std::filesystem::create_directories(dir, ec);
    options.rejects_path = (dir / ("import-" + UtcStamp() + ".jsonl")).string();
  }
  if (isatty(STDERR_FILENO)) options.progress = DrawProgress;

  Result<app::ImportReport> report = Status::Internal("not imported");
  if (IsFirstLoad(args.data_dir, args.database)) {
    report = ImportFirstLoad(args.data_dir, args.files, options);
  } else {
    auto store = OpenDataDir(args.data_dir, args.database, "import");
    if (!store) return 1;
    app::Importer importer(*store);
    report = importer.Import(args.files, options);
  }
  if (!report.ok()) {
    std::fprintf(stderr, "limpide import: %s\n", report.status().ToString().c_str());
    return 1;
  }
  if (args.json) {
    std::cout << app::ImportReportJson(*report) << "\n";
  } else {
    std::cout << app::ImportReportText(*report);
  }
  // Exit 0: all files imported (some records may be rejected, as reported);
  // 3: at least one file could not be imported.
  return report->ok() ? 0 : 3;
}

int Migrate(const MigrateArgs& args) {
  auto store = OpenDataDir(args.data_dir, args.database, "migrate");
  if (!store) return 1;
  std::printf("schema version %d\n", store->schema_version());
  return 0;
}

}  // namespace limpide::cli
