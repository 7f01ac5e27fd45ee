// Bulk export routes: GET /api/v1/export/decp.json and /api/v1/export/decp.xml
// (DECP 2.x, streamed, filters as /api/v1/contracts; docs/export.md).
#pragma once

#include "app/catalogue.h"
#include "http/router.h"

namespace limpide::api {

// Adds the export routes to `router`. `catalogue` must outlive the router.
void RegisterExport(http::Router& router, const app::Catalogue& catalogue);

}  // namespace limpide::api
