// Alerts benchmark (issue 6): matching one newly published consultation
// against N saved searches (default 1,000,000) through the reverse index
// (Matcher::MatchNotice), beside the naive loop that evaluates every saved
// search (Matcher::MatchEach), in the same run. Searches and notices are
// synthetic but made of real vocabulary: words and CPV codes from the objects
// of the real 2019 DECP files in ../shared/data, CPV prefixes from the bundled
// CPV 2008 table, departments, regions, procedures and amounts.
//
//   alerts_bench [N=1000000] [NOTICES=2000] [NAIVE_NOTICES=30]
#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "alerts/matcher.h"
#include "alerts/saved_search.h"
#include "alerts/terms.h"
#include "domain/cpv.h"
#include "domain/procedure.h"

using namespace limpide;
using Clock = std::chrono::steady_clock;

namespace {

struct Real {
  std::string objet;
  std::string cpv;  // 8 digits or empty
};

// The objects and CPV codes of the real DECP files (a plain scan of the
// "objet" and "codeCPV" members, in file order).
std::vector<Real> ReadReal(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  std::vector<Real> out;
  // The string value after `at` (the position just past a member name).
  const auto value = [&](size_t at, std::string& v) {
    at = text.find_first_not_of(" \t\r\n:", at);
    if (at == std::string::npos || text[at] != '"') return false;
    v.clear();
    for (size_t i = at + 1; i < text.size(); ++i) {
      if (text[i] == '\\' && i + 1 < text.size()) {
        v.push_back(text[++i] == 'n' ? ' ' : text[i]);
      } else if (text[i] == '"') {
        return true;
      } else {
        v.push_back(text[i]);
      }
    }
    return false;
  };
  std::string v;
  for (size_t at = 0; (at = text.find('"', at)) != std::string::npos; ++at) {
    if (text.compare(at, 7, "\"objet\"") == 0 && value(at + 7, v)) {
      out.push_back({v, ""});
    } else if (text.compare(at, 9, "\"codeCPV\"") == 0 && value(at + 9, v)) {
      if (v.size() == 7) v = "0" + v;
      if (!out.empty() && out.back().cpv.empty() && v.size() >= 8) out.back().cpv = v.substr(0, 8);
    }
  }
  return out;
}

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  const size_t n = argc > 1 ? std::stoul(argv[1]) : 1'000'000;
  const size_t notices_n = argc > 2 ? std::stoul(argv[2]) : 2000;
  const size_t naive_n = argc > 3 ? std::stoul(argv[3]) : 30;
  const std::string shared = LIMPIDE_SHARED_DATA;
  std::vector<Real> real = ReadReal(shared + "/decp/real-2019-decp-rama/marches-publics.info.json");
  auto more = ReadReal(shared + "/decp/real-2019-decp-rama/data.gouv.fr_aife.json");
  real.insert(real.end(), more.begin(), more.end());
  if (real.empty()) {
    std::fprintf(stderr, "no DECP objects found under %s\n", shared.c_str());
    return 1;
  }
  // Words worth saving a search on: 4 letters or more, not stop words, and
  // not in more than 1.5% of the objects ("travaux", "prestations",
  // "fourniture" alone would alert on everything: nobody saves them alone).
  std::map<std::string, size_t> df;
  std::vector<std::vector<std::string>> all_words(real.size());
  for (size_t i = 0; i < real.size(); ++i) {
    all_words[i] = alerts::FoldedWords(real[i].objet);
    std::set<std::string> seen(all_words[i].begin(), all_words[i].end());
    for (const auto& w : seen) ++df[w];
  }
  std::vector<std::vector<std::string>> words_of(real.size());
  size_t generic = 0;
  for (const auto& [w, n] : df) generic += n * 1000 > real.size() * 15;
  for (size_t i = 0; i < real.size(); ++i) {
    for (auto& w : all_words[i])
      if (w.size() >= 4 && !alerts::IsStopWord(w) && df[w] * 1000 <= real.size() * 15)
        words_of[i].push_back(w);
  }
  const auto& table = domain::CpvTable::Get().all();
  // The 101 departments, for notices and searches alike.
  std::vector<std::string> departments;
  for (int d = 1; d <= 95; ++d)
    if (d != 20) departments.push_back((d < 10 ? "0" : "") + std::to_string(d));
  for (const char* d : {"2A", "2B", "971", "972", "973", "974", "976"}) departments.push_back(d);
  const std::vector<std::string> regions = {"11", "53", "84", "76", "75", "32", "44", "52"};
  std::vector<std::string> procedures;
  for (auto p : domain::AllProcedures()) procedures.emplace_back(domain::Code(p));

  std::mt19937_64 rng(42);
  const auto pick = [&](size_t k) { return static_cast<size_t>(rng() % k); };
  const auto chance = [&](double p) { return std::uniform_real_distribution<>(0, 1)(rng) < p; };
  // A CPV prefix of 2..5 digits: from a real object's code most of the time,
  // else from the table.
  const auto cpv_prefix = [&]() {
    std::string code;
    for (int tries = 0; tries < 5 && code.size() != 8; ++tries) code = real[pick(real.size())].cpv;
    if (code.size() != 8 || !domain::CpvTable::Get().Find(code)) code = table[pick(table.size())].code8;
    // A division (2 digits) one time in ten, else a group, class or category (3..6).
    return code.substr(0, chance(0.1) ? 2 : 3 + pick(4));
  };

