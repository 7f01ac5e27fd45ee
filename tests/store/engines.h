// The store engines the conformance suite runs against. Each one knows how
// to make a fresh empty store and how to clean it up; PostgreSQL is appended
// here when its engine lands.
#pragma once

#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <functional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

namespace limpide::store::testing {

struct Engine {
  std::string name;
  // URL of a new, empty store; opening it twice opens the same store.
  std::function<std::string()> new_url;
  // Removes what new_url created.
  std::function<void(const std::string& url)> remove;
  // Records `version` as applied in the store's migration table, as a newer
  // binary would have done. The store must be closed.
  std::function<void(const std::string& url, int version)> record_migration;
};

inline void PrintTo(const Engine& e, std::ostream* os) { *os << e.name; }

inline std::string SqlitePathOf(const std::string& url) { return url.substr(7); }  // "sqlite:"

inline Engine SqliteEngine() {
  Engine e;
  e.name = "Sqlite";
  e.new_url = [] {
    std::string tmpl = (std::filesystem::temp_directory_path() / "limpide-store-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    return "sqlite:" + tmpl + "/store.db";
  };
  e.remove = [](const std::string& url) {
    std::error_code ec;
    std::filesystem::remove_all(std::filesystem::path(SqlitePathOf(url)).parent_path(), ec);
  };
  e.record_migration = [](const std::string& url, int version) {
    sqlite3* db = nullptr;
    if (sqlite3_open(SqlitePathOf(url).c_str(), &db) != SQLITE_OK) throw std::runtime_error("open");
    const std::string sql = "INSERT INTO schema_migrations (version, applied_at) VALUES (" +
                            std::to_string(version) + ", '2099-01-01T00:00:00Z')";
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
    sqlite3_close(db);
    if (rc != SQLITE_OK) throw std::runtime_error("record_migration");
  };
  return e;
}

inline std::vector<Engine> AllEngines() { return {SqliteEngine()}; }

}  // namespace limpide::store::testing
