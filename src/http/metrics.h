// Request metrics in Prometheus text format. Thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace limpide::http {

// Records one finished request.
void RecordRequest(std::string_view method, std::string_view route, int status,
                   double seconds);
// Prometheus exposition text (version 0.0.4): limpide_http_requests_total by
// route and status, limpide_http_request_duration_seconds histogram by route,
// limpide_http_connections_open.
std::string MetricsText();
void ConnectionOpened();
void ConnectionClosed();

}  // namespace limpide::http