  const auto t_build0 = Clock::now();
  std::vector<alerts::SavedSearch> searches;
  searches.reserve(n);
  size_t rejected = 0;
  while (searches.size() < n) {
    nlohmann::json j = nlohmann::json::object();
    const double kind = std::uniform_real_distribution<>(0, 1)(rng);
    if (kind < 0.70) {
      // Keywords from one real object, sometimes with a CPV alternative.
      const auto& ws = words_of[pick(real.size())];
      if (ws.empty()) continue;
      std::string q;
      const size_t k = 1 + pick(std::min<size_t>(3, ws.size()));
      for (size_t i = 0; i < k; ++i) q += ws[pick(ws.size())] + " ";
      if (chance(0.3)) {
        const auto& other = words_of[pick(real.size())];
        if (!other.empty()) q += "-" + other[pick(other.size())];
      }
      j["query"] = q;
      if (chance(0.3)) j["cpv"] = {cpv_prefix()};
    } else if (kind < 0.96) {
      std::vector<std::string> c;
      for (size_t i = 0, k = 1 + pick(3); i < k; ++i) c.push_back(cpv_prefix());
      j["cpv"] = c;
    } else if (kind < 0.98) {
      j["departments"] = {departments[pick(departments.size())]};
      if (chance(0.5)) j["procedures"] = {procedures[pick(procedures.size())]};
    } else {
      j["regions"] = {regions[pick(regions.size())]};
      j["amountMin"] = 10000 * (1 + pick(10));
    }
    // Most companies answer near home: a department (sometimes two) on 85% of searches.
    if (chance(0.85) && !j.contains("departments") && !j.contains("regions")) {
      j["departments"] = {departments[pick(departments.size())]};
      if (chance(0.3)) j["departments"].push_back(departments[pick(departments.size())]);
    }
    auto s = alerts::SavedSearchFromJson(j);
    if (!s.ok()) {
      ++rejected;
      continue;
    }
    searches.push_back(std::move(*s));
  }
  const double parse_s = std::chrono::duration<double>(Clock::now() - t_build0).count();
  const auto t_index0 = Clock::now();
  alerts::Matcher matcher(searches);
  const double index_s = std::chrono::duration<double>(Clock::now() - t_index0).count();

  // Notices: real objects with their code, a department and a procedure.
  std::vector<alerts::Notice> notices;
  for (size_t i = 0; i < notices_n; ++i) {
    const Real& r = real[pick(real.size())];
    alerts::Notice nt;
    nt.id = "n" + std::to_string(i);
    nt.text = r.objet;
    if (r.cpv.size() == 8) nt.cpv.push_back(r.cpv);
    nt.department = departments[pick(departments.size())];
    nt.procedure = procedures[pick(procedures.size())];
    nt.amount_cents = int64_t{100} * static_cast<int64_t>(1000 + pick(2'000'000));
    notices.push_back(std::move(nt));
  }

  // Wall time, and the thread's CPU time: on a shared machine the wall time
  // also counts the time other processes held the core.
  const auto cpu_ms = [] {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
  };
  std::vector<double> fast_ms, fast_cpu_ms, match_counts;
  size_t matches = 0;
  for (const auto& nt : notices) {
    const double c0 = cpu_ms();
    const auto t0 = Clock::now();
    const auto m = matcher.MatchNotice(nt);
    fast_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    fast_cpu_ms.push_back(cpu_ms() - c0);
    matches += m.size();
    match_counts.push_back(static_cast<double>(m.size()));
  }
  std::vector<double> naive_ms, naive_cpu_ms;
  size_t disagreements = 0;
  for (size_t i = 0; i < std::min(naive_n, notices.size()); ++i) {
    const double c0 = cpu_ms();
    const auto t0 = Clock::now();
    const auto each = matcher.MatchEach(notices[i]);
    naive_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    naive_cpu_ms.push_back(cpu_ms() - c0);
    const auto fast = matcher.MatchNotice(notices[i]);
    if (fast.size() != each.size()) ++disagreements;
  }

  std::printf("alerts_bench: %zu saved searches (%zu unindexed), %zu real DECP objects as vocabulary "
              "(%zu words left out as too common)\n",
              searches.size(), matcher.unindexed(), real.size(), generic);
  std::printf("  build: parse+validate %.2f s, reverse index %.2f s (%zu searches refused by the parser)\n",
              parse_s, index_s, rejected);
  std::printf("  matches per notice: mean %.1f  p50 %.0f  p99 %.0f\n",
              static_cast<double>(matches) / static_cast<double>(notices.size()),
              Percentile(match_counts, 0.5), Percentile(match_counts, 0.99));
  std::printf("  reverse index, %zu notices: wall p50 %.3f ms  p99 %.3f ms | cpu p50 %.3f ms  p99 %.3f ms\n",
              fast_ms.size(), Percentile(fast_ms, 0.5), Percentile(fast_ms, 0.99),
              Percentile(fast_cpu_ms, 0.5), Percentile(fast_cpu_ms, 0.99));
  if (!naive_ms.empty()) {
    std::printf("  naive loop,    %zu notices: wall p50 %.3f ms  p99 %.3f ms | cpu p50 %.3f ms  p99 %.3f ms\n",
                naive_ms.size(), Percentile(naive_ms, 0.5), Percentile(naive_ms, 0.99),
                Percentile(naive_cpu_ms, 0.5), Percentile(naive_cpu_ms, 0.99));
    std::printf("  ratio naive/index, cpu p50: %.0fx; answers that differ: %zu\n",
                Percentile(naive_cpu_ms, 0.5) / Percentile(fast_cpu_ms, 0.5), disagreements);
  }
  return disagreements == 0 ? 0 : 1;
}
