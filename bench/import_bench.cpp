// Import rate of the real DECP files repeated to >= 100,000 records, beside a
// minimal raw SQLite loop inserting the same rows, in the same run.
//
//   build/import_bench [SHARED_DATA_DIR] [REPEAT=12] [RUNS=3]
//
// Prints one line per run and the medians; the target (issue 2) is an import
// rate of at least 50% of the raw rate. Two raw baselines run in each round:
// the issue-2 loop (contract and holder rows only, as the issue was written)
// and a loop inserting exactly the rows our import left in its store (every
// table, the ledger included, with the same indexes), read back beforehand.
#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/importer.h"
#include "formats/decp.h"
#include "store/first_load.h"

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// Writes a DECP 1.x file holding the real records `repeat` times, with ids
// suffixed so that every record is a distinct contract.
int64_t MakeBigFile(const std::string& shared, int repeat, const fs::path& out) {
  std::vector<json> records;
  for (const char* f : {"/decp/real-2019-decp-rama/marches-publics.info.json",
                        "/decp/real-2019-decp-rama/data.gouv.fr_aife.json"}) {
    std::ifstream in(shared + f);
    json doc = json::parse(in);
    for (auto& r : doc["marches"]) records.push_back(std::move(r));
  }
  json all = json::array();
  for (int rep = 0; rep < repeat; ++rep) {
    for (const auto& r : records) {
      json copy = r;
      if (copy.contains("id") && copy["id"].is_string()) {
        copy["id"] = copy["id"].get<std::string>() + "-r" + std::to_string(rep);
      }
      all.push_back(std::move(copy));
    }
  }
  std::ofstream(out) << json{{"marches", all}}.dump(-1, ' ', false, json::error_handler_t::replace);
  return static_cast<int64_t>(all.size());
}

// Both raw loops write a fresh file as a first load does (store/first_load.h:
// rollback journal in memory, no fsync per commit) and are timed until the
// file is closed and synced, as the import is until FinishFirstLoad returns.
constexpr const char* kFirstLoadPragmas =
    "PRAGMA journal_mode=MEMORY; PRAGMA synchronous=OFF; PRAGMA cache_size=-65536;";

void SyncFile(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    (void)::fsync(fd);
    ::close(fd);
  }
}

// The raw baseline: the same accepted contracts, inserted with one prepared
// statement per table in one transaction, nothing else.
double RawSqlite(const std::vector<limpide::domain::Contract>& contracts, const fs::path& db_path) {
  fs::remove(db_path);
  sqlite3* db = nullptr;
  sqlite3_open(db_path.c_str(), &db);
  sqlite3_exec(db, kFirstLoadPragmas, nullptr, nullptr, nullptr);
  sqlite3_exec(db,
               "CREATE TABLE c(uid TEXT PRIMARY KEY, id TEXT, buyer TEXT, object TEXT, cpv TEXT,"
               " amount INTEGER, notified TEXT, extra TEXT);"
               "CREATE TABLE h(uid TEXT, pos INTEGER, id TEXT, name TEXT, PRIMARY KEY(uid,pos));",
               nullptr, nullptr, nullptr);
  sqlite3_stmt* ins = nullptr;
  sqlite3_stmt* hol = nullptr;
  sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO c VALUES(?,?,?,?,?,?,?,?)", -1, &ins, nullptr);
  sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO h VALUES(?,?,?,?)", -1, &hol, nullptr);
  const auto start = Clock::now();
  sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
  for (const auto& c : contracts) {
    sqlite3_bind_text(ins, 1, c.uid.data(), static_cast<int>(c.uid.size()), SQLITE_STATIC);
    sqlite3_bind_text(ins, 2, c.id.data(), static_cast<int>(c.id.size()), SQLITE_STATIC);
    sqlite3_bind_text(ins, 3, c.buyer_id.data(), static_cast<int>(c.buyer_id.size()),
                      SQLITE_STATIC);
    sqlite3_bind_text(ins, 4, c.object.data(), static_cast<int>(c.object.size()), SQLITE_STATIC);
    sqlite3_bind_text(ins, 5, c.cpv.data(), static_cast<int>(c.cpv.size()), SQLITE_STATIC);
    sqlite3_bind_int64(ins, 6, c.amount ? c.amount->cents : 0);
    sqlite3_bind_text(ins, 7, "2019-01-01", -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 8, c.extra_json.data(), static_cast<int>(c.extra_json.size()),
                      SQLITE_STATIC);
    sqlite3_step(ins);
    sqlite3_reset(ins);
    for (size_t i = 0; i < c.holders.size(); ++i) {
      sqlite3_bind_text(hol, 1, c.uid.data(), static_cast<int>(c.uid.size()), SQLITE_STATIC);
      sqlite3_bind_int64(hol, 2, static_cast<int64_t>(i));
      sqlite3_bind_text(hol, 3, c.holders[i].id.data(), static_cast<int>(c.holders[i].id.size()),
                        SQLITE_STATIC);
      sqlite3_bind_text(hol, 4, c.holders[i].name.data(),
                        static_cast<int>(c.holders[i].name.size()), SQLITE_STATIC);
      sqlite3_step(hol);
      sqlite3_reset(hol);
    }
  }
  sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  sqlite3_finalize(ins);
  sqlite3_finalize(hol);
  sqlite3_close(db);
  SyncFile(db_path);
  return Seconds(start);
}

