// The public read API v1 (docs/api.md) and the operational endpoints
// (/healthz, /metrics). Handlers only translate HTTP <-> app services.
#pragma once

#include <string>

#include "app/catalogue.h"
#include "app/ledger.h"
#include "http/router.h"

namespace limpide::api {

// Adds GET /healthz, /metrics, /api/v1/… routes to `router`. `catalogue` must
// outlive the router.
void RegisterApi(http::Router& router, const app::Catalogue& catalogue);

// Adds GET /api/v1/ledger/{head,key,entries,dump,proof/inclusion,
// proof/consistency} and /api/v1/feed, /api/v1/feed/head. Long polls
// (feed?wait=) need `watcher`; without one, wait is ignored. Both must
// outlive the router.
void RegisterLedgerApi(http::Router& router, app::LedgerService& ledger,
                       app::LedgerWatcher* watcher);

// The OpenAPI 3.1 description served at /api/v1/openapi.json.
std::string OpenApiJson();

// Percent-encodes a query component (RFC 3986 unreserved kept).
std::string UrlEncode(std::string_view s);
// "?a=1&b=2" from pairs, skipping `skip` and empty values; "" when nothing.
std::string QueryString(const app::Params& params, std::string_view skip = {});

}  // namespace limpide::api
