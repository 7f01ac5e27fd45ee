// OCDS merge: compiled + versioned release of one 50-release ocid, beside
// parsing and dumping the same 50 releases with nlohmann::json in the same run.
//
//   build/ocds_merge_bench [SHARED_DATA_DIR] [RUNS=1000] [snapshots|deltas]
//
// The 50 releases are the OCP's six fictional releases followed by 44 updates
// of the implementation release (about weekly), each a full snapshot as
// publishers send them: the contract value changes every other release, a
// contract amendment every third and a payment transaction every fourth (both
// accumulate), a new award (pending, then active) with its supplier as a party
// every seventh, the contract period extended every tenth. With `deltas`, the
// updates carry only what changed (same merged results, a tenth of the input).
// The target (issue 3) is under 1 ms for compiled + versioned: Merge gives
// them as two DOMs, MergeToText as JSON text.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "formats/ocds/merge.h"

using nlohmann::json;
using Clock = std::chrono::steady_clock;
using limpide::formats::ocds::Merger;

namespace {

json Load(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "cannot open %s\n", path.c_str());
    std::exit(1);
  }
  return json::parse(in);
}

std::string Day(int k) {  // 2011-01-10 + k days, k < 300 (2011 is not a leap year)
  static const int kMonthDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int day = 10 + k;
  int month = 0;
  while (day > kMonthDays[month]) day -= kMonthDays[month++];
  char buf[32];
  std::snprintf(buf, sizeof buf, "2011-%02d-%02dT09:30:00Z", month + 1, day);
  return buf;
}

std::vector<json> MakeReleases(const std::string& shared, bool deltas) {
  const std::string dir = shared + "/ocds/samples/fictional-ocp-1.1/";
  std::vector<json> releases;
  for (const char* f :
       {"ocds-213czf-000-00001-01-planning.json", "ocds-213czf-000-00001-02-tender.json",
        "ocds-213czf-000-00001-03-tenderAmendment.json", "ocds-213czf-000-00001-04-award.json",
        "ocds-213czf-000-00001-05-contract.json", "ocds-213czf-000-00001-06-implementation.json"}) {
    releases.push_back(Load(dir + f)["releases"][0]);
  }
  static const char* const kTags[] = {"contractAmendment", "implementation", "awardUpdate",
                                      "contractUpdate"};
  json state = releases.back();
  for (int k = 1; releases.size() < 50; ++k) {
    const std::string date = Day(k);
    json& contract = state["contracts"][0];
    contract["value"]["amount"] = 11000000 + 25000 * (k / 2);
    if (k % 10 == 0)
      contract["period"]["endDate"] = "2011-" + std::to_string(6 + k / 10) + "-30T23:59:00Z";
    if (k % 3 == 0) {
      contract["amendments"].push_back(
          {{"id", "amendment-" + std::to_string(k)},
           {"date", date},
           {"rationale", "Additional works required after survey " + std::to_string(k)},
           {"description", "Contract value raised to cover extra resurfacing."},
           {"amendsReleaseID", releases.back()["id"]},
           {"releaseID", "ocds-213czf-000-00001-07-update-" + std::to_string(k)}});
    }
    if (k % 4 == 0) {  // a monthly payment, releases being about weekly
      contract["implementation"]["transactions"].push_back(
          {{"id", "ocds-213czf-000-00001-tx-" + std::to_string(k)},
           {"source", "https://openspending.org/uk-barnet-spending/"},
           {"date", date},
           {"value", {{"amount", 40000 + 100 * k}, {"currency", "GBP"}}},
           {"payer", {{"id", "GB-LAC-E09000003"}, {"name", "London Borough of Barnet"}}},
           {"payee", {{"id", "GB-COH-11111111"}, {"name", "AnyCorp Cycle Provision"}}},
           {"uri",
            "https://openspending.org/uk-barnet-spending/transaction/" + std::to_string(k)}});
    }
    for (json& award : state["awards"]) {  // last round's new award is now active
      if (award["status"] == "pending") award["status"] = "active";
    }
    if (k % 7 == 0) {
      const std::string supplier = "GB-COH-2000" + std::to_string(1000 + k);
      state["awards"].push_back(
          {{"id", "ocds-213czf-000-00001-award-" + std::to_string(10 + k)},
           {"title", "Award for signage lot " + std::to_string(k)},
           {"status", "pending"},
           {"date", date},
           {"value", {{"amount", 150000 + 1000 * k}, {"currency", "GBP"}}},
           {"suppliers", {{{"id", supplier}, {"name", "Signs Ltd " + std::to_string(k)}}}}});
      state["parties"].push_back(
          {{"id", supplier},
           {"name", "Signs Ltd " + std::to_string(k)},
           {"identifier", {{"scheme", "GB-COH"}, {"id", supplier.substr(7)}}},
           {"address", {{"locality", "London"}, {"countryName", "United Kingdom"}}},
           {"roles", {"supplier"}}});
    }
    state["id"] = "ocds-213czf-000-00001-07-update-" + std::to_string(k);
    state["date"] = date;
    state["tag"] = {kTags[k % 4]};
    if (!deltas) {
      releases.push_back(state);
      continue;
    }
    // Only what changed: the new amendment, payment, awards and party; the contract value.
    json delta = {
        {"ocid", state["ocid"]}, {"id", state["id"]}, {"date", date}, {"tag", state["tag"]}};
    json changed = {{"id", contract["id"]}, {"value", contract["value"]}};
    if (k % 10 == 0) changed["period"] = contract["period"];
    if (k % 3 == 0) changed["amendments"] = json::array({contract["amendments"].back()});
    if (k % 4 == 0) {
      changed["implementation"]["transactions"] =
          json::array({contract["implementation"]["transactions"].back()});
    }
    delta["contracts"] = json::array({changed});
    json awards = json::array();
    for (const json& a : state["awards"]) {
      if (a["date"] == date || a["date"] == Day(k - 1)) awards.push_back(a);
    }
    if (!awards.empty()) delta["awards"] = awards;
    if (k % 7 == 0) delta["parties"] = json::array({state["parties"].back()});
    releases.push_back(delta);
  }
  return releases;
}

