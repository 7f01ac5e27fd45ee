// Keeps a search index up to date with the ledger: reads the entries after
// the index's stored position, in batches, and applies each batch in one
// commit (search.h, Index::Apply). Restart-safe: the position is committed
// with the documents it covers, so a stopped follower resumes where the last
// commit left it, and re-applied entries only replace their documents.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

#include "base/result.h"
#include "search/search.h"
#include "store/store.h"

namespace limpide::search {

// Entries per commit when the index is rebuilt from the whole ledger
// (limpide reindex, bench/scale_bench), with IndexOptions::flush_threshold the
// same: at 220,000 documents, batches of 20,000 built the index at 40% of the
// rate and 1.6 times the size (docs/performance.md).
inline constexpr uint64_t kRebuildBatch = 100000;

struct FollowerOptions {
  uint64_t batch = 2000;  // entries per commit
  // Ledger size checks when idle; 0: none, the follower waits for Poke()
  // (limpide serve: app::LedgerWatcher pokes it when the ledger grows).
  std::chrono::milliseconds poll{200};
  std::function<void(uint64_t position, uint64_t size)>
      progress;                                 // after each commit; may be empty
  std::function<void(const Status&)> on_error;  // background errors; may be empty
};

class Follower {
 public:
  // `store` and `index` must outlive the follower.
  Follower(store::Store& store, Index& index, FollowerOptions options = {});
  ~Follower();  // Stop()
  Follower(const Follower&) = delete;
  Follower& operator=(const Follower&) = delete;

  // Applies every entry up to the ledger's current size, batch by batch, on
  // the calling thread; returns the position reached. `max_entries` stops
  // earlier (tests: index half, stop, resume).
  Result<uint64_t> CatchUp(uint64_t max_entries = UINT64_MAX);

  // Follows on a background thread: catches up, then checks the ledger every
  // `poll` (or only after Poke() when `poll` is 0), and at once after Poke().
  // Errors are reported to on_error and retried after a pause.
  void Start();
  void Poke();
  void Stop();

 private:
  void Run();

  store::Store& store_;
  Index& index_;
  const FollowerOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool poked_ = false;
  std::thread thread_;
};

}  // namespace limpide::search
