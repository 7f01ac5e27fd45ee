// What each change of issue 2's contract-by-uid work saves, measured in one
// process and one thread with the two ways interleaved in blocks of 256 calls,
// so that other work on the machine weighs on both alike (thread CPU clock):
//   - the store reads: GetContract then GetObject("contract-sources") (the
//     route before) against GetContractWithObject (one statement), and that
//     against GetContract alone (what is left of the sources' lookup, now
//     that the contract row says whether there are any);
//   - the extra object of the API form: nlohmann's parse and dump of each
//     stored extra_json against json_text::IsDumpedObject and a copy.
//
//   build/uid_store_bench DATA_DIR UIDS_FILE [SECONDS=3]
//
// DATA_DIR is a store built by bench/http_bench.sh's import; UIDS_FILE holds
// one percent-encoded uid a line (bench/make-big-decp.mjs).
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "formats/json_text.h"
#include "store/store.h"

namespace {

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

std::string PercentDecode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out.push_back(static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// Runs `a` and `b` (each: one call on item i) in alternating blocks for
// `seconds`; prints the CPU time per call of each.
void Compare(const char* what, const char* name_a, const char* name_b, size_t items,
             double seconds, const std::function<void(size_t)>& a,
             const std::function<void(size_t)>& b) {
  constexpr int kBlock = 256;
  double cpu[2] = {0, 0};
  long calls[2] = {0, 0};
  // The two sides read different items at any time (half the list apart):
  // neither finds in the caches the pages the other has just read.
  size_t next[2] = {0, items / 2};
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  // Which side runs first alternates: neither gains from its position.
  for (int turn = 0; std::chrono::steady_clock::now() < until; ++turn) {
    for (int side : {turn % 2, 1 - turn % 2}) {
      const auto& f = side == 0 ? a : b;
      const double t0 = ThreadCpuSeconds();
      for (int k = 0; k < kBlock; ++k) {
        f(next[side]);
        next[side] = (next[side] + 1) % items;
      }
      cpu[side] += ThreadCpuSeconds() - t0;
      calls[side] += kBlock;
    }
  }
  const double ua = cpu[0] * 1e6 / static_cast<double>(calls[0]);
  const double ub = cpu[1] * 1e6 / static_cast<double>(calls[1]);
  std::printf("%s: %s %.2f µs | %s %.2f µs CPU per call (%.2f µs less, %ld calls each)\n", what,
              name_a, ua, name_b, ub, ua - ub, calls[0]);
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "uid_store_bench: %s\n", what.c_str());
  std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: uid_store_bench DATA_DIR UIDS_FILE [SECONDS=3]\n");
    return 2;
  }
  const double seconds = argc > 3 ? std::atof(argv[3]) : 3.0;
  auto opened = limpide::store::OpenStore(std::string("sqlite:") + argv[1] + "/limpide.db");
  if (!opened.ok()) Die(opened.status().ToString());
  limpide::store::Store& store = **opened;
  std::vector<std::string> uids;
  std::ifstream in(argv[2]);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) uids.push_back(PercentDecode(line));
  }
  if (uids.empty()) Die(std::string("no uid in ") + argv[2]);
  constexpr std::string_view kSources = "contract-sources";

  for (int round = 1; round <= 3; ++round) {
    std::printf("round %d\n", round);
    Compare(
        "store reads", "GetContract + GetObject", "GetContractWithObject", uids.size(), seconds,
        [&](size_t i) {
          auto c = store.GetContract(uids[i]);
          if (!c.ok()) Die(c.status().ToString());
          auto o = store.GetObject(kSources, uids[i]);
          if (!o.ok() && o.status().code() != limpide::ErrorCode::kNotFound)
            Die(o.status().ToString());
        },
        [&](size_t i) {
          auto c = store.GetContractWithObject(uids[i], kSources);
          if (!c.ok()) Die(c.status().ToString());
        });
    // What is left of the sources' lookup for a contract without any.
    Compare(
        "flag", "GetContractWithObject", "GetContract alone", uids.size(), seconds,
        [&](size_t i) {
          auto c = store.GetContractWithObject(uids[i], kSources);
          if (!c.ok()) Die(c.status().ToString());
        },
        [&](size_t i) {
          auto c = store.GetContract(uids[i]);
          if (!c.ok()) Die(c.status().ToString());
        });
  }

  // Every stored extra_json, as the API's writer meets them.
  std::vector<std::string> extras;
  limpide::store::PageRequest page{.after = "", .limit = 1000};
  while (true) {
    auto p = store.ListContracts({}, page);
    if (!p.ok()) Die(p.status().ToString());
    for (auto& c : p->items) extras.push_back(std::move(c.extra_json));
    if (p->next.empty()) break;
    page.after = p->next;
  }
  size_t copied = 0;
  for (const auto& e : extras) copied += limpide::formats::json_text::IsDumpedObject(e) ? 1 : 0;
  std::printf("%zu contracts, %zu with extra \"{}\", %zu copied as they are\n", extras.size(),
              static_cast<size_t>(std::count(extras.begin(), extras.end(), "{}")), copied);
  using nlohmann::json;
  std::string out;
  // The API writer's "extra" (formats/contract_json.cpp), with or without the copy.
  const auto write_extra = [&](const std::string& e, bool copy) {
    out.clear();
    if (e.empty() || e == "{}") {
      out += "{}";
    } else if (copy && limpide::formats::json_text::IsDumpedObject(e)) {
      out += e;
    } else {
      json j = json::parse(e, nullptr, false);
      out += j.is_object() ? j.dump(-1, ' ', false, json::error_handler_t::replace) : "{}";
    }
  };
  for (int round = 1; round <= 3; ++round) {
    Compare(
        "extra", "parse + dump", "IsDumpedObject + copy", extras.size(), seconds,
        [&](size_t i) { write_extra(extras[i], false); },
        [&](size_t i) { write_extra(extras[i], true); });
  }
  return 0;
}