// Wall time and the CPU time of this thread: on a busy machine the second leaves out the
// time spent waiting for a core.
struct Stopwatch {
  Clock::time_point wall = Clock::now();
  double cpu = CpuMs();
  static double CpuMs() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
  }
};

struct Samples {
  std::vector<double> wall, cpu;
  void Add(const Stopwatch& since) {
    wall.push_back(std::chrono::duration<double, std::milli>(Clock::now() - since.wall).count());
    cpu.push_back(Stopwatch::CpuMs() - since.cpu);
  }
};

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

size_t CountVersions(const json& v) {
  if (v.is_array() && !v.empty() && v[0].is_object() && v[0].contains("releaseID")) {
    return v.size();
  }
  size_t n = 0;
  if (v.is_structured()) {
    for (const json& c : v) n += CountVersions(c);
  }
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string shared = argc > 1 ? argv[1] : "../shared/data";
  const int runs = argc > 2 ? std::atoi(argv[2]) : 1000;
  const bool deltas = argc > 3 && std::string(argv[3]) == "deltas";

  auto merger = Merger::FromSchemaFile(shared + "/ocds/schema/release-schema.json");
  if (!merger.ok()) {
    std::fprintf(stderr, "%s\n", merger.status().ToString().c_str());
    return 1;
  }
  const std::vector<json> releases = MakeReleases(shared, deltas);
  std::vector<std::string> texts;
  size_t bytes = 0;
  for (const json& r : releases) {
    texts.push_back(r.dump());
    bytes += texts.back().size();
  }

  // Check once that the three entry points agree, then time each in its own loop.
  auto compiled = merger->Compile(releases);
  auto versioned = merger->Versioned(releases);
  auto record = merger->Merge(releases);
  if (!compiled.ok() || !versioned.ok() || !record.ok()) {
    std::fprintf(stderr, "merge failed: %s %s\n", compiled.status().ToString().c_str(),
                 versioned.status().ToString().c_str());
    return 1;
  }
  auto text = merger->MergeToText(releases);
  if (record->compiled != *compiled || record->versioned != *versioned || !text.ok() ||
      text->compiled != compiled->dump() || text->versioned != versioned->dump()) {
    std::fprintf(stderr, "Merge or MergeToText differs from Compile + Versioned\n");
    return 1;
  }
  const size_t compiled_bytes = compiled->dump().size();
  const size_t versioned_bytes = versioned->dump().size();
  const size_t versions = CountVersions(*versioned);

  size_t sink = 0;
  auto time = [&](auto&& op) {
    Samples samples;
    for (int run = 0; run < runs; ++run) {
      Stopwatch t;
      sink += op();
      samples.Add(t);
    }
    return samples;
  };
  // The results are destroyed inside the timed call: freeing them is part of the cost.
  const Samples compile_t = time([&] { return merger->Compile(releases)->size(); });
  const Samples versioned_t = time([&] { return merger->Versioned(releases)->size(); });
  const Samples merge_t = time([&] { return merger->Merge(releases)->compiled.size(); });
  const Samples text_t = time([&] {
    auto text = merger->MergeToText(releases);
    return text->compiled.size() + text->versioned.size();
  });
  Samples merge_kept_t;  // the same, the result freed outside the timer
  for (int run = 0; run < runs; ++run) {
    Stopwatch t;
    auto kept = merger->Merge(releases);
    merge_kept_t.Add(t);
    sink += kept->versioned.size();
  }
  // Baseline: what it costs nlohmann to read and write the same releases once.
  const Samples baseline_t = time([&] {
    size_t n = 0;
    for (const std::string& text : texts) n += json::parse(text).dump().size();
    return n;
  });

  std::printf(
      "50-release ocid: %zu releases, %.0f kB of JSON in; compiled %.1f kB, versioned %.1f kB "
      "(%zu versions)\n",
      releases.size(), bytes / 1024.0, compiled_bytes / 1024.0, versioned_bytes / 1024.0, versions);
  std::printf("median of %d runs, ms            wall      cpu\n", runs);
  auto row = [](const char* name, const Samples& s) {
    std::printf("  %-30s %8.3f %8.3f\n", name, Median(s.wall), Median(s.cpu));
  };
  row("Compile", compile_t);
  row("Versioned", versioned_t);
  row("Merge (compiled + versioned)", merge_t);
  row("  the same, result freed later", merge_kept_t);
  row("MergeToText (both, as JSON text)", text_t);
  row("baseline: parse + dump (nlohmann)", baseline_t);
  std::printf("target: compiled + versioned under 1 ms\n");
  return sink == 0 ? 2 : 0;
}
