// Shared body of the DECP fuzz targets: read the bytes as a DECP file, render
// every accepted contract, and check the reader's invariants. A broken
// invariant aborts, which the fuzzer reports as a crash.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

#include "formats/contract_json.h"
#include "formats/csv.h"
#include "formats/decp.h"

namespace limpide::fuzz {

inline void Check(bool ok) {
  if (!ok) std::abort();
}

inline void CheckRecord(const formats::DecpRecord& r) {
  Check(r.contract.has_value() == r.errors.empty());
  if (r.contract) {
    Check(r.contract->uid == domain::MakeUid(r.contract->buyer_id, r.contract->id));
    Check(!r.contract->id.empty() && r.contract->buyer_id.size() == 14);
    (void)formats::ContractToJson(*r.contract).dump();
    (void)formats::CsvRow(*r.contract);
  }
}

inline int FuzzDecpBytes(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::istringstream in(text);
  int64_t last = 0;
  const Status s = formats::ReadDecp(in, "fuzz", [&](formats::DecpRecord&& r) {
    Check(r.position == last + 1);  // records come in order, none skipped
    last = r.position;
    CheckRecord(r);
    return Status::Ok();
  });
  // Errors are values: a failed read is invalid_argument with a position.
  Check(s.ok() || (s.code() == ErrorCode::kInvalidArgument && s.message().rfind("fuzz:", 0) == 0));
  return 0;
}

}  // namespace limpide::fuzz
