// The SQLite engine of the Store. Private to store/: OpenStore is the way in.
#pragma once

#include <memory>
#include <string>

#include "base/result.h"
#include "store/store.h"

namespace limpide::store::sqlite {

// Opens (creating if needed) the SQLite file at `path` in WAL mode and applies
// pending migrations. See store.h OpenStore for the errors.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path);

}  // namespace limpide::store::sqlite
