// Thin RAII layer over the sqlite3 C API: a connection with a cache of
// prepared statements, and a statement handle that resets itself after use.
// Private to store/sqlite/.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/result.h"

namespace limpide::store::sqlite {

// Maps a SQLite result code to our error codes: busy/locked/can't open →
// unavailable, not a database/corrupt → failed_precondition, constraint →
// conflict, anything else → internal.
Status SqliteError(sqlite3* db, int rc, std::string_view what);

// A prepared statement owned by its Connection's cache. Use it through a
// Query, which binds, steps and resets it.
class Query {
 public:
  explicit Query(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~Query() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;

  // Parameters are numbered from 1.
  void Bind(int i, std::string_view s) {
    sqlite3_bind_text(stmt_, i, s.data(), static_cast<int>(s.size()), SQLITE_STATIC);
  }
  void BindTransient(int i, std::string_view s) {
    sqlite3_bind_text(stmt_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
  }
  void BindBlob(int i, const void* data, int size) {
    sqlite3_bind_blob(stmt_, i, data, size, SQLITE_STATIC);
  }
  void Bind(int i, int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  void BindNull(int i) { sqlite3_bind_null(stmt_, i); }
  // Binds text, or NULL when empty.
  void BindOrNull(int i, std::string_view s) {
    if (s.empty())
      BindNull(i);
    else
      Bind(i, s);
  }
  template <typename T>
  void BindOptional(int i, const std::optional<T>& v) {
    if (v)
      Bind(i, static_cast<int64_t>(*v));
    else
      BindNull(i);
  }

  // true: a row is available; false: done. Errors as Status.
  Result<bool> Step();
  // Steps a statement that returns no rows.
  Status Run();

  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  // The bytes of a TEXT column, not NUL-terminated. Read as a blob: SQLite
  // hands out the row's own bytes, where sqlite3_column_text copies each value
  // to append a terminator (a malloc and a copy per column and row).
  std::string_view Text(int col) const { return Blob(col); }
  std::string_view Blob(int col) const {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
    return p ? std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string_view();
  }
  sqlite3_stmt* raw() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_;
};

class Connection {
 public:
  // Opens `path` (creating it when `create`), sets the connection pragmas
  // (foreign keys, busy timeout, synchronous=NORMAL). unavailable on failure.
  static Result<std::unique_ptr<Connection>> Open(const std::string& path, bool create);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs SQL without parameters (DDL, pragmas, BEGIN/COMMIT).
  Status Exec(const char* sql);
  // A cached prepared statement for `sql` (prepared on first use).
  Result<sqlite3_stmt*> Prepare(const std::string& sql);
  // Empties the statement cache when it has grown too large. Call only when no
  // Query is alive on this connection (between operations).
  void TrimCache();
  // Runs a statement returning one text value (e.g. a pragma).
  Result<std::string> QueryText(const char* sql);

  sqlite3* raw() const { return db_; }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

}  // namespace limpide::store::sqlite
