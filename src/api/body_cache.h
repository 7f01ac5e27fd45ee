// Rendered response bodies kept between requests (docs/api.md, "Caching"):
// keyed by a string, within a byte budget, the least recently used out first.
// The entries belong to one version of what they were rendered from (for
// contracts, store::Store::ContractsVersion): an operation under another
// version empties the cache first. Thread-safe.
#pragma once

#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace limpide::api {

class BodyCache {
 public:
  // What an entry is counted for beyond its key and body: the list and hash
  // nodes and the strings' heap blocks, about so much on 64-bit glibc.
  static constexpr size_t kEntryOverhead = 192;

  // budget_bytes 0: nothing is kept.
  explicit BodyCache(size_t budget_bytes) : budget_(budget_bytes) {}
  BodyCache(const BodyCache&) = delete;
  BodyCache& operator=(const BodyCache&) = delete;

  // Whether anything can be kept (a budget above 0).
  bool enabled() const { return budget_ > 0; }
  // The body kept for `key` under `version`.
  std::optional<std::string> Get(std::string_view key, uint64_t version);
  // Keeps `body` for `key` under `version`, which must have been taken before
  // the read the body was made from: the body is then at least as new as the
  // version, and Get serves it only while the version has not moved. A body
  // larger than an eighth of the budget is not kept.
  void Put(std::string_view key, uint64_t version, std::string body);

  struct Stats {
    uint64_t hits = 0;
    uint64_t misses = 0;
    uint64_t clears = 0;  // emptied by a change of version
    size_t entries = 0;
    size_t bytes = 0;  // as counted against the budget
  };
  Stats stats() const;
  // The Prometheus lines of stats() for metric names "limpide_<name>_cache_…".
  std::string MetricsText(std::string_view name) const;

 private:
  struct Entry {
    std::string key;
    std::string body;
  };
  using List = std::list<Entry>;
  // Under mu_: empties the cache into `out` (freed by the caller, outside the
  // lock) when `version` is not the cache's.
  void AdoptLocked(uint64_t version, List& out);

  const size_t budget_;
  mutable std::mutex mu_;
  uint64_t version_ = 0;
  bool versioned_ = false;
  // Most recently used first.
  List lru_;
  // The keys point into lru_'s entries.
  std::unordered_map<std::string_view, List::iterator> index_;
  Stats stats_;
};

}  // namespace limpide::api
