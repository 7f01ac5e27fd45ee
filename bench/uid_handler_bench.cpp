// The API's routes called in process, without HTTP (issue 2): CPU time per
// call of GET /api/v1/contracts/{uid} (cycling through every uid) and of
// GET /healthz, through the real Router and handlers on a store built by
// bench/http_bench.sh's import, from one thread. What the route itself costs,
// measured by the thread's CPU clock: other work on the machine moves it far
// less than the wrk rates.
//
//   build/uid_handler_bench DATA_DIR UIDS_FILE [SECONDS=3] [ROUNDS=5]
//
// UIDS_FILE holds one percent-encoded uid a line (bench/make-big-decp.mjs).
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "api/api.h"
#include "app/catalogue.h"
#include "http/router.h"
#include "store/store.h"

namespace {

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct Run {
  double cpu_us_per_call = 0;
  long calls = 0;
  long bytes = 0;
};

// Calls the router with `requests` in turn for `seconds` of wall time.
Run Measure(const limpide::http::Router& router, const std::vector<limpide::http::Request>& requests,
            double seconds) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  Run run;
  const double cpu0 = ThreadCpuSeconds();
  size_t i = 0;
  while (std::chrono::steady_clock::now() < until) {
    for (int k = 0; k < 64; ++k) {
      const limpide::http::Response r = router.Handle(requests[i]);
      if (r.status != 200) {
        std::fprintf(stderr, "uid_handler_bench: %s answered %d: %s\n",
                     requests[i].target.c_str(), r.status, r.body.c_str());
        std::exit(1);
      }
      run.bytes += static_cast<long>(r.body.size());
      ++run.calls;
      i = (i + 1) % requests.size();
    }
  }
  run.cpu_us_per_call = (ThreadCpuSeconds() - cpu0) * 1e6 / static_cast<double>(run.calls);
  return run;
}

limpide::http::Request Get(std::string target) {
  limpide::http::Request r;
  r.method = "GET";
  r.path = target;  // the router matches on the raw target
  r.target = std::move(target);
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: uid_handler_bench DATA_DIR UIDS_FILE [SECONDS=3] [ROUNDS=5]\n");
    return 2;
  }
  const std::string data_dir = argv[1];
  const double seconds = argc > 3 ? std::atof(argv[3]) : 3.0;
  const int rounds = argc > 4 ? std::atoi(argv[4]) : 5;
  auto store = limpide::store::OpenStore("sqlite:" + data_dir + "/limpide.db");
  if (!store.ok()) {
    std::fprintf(stderr, "uid_handler_bench: %s\n", store.status().ToString().c_str());
    return 1;
  }
  limpide::app::Catalogue catalogue(**store);
  limpide::http::Router router;
  // Without the cache of rendered contracts: what rendering a contract costs
  // (bench/http_bench.sh measures the server with it).
  limpide::api::RegisterApi(router, catalogue, {.contract_cache_bytes = 0});

  std::vector<limpide::http::Request> uids;
  std::ifstream in(argv[2]);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) uids.push_back(Get("/api/v1/contracts/" + line));
  }
  if (uids.empty()) {
    std::fprintf(stderr, "uid_handler_bench: no uid in %s\n", argv[2]);
    return 1;
  }
  const std::vector<limpide::http::Request> health = {Get("/healthz")};
  std::printf("%zu uids, %d rounds of %.1f s per route, one thread\n", uids.size(), rounds, seconds);
  std::vector<double> h_us, u_us;
  for (int r = 1; r <= rounds; ++r) {
    const Run h = Measure(router, health, seconds);
    const Run u = Measure(router, uids, seconds);
    h_us.push_back(h.cpu_us_per_call);
    u_us.push_back(u.cpu_us_per_call);
    std::printf(
        "round %d: healthz %.2f µs CPU per call | contract by uid %.2f µs (%ld calls, %.0f bytes "
        "a body)\n",
        r, h.cpu_us_per_call, u.cpu_us_per_call, u.calls,
        static_cast<double>(u.bytes) / static_cast<double>(u.calls));
  }
  const auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  std::printf("median: healthz %.2f µs, contract by uid %.2f µs CPU per call\n", median(h_us),
              median(u_us));
  return 0;
}
