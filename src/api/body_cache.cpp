#include "api/body_cache.h"

#include <utility>

namespace limpide::api {
namespace {

size_t Cost(std::string_view key, std::string_view body) {
  return key.size() + body.size() + BodyCache::kEntryOverhead;
}

}  // namespace

void BodyCache::AdoptLocked(uint64_t version, List& out) {
  if (versioned_ && version == version_) return;
  if (!lru_.empty()) ++stats_.clears;
  out.swap(lru_);
  index_.clear();
  stats_.entries = 0;
  stats_.bytes = 0;
  version_ = version;
  versioned_ = true;
}

std::optional<std::string> BodyCache::Get(std::string_view key, uint64_t version) {
  if (budget_ == 0) return std::nullopt;
  List dropped;  // freed after the lock is released
  std::lock_guard lock(mu_);
  AdoptLocked(version, dropped);
  const auto it = index_.find(key);
  if (it == index_.end()) {
    ++stats_.misses;
    return std::nullopt;
  }
  ++stats_.hits;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->body;
}

void BodyCache::Put(std::string_view key, uint64_t version, std::string body) {
  const size_t cost = Cost(key, body);
  if (budget_ == 0 || cost > budget_ / 8) return;
  List dropped;
  std::lock_guard lock(mu_);
  AdoptLocked(version, dropped);
  if (const auto it = index_.find(key); it != index_.end()) {
    // Another request rendered it meanwhile, under the same version.
    lru_.splice(lru_.begin(), lru_, it->second);
    return;
  }
  while (!lru_.empty() && stats_.bytes + cost > budget_) {
    Entry& last = lru_.back();
    stats_.bytes -= Cost(last.key, last.body);
    index_.erase(last.key);
    dropped.splice(dropped.end(), lru_, std::prev(lru_.end()));
    --stats_.entries;
  }
  lru_.push_front(Entry{std::string(key), std::move(body)});
  index_.emplace(lru_.front().key, lru_.begin());
  stats_.bytes += cost;
  ++stats_.entries;
}

BodyCache::Stats BodyCache::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

std::string BodyCache::MetricsText(std::string_view name) const {
  const Stats s = stats();
  const std::string prefix = "limpide_" + std::string(name) + "_cache_";
  std::string out;
  const auto metric = [&](const char* suffix, const char* type, const char* help, uint64_t value) {
    out += "# HELP " + prefix + suffix + " " + help + "\n";
    out += "# TYPE " + prefix + suffix + " " + type + "\n";
    out += prefix + suffix + " " + std::to_string(value) + "\n";
  };
  metric("hits_total", "counter", "Responses served from the cache.", s.hits);
  metric("misses_total", "counter", "Lookups that found nothing and read the store.", s.misses);
  metric("clears_total", "counter", "Times the cache was emptied because what it holds changed.",
         s.clears);
  metric("entries", "gauge", "Bodies kept.", s.entries);
  metric("bytes", "gauge", "Bytes counted against the budget (bodies, keys, overhead).", s.bytes);
  metric("budget_bytes", "gauge", "The budget.", budget_);
  return out;
}

}  // namespace limpide::api
