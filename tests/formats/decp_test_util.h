// Helpers shared by the formats tests.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "formats/decp.h"

namespace limpide::formats::testing {

inline std::string SharedData(const std::string& rel) {
  return std::string(LIMPIDE_SHARED_DATA) + "/" + rel;
}

struct ReadOutcome {
  Status status;
  std::vector<DecpRecord> records;
  int accepted() const {
    int n = 0;
    for (const auto& r : records) n += r.contract.has_value() ? 1 : 0;
    return n;
  }
  int rejected() const { return static_cast<int>(records.size()) - accepted(); }
};

inline ReadOutcome ReadText(const std::string& text, const std::string& source = "test.json") {
  ReadOutcome out;
  std::istringstream in(text);
  out.status = ReadDecp(in, source, [&](DecpRecord&& r) {
    out.records.push_back(std::move(r));
    return Status::Ok();
  });
  return out;
}

inline ReadOutcome ReadFile(const std::string& path) {
  ReadOutcome out;
  out.status = ReadDecpFile(path, [&](DecpRecord&& r) {
    out.records.push_back(std::move(r));
    return Status::Ok();
  });
  return out;
}

inline bool HasFlag(const domain::Contract& c, const std::string& flag) {
  for (const auto& f : c.flags) {
    if (f == flag) return true;
  }
  return false;
}

}  // namespace limpide::formats::testing
