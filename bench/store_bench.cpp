// Store throughput on SQLite and PostgreSQL in the same run (issue 7):
// writes = upserts of new contracts, each with its ledger entry, in
// transactions of BATCH contracts and of one contract; reads = GetContract by
// uid in random order, from one thread and from two.
//
//   LIMPIDE_BENCH_POSTGRES=postgresql://postgres@127.0.0.1:PORT/postgres
//   build/store_bench [CONTRACTS=20000] [BATCH=500] [READS=20000]
//
// The PostgreSQL URL names a server where the user may CREATE DATABASE (a
// fresh database is made and dropped); LIMPIDE_TEST_POSTGRES is used when
// LIMPIDE_BENCH_POSTGRES is unset, and without either only SQLite runs.
#include <postgresql/libpq-fe.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "store/store.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using limpide::store::Store;

namespace {

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "store_bench: %s\n", what.c_str());
  std::exit(1);
}

// A contract like an average DECP record: two holders, one modification.
limpide::domain::Contract MakeContract(int i) {
  limpide::domain::Contract c;
  c.buyer_id = i % 7 ? "21750001600019" : "21690123100011";
  c.buyer_name = i % 7 ? "Ville de Paris" : "Métropole de Lyon";
  c.id = "2024-" + std::to_string(i);
  c.uid = limpide::domain::MakeUid(c.buyer_id, c.id);
  c.object = "Travaux d'entretien de voirie et de réseaux, lot " + std::to_string(i % 17);
  c.cpv = "45233141-9";
  c.place = {"75", "Code département", "Paris"};
  c.duration_months = 12 + i % 36;
  c.amount = limpide::domain::Money{100000 + int64_t{i} * 37};
  c.notified_on = limpide::domain::Date{2020 + i % 5, 1 + i % 12, 1 + i % 28};
  c.procedure = limpide::domain::ProcedureType::kAppelOffresOuvert;
  c.nature = limpide::domain::ContractNature::kMarche;
  c.price_form = "Ferme";
  c.schema_version = "2";
  c.source = "bench";
  c.holders = {{std::to_string(44306184100000 + i % 5000), "SIRET",
                "Entreprise " + std::to_string(i % 5000)},
               {std::to_string(55208131700000 + i % 300), "SIRET", "Sous-traitant"}};
  limpide::domain::Modification m;
  m.id = "1";
  m.object = "Avenant de prolongation";
  m.duration_months = 6;
  c.modifications = {m};
  return c;
}

std::string Body(const limpide::domain::Contract& c) {
  return R"({"amount":)" + std::to_string(c.amount->cents) + R"(,"uid":")" + c.uid + "\"}";
}

// Contracts/s upserting [first, first + n) in transactions of `batch`.
double Write(Store& store, int first, int n, int batch) {
  const auto t0 = Clock::now();
  for (int done = 0; done < n;) {
    auto txn = store.BeginWrite();
    if (!txn.ok()) Die(txn.status().ToString());
    for (int k = 0; k < batch && done < n; ++k, ++done) {
      const auto c = MakeContract(first + done);
      auto r = (*txn)->UpsertContract(c);
      if (!r.ok()) Die(r.status().ToString());
      auto seq = (*txn)->AppendToLedger({"contract.created", c.uid, Body(c)});
      if (!seq.ok()) Die(seq.status().ToString());
    }
    if (auto st = (*txn)->Commit(); !st.ok()) Die(st.ToString());
  }
  return n / Seconds(t0);
}

// GetContract/s over `reads` random uids among [0, n), from `threads` threads.
double Read(Store& store, int n, int reads, int threads) {
  std::vector<std::thread> workers;
  const auto t0 = Clock::now();
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&store, n, reads, threads, t] {
      std::mt19937 random(42 + t);
      for (int i = 0; i < reads / threads; ++i) {
        const auto c = MakeContract(static_cast<int>(random() % static_cast<unsigned>(n)));
        auto got = store.GetContract(c.uid);
        if (!got.ok()) Die(got.status().ToString());
      }
    });
  }
  for (auto& w : workers) w.join();
  return reads / Seconds(t0);
}

void PgExec(const std::string& url, const std::string& sql) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (PQstatus(conn) != CONNECTION_OK) Die(PQerrorMessage(conn));
  PGresult* res = PQexec(conn, sql.c_str());
  const bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
  const std::string why = PQresultErrorMessage(res);
  PQclear(res);
  PQfinish(conn);
  if (!ok) Die(sql + ": " + why);
}

void Run(const char* engine, const std::string& url, int contracts, int batch, int reads) {
  auto store = limpide::store::OpenStore(url);
  if (!store.ok()) Die(store.status().ToString());
  const int singles = std::max(1, contracts / 10);
  const double batched = Write(**store, 0, contracts, batch);
  const double single = Write(**store, contracts, singles, 1);
  const int total = contracts + singles;
  const double read1 = Read(**store, total, reads, 1);
  const double read2 = Read(**store, total, reads, 2);
  std::printf("| %s | %.0f | %.0f | %.0f | %.0f |\n", engine, batched, single, read1, read2);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  const int contracts = argc > 1 ? std::atoi(argv[1]) : 20000;
  const int batch = argc > 2 ? std::atoi(argv[2]) : 500;
  const int reads = argc > 3 ? std::atoi(argv[3]) : 20000;
  std::printf("%d contracts (+%d in single transactions), each with a ledger entry; %d reads\n\n",
              contracts, std::max(1, contracts / 10), reads);
  std::printf(
      "| engine | upserts/s (batches of %d) | upserts/s (1 per transaction) | "
      "GetContract/s (1 thread) | GetContract/s (2 threads) |\n",
      batch);
  std::printf("| --- | ---: | ---: | ---: | ---: |\n");

  const fs::path dir = fs::temp_directory_path() / ("store-bench-" + std::to_string(getpid()));
  fs::create_directories(dir);
  Run("SQLite", "sqlite:" + (dir / "store.db").string(), contracts, batch, reads);
  fs::remove_all(dir);

  const char* server = std::getenv("LIMPIDE_BENCH_POSTGRES");
  if (!server || !*server) server = std::getenv("LIMPIDE_TEST_POSTGRES");
  if (!server || !*server) {
    std::printf("\n(PostgreSQL skipped: set LIMPIDE_BENCH_POSTGRES)\n");
    return 0;
  }
  const std::string base(server);
  const std::string db = "limpide_bench_" + std::to_string(getpid());
  PgExec(base, "CREATE DATABASE " + db);
  const size_t authority = base.find('/', base.find("://") + 3);
  const size_t query = base.find('?');
  const std::string url = base.substr(0, std::min(authority, query)) + "/" + db +
                          (query == std::string::npos ? "" : base.substr(query));
  Run("PostgreSQL", url, contracts, batch, reads);
  PgExec(base, "DROP DATABASE " + db + " WITH (FORCE)");
  return 0;
}
