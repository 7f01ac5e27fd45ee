// `limpide reindex`: rebuilds the search index from the whole ledger into a
// new directory, then swaps it in (docs/search.md).
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "cli/commands.h"
#include "search/follower.h"
#include "search/search.h"

namespace limpide::cli {

namespace fs = std::filesystem;

std::string SearchDir(const std::string& data_dir) {
  return (fs::path(data_dir) / "search").string();
}

int Reindex(const ReindexArgs& args) {
  auto store = OpenDataDir(args.data_dir, args.database, "reindex");
  if (!store) return 1;
  const fs::path live = SearchDir(args.data_dir);
  const fs::path fresh = fs::path(args.data_dir) / "search.new";
  const fs::path old = fs::path(args.data_dir) / "search.old";
  std::error_code ec;
  if (fs::exists(live, ec)) {
    // A running server holds the index's lock and keeps writing into it:
    // swapping the directory under it would lose its writes.
    auto current = search::Index::Open(live.string());
    if (!current.ok()) {
      std::fprintf(stderr, "limpide reindex: %s (stop `limpide serve` first)\n",
                   current.status().ToString().c_str());
      return 1;
    }
  }
  fs::remove_all(fresh, ec);
  const auto start = std::chrono::steady_clock::now();
  uint64_t entries = 0, documents = 0;
  {
    auto index = search::Index::Open(fresh.string(), {.flush_threshold = search::kRebuildBatch});
    if (!index.ok()) {
      std::fprintf(stderr, "limpide reindex: %s\n", index.status().ToString().c_str());
      return 1;
    }
    search::FollowerOptions options;
    options.batch = search::kRebuildBatch;
    options.progress = [](uint64_t position, uint64_t size) {
      std::fprintf(stderr, "limpide reindex: %llu / %llu ledger entries\n",
                   static_cast<unsigned long long>(position),
                   static_cast<unsigned long long>(size));
    };
    search::Follower follower(*store, **index, options);
    auto reached = follower.CatchUp();
    if (!reached.ok()) {
      std::fprintf(stderr, "limpide reindex: %s\n", reached.status().ToString().c_str());
      return 1;
    }
    entries = *reached;
    documents = (*index)->DocumentCount().ok() ? *(*index)->DocumentCount() : 0;
    if ((*index)->skipped() > 0) {
      std::fprintf(stderr, "limpide reindex: %lld entries could not be read and were skipped\n",
                   static_cast<long long>((*index)->skipped()));
    }
  }
  // Full blocks: the rebuild's write-outs merged into every department.
  const fs::path compact = fs::path(args.data_dir) / "search.compact";
  fs::remove_all(compact, ec);
  if (Status s = search::CompactIndex(fresh.string(), compact.string()); !s.ok()) {
    std::fprintf(stderr, "limpide reindex: %s\n", s.ToString().c_str());
    return 1;
  }
  fs::remove_all(fresh, ec);
  fs::rename(compact, fresh, ec);
  if (ec) {
    std::fprintf(stderr, "limpide reindex: cannot rename %s: %s\n", compact.c_str(),
                 ec.message().c_str());
    return 1;
  }
  // The swap: two renames, the old index deleted last.
  fs::remove_all(old, ec);
  if (fs::exists(live)) fs::rename(live, old, ec);
  if (!ec) fs::rename(fresh, live, ec);
  if (ec) {
    std::fprintf(stderr, "limpide reindex: cannot put %s in place: %s\n", fresh.c_str(),
                 ec.message().c_str());
    return 1;
  }
  fs::remove_all(old, ec);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("reindexed %llu ledger entries: %llu documents in %.1f s (%.0f documents/s), %s\n",
              static_cast<unsigned long long>(entries), static_cast<unsigned long long>(documents),
              seconds, seconds > 0 ? static_cast<double>(documents) / seconds : 0.0, live.c_str());
  return 0;
}

}  // namespace limpide::cli
