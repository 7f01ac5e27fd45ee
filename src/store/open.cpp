#include <string_view>

#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store.h"

namespace limpide::store {

Result<std::unique_ptr<Store>> OpenStore(const std::string& url) {
  const std::string_view u(url);
  if (u.starts_with("sqlite:")) {
    std::string path(u.substr(7));
    // Tolerate the URI-like spelling "sqlite://PATH" as well.
    if (path.starts_with("//")) path.erase(0, 2);
    if (path.empty()) return Status::InvalidArgument("empty SQLite path in store URL", "store");
    return sqlite::OpenSqliteStore(path);
  }
  // libpq connection URIs, both spellings it accepts.
  if (u.starts_with("postgresql://") || u.starts_with("postgres://")) {
    return postgres::OpenPostgresStore(url);
  }
  // Anything else that looks like "scheme://" is a URL we do not know.
  if (const size_t colon = u.find("://"); colon != std::string_view::npos) {
    return Status::InvalidArgument("unsupported store URL", "store");
  }
  if (u.empty()) return Status::InvalidArgument("empty store URL", "store");
  return sqlite::OpenSqliteStore(url);
}

}  // namespace limpide::store
