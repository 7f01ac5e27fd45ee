// A small blocking HTTP/1.1 client on plain sockets: one request per
// connection (Connection: close), http:// or https:// (TLS with the peer's
// certificate verified, http/connection.h), bounded by one deadline for
// connecting, writing and reading. Used by `limpide tender …` (the CLI acting
// through the API) and by alert webhooks. Never throws.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace limpide::http {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct ClientRequest {
  std::string method = "GET";
  std::string url;     // http[s]://HOST[:PORT]/path?query
  HeaderList headers;  // Host, Content-Length and Connection are added
  std::string body;
  std::chrono::milliseconds timeout{30'000};        // for the whole exchange
  uint64_t max_response_bytes = uint64_t{1} << 30;  // a longer body is resource_exhausted
  bool head_only = false;  // returns once the head is read: the body is neither read nor checked
};

struct ClientResponse {
  int status = 0;
  std::string reason;
  HeaderList headers;  // as received, in order
  std::string body;    // de-chunked
  // The value of the first header named `name` (case-insensitive), or null.
  const std::string* Header(std::string_view name) const;
};

// Sends `request` and reads the whole response. unavailable when the server
// cannot be reached, does not answer within the timeout ("timed out") or
// answers something that is not HTTP/1.x (the reason says what);
// invalid_argument for a URL that is not http[s]://HOST[:PORT]/…; unavailable
// also when the TLS handshake or the certificate check fails (the reason says
// which);
// resource_exhausted for a body beyond max_response_bytes. Any HTTP status is
// a successful exchange: the caller reads `status`.
Result<ClientResponse> Fetch(const ClientRequest& request);

// The parts of an http:// or https:// URL. The target is "/" when the URL has
// no path; the fragment is dropped.
struct HttpUrl {
  bool tls = false;  // https://
  std::string host;  // without brackets for IPv6
  uint16_t port = 80;  // 443 for https:// without a port
  std::string authority;  // as written: the Host header
  std::string target;     // path and query
};
// invalid_argument when `url` is not http[s]://HOST[:PORT][/…].
Result<HttpUrl> ParseHttpUrl(std::string_view url);

// "HOST:PORT" -> (host, port); invalid_argument otherwise. "[::1]:25" gives "::1".
Result<std::pair<std::string, uint16_t>> ParseHostPort(std::string_view text);

// Reads an HTTP/1.x response from the bytes received so far (`data`);
// `closed` when the peer has closed the connection, so nothing more comes.
// Returns the response once it is whole, nullopt when more bytes are needed,
// unavailable for a malformed one (bad status line, header without a colon,
// bad or conflicting Content-Length, bad chunk sizes, bytes cut short at the
// close), resource_exhausted for a head beyond 64 KiB or a body beyond
// `max_body`. Interim 1xx responses are skipped; 204 and 304 have no body;
// without Content-Length or chunked coding the body runs to the close. Exposed
// for tests and the fuzz target.
Result<std::optional<ClientResponse>> ParseResponse(std::string_view data, bool closed,
                                                    uint64_t max_body = uint64_t{1} << 30);

}  // namespace limpide::http
