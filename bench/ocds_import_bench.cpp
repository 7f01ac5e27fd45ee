// OCDS import rate: the real ProZorro releases repeated to COUNT releases (ocids
// suffixed, so each is its own process) as a release package and as JSON
// Lines, imported into a fresh SQLite store by `Importer`, beside the baseline
// of parsing the same releases with nlohmann alone (no store), in the same run.
//
//   build/ocds_import_bench [SHARED_DATA_DIR] [COUNT=20000] [RUNS=3]
//
// Prints one line per run and the medians.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "app/importer.h"
#include "store/store.h"

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const std::string shared = argc > 1 ? argv[1] : "../shared/data";
  const int count = argc > 2 ? std::atoi(argv[2]) : 20000;
  const int runs = argc > 3 ? std::atoi(argv[3]) : 3;
  std::ifstream in(shared + "/ocds/samples/prozorro-ua/release-package-10.json");
  const json package = json::parse(in);
  const fs::path dir = fs::temp_directory_path() / "limpide-ocds-import-bench";
  fs::create_directories(dir);
  const fs::path lines_path = dir / "releases.jsonl";
  const fs::path package_path = dir / "package.json";
  {
    std::ofstream lines(lines_path);
    std::ofstream pkg(package_path);
    json head = package;
    head.erase("releases");
    std::string h = head.dump();
    h.pop_back();
    pkg << h << ",\"releases\":[";
    for (int i = 0; i < count; ++i) {
      json r = package["releases"][i % 10];
      r["ocid"] = r["ocid"].get<std::string>() + "-b" + std::to_string(i);
      const std::string text = r.dump();
      lines << text << '\n';
      pkg << (i ? "," : "") << text;
    }
    pkg << "]}";
  }
  const double mb = static_cast<double>(fs::file_size(lines_path)) / 1e6;
  std::printf("%d releases, %.1f MB as JSON Lines\n", count, mb);

  std::vector<double> parse_s, lines_s, package_s;
  for (int run = 0; run < runs; ++run) {
    // Baseline: read the lines and parse each release, nothing else.
    auto t = Clock::now();
    {
      std::ifstream f(lines_path);
      std::string line;
      size_t n = 0;
      while (std::getline(f, line)) n += json::parse(line).size();
      if (n == 0) return 1;
    }
    parse_s.push_back(Seconds(t));
    for (const auto& [path, out] : {std::pair{lines_path, &lines_s}, {package_path, &package_s}}) {
      const fs::path db = dir / "bench.db";
      for (const char* ext : {"", "-wal", "-shm"}) fs::remove(db.string() + ext);
      auto store = limpide::store::OpenStore("sqlite:" + db.string());
      if (!store.ok()) return 1;
      limpide::app::Importer importer(**store);
      t = Clock::now();
      auto report = importer.Import({path.string()}, {});
      out->push_back(Seconds(t));
      if (!report.ok() || report->totals.inserted != count) {
        std::fprintf(stderr, "import failed\n");
        return 1;
      }
    }
    std::printf("run %d: parse only %.2f s, import JSON Lines %.2f s, import package %.2f s\n", run + 1,
                parse_s.back(), lines_s.back(), package_s.back());
  }
  const double p = Median(parse_s), l = Median(lines_s), k = Median(package_s);
  std::printf("median: parse only %.0f releases/s (%.1f MB/s)\n", count / p, mb / p);
  std::printf("median: import JSON Lines %.0f releases/s (%.1f MB/s), %.0f%% of parse only\n",
              count / l, mb / l, 100 * p / l);
  std::printf("median: import package %.0f releases/s (%.1f MB/s), %.0f%% of parse only\n",
              count / k, mb / k, 100 * p / k);
  fs::remove_all(dir);
  return 0;
}
