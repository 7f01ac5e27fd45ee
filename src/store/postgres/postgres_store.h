// The PostgreSQL engine of the Store. Private to store/: OpenStore is the way in.
#pragma once

#include <memory>
#include <string>

#include "base/result.h"
#include "store/store.h"

namespace limpide::store::postgres {

// Connects to the database at `url` (a libpq URI: postgresql://user@host:port/db)
// and applies pending migrations. invalid_argument when the URL does not
// parse; unavailable when the server cannot be reached; failed_precondition
// when the schema is newer than this binary.
Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url);

}  // namespace limpide::store::postgres
