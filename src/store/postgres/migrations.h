// Versioned schema migrations of the PostgreSQL engine (docs/storage.md).
// Version N means the same logical schema as the SQLite engine's version N.
// Private to store/postgres/.
#pragma once

#include <span>
#include <string_view>

#include "base/result.h"
#include "store/postgres/pg.h"

namespace limpide::store::postgres {

// Migration N (1-based) is Migrations()[N-1]. Append only: a released
// migration is never edited, a change is a new migration.
std::span<const std::string_view> Migrations();

// Applies every pending migration, each in its own transaction that holds the
// schema advisory lock (so that two processes opening one database apply it
// once) and records it in schema_migrations. Returns the resulting version.
// failed_precondition when the database's version is newer than Migrations().
Result<int> Migrate(Connection& conn);

// Key of the transaction-level advisory lock that serialises writers (and
// migrations) across processes sharing one database.
inline constexpr int64_t kWriteLockKey = 0x4c696d7069646501;  // "Limpide" 01

}  // namespace limpide::store::postgres
