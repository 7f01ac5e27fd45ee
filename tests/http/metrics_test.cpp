// Prometheus text of the request metrics.
#include "http/metrics.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace limpide::http {
namespace {

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Metrics are process-wide: each test counts on its own route, fresh on
// every run (--gtest_repeat).
std::string FreshRoute(const std::string& base) {
  static int runs = 0;
  return base + "-" + std::to_string(++runs);
}

TEST(MetricsTest, RequestsAreCountedByMethodRouteAndStatus) {
  const std::string route = FreshRoute("/m1/{id}");
  RecordRequest("GET", route, 200, 0.0003);
  RecordRequest("GET", route, 200, 0.02);
  RecordRequest("GET", route, 404, 3.0);
  const std::string text = MetricsText();
  EXPECT_TRUE(Contains(text, "# TYPE limpide_http_requests_total counter\n"));
  EXPECT_TRUE(Contains(text, "# HELP limpide_http_requests_total "));
  EXPECT_TRUE(Contains(text, "limpide_http_requests_total{method=\"GET\",route=\"" + route +
                                 "\",status=\"200\"} 2\n"));
  EXPECT_TRUE(Contains(text, "limpide_http_requests_total{method=\"GET\",route=\"" + route +
                                 "\",status=\"404\"} 1\n"));
}

TEST(MetricsTest, DurationHistogramHasCumulativeBucketsSumAndCount) {
  const std::string route = FreshRoute("/m2");
  RecordRequest("GET", route, 200, 0.0003);
  RecordRequest("GET", route, 200, 0.02);
  RecordRequest("GET", route, 200, 3.0);
  const std::string text = MetricsText();
  EXPECT_TRUE(Contains(text, "# TYPE limpide_http_request_duration_seconds histogram\n"));
  const std::string b =
      "limpide_http_request_duration_seconds_bucket{route=\"" + route + "\",le=\"";
  EXPECT_TRUE(Contains(text, b + "0.0005\"} 1\n"));
  EXPECT_TRUE(Contains(text, b + "0.01\"} 1\n"));
  EXPECT_TRUE(Contains(text, b + "0.025\"} 2\n"));
  EXPECT_TRUE(Contains(text, b + "2.5\"} 2\n"));
  EXPECT_TRUE(Contains(text, b + "+Inf\"} 3\n"));
  EXPECT_TRUE(Contains(
      text, "limpide_http_request_duration_seconds_sum{route=\"" + route + "\"} 3.0203\n"));
  EXPECT_TRUE(
      Contains(text, "limpide_http_request_duration_seconds_count{route=\"" + route + "\"} 3\n"));
}

TEST(MetricsTest, UnknownMethodsAreGroupedAndEmptyRouteIsUnmatched) {
  RecordRequest("BREW", "", 405, 0.001);
  const std::string text = MetricsText();
  EXPECT_TRUE(Contains(
      text, "limpide_http_requests_total{method=\"OTHER\",route=\"unmatched\",status=\"405\"}"));
  EXPECT_FALSE(Contains(text, "BREW"));
}

TEST(MetricsTest, LabelValuesAreEscaped) {
  RecordRequest("GET", "/q\"uote\\", 200, 0.001);
  EXPECT_TRUE(Contains(MetricsText(), "route=\"/q\\\"uote\\\\\""));
}

TEST(MetricsTest, ConnectionGaugeFollowsOpensAndCloses) {
  const auto open_value = [] {
    const std::string text = MetricsText();
    const std::string key = "\nlimpide_http_connections_open ";
    const size_t at = text.find(key);
    return std::stol(text.substr(at + key.size()));
  };
  const long before = open_value();
  ConnectionOpened();
  ConnectionOpened();
  ConnectionClosed();
  EXPECT_EQ(open_value(), before + 1);
  ConnectionClosed();
  EXPECT_TRUE(Contains(MetricsText(), "# TYPE limpide_http_connections_open gauge\n"));
}

TEST(MetricsTest, ConcurrentRecordingLosesNothing) {
  const std::string route = FreshRoute("/m3");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&route] {
      for (int i = 0; i < 10'000; ++i) RecordRequest("POST", route, 201, 0.001);
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_TRUE(Contains(MetricsText(), "limpide_http_requests_total{method=\"POST\",route=\"" +
                                          route + "\",status=\"201\"} 40000\n"));
}

}  // namespace
}  // namespace limpide::http
