// Versioned schema migrations of the SQLite engine (docs/storage.md).
// Private to store/sqlite/.
#pragma once

#include <span>
#include <string_view>

#include "base/result.h"
#include "store/sqlite/db.h"

namespace limpide::store::sqlite {

// Migration N (1-based) is Migrations()[N-1]. Append only: a released
// migration is never edited, a change is a new migration.
std::span<const std::string_view> Migrations();

// Applies every pending migration, each in its own IMMEDIATE transaction that
// also records it in schema_migrations. Returns the resulting version.
// failed_precondition when the file's version is newer than Migrations().
Result<int> Migrate(Connection& conn);

}  // namespace limpide::store::sqlite
