// libFuzzer target for what search/ reads from outside: the query parameters
// of /api/v1/search and /recherche (ParseSearchParams, strict and lenient),
// and the ledger entry bodies it indexes (ContractDocument,
// ConsultationDocument: a ledger may come from another node). Aborts when an
// error is not invalid_argument, when a strict error names no parameter, or
// when an accepted query breaks its own bounds.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "search/search.h"

namespace {

using namespace limpide;

void Check(bool ok) {
  if (!ok) std::abort();
}

// "a=1&b=2" → pairs, as the HTTP layer gives them (already decoded).
std::vector<std::pair<std::string, std::string>> Pairs(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('&', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view item = text.substr(start, end - start);
    const size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      out.emplace_back(std::string(item), "");
    } else {
      out.emplace_back(std::string(item.substr(0, eq)), std::string(item.substr(eq + 1)));
    }
    start = end + 1;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto params = Pairs(text);
  for (const bool strict : {true, false}) {
    const auto q = search::ParseSearchParams(params, strict);
    if (!q.ok()) {
      Check(q.status().code() == ErrorCode::kInvalidArgument);
      Check(!q.status().field().empty());
      continue;
    }
    Check(q->limit >= 1 && q->limit <= 100);
    Check(q->offset >= 0 && q->offset <= search::kMaxOffset);
    Check(!q->deadline_from || !q->deadline_to || !(*q->deadline_to < *q->deadline_from));
    Check(q->type.empty() || q->type == "contract" || q->type == "consultation");
  }
  for (const auto& doc : {search::ContractDocument(text), search::ConsultationDocument(text)}) {
    if (!doc.ok()) Check(doc.status().code() == ErrorCode::kInvalidArgument);
  }
  return 0;
}
