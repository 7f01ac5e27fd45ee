// Search at scale (issue 6): N contracts and M open consultations from the
// generator (limpide gen, app/generator.h), indexed by the follower as in
// `limpide serve`; then the same keyword query with two filters and facets on
// Limpide's index, on raw Xapian and on SQLite FTS5 over the same texts, in
// the same run.
//
//   scale_bench [N=200000] [M=20000] [DIR=/tmp/limpide-scale-bench] [keep] [BATCH]
//
// With `keep`, DIR is left in place and a second run reuses the store and the
// indexes it finds complete (the query figures can then be taken again
// without rebuilding).
#include <sqlite3.h>
#include <xapian.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/generator.h"
#include "app/ledger.h"
#include "app/procedure.h"
#include "search/follower.h"
#include "search/search.h"
#include "store/store.h"

namespace fs = std::filesystem;
using namespace limpide;
using Clock = std::chrono::steady_clock;

namespace {

// CPU time of this thread (user and system), in milliseconds: on a machine
// shared with other builds the wall time also holds the waits for a core.
double ThreadCpuMs() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

uint64_t Bytes(const fs::path& p) {
  if (fs::is_regular_file(p)) return fs::file_size(p);
  uint64_t n = 0;
  for (const auto& e : fs::recursive_directory_iterator(p)) {
    if (e.is_regular_file()) n += e.file_size();
  }
  return n;
}

struct Stats {
  double p50 = 0, p99 = 0;
  double cpu_p50 = 0, cpu_p99 = 0;  // thread CPU time
  int64_t matches = 0;  // on average
};

Stats Summarise(std::vector<double> ms, std::vector<double> cpu, int64_t matches) {
  auto pct = [](std::vector<double>& v, double p) {
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
  };
  Stats s;
  s.p50 = pct(ms, 0.5);
  s.p99 = pct(ms, 0.99);
  s.cpu_p50 = pct(cpu, 0.5);
  s.cpu_p99 = pct(cpu, 0.99);
  s.matches = matches / static_cast<int64_t>(ms.size());
  return s;
}

void Print(const char* label, const Stats& s, const Stats* baseline = nullptr) {
  std::printf("%-52s p50 %7.2f ms  p99 %7.2f ms  (CPU %6.2f / %6.2f ms)  %8lld matches", label,
              s.p50, s.p99, s.cpu_p50, s.cpu_p99, static_cast<long long>(s.matches));
  if (baseline) std::printf("  (p50 ×%.1f, p99 ×%.1f faster)", baseline->p50 / s.p50,
                            baseline->p99 / s.p99);
  std::printf("\n");
  std::fflush(stdout);
}

// The texts and filter values every engine gets: the search documents of
// the ledger entries (search::ContractDocument / ConsultationDocument).
struct Row {
  std::string text;  // object (title) and the other searchable text
  std::string department, cpv_division, procedure, buyer;
  int64_t amount_cents = -1;
};

const char* const kQueries[] = {"travaux",    "nettoyage",   "restauration scolaire",
                                "entretien",  "marché",      "rénovation",
                                "fourniture", "élagage",     "voirie",
                                "maintenance", "assurance",  "\"travaux de voirie\""};
constexpr int kRounds = 20;
constexpr int64_t kAmountMinCents = 100000;  // the second filter: at least 1,000 euros

}  // namespace

