// Search benchmark (issue 6): index build rate and size, and query latency
// (keyword + two filters + facets) on N synthetic contracts made from the real
// demo objects. Facets counted over a sample (the default) are measured beside
// facets counted over every match (facet_sample = N), the baseline the issue
// asks to beat.
//
//   search_bench [N=200000] [DIR=/tmp/limpide-search-bench]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "app/importer.h"
#include "search/search.h"
#include "store/store.h"

namespace fs = std::filesystem;
using namespace limpide;
using Clock = std::chrono::steady_clock;

namespace {

uint64_t DirBytes(const fs::path& dir) {
  uint64_t n = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) n += e.file_size();
  }
  return n;
}

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  const uint64_t n = argc > 1 ? std::stoull(argv[1]) : 200000;
  const fs::path dir = argc > 2 ? argv[2] : "/tmp/limpide-search-bench";
  fs::remove_all(dir);
  fs::create_directories(dir);

  // The real objects: the demo files' ledger bodies.
  auto store = store::OpenStore("sqlite:" + (dir / "demo.db").string());
  if (!store.ok()) return 1;
  const std::string shared = LIMPIDE_SHARED_DATA;
  app::Importer importer(**store);
  auto report = importer.Import({shared + "/decp/real-2019-decp-rama/marches-publics.info.json",
                                 shared + "/decp/real-2019-decp-rama/data.gouv.fr_aife.json"},
                                {});
  if (!report.ok()) return 1;
  std::vector<nlohmann::json> bodies;
  for (uint64_t start = 0;; start += 1000) {
    auto page = (*store)->LedgerEntries(start, start + 1000);
    if (!page.ok() || page->empty()) break;
    for (const auto& r : *page) bodies.push_back(nlohmann::json::parse(r.entry)["body"]);
  }
  std::printf("%zu real contracts as templates\n", bodies.size());

  // N contracts: a real object, buyer and CPV; a random department, amount and date.
  static const char* kDepartments[] = {"01", "13", "2A", "33", "44", "59", "69", "75", "93", "974"};
  std::mt19937_64 rng(42);
  auto index = search::Index::Open((dir / "index").string());
  if (!index.ok()) return 1;
  const auto build_start = Clock::now();
  std::vector<store::LedgerRecord> batch;
  for (uint64_t i = 0; i < n; ++i) {
    nlohmann::json body = bodies[i % bodies.size()];
    body["uid"] = "B" + std::to_string(i);
    body["amount"] = std::to_string(1000 + rng() % 2000000);
    body["notifiedOn"] = std::to_string(2015 + rng() % 10) + "-0" + std::to_string(1 + rng() % 9) +
                         "-1" + std::to_string(rng() % 10);
    body["place"] = {{"code", kDepartments[rng() % 10]}, {"type", "Code département"}};
    nlohmann::json entry = {{"body", std::move(body)}, {"kind", "contract.created"}};
    batch.push_back({i, "", "contract.created", "B" + std::to_string(i), entry.dump(), {}});
    if (batch.size() == 20000 || i + 1 == n) {
      if (!(*index)->Apply(batch).ok()) return 1;
      batch.clear();
    }
  }
  const double build_s = std::chrono::duration<double>(Clock::now() - build_start).count();
  std::printf("index build: %llu documents in %.1f s: %.0f documents/s; index size %.0f MB\n",
              static_cast<unsigned long long>(n), build_s, static_cast<double>(n) / build_s,
              static_cast<double>(DirBytes(dir / "index")) / 1e6);
  index->reset();

  const char* kQueries[] = {"travaux",     "nettoyage", "restauration scolaire",
                            "entretien",   "marché",    "rénovation",
                            "fourniture",  "élagage",   "voirie",
                            "maintenance", "assurance", "\"travaux de voirie\""};
  auto measure = [&](const char* label, int facet_sample, int facet_values, bool filters) {
    auto idx = search::Index::Open((dir / "index").string(),
                                   search::IndexOptions{.facet_sample = facet_sample});
    if (!idx.ok()) return;
    std::vector<double> ms;
    int64_t matches = 0;
    for (int round = 0; round < 20; ++round) {
      for (const char* text : kQueries) {
        search::SearchQuery q;
        q.text = text;
        q.facet_values = facet_values;
        if (filters) {
          q.department = kDepartments[round % 10];
          q.amount_min = domain::Money{100000};
        }
        const auto t0 = Clock::now();
        auto r = (*idx)->Search(q);
        ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        if (r.ok()) matches += r->total;
      }
    }
    std::printf("%-52s p50 %6.2f ms  p99 %6.2f ms  (%zu queries, %lld matches on average)\n", label,
                Percentile(ms, 0.5), Percentile(ms, 0.99), ms.size(),
                static_cast<long long>(matches / static_cast<int64_t>(ms.size())));
  };
  measure("keyword, no filter, no facets", 5000, 0, false);
  measure("keyword + 2 filters, no facets", 5000, 0, true);
  measure("keyword + 2 filters + 4 facets (sample 5,000)", 5000, 10, true);
  measure("keyword + 2 filters + 4 facets (every match)", static_cast<int>(n), 10, true);
  measure("keyword + 4 facets (sample 5,000)", 5000, 10, false);
  measure("keyword + 4 facets (every match)", static_cast<int>(n), 10, false);
  store->reset();
  fs::remove_all(dir);
  return 0;
}