// Every row of every table of the store at `from`, read into memory.
struct TableRows {
  std::string create;                 // CREATE TABLE statement
  std::string insert;                 // INSERT with one parameter per column
  std::vector<sqlite3_value*> cells;  // row-major; owned (sqlite3_value_dup)
  int columns = 0;
};
struct StoreRows {
  std::vector<TableRows> tables;
  std::vector<std::string> indexes;  // CREATE INDEX statements, run after the rows
  int64_t rows = 0;
  ~StoreRows() {
    for (auto& t : tables)
      for (auto* v : t.cells) sqlite3_value_free(v);
  }
};

void ReadStoreRows(const fs::path& from, StoreRows& out) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(from.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* schema = nullptr;
  sqlite3_prepare_v2(db,
                     "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name "
                     "NOT LIKE 'sqlite_%' ORDER BY type DESC",
                     -1, &schema, nullptr);
  while (sqlite3_step(schema) == SQLITE_ROW) {
    const std::string type = reinterpret_cast<const char*>(sqlite3_column_text(schema, 0));
    const std::string name = reinterpret_cast<const char*>(sqlite3_column_text(schema, 1));
    const std::string sql = reinterpret_cast<const char*>(sqlite3_column_text(schema, 2));
    if (type == "index") {
      out.indexes.push_back(sql);
      continue;
    }
    if (type != "table") continue;
    TableRows t;
    t.create = sql;
    sqlite3_stmt* all = nullptr;
    sqlite3_prepare_v2(db, ("SELECT * FROM \"" + name + "\"").c_str(), -1, &all, nullptr);
    t.columns = sqlite3_column_count(all);
    t.insert = "INSERT INTO \"" + name + "\" VALUES (";
    for (int i = 0; i < t.columns; ++i) t.insert += i ? ",?" : "?";
    t.insert += ")";
    while (sqlite3_step(all) == SQLITE_ROW) {
      for (int i = 0; i < t.columns; ++i) t.cells.push_back(sqlite3_value_dup(sqlite3_column_value(all, i)));
      ++out.rows;
    }
    sqlite3_finalize(all);
    out.tables.push_back(std::move(t));
  }
  sqlite3_finalize(schema);
  sqlite3_close(db);
}

