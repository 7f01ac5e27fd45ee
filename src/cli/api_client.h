// Private to cli/: the platform's HTTP API as seen by `limpide tender …`
// (docs/cli.md). One request per call through http::Fetch, with the API token
// as a bearer credential; errors turned into one line for stderr.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "base/result.h"
#include "http/client.h"

namespace limpide::cli {

class ApiClient {
 public:
  // `server`: http://HOST[:PORT] (a trailing slash is dropped); `token`: an
  // API token, or empty for public reads. The token is sent, never shown.
  ApiClient(std::string server, std::string token, std::chrono::milliseconds timeout);

  // `method` on `server + path` (path begins with /api/v1/…, query included),
  // with `body` as `content_type` when not empty. Any HTTP status is a
  // success here; unavailable when the server cannot be reached (the reason
  // names the server, never the token).
  Result<http::ClientResponse> Call(const std::string& method, const std::string& path,
                                    std::string body = {}, std::string content_type = {}) const;

  // The same for endpoints that answer JSON: a status of 400 or more becomes
  // the error of ProblemStatus.
  Result<std::string> CallJson(const std::string& method, const std::string& path,
                               std::string body = {},
                               std::string content_type = "application/json") const;

  const std::string& server() const { return server_; }

 private:
  std::string server_;
  std::string token_;
  std::chrono::milliseconds timeout_;
};

// The error of a response of status 400 or more: its problem+json (RFC 9457)
// read as "STATUS TITLE: DETAIL (field FIELD)", or the status and the start of
// the body when it is not problem+json. The code follows the status (401
// unauthenticated, 403 permission_denied, 404 not_found, 409 conflict, 413
// and 429 resource_exhausted, 5xx unavailable, other 4xx invalid_argument).
Status ProblemStatus(const http::ClientResponse& response);

// Percent-encodes `s` for a path segment or a query value (RFC 3986 unreserved kept).
std::string Escape(std::string_view s);

}  // namespace limpide::cli
