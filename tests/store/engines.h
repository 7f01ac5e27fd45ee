// The store engines the conformance suite runs against. Each one knows how
// to make a fresh empty store and how to clean it up. SQLite always runs;
// PostgreSQL runs when LIMPIDE_TEST_POSTGRES is the libpq URL of a server
// where the test user may CREATE DATABASE (./dev test starts a throw-away
// cluster with scripts/pg-test-cluster.sh and sets it).
#pragma once

#include <postgresql/libpq-fe.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <ostream>
#include <random>
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

// The server URL for PostgreSQL tests, or "" when they are not configured.
inline std::string PostgresTestServer() {
  const char* url = std::getenv("LIMPIDE_TEST_POSTGRES");
  return url ? url : "";
}

// `url` with its database name replaced by `dbname` (libpq URI form:
// postgresql://user@host:port/db?params).
inline std::string PostgresUrlWithDatabase(const std::string& url, const std::string& dbname) {
  const size_t scheme = url.find("://");
  if (scheme == std::string::npos) throw std::runtime_error("not a PostgreSQL URI: " + url);
  const size_t query = url.find('?', scheme + 3);
  const size_t slash = url.find('/', scheme + 3);
  const std::string params = query == std::string::npos ? "" : url.substr(query);
  const size_t end_of_authority = std::min(slash, query == std::string::npos ? url.size() : query);
  return url.substr(0, end_of_authority) + "/" + dbname + params;
}

// Runs one statement on `url` (its rows are ignored); throws with the server's message on failure.
inline void PostgresExec(const std::string& url, const std::string& sql) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    const std::string why = PQerrorMessage(conn);
    PQfinish(conn);
    throw std::runtime_error("cannot connect to " + url + ": " + why);
  }
  PGresult* res = PQexec(conn, sql.c_str());
  const bool ok = PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK;
  const std::string why = ok ? "" : PQresultErrorMessage(res);
  PQclear(res);
  PQfinish(conn);
  if (!ok) throw std::runtime_error(sql + ": " + why);
}

inline std::string PostgresDatabaseOf(const std::string& url) {
  const size_t slash = url.find('/', url.find("://") + 3);
  const size_t query = url.find('?', slash);
  return url.substr(slash + 1, query == std::string::npos ? std::string::npos : query - slash - 1);
}

// Each store is a fresh database with a random name on the test server.
inline Engine PostgresEngine(const std::string& server) {
  Engine e;
  e.name = "Postgres";
  e.new_url = [server] {
    static thread_local std::mt19937_64 random{std::random_device{}()};
    char name[40];
    std::snprintf(name, sizeof name, "limpide_test_%016llx",
                  static_cast<unsigned long long>(random()));
    PostgresExec(server, std::string("CREATE DATABASE ") + name);
    return PostgresUrlWithDatabase(server, name);
  };
  e.remove = [server](const std::string& url) {
    PostgresExec(server, "DROP DATABASE IF EXISTS " + PostgresDatabaseOf(url) + " WITH (FORCE)");
  };
  e.record_migration = [](const std::string& url, int version) {
    PostgresExec(url, "INSERT INTO schema_migrations (version, applied_at) VALUES (" +
                          std::to_string(version) + ", '2099-01-01T00:00:00Z')");
  };
  return e;
}

inline std::vector<Engine> AllEngines() {
  std::vector<Engine> engines = {SqliteEngine()};
  if (const std::string server = PostgresTestServer(); !server.empty()) {
    engines.push_back(PostgresEngine(server));
  }
  return engines;
}

}  // namespace limpide::store::testing
