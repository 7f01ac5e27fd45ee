// Request metrics in Prometheus text format. Thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace limpide::http {

// Records one finished request. Methods outside the standard set are counted
// as "OTHER" so that clients cannot create series at will.
void RecordRequest(std::string_view method, std::string_view route, int status, double seconds);
// Prometheus exposition text (version 0.0.4): limpide_http_requests_total by
// route and status, limpide_http_request_duration_seconds histogram by route,
// limpide_http_connections_open, limpide_http_connections_rejected_total.
std::string MetricsText();
// limpide_http_connections_open gauge.
void ConnectionOpened();
void ConnectionClosed();
// limpide_http_connections_rejected_total: connections refused because
// ServerOptions::max_connections were open.
void ConnectionRejected();

}  // namespace limpide::http
