// `limpide bulk`: the bulk open data files (docs/bulk.md).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>

#include "app/bulk.h"
#include "cli/commands.h"

namespace limpide::cli {
namespace {

constexpr int kFailed = 1;
constexpr int kUsage = 2;

void PrintSet(const app::BulkSet& set) {
  std::fprintf(stderr, "limpide bulk: %s at ledger size %llu:", set.dir.c_str(),
               static_cast<unsigned long long>(set.head_size));
  for (const auto& f : set.files) {
    std::fprintf(stderr, " %s %lld contracts %lld bytes;", f.name.c_str(),
                 static_cast<long long>(f.records), static_cast<long long>(f.size));
  }
  std::fprintf(stderr, "\n");
}

}  // namespace

std::string BulkDir(const std::string& data_dir) {
  return (std::filesystem::path(data_dir) / "bulk").string();
}

std::string OcidPrefixFromEnv() {
  const char* p = std::getenv("LIMPIDE_OCDS_PREFIX");
  return p != nullptr ? p : "";
}

int Bulk(const BulkArgs& args) {
  std::optional<domain::Date> day;
  if (!args.day.empty()) {
    auto d = domain::ParseDate(args.day);
    if (!d.ok() || domain::FormatDate(*d) != args.day) {
      std::fprintf(stderr, "limpide bulk: --day: '%s' is not a date (expected YYYY-MM-DD)\n",
                   args.day.c_str());
      return kUsage;
    }
    day = *d;
  }
  if (day && args.full) {
    std::fprintf(stderr, "limpide bulk: --day and --full exclude each other\n");
    return kUsage;
  }
  auto store = OpenExistingDataDir(args.data_dir, args.database, "bulk");
  if (!store) return kFailed;
  app::BulkOptions options;
  options.ocid_prefix = OcidPrefixFromEnv();
  app::BulkPublisher publisher(*store, BulkDir(args.data_dir), options);
  const domain::Instant now{std::chrono::duration_cast<std::chrono::microseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count()};
  if (day) {
    auto set = publisher.CutDay(*day, now);
    if (!set.ok()) {
      std::fprintf(stderr, "limpide bulk: %s\n", set.status().ToString().c_str());
      return set.status().code() == ErrorCode::kFailedPrecondition ? kUsage : kFailed;
    }
    PrintSet(*set);
    return 0;
  }
  if (args.full) {
    auto set = publisher.CutFull(now);
    if (!set.ok()) {
      std::fprintf(stderr, "limpide bulk: %s\n", set.status().ToString().c_str());
      return kFailed;
    }
    PrintSet(*set);
    return 0;
  }
  auto report = publisher.RunDue(now);
  if (!report.ok()) {
    std::fprintf(stderr, "limpide bulk: %s\n", report.status().ToString().c_str());
    return kFailed;
  }
  for (const auto& set : report->cut) PrintSet(set);
  if (report->cut.empty()) std::fprintf(stderr, "limpide bulk: nothing due\n");
  return 0;
}

}  // namespace limpide::cli
