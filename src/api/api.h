// The public read API v1 (docs/api.md) and the operational endpoints
// (/healthz, /metrics). Handlers only translate HTTP <-> app services.
#pragma once

#include <string>

#include "alerts/alerts.h"
#include "app/accounts.h"
#include "app/catalogue.h"
#include "app/ledger.h"
#include "app/procedure.h"
#include "http/router.h"
#include "search/search.h"

namespace limpide::api {

struct ApiOptions {
  // Budget of the rendered bodies of GET /api/v1/contracts/{uid} kept between
  // requests while the store does not change (docs/api.md, "Caching"); 0: none.
  size_t contract_cache_bytes = size_t{64} << 20;
};

// Adds GET /healthz, /metrics, /api/v1/… routes to `router`. `catalogue` must
// outlive the router.
void RegisterApi(http::Router& router, const app::Catalogue& catalogue,
                 const ApiOptions& options = {});

// Adds GET /api/v1/ledger/{head,key,entries,dump,proof/inclusion,
// proof/consistency} and /api/v1/feed, /api/v1/feed/head. Long polls
// (feed?wait=) need `watcher`; without one, wait is ignored. Both must
// outlive the router.
void RegisterLedgerApi(http::Router& router, app::LedgerService& ledger,
                       app::LedgerWatcher* watcher);

// Adds GET /api/v1/search: full-text search over the index that follows the
// ledger (docs/search.md); the answer says how far the index is behind the
// ledger. `index` and `store` must outlive the router.
void RegisterSearchApi(http::Router& router, search::Index& index, store::Store& store);

// Adds the accounts endpoints (docs/accounts.md): POST /api/v1/accounts,
// /api/v1/admin/users, POST and DELETE /api/v1/session, GET /api/v1/me,
// GET and POST /api/v1/me/tokens, DELETE /api/v1/me/tokens/{id}. `accounts`
// must outlive the router.
void RegisterAccountsApi(http::Router& router, app::Accounts& accounts);

// Adds the procedure's endpoints /api/v1/tenders… and /api/v1/me/notifications
// (docs/tenders.md). Both must outlive the router.
void RegisterTendersApi(http::Router& router, app::Procedures& procedures,
                        const app::Accounts& accounts);

// Adds the saved searches and alerts endpoints /api/v1/alerts… (docs/alerts.md):
// CRUD of a company user's saved searches, their matches and deliveries, and
// the Atom feed authenticated by the key in its URL. Both must outlive the
// router.
void RegisterAlertsApi(http::Router& router, alerts::Alerts& alerts,
                       const app::Accounts& accounts);

// The OpenAPI 3.1 description served at /api/v1/openapi.json.
std::string OpenApiJson();

// Percent-encodes a query component (RFC 3986 unreserved kept).
std::string UrlEncode(std::string_view s);
// "?a=1&b=2" from pairs, skipping `skip` and empty values; "" when nothing.
std::string QueryString(const app::Params& params, std::string_view skip = {});
// links.next of a paged answer: the request's path and query with `after`
// set to `cursor` (the cursor this page was read with is replaced).
std::string NextPageUrl(const http::Request& req, std::string_view cursor);
// The envelope of every list the API answers (docs/api.md, "Pagination"):
// {"data": items, "links": {"self": the request's target, "next":
// NextPageUrl(next) when `next` is a cursor string}}.
nlohmann::json ListEnvelope(nlohmann::json items, const nlohmann::json& next,
                            const http::Request& req);

}  // namespace limpide::api