int main(int argc, char** argv) {
  const uint64_t n = argc > 1 ? std::stoull(argv[1]) : 200000;
  const uint64_t m = argc > 2 ? std::stoull(argv[2]) : 20000;
  const fs::path dir = argc > 3 ? argv[3] : "/tmp/limpide-scale-bench";
  const bool keep = argc > 4 && std::string(argv[4]) == "keep";
  // Entries per follower batch (one commit each) when building the index;
  // limpide reindex uses search::kRebuildBatch.
  const uint64_t batch = argc > 5 ? std::stoull(argv[5]) : search::kRebuildBatch;
  fs::create_directories(dir);
  std::printf("scale_bench: %llu contracts, %llu open consultations, in %s\n",
              static_cast<unsigned long long>(n), static_cast<unsigned long long>(m), dir.c_str());

  // ---- 1. Data: limpide gen's generator, through the store ----
  auto store = store::OpenStore("sqlite:" + (dir / "store.db").string());
  if (!store.ok()) return 1;
  std::array<uint8_t, 32> key_seed{};
  app::LedgerService ledger(**store, crypto::SigningKeyFromSeed(key_seed));
  app::Procedures procedures(**store, ledger);
  if (*(*store)->LedgerSize() != n + m) {
    if (*(*store)->LedgerSize() != 0) {
      std::fprintf(stderr, "%s holds other data: delete it\n", (dir / "store.db").c_str());
      return 1;
    }
    const std::string real = std::string(LIMPIDE_SHARED_DATA) + "/decp/real-2019-decp-rama/";
    auto model = app::ContractModel::FromFiles(
        {real + "marches-publics.info.json", real + "data.gouv.fr_aife.json"});
    if (!model.ok()) return 1;
    const auto t0 = Clock::now();
    auto report = app::Generate(**store, procedures, **model,
                                {.contracts = n, .tenders = m, .seed = 42, .batch = 50000});
    if (!report.ok()) {
      std::fprintf(stderr, "generate: %s\n", report.status().ToString().c_str());
      return 1;
    }
    const double s = Seconds(t0);
    std::printf("generate (limpide gen): %llu records in %.1f s: %.0f records/s; store %.0f MB\n",
                static_cast<unsigned long long>(n + m), s, static_cast<double>(n + m) / s,
                static_cast<double>(Bytes(dir / "store.db")) / 1e6);
  }

  // ---- 2. Limpide's index, built by the follower ----
  const fs::path index_dir = dir / "index";
  {
    auto index = search::Index::Open(index_dir.string(), {.flush_threshold = batch});
    if (!index.ok()) return 1;
    if (*(*index)->Position() != n + m) {
      const auto t0 = Clock::now();
      const double c0 = ThreadCpuMs();
      search::Follower follower(**store, **index, {.batch = batch});
      auto reached = follower.CatchUp();
      if (!reached.ok()) return 1;
      const double s = Seconds(t0);
      const double cpu = (ThreadCpuMs() - c0) / 1e3;
      std::printf("index build (follower, batches of %llu): %llu documents in %.1f s (CPU %.1f s): "
                  "%.0f documents/s (%.0f per CPU second); %.0f MB\n",
                  static_cast<unsigned long long>(batch),
                  static_cast<unsigned long long>(*(*index)->DocumentCount()), s, cpu,
                  static_cast<double>(n + m) / s, static_cast<double>(n + m) / cpu,
                  static_cast<double>(Bytes(index_dir)) / 1e6);
    }
  }

  // ---- 3. The same texts for the baselines ----
  std::vector<Row> rows;
  rows.reserve(n + m);
  std::map<std::string, int64_t> departments;
  for (uint64_t start = 0; start < n + m; start += 20000) {
    auto page = (*store)->LedgerEntries(start, std::min(n + m, start + 20000));
    if (!page.ok()) return 1;
    for (const auto& r : *page) {
      nlohmann::json body = nlohmann::json::parse(r.entry)["body"];
      auto doc = r.kind == "contract.created" ? search::ContractDocument(body.dump())
                                              : search::ConsultationDocument(body.dump());
      if (!doc.ok()) continue;
      Row row;
      row.text = doc->object;
      for (const auto& t : doc->more_text) row.text += "\n" + t;
      for (const auto& h : doc->holders) row.text += "\n" + h.name;
      row.text += "\n" + doc->buyer_name;
      row.department = doc->department;
      row.cpv_division = doc->cpv.substr(0, 2);
      row.procedure = doc->procedure;
      row.buyer = doc->buyer_id;
      if (doc->amount) row.amount_cents = doc->amount->cents;
      ++departments[row.department];
      rows.push_back(std::move(row));
    }
  }
  // The first filter: the ten most frequent departments, in turn.
  std::vector<std::pair<int64_t, std::string>> by_size;
  for (const auto& [d, count] : departments) {
    if (!d.empty()) by_size.emplace_back(count, d);
  }
  std::sort(by_size.rbegin(), by_size.rend());
  std::vector<std::string> filter_departments;
  for (size_t i = 0; i < std::min<size_t>(10, by_size.size()); ++i) {
    filter_departments.push_back(by_size[i].second);
  }

  // Raw Xapian: the French stemmer on the text as written (no folding), the
  // department as a boolean term, the amount and the CPV division as values.
  const fs::path raw_dir = dir / "raw-xapian";
  {
    Xapian::WritableDatabase raw(raw_dir.string(), Xapian::DB_CREATE_OR_OPEN);
    if (raw.get_doccount() != rows.size()) {
      raw.close();
      fs::remove_all(raw_dir);
      raw = Xapian::WritableDatabase(raw_dir.string(), Xapian::DB_CREATE_OR_OPEN);
      const auto t0 = Clock::now();
      Xapian::TermGenerator tg;
      tg.set_stemmer(Xapian::Stem("french"));
      for (size_t i = 0; i < rows.size(); ++i) {
        Xapian::Document doc;
        tg.set_document(doc);
        tg.index_text(rows[i].text);
        if (!rows[i].department.empty()) doc.add_boolean_term("XD" + rows[i].department);
        doc.add_value(1, Xapian::sortable_serialise(static_cast<double>(rows[i].amount_cents)));
        doc.add_value(2, rows[i].cpv_division);
        raw.add_document(doc);
        if ((i + 1) % 20000 == 0) raw.commit();
      }
      raw.commit();
      const double s = Seconds(t0);
      std::printf("raw Xapian build: %zu documents in %.1f s: %.0f documents/s; %.0f MB\n",
                  rows.size(), s, static_cast<double>(rows.size()) / s,
                  static_cast<double>(Bytes(raw_dir)) / 1e6);
    }
  }

  // SQLite FTS5 over the same texts, the filter and facet values as
  // unindexed columns.
  const fs::path fts_path = dir / "fts5.db";
  sqlite3* db = nullptr;
  sqlite3_open(fts_path.c_str(), &db);
  sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;", nullptr, nullptr, nullptr);
  {
    sqlite3_exec(db,
                 "CREATE VIRTUAL TABLE IF NOT EXISTS t USING fts5(text, department UNINDEXED, "
                 "amount UNINDEXED, cpv UNINDEXED, procedure UNINDEXED, buyer UNINDEXED, "
                 "tokenize='unicode61 remove_diacritics 2')",
                 nullptr, nullptr, nullptr);
    sqlite3_stmt* count = nullptr;
    sqlite3_prepare_v2(db, "SELECT count(*) FROM t", -1, &count, nullptr);
    sqlite3_step(count);
    const auto have = static_cast<size_t>(sqlite3_column_int64(count, 0));
    sqlite3_finalize(count);
    if (have != rows.size()) {
      sqlite3_exec(db, "DELETE FROM t", nullptr, nullptr, nullptr);
      const auto t0 = Clock::now();
      sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
      sqlite3_stmt* ins = nullptr;
      sqlite3_prepare_v2(db, "INSERT INTO t VALUES (?,?,?,?,?,?)", -1, &ins, nullptr);
      for (const auto& r : rows) {
        sqlite3_bind_text(ins, 1, r.text.c_str(), -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 2, r.department.c_str(), -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 3, r.amount_cents);
        sqlite3_bind_text(ins, 4, r.cpv_division.c_str(), -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 5, r.procedure.c_str(), -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 6, r.buyer.c_str(), -1, SQLITE_STATIC);
        sqlite3_step(ins);
        sqlite3_reset(ins);
      }
      sqlite3_finalize(ins);
      sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
      const double s = Seconds(t0);
      std::printf("SQLite FTS5 build: %zu documents in %.1f s: %.0f documents/s; %.0f MB\n",
                  rows.size(), s, static_cast<double>(rows.size()) / s,
                  static_cast<double>(Bytes(fts_path)) / 1e6);
    }
  }
  rows.clear();
  rows.shrink_to_fit();

  // ---- 4. Queries: keyword + department + minimum amount ----
  auto limpide = [&](int facet_sample, int facet_values) {
    auto idx = search::Index::Open(index_dir.string(), {.facet_sample = facet_sample});
    std::vector<double> ms, cpu;
    int64_t matches = 0;
    for (int round = 0; round < kRounds; ++round) {
      for (const char* text : kQueries) {
        search::SearchQuery q;
        q.text = text;
        q.facet_values = facet_values;
        q.department = filter_departments[static_cast<size_t>(round) % filter_departments.size()];
        q.amount_min = domain::Money{kAmountMinCents};
        const auto t0 = Clock::now();
        const double c0 = ThreadCpuMs();
        auto r = (*idx)->Search(q);
        cpu.push_back(ThreadCpuMs() - c0);
        ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        if (r.ok()) matches += r->total;
      }
    }
    return Summarise(std::move(ms), std::move(cpu), matches);
  };
  auto raw_xapian = [&](bool facet) {
    Xapian::Database raw(raw_dir.string());
    Xapian::QueryParser parser;
    parser.set_database(raw);
    parser.set_stemmer(Xapian::Stem("french"));
    parser.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
    parser.set_default_op(Xapian::Query::OP_AND);
    std::vector<double> ms, cpu;
    int64_t matches = 0;
    for (int round = 0; round < kRounds; ++round) {
      for (const char* text : kQueries) {
        const auto t0 = Clock::now();
        const double c0 = ThreadCpuMs();
        Xapian::Query words = parser.parse_query(text, Xapian::QueryParser::FLAG_PHRASE |
                                                           Xapian::QueryParser::FLAG_DEFAULT);
        Xapian::Query filters(
            Xapian::Query::OP_AND,
            Xapian::Query("XD" +
                          filter_departments[static_cast<size_t>(round) % filter_departments.size()]),
            Xapian::Query(Xapian::Query::OP_VALUE_GE, 1,
                          Xapian::sortable_serialise(static_cast<double>(kAmountMinCents))));
        Xapian::Enquire enquire(raw);
        enquire.set_query(Xapian::Query(Xapian::Query::OP_FILTER, words, filters));
        Xapian::ValueCountMatchSpy spy(2);
        if (facet) enquire.add_matchspy(&spy);
        Xapian::MSet mset = enquire.get_mset(0, 20, facet ? raw.get_doccount() : 0);
        for (auto it = mset.begin(); it != mset.end(); ++it) (void)it.get_document().get_data();
        if (facet) {
          int k = 0;
          for (auto v = spy.top_values_begin(10); v != spy.top_values_end(10) && k < 10; ++v, ++k) {
          }
        }
        cpu.push_back(ThreadCpuMs() - c0);
        ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        matches += mset.get_matches_estimated();
      }
    }
    return Summarise(std::move(ms), std::move(cpu), matches);
  };
  auto fts5 = [&](bool facets) {
    sqlite3_stmt* top = nullptr;
    sqlite3_prepare_v2(db,
                       "SELECT rowid, text FROM t WHERE t MATCH ?1 AND department = ?2 AND amount "
                       ">= ?3 ORDER BY rank LIMIT 20",
                       -1, &top, nullptr);
    sqlite3_stmt* total = nullptr;
    sqlite3_prepare_v2(
        db, "SELECT count(*) FROM t WHERE t MATCH ?1 AND department = ?2 AND amount >= ?3", -1,
        &total, nullptr);
    std::vector<sqlite3_stmt*> facet_stmts;
    for (const char* column : {"cpv", "department", "procedure", "buyer"}) {
      sqlite3_stmt* s = nullptr;
      const std::string sql = std::string("SELECT ") + column + ", count(*) AS c FROM t WHERE t MATCH ?1 " +
                              "AND department = ?2 AND amount >= ?3 GROUP BY 1 ORDER BY c DESC LIMIT 10";
      sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr);
      facet_stmts.push_back(s);
    }
    std::vector<double> ms, cpu;
    int64_t matches = 0;
    for (int round = 0; round < kRounds; ++round) {
      for (const char* text : kQueries) {
        // FTS5 syntax: each word quoted (implicit AND); a phrase as it is.
        std::string match;
        if (text[0] == '"') {
          match = text;
        } else {
          std::string word;
          for (const char* p = text;; ++p) {
            if (*p == ' ' || *p == 0) {
              if (!word.empty()) match += (match.empty() ? "\"" : " \"") + word + "\"";
              word.clear();
              if (*p == 0) break;
            } else {
              word += *p;
            }
          }
        }
        const std::string& dep =
            filter_departments[static_cast<size_t>(round) % filter_departments.size()];
        const auto t0 = Clock::now();
        const double c0 = ThreadCpuMs();
        auto run = [&](sqlite3_stmt* s) {
          sqlite3_bind_text(s, 1, match.c_str(), -1, SQLITE_TRANSIENT);
          sqlite3_bind_text(s, 2, dep.c_str(), -1, SQLITE_TRANSIENT);
          sqlite3_bind_int64(s, 3, kAmountMinCents);
          int64_t first = 0;
          bool any = false;
          while (sqlite3_step(s) == SQLITE_ROW) {
            if (!any) first = sqlite3_column_int64(s, 0);
            any = true;
          }
          sqlite3_reset(s);
          return first;
        };
        run(top);
        const int64_t count = run(total);
        if (facets) {
          for (auto* s : facet_stmts) run(s);
        }
        cpu.push_back(ThreadCpuMs() - c0);
        ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        matches += count;
      }
    }
    sqlite3_finalize(top);
    sqlite3_finalize(total);
    for (auto* s : facet_stmts) sqlite3_finalize(s);
    return Summarise(std::move(ms), std::move(cpu), matches);
  };

  std::printf("\nkeyword + 2 filters (department, amount >= 1,000 EUR), 20 hits, %d queries each:\n",
              kRounds * static_cast<int>(std::size(kQueries)));
  const Stats fts_plain = fts5(false);
  Print("SQLite FTS5: top 20 by rank + count", fts_plain);
  const Stats fts_facets = fts5(true);
  Print("SQLite FTS5: + 4 facets (GROUP BY over the matches)", fts_facets);
  const Stats raw_plain = raw_xapian(false);
  Print("raw Xapian: top 20", raw_plain);
  const Stats raw_facet = raw_xapian(true);
  Print("raw Xapian: + 1 facet counted over every match", raw_facet);
  Print("Limpide: no facets", limpide(5000, 0), &raw_plain);
  Print("Limpide: + 4 facets, every match counted", limpide(static_cast<int>(n + m), 10),
        &raw_facet);
  Print("Limpide: + 4 facets, sample 5,000", limpide(5000, 10), &fts_facets);
  const int default_sample = search::IndexOptions{}.facet_sample;
  const std::string default_line =
      "Limpide: + 4 facets, sample " + std::to_string(default_sample) + " (default)";
  Print(default_line.c_str(), limpide(default_sample, 10), &fts_facets);
  Print("Limpide: + 4 facets, sample 1,000", limpide(1000, 10), &fts_facets);
  std::printf("(ratios: against the baseline line above it: raw Xapian, or FTS5 with facets)\n");

  sqlite3_close(db);
  store->reset();
  if (!keep) fs::remove_all(dir);
  return 0;
}
