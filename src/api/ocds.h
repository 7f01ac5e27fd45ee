// OCDS 1.1 endpoints: release packages of the contract listing and record
// packages of one contract (docs/api.md, docs/ocds-mapping.md).
#pragma once

#include "app/catalogue.h"
#include "http/router.h"

namespace limpide::api {

// GET /api/v1/ocds/releases and GET /api/v1/ocds/records/{ocid}. The ocid
// prefix comes from the environment variable LIMPIDE_OCDS_PREFIX (default
// formats::ocds::kDefaultOcidPrefix, a placeholder).
void RegisterOcds(http::Router& router, const app::Catalogue& catalogue);

}  // namespace limpide::api
