// The HTTP/1.1 server. Boost.Beast and Asio stay inside http/*.cpp; the rest
// of the code sees only these plain types.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace limpide::http {

struct Request {
  std::string method;  // "GET"
  std::string target;  // "/api/v1/contracts?limit=2" as received
  std::string path;    // "/api/v1/contracts", percent-decoded
  // Query parameters, percent-decoded ('+' as space), in order of appearance.
  std::vector<std::pair<std::string, std::string>> query;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string remote_address;  // client IP
  // Path parameters filled by the Router ("uid" for /contracts/{uid}),
  // percent-decoded. Mutable so that Router::Handle(const Request&) can fill
  // them without copying the request.
  mutable std::map<std::string, std::string> params;

  // First value of query parameter `name`, or nullptr.
  const std::string* Query(std::string_view name) const;
  // Header value (name lower-case), or nullptr.
  const std::string* Header(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // Content-Type etc.
  std::string body;
  // When set, the body is sent with chunked transfer encoding: the server calls
  // `stream` repeatedly; each call appends the next piece to `out` and returns
  // false once there is nothing more (the last piece may be non-empty). Pieces
  // are written before the next call, so memory stays constant. Each piece is
  // one write: append a few KiB per call, not one row. Not called for HEAD.
  // An exception thrown here is logged and the connection is cut (the client
  // sees a truncated body).
  std::function<bool(std::string& out)> stream;
  // With `stream`: the exact length of the streamed body, sent as
  // Content-Length instead of chunked encoding (files on disk: clients see
  // the size and can resume with Range). -1: unknown, chunked. The stream must
  // produce exactly this many bytes; if it throws, the connection is cut.
  int64_t stream_length = -1;
  // When set, the server does not answer yet (long polling): it calls `defer`
  // once with a `resume` function, and sends the response given to resume.
  // Call resume exactly once, from any thread, and only while the server
  // runs (a waiter must be answered or dropped before the server is
  // destroyed). The rest of this Response is ignored.
  std::function<void(std::function<void(Response)> resume)> defer;
  // Route template for metrics and logs ("/api/v1/contracts/{uid}"), set by
  // the Router; "unmatched" otherwise.
  std::string route;

  void SetHeader(std::string name, std::string value);
};

using Handler = std::function<Response(const Request&)>;

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;                             // 0 picks a free port
  int threads = 0;                                  // 0 = one per core
  size_t max_header_bytes = 16 * 1024;              // larger: 431
  size_t max_body_bytes = 1024 * 1024;              // larger: 413
  std::chrono::milliseconds read_timeout{10'000};   // whole request, from its first byte
  std::chrono::milliseconds idle_timeout{30'000};   // keep-alive between requests
  std::chrono::milliseconds write_timeout{30'000};  // per write
  int max_connections = 1024;  // beyond: the connection is closed at once with 503
  // Per-client (remote IP) token bucket; rate_per_second 0 disables limiting.
  double rate_per_second = 50;
  double burst = 200;
  bool access_log = true;  // one JSON line per request on stderr
};

class Server {
 public:
  virtual ~Server() = default;
  // Starts listening and serving on background threads. unavailable when the
  // address cannot be bound. `handler` must be thread-safe; exceptions it
  // throws are logged and answered with a 500 problem+json.
  static Result<std::unique_ptr<Server>> Start(const ServerOptions& options, Handler handler);

  virtual uint16_t port() const = 0;
  // Blocks until Stop() is called or SIGTERM/SIGINT arrives (when
  // HandleSignals was called); then stops accepting, lets requests in flight
  // finish (up to 10 s) and returns. Never call it from a handler (it joins
  // the io threads).
  virtual void Wait() = 0;
  virtual void HandleSignals() = 0;
  virtual void Stop() = 0;
};

}  // namespace limpide::http