// The same-rows baseline: the rows of `rows` inserted with one prepared
// statement per table in one transaction into a fresh file (the pragmas of a
// first load), secondary indexes built after the rows. Returns seconds.
double RawSameRows(const StoreRows& rows, const fs::path& db_path) {
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db_path.string() + suffix);
  sqlite3* db = nullptr;
  sqlite3_open(db_path.c_str(), &db);
  sqlite3_exec(db, kFirstLoadPragmas, nullptr, nullptr, nullptr);
  for (const auto& t : rows.tables) sqlite3_exec(db, t.create.c_str(), nullptr, nullptr, nullptr);
  const auto start = Clock::now();
  sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
  for (const auto& t : rows.tables) {
    sqlite3_stmt* ins = nullptr;
    sqlite3_prepare_v2(db, t.insert.c_str(), -1, &ins, nullptr);
    for (size_t at = 0; at < t.cells.size(); at += static_cast<size_t>(t.columns)) {
      for (int i = 0; i < t.columns; ++i) sqlite3_bind_value(ins, i + 1, t.cells[at + static_cast<size_t>(i)]);
      if (sqlite3_step(ins) != SQLITE_DONE) {
        std::fprintf(stderr, "raw insert failed: %s\n", sqlite3_errmsg(db));
        std::exit(1);
      }
      sqlite3_reset(ins);
    }
    sqlite3_finalize(ins);
  }
  for (const auto& sql : rows.indexes) sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
  sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  SyncFile(db_path);
  return Seconds(start);
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const std::string shared = argc > 1 ? argv[1] : "../shared/data";
  const int repeat = argc > 2 ? std::atoi(argv[2]) : 12;
  const int runs = argc > 3 ? std::atoi(argv[3]) : 3;
  const fs::path dir = fs::temp_directory_path() / "limpide-import-bench";
  fs::create_directories(dir);
  const fs::path big = dir / "big.json";
  const int64_t records = MakeBigFile(shared, repeat, big);
  std::printf("input: %lld records, %.1f MB\n", static_cast<long long>(records),
              static_cast<double>(fs::file_size(big)) / 1e6);

  // The rows the raw loop inserts: exactly the accepted contracts.
  std::vector<limpide::domain::Contract> contracts;
  limpide::Status read =
      limpide::formats::ReadDecpFile(big.string(), [&](limpide::formats::DecpRecord&& r) {
        if (r.contract) contracts.push_back(std::move(*r.contract));
        return limpide::Status::Ok();
      });
  if (!read.ok()) {
    std::fprintf(stderr, "cannot read %s: %s\n", big.c_str(), read.ToString().c_str());
    return 1;
  }

  std::vector<double> ours, raw, same;
  for (int run = 0; run < runs; ++run) {
    const fs::path db = dir / "bench.db";
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db.string() + suffix);
    double s = 0;
    int64_t inserted = 0;
    {
      // As `limpide import` into a new data directory: a first load, timed
      // until the store is in WAL mode, synced and in place.
      const auto start = Clock::now();
      auto store = limpide::store::OpenFirstLoad(db.string() + ".loading");
      if (!store.ok()) return 1;
      limpide::app::Importer importer(**store);
      auto report = importer.Import({big.string()}, {});
      const limpide::Status finished = limpide::store::FinishFirstLoad(std::move(*store), db.string());
      s = Seconds(start);
      if (!report.ok() || !report->ok() || !finished.ok()) {
        std::fprintf(stderr, "import failed\n");
        return 1;
      }
      inserted = report->totals.inserted;
    }
    ours.push_back(static_cast<double>(records) / s);
    const double raw_s = RawSqlite(contracts, dir / "raw.db");
    raw.push_back(static_cast<double>(contracts.size()) / raw_s);
    // The same rows as the store holds now, inserted raw (records/s, as ours).
    StoreRows rows;
    ReadStoreRows(db, rows);
    const double same_s = RawSameRows(rows, dir / "same.db");
    same.push_back(static_cast<double>(records) / same_s);
    std::printf(
        "run %d: limpide import %.0f records/s (%.2f s, %lld inserted) | issue-2 raw loop %.0f "
        "rows/s (%.2f s) | same %lld rows raw %.0f records/s (%.2f s)\n",
        run + 1, ours.back(), s, static_cast<long long>(inserted), raw.back(), raw_s,
        static_cast<long long>(rows.rows), same.back(), same_s);
  }
  const double m_ours = Median(ours), m_raw = Median(raw), m_same = Median(same);
  std::printf(
      "median: limpide import %.0f records/s, issue-2 raw loop %.0f rows/s (ratio %.0f%%, target "
      ">= 50%%), same rows raw %.0f records/s (ratio %.0f%%)\n",
      m_ours, m_raw, 100.0 * m_ours / m_raw, m_same, 100.0 * m_ours / m_same);
  fs::remove_all(dir);
  return 0;
}
