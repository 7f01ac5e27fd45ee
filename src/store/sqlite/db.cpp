#include "store/sqlite/db.h"

#include <mutex>

namespace limpide::store::sqlite {
namespace {
// Enough for every distinct listing query (one per combination of filters
// actually used); beyond it the cache starts over.
constexpr size_t kMaxCachedStatements = 256;
constexpr int kBusyTimeoutMs = 10000;
}  // namespace

Status SqliteError(sqlite3* db, int rc, std::string_view what) {
  std::string msg(what);
  msg += ": ";
  msg += db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_READONLY:
      return Status::Unavailable(std::move(msg));
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      return Status::FailedPrecondition(std::move(msg));
    case SQLITE_CONSTRAINT:
      return Status::Conflict(std::move(msg));
    default:
      return Status::Internal(std::move(msg));
  }
}

Result<bool> Query::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteError(sqlite3_db_handle(stmt_), rc, "step");
}

Status Query::Run() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_DONE || rc == SQLITE_ROW) return Status::Ok();
  return SqliteError(sqlite3_db_handle(stmt_), rc, "step");
}

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path, bool create) {
  // Memory statistics take a process-wide mutex on every SQLite allocation,
  // which all reader threads contend for; we never read them. Only possible
  // before SQLite initialises (otherwise SQLITE_MISUSE, harmless: the
  // statistics merely stay on).
  static std::once_flag configured;
  std::call_once(configured, [] { (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
  sqlite3* db = nullptr;
  // NOMUTEX: a connection is used by one thread at a time (the writer under
  // the write mutex, readers through the pool).
  const int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) |
                    SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = "cannot open " + path + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close_v2(db);
    return Status::Unavailable(std::move(msg));
  }
  std::unique_ptr<Connection> conn(new Connection(db));
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  sqlite3_extended_result_codes(db, 1);
  LIMPIDE_RETURN_IF_ERROR(conn->Exec("PRAGMA foreign_keys = ON"));
  // FULL: each commit is on disk before it returns (a receipt acknowledges a
  // deposit; it must survive a power cut). Imports commit per file, so the
  // cost is one fsync per batch there.
  LIMPIDE_RETURN_IF_ERROR(conn->Exec("PRAGMA synchronous = FULL"));
  // The default 2 MiB page cache makes random-uid inserts and index walks go
  // to the OS for pages; memory-mapped reads avoid a copy per page.
  LIMPIDE_RETURN_IF_ERROR(conn->Exec("PRAGMA cache_size = -65536"));     // 64 MiB
  LIMPIDE_RETURN_IF_ERROR(conn->Exec("PRAGMA mmap_size = 1073741824"));  // 1 GiB
  LIMPIDE_RETURN_IF_ERROR(conn->Exec("PRAGMA temp_store = MEMORY"));
  return conn;
}

Connection::~Connection() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

void Connection::TrimCache() {
  if (cache_.size() < kMaxCachedStatements) return;
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  cache_.clear();
}

Status Connection::Exec(const char* sql) {
  char* err = nullptr;
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return Status::Ok();
  sqlite3_free(err);
  return SqliteError(db_, rc, sql);
}

Result<sqlite3_stmt*> Connection::Prepare(const std::string& sql) {
  if (auto it = cache_.find(sql); it != cache_.end()) return it->second;
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return SqliteError(db_, rc, "prepare");
  cache_.emplace(sql, stmt);
  return stmt;
}

Result<std::string> Connection::QueryText(const char* sql) {
  auto stmt = Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  Query q(*stmt);
  auto row = q.Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::string();
  return std::string(q.Text(0));
}

}  // namespace limpide::store::sqlite
