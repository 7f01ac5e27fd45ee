// The JSON documents that carry proofs and dumps between the server and `limpide verify`
// (docs/ledger.md, "Files"). Hashes are lower-case hex in all of them.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "ledger/merkle.h"

namespace limpide::ledger {

// {"leaf_index":i,"tree_size":n,"leaf_hash":hex,"audit_path":[hex,…]}, with the entry object
// ("entry") when the server includes it.
struct InclusionProofDoc {
  uint64_t leaf_index = 0;
  uint64_t tree_size = 0;
  Hash leaf_hash{};
  std::vector<Hash> audit_path;
  std::optional<nlohmann::json> entry;  // EntryToJson form
};
nlohmann::json InclusionProofToJson(const InclusionProofDoc& doc);
// invalid_argument naming the field: missing, wrong type, out of [0, 2^53 - 1], bad hex,
// "entry" not an object.
Result<InclusionProofDoc> InclusionProofFromJson(const nlohmann::json& j);

// {"first":m,"second":n,"consistency_path":[hex,…]}
struct ConsistencyProofDoc {
  uint64_t first = 0;
  uint64_t second = 0;
  std::vector<Hash> consistency_path;
};
nlohmann::json ConsistencyProofToJson(const ConsistencyProofDoc& doc);
Result<ConsistencyProofDoc> ConsistencyProofFromJson(const nlohmann::json& j);

// One line of a dump, without its newline:
// {"entry":<encoded entry>,"leaf_hash":"<hex>","tree_root":"<hex>"} where `encoded_entry` is
// EncodeEntry's output, `leaf_hash` its LeafHash and `tree_root` the root of the tree of the
// entries up to and including this one. The line is itself canonical JSON.
std::string DumpLine(std::string_view encoded_entry, const Hash& leaf_hash, const Hash& tree_root);

}  // namespace limpide::ledger
