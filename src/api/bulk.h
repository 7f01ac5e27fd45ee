// Bulk open data over HTTP (docs/bulk.md): the index of the full dump and
// the daily deltas, and their files, served from disk with Content-Length,
// Range and ETag (the SHA-256), whatever the size.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "app/bulk.h"
#include "http/router.h"

namespace limpide::api {

// GET /api/v1/bulk (the index as JSON), /api/v1/bulk/full/{file} and
// /api/v1/bulk/daily/{day}/{file}, where file is decp.json, ocds.jsonl,
// contracts.csv or one of them + ".sha256". `bulk_dir` is the directory
// BulkPublisher writes.
void RegisterBulkApi(http::Router& router, const std::string& bulk_dir);

// The index with the URL of every file, as GET /api/v1/bulk serves it.
nlohmann::json BulkIndexJson(const app::BulkIndex& index);

}  // namespace limpide::api
