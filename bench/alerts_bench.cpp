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
#include <array>
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
#include "app/generator.h"
#include "domain/cpv.h"
#include "domain/money.h"
#include "domain/procedure.h"
#include "search/search.h"

using namespace limpide;
using Clock = std::chrono::steady_clock;

namespace {

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  const size_t n = argc > 1 ? std::stoul(argv[1]) : 1'000'000;
  const size_t notices_n = argc > 2 ? std::stoul(argv[2]) : 2000;
  const size_t naive_n = argc > 3 ? std::stoul(argv[3]) : 30;
  const std::string real_dir = std::string(LIMPIDE_SHARED_DATA) + "/decp/real-2019-decp-rama/";
  auto model = app::ContractModel::FromFiles(
      {real_dir + "marches-publics.info.json", real_dir + "data.gouv.fr_aife.json"});
  if (!model.ok()) {
    std::fprintf(stderr, "%s\n", model.status().ToString().c_str());
    return 1;
  }
  // What saved searches are made of: generated contracts (objects, codes and
  // places drawn with their real frequencies).
  struct Real {
    std::string objet, cpv, department;
  };
  std::vector<Real> real;
  for (uint64_t rank = 0; rank < 50000; ++rank) {
    const domain::Contract c = (*model)->Contract(7, rank);
    real.push_back({c.object, c.cpv.size() >= 8 ? c.cpv.substr(0, 8) : "",
                    search::DepartmentOf(c.place.code, c.place.code_type)});
  }
  // Words worth saving a search on: 4 letters or more, not stop words, and
  // not in more than 1.5% of the objects ("travaux", "prestations",
  // "fourniture" alone would alert on everything: nobody saves them alone).
  std::map<std::string, size_t> df;
  std::vector<std::vector<std::string>> all_words(real.size());
  for (size_t i = 0; i < real.size(); ++i) {
    all_words[i] = search::FoldedWords(real[i].objet);
    std::set<std::string> seen(all_words[i].begin(), all_words[i].end());
    for (const auto& w : seen) ++df[w];
  }
  std::vector<std::vector<std::string>> words_of(real.size());
  size_t generic = 0;
  for (const auto& [w, n] : df) generic += n * 1000 > real.size() * 15;
  for (size_t i = 0; i < real.size(); ++i) {
    for (auto& w : all_words[i])
      if (w.size() >= 4 && !search::IsStopWord(w) && df[w] * 1000 <= real.size() * 15)
        words_of[i].push_back(w);
  }
  const auto& table = domain::CpvTable::Get().all();
  // Departments of searches: those of the generated contracts' places, with
  // their frequencies (a company watches where the contracts are).
  std::vector<std::string> departments;
  for (const auto& r : real)
    if (!r.department.empty()) departments.push_back(r.department);
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
  std::vector<uint8_t> kinds;
  const char* const kKindNames[] = {"keywords, in places", "keywords or CPV, in places",
                                    "keywords, national", "keywords or CPV, national",
                                    "CPV only, in places", "CPV only, national",
                                    "places (+ procedure or amount) only"};
  std::array<size_t, 7> kind_searches{}, kind_matches{};
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
    // What kind of search it is, for the share of matches of each kind.
    const bool place = !s->departments.empty();
    kinds.push_back(kind < 0.70 ? (s->cpv.empty() ? 0 : 1) + (place ? 0 : 2)
                    : kind < 0.96 ? 4 + (place ? 0 : 1)
                                  : 6);
    searches.push_back(std::move(*s));
  }
  const double parse_s = std::chrono::duration<double>(Clock::now() - t_build0).count();
  const auto t_index0 = Clock::now();
  alerts::Matcher matcher(searches);
  const double index_s = std::chrono::duration<double>(Clock::now() - t_index0).count();

  // Notices: consultations of `limpide gen`, read as the alerts service
  // reads a published one (title and description, code, place, procedure,
  // estimated value).
  std::vector<alerts::Notice> notices;
  size_t without_department = 0;
  for (size_t i = 0; i < notices_n; ++i) {
    const auto draft = nlohmann::json::parse(
        (*model)->Consultation(11, i, domain::Instant{1'764'400'000'000'000}).json);
    alerts::Notice nt;
    nt.id = "n" + std::to_string(i);
    nt.text = draft.value("title", "") + "\n" + draft.value("description", "");
    nt.cpv.push_back(draft.value("cpv", ""));
    if (draft.contains("place"))
      nt.department = search::DepartmentOf(draft["place"].value("code", ""),
                                           draft["place"].value("type", ""));
    without_department += nt.department.empty();
    nt.procedure = draft.value("procedure", "");
    if (auto v = domain::ParseEuros(draft.value("estimatedValue", "")); v.ok())
      nt.amount_cents = v->cents;
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
  size_t matches = 0, candidates = 0;
  for (const auto& nt : notices) {
    const double c0 = cpu_ms();
    const auto t0 = Clock::now();
    size_t checked = 0;
    const auto m = matcher.MatchNotice(nt, &checked);
    candidates += checked;
    fast_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    fast_cpu_ms.push_back(cpu_ms() - c0);
    matches += m.size();
    for (const uint32_t slot : m) ++kind_matches[kinds[slot]];
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
    if (fast != each) ++disagreements;
  }

  // Changing one saved search: unfile it and file its new version.
  std::vector<double> change_us;
  for (size_t i = 0; i < 2000; ++i) {
    const uint32_t slot = static_cast<uint32_t>(pick(searches.size()));
    auto next = matcher.search(slot);
    if (!next) continue;
    const auto t0 = Clock::now();
    matcher.Remove(slot);
    matcher.Add(std::move(next));
    change_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
  }

  std::printf("alerts_bench: %zu saved searches (%zu unindexed), %zu generated contracts as "
              "vocabulary (%zu words left out as too common); %zu notices, %zu without a "
              "department\n",
              searches.size(), matcher.unindexed(), real.size(), generic, notices.size(),
              without_department);
  std::printf("  build: parse+validate %.2f s, reverse index %.2f s (%zu searches refused by the parser)\n",
              parse_s, index_s, rejected);
  std::printf("  matches per notice: mean %.1f  p50 %.0f  p99 %.0f\n",
              static_cast<double>(matches) / static_cast<double>(notices.size()),
              Percentile(match_counts, 0.5), Percentile(match_counts, 0.99));
  std::printf("  searches checked per notice: mean %.1f (%.2f per match)\n",
              static_cast<double>(candidates) / static_cast<double>(notices.size()),
              static_cast<double>(candidates) / static_cast<double>(std::max<size_t>(matches, 1)));
  for (const uint8_t k : kinds) ++kind_searches[k];
  for (size_t k = 0; k < kind_searches.size(); ++k)
    std::printf("    %-38s %5.1f%% of searches, %5.1f%% of matches, %.2f%% of them match a notice\n",
                kKindNames[k], 100.0 * static_cast<double>(kind_searches[k]) / static_cast<double>(n),
                100.0 * static_cast<double>(kind_matches[k]) / static_cast<double>(std::max<size_t>(matches, 1)),
                kind_searches[k] ? 100.0 * static_cast<double>(kind_matches[k]) /
                                       static_cast<double>(kind_searches[k] * notices.size())
                                 : 0.0);
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
  std::printf("  one search changed (Remove + Add), %zu changes: p50 %.1f us  p99 %.1f us "
              "(rebuilding the index: %.2f s)\n",
              change_us.size(), Percentile(change_us, 0.5), Percentile(change_us, 0.99), index_s);
  return disagreements == 0 ? 0 : 1;
}
