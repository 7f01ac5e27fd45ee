#include "http/metrics.h"

#include <array>
#include <atomic>
#include <charconv>
#include <map>
#include <mutex>
#include <tuple>
#include <vector>

namespace limpide::http {
namespace {

constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                             0.05,   0.1,   0.25,   0.5,   1,    2.5};

// The methods kept as label values; anything else is "OTHER".
std::string_view NormalizeMethod(std::string_view method) {
  static constexpr std::array<std::string_view, 9> kKnown = {
      "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE"};
  for (const auto known : kKnown) {
    if (method == known) return known;
  }
  return "OTHER";
}

struct RouteStats {
  // (method, status) → count; a handful of entries per route.
  struct Counter {
    std::string_view method;  // points into kKnown or a literal: static storage
    int status;
    uint64_t count;
  };
  std::vector<Counter> counters;
  std::array<uint64_t, kBuckets.size() + 1> buckets{};  // not cumulative; last is +Inf
  double sum = 0;
  uint64_t count = 0;
};

// Requests are recorded into one of several shards, picked per thread, so that
// io threads almost never wait on each other; MetricsText merges the shards.
struct Shard {
  std::mutex mutex;
  std::map<std::string, RouteStats, std::less<>> routes;
};

constexpr size_t kShards = 16;
std::array<Shard, kShards>& Shards() {
  static std::array<Shard, kShards> shards;
  return shards;
}

Shard& ThisThreadShard() {
  static std::atomic<size_t> next{0};
  thread_local const size_t index = next.fetch_add(1, std::memory_order_relaxed) % kShards;
  return Shards()[index];
}

std::atomic<int64_t> g_connections_open{0};
std::atomic<uint64_t> g_connections_rejected{0};

void AppendLabelValue(std::string& out, std::string_view value) {
  for (const char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

void AppendNumber(std::string& out, double value) {
  char buf[64];
  // Shortest round-trip form in fixed notation ("0.0005", not "5e-04").
  const auto result = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed);
  out.append(buf, result.ptr);
}

}  // namespace

void RecordRequest(std::string_view method, std::string_view route, int status, double seconds) {
  const std::string_view m = NormalizeMethod(method);
  if (route.empty()) route = "unmatched";
  size_t bucket = 0;
  while (bucket < kBuckets.size() && seconds > kBuckets[bucket]) ++bucket;

  Shard& shard = ThisThreadShard();
  std::lock_guard lock(shard.mutex);
  auto it = shard.routes.find(route);
  if (it == shard.routes.end()) it = shard.routes.emplace(std::string(route), RouteStats{}).first;
  RouteStats& stats = it->second;
  bool found = false;
  for (auto& counter : stats.counters) {
    if (counter.status == status && counter.method == m) {
      ++counter.count;
      found = true;
      break;
    }
  }
  if (!found) stats.counters.push_back({m, status, 1});
  ++stats.buckets[bucket];
  stats.sum += seconds;
  ++stats.count;
}

void ConnectionOpened() { g_connections_open.fetch_add(1, std::memory_order_relaxed); }
void ConnectionClosed() { g_connections_open.fetch_sub(1, std::memory_order_relaxed); }
void ConnectionRejected() { g_connections_rejected.fetch_add(1, std::memory_order_relaxed); }

std::string MetricsText() {
  // Merge the shards into sorted maps so that the output is stable.
  std::map<std::tuple<std::string, std::string_view, int>, uint64_t>
      requests;  // route, method, status
  std::map<std::string, RouteStats> durations;
  for (Shard& shard : Shards()) {
    std::lock_guard lock(shard.mutex);
    for (const auto& [route, stats] : shard.routes) {
      for (const auto& counter : stats.counters) {
        requests[{route, counter.method, counter.status}] += counter.count;
      }
      RouteStats& merged = durations[route];
      for (size_t i = 0; i < merged.buckets.size(); ++i) merged.buckets[i] += stats.buckets[i];
      merged.sum += stats.sum;
      merged.count += stats.count;
    }
  }

  std::string out;
  out.reserve(256 + requests.size() * 96 + durations.size() * 1400);
  out +=
      "# HELP limpide_http_requests_total HTTP requests answered, by method, route and status.\n";
  out += "# TYPE limpide_http_requests_total counter\n";
  for (const auto& [key, count] : requests) {
    const auto& [route, method, status] = key;
    out += "limpide_http_requests_total{method=\"";
    AppendLabelValue(out, method);
    out += "\",route=\"";
    AppendLabelValue(out, route);
    out += "\",status=\"";
    out += std::to_string(status);
    out += "\"} ";
    out += std::to_string(count);
    out += '\n';
  }

  out +=
      "# HELP limpide_http_request_duration_seconds Time from the first byte of a request to "
      "the last byte of its response.\n";
  out += "# TYPE limpide_http_request_duration_seconds histogram\n";
  for (const auto& [route, stats] : durations) {
    std::string labels = "route=\"";
    AppendLabelValue(labels, route);
    labels += '"';
    uint64_t cumulative = 0;
    for (size_t i = 0; i < stats.buckets.size(); ++i) {
      cumulative += stats.buckets[i];
      out += "limpide_http_request_duration_seconds_bucket{";
      out += labels;
      out += ",le=\"";
      if (i < kBuckets.size()) {
        AppendNumber(out, kBuckets[i]);
      } else {
        out += "+Inf";
      }
      out += "\"} ";
      out += std::to_string(cumulative);
      out += '\n';
    }
    out += "limpide_http_request_duration_seconds_sum{" + labels + "} ";
    AppendNumber(out, stats.sum);
    out += '\n';
    out += "limpide_http_request_duration_seconds_count{" + labels + "} ";
    out += std::to_string(stats.count);
    out += '\n';
  }

  out += "# HELP limpide_http_connections_open Client connections currently open.\n";
  out += "# TYPE limpide_http_connections_open gauge\n";
  out += "limpide_http_connections_open ";
  out += std::to_string(g_connections_open.load(std::memory_order_relaxed));
  out += '\n';
  out +=
      "# HELP limpide_http_connections_rejected_total Connections closed at once because the "
      "connection cap was reached.\n";
  out += "# TYPE limpide_http_connections_rejected_total counter\n";
  out += "limpide_http_connections_rejected_total ";
  out += std::to_string(g_connections_rejected.load(std::memory_order_relaxed));
  out += '\n';
  return out;
}

}  // namespace limpide::http
