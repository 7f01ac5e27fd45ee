// application/problem+json (RFC 9457) responses.
#pragma once

#include <string>

#include "base/result.h"
#include "http/server.h"

namespace limpide::http {

// HTTP status for an error code: invalid_argument 400, unauthenticated 401,
// permission_denied 403, not_found 404, conflict 409, failed_precondition 409,
// resource_exhausted 429, unavailable 503, internal 500.
int HttpStatusFor(ErrorCode code);

// {"type": "https://limpide.fr/problems/<code>", "title", "status", "detail",
//  "instance", and "field" when the status names one}.
Response Problem(const Status& status, const std::string& instance);
// Same with an explicit HTTP status (413, 431, 405, 429…).
Response Problem(int http_status, std::string_view code, const std::string& detail,
                 const std::string& instance, const std::string& field = {});

// JSON response with Content-Type application/json.
Response Json(int status, std::string body);

}  // namespace limpide::http
