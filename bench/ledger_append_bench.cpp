// Ledger appends through the Store (canonical encoding, leaf hash, subtree
// hashes, two tables) beside raw SQLite inserts of the same entry rows, in
// the same run.
//
//   build/ledger_append_bench [ENTRIES=200000] [BATCH=1000] [RUNS=3]
//
// Target (issue 5): at least 20,000 entries/s in batches on SQLite.
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "ledger/merkle.h"
#include "store/store.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// A body of about 300 bytes, like a small public event.
std::string Body(int i) {
  return R"({"amount":")" + std::to_string(1000 + i) +
         R"(.50","buyer":{"id":"21750001600019","name":"Ville de Paris"},"cpv":"45233141-9",)"
         R"("object":"Travaux d'entretien de voirie, lot )" +
         std::to_string(i % 17) +
         R"(","place":{"code":"75","type":"Code département"},"procedure":"open",)"
         R"("uid":"2175000160001920240)" +
         std::to_string(i) + R"("})";
}

double ThroughStore(const fs::path& dir, int n, int batch) {
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto store = limpide::store::OpenStore("sqlite:" + (dir / "store.db").string());
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    std::exit(1);
  }
  const auto t0 = Clock::now();
  for (int done = 0; done < n;) {
    auto txn = (*store)->BeginWrite();
    if (!txn.ok()) std::exit(1);
    for (int k = 0; k < batch && done < n; ++k, ++done) {
      auto r =
          (*txn)->AppendToLedger({"contract.created", "uid-" + std::to_string(done), Body(done)});
      if (!r.ok()) {
        std::fprintf(stderr, "%s\n", r.status().ToString().c_str());
        std::exit(1);
      }
    }
    if (!(*txn)->Commit().ok()) std::exit(1);
  }
  return Seconds(t0);
}

// The baseline: the same rows (entry text precomputed, hash computed in the
// loop as the store must) inserted with one prepared statement.
double RawSqlite(const fs::path& dir, int n, int batch) {
  fs::remove_all(dir);
  fs::create_directories(dir);
  sqlite3* db = nullptr;
  sqlite3_open((dir / "raw.db").c_str(), &db);
  sqlite3_exec(db,
               "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
               "CREATE TABLE e (seq INTEGER PRIMARY KEY, time TEXT, kind TEXT, subject TEXT, "
               "entry TEXT, leaf_hash BLOB)",
               nullptr, nullptr, nullptr);
  std::vector<std::string> entries;
  entries.reserve(n);
  for (int i = 0; i < n; ++i) {
    entries.push_back(R"({"body":)" + Body(i) + R"(,"kind":"contract.created","seq":)" +
                      std::to_string(i) + R"(,"subject":"uid-)" + std::to_string(i) +
                      R"(","time":"2026-11-29T03:03:27.123Z"})");
  }
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO e VALUES (?1, ?2, ?3, ?4, ?5, ?6)", -1, &st, nullptr);
  const auto t0 = Clock::now();
  for (int done = 0; done < n;) {
    sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
    for (int k = 0; k < batch && done < n; ++k, ++done) {
      const std::string subject = "uid-" + std::to_string(done);
      const auto leaf = limpide::ledger::LeafHash(entries[done]);
      sqlite3_bind_int64(st, 1, done);
      sqlite3_bind_text(st, 2, "2026-11-29T03:03:27.123Z", -1, SQLITE_STATIC);
      sqlite3_bind_text(st, 3, "contract.created", -1, SQLITE_STATIC);
      sqlite3_bind_text(st, 4, subject.data(), static_cast<int>(subject.size()), SQLITE_STATIC);
      sqlite3_bind_text(st, 5, entries[done].data(), static_cast<int>(entries[done].size()),
                        SQLITE_STATIC);
      sqlite3_bind_blob(st, 6, leaf.data(), 32, SQLITE_STATIC);
      sqlite3_step(st);
      sqlite3_reset(st);
    }
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  }
  const double s = Seconds(t0);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return s;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 200000;
  const int batch = argc > 2 ? std::atoi(argv[2]) : 1000;
  const int runs = argc > 3 ? std::atoi(argv[3]) : 3;
  const fs::path dir = fs::temp_directory_path() / "limpide-ledger-append-bench";
  std::vector<double> store_rates, raw_rates;
  for (int run = 0; run < runs; ++run) {
    const double raw = RawSqlite(dir / "raw", n, batch);
    const double ours = ThroughStore(dir / "store", n, batch);
    raw_rates.push_back(n / raw);
    store_rates.push_back(n / ours);
    std::printf("run %d: store %.0f entries/s, raw SQLite %.0f rows/s (%.0f%%)\n", run + 1,
                n / ours, n / raw, 100.0 * raw / ours);
  }
  const double s = Median(store_rates), r = Median(raw_rates);
  std::printf(
      "median: ledger append %.0f entries/s (batches of %d), raw inserts %.0f rows/s, "
      "ratio %.0f%%; target >= 20000 entries/s: %s\n",
      s, batch, r, 100.0 * s / r, s >= 20000 ? "met" : "MISSED");
  fs::remove_all(dir);
  return 0;
}
