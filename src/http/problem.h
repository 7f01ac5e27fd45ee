// application/problem+json (RFC 9457) responses.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "http/server.h"

namespace limpide::http {

// HTTP status for an error code: invalid_argument 400, unauthenticated 401,
// permission_denied 403, not_found 404, conflict 409, failed_precondition 409,
// resource_exhausted 429, unavailable 503, internal 500.
int HttpStatusFor(ErrorCode code);

// {"type": "/problems/<code>" (a relative URI reference; code is
//  ErrorCodeName), "title" (the standard phrase of the HTTP status), "status",
//  "detail" (the status message), "instance" (the request target), and "field"
//  when the status names one}. Content-Type application/problem+json; a 503
//  also carries Retry-After: 1.
Response Problem(const Status& status, const std::string& instance);
// Same with an explicit HTTP status (413, 431, 405, 429…) and problem code
// ("content_too_large"…), used as "/problems/<code>".
Response Problem(int http_status, std::string_view code, const std::string& detail,
                 const std::string& instance, const std::string& field = {});

// JSON response with Content-Type application/json.
Response Json(int status, std::string body);

}  // namespace limpide::http
