// What the procedure benchmarks share (dashboard_bench, list_bench): buyers
// with valid SIRETs, timing and percentiles, and stopping on an error.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "app/procedure.h"

namespace limpide::bench {

using Clock = std::chrono::steady_clock;

inline app::Principal Buyer(int i) {
  app::Principal p;
  // 100 SIRETs of the same SIREN prefix: valid by Luhn (the last digit fixes it).
  std::string base = "2135023880" + std::string(3 - std::to_string(i).size(), '0') + std::to_string(i);
  for (char last = '0'; last <= '9'; ++last) {
    const std::string s = base + last;
    int sum = 0;
    for (size_t k = 0; k < s.size(); ++k) {
      int d = s[s.size() - 1 - k] - '0';
      if (k % 2) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
      sum += d;
    }
    if (sum % 10 == 0) {
      p.org_id = s;
      break;
    }
  }
  p.user_id = "u" + std::to_string(i);
  p.org_name = "Acheteur " + std::to_string(i);
  p.role = app::UserRole::kBuyerAgent;
  return p;
}

inline double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}
inline double P90(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, v.size() * 9 / 10)];
}

inline std::vector<double> Time(int runs, const std::function<size_t()>& f, size_t* items) {
  std::vector<double> ms;
  for (int r = 0; r < runs; ++r) {
    const auto t0 = Clock::now();
    *items = f();
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  return ms;
}

inline void Die(const Status& st, const char* what) {
  std::fprintf(stderr, "%s: %s\n", what, st.ToString().c_str());
  std::exit(1);
}

}  // namespace limpide::bench
