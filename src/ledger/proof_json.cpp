#include "ledger/proof_json.h"

namespace limpide::ledger {
namespace {

using nlohmann::json;

constexpr uint64_t kMaxSafeInteger = (uint64_t{1} << 53) - 1;

Result<uint64_t> CountField(const json& j, const char* field) {
  if (!j.contains(field))
    return Status::InvalidArgument(std::string("no \"") + field + "\"", field);
  const json& v = j[field];
  if (!v.is_number_integer() || (!v.is_number_unsigned() && v.get<int64_t>() < 0) ||
      v.get<uint64_t>() > kMaxSafeInteger) {
    return Status::InvalidArgument(
        std::string("\"") + field + "\" must be an integer between 0 and 2^53 - 1", field);
  }
  return v.get<uint64_t>();
}

Result<Hash> HashValue(const json& v, const std::string& field) {
  if (!v.is_string()) return Status::InvalidArgument("\"" + field + "\" must be a string", field);
  auto hash = crypto::HashFromHex(v.get_ref<const std::string&>());
  if (!hash.ok()) {
    return Status::InvalidArgument("\"" + field + "\": " + hash.status().message(), field);
  }
  return hash;
}

Result<std::vector<Hash>> HashList(const json& j, const char* field) {
  if (!j.contains(field))
    return Status::InvalidArgument(std::string("no \"") + field + "\"", field);
  const json& a = j[field];
  if (!a.is_array()) {
    return Status::InvalidArgument(std::string("\"") + field + "\" must be an array", field);
  }
  if (a.size() > 128) {
    return Status::InvalidArgument(std::string("\"") + field + "\" has " +
                                       std::to_string(a.size()) +
                                       " hashes; no proof needs more than 128",
                                   field);
  }
  std::vector<Hash> out;
  out.reserve(a.size());
  for (size_t i = 0; i < a.size(); ++i) {
    auto h = HashValue(a[i], std::string(field) + "[" + std::to_string(i) + "]");
    if (!h.ok()) return h.status();
    out.push_back(*h);
  }
  return out;
}

json HexList(const std::vector<Hash>& hashes) {
  json a = json::array();
  for (const Hash& h : hashes) a.push_back(crypto::ToHex(h));
  return a;
}

}  // namespace

json InclusionProofToJson(const InclusionProofDoc& doc) {
  json j{{"leaf_index", doc.leaf_index},
         {"tree_size", doc.tree_size},
         {"leaf_hash", crypto::ToHex(doc.leaf_hash)},
         {"audit_path", HexList(doc.audit_path)}};
  if (doc.entry) j["entry"] = *doc.entry;
  return j;
}

Result<InclusionProofDoc> InclusionProofFromJson(const json& j) {
  if (!j.is_object()) {
    return Status::InvalidArgument(std::string("an inclusion proof must be a JSON object, not ") +
                                   j.type_name());
  }
  InclusionProofDoc doc;
  auto index = CountField(j, "leaf_index");
  if (!index.ok()) return index.status();
  doc.leaf_index = *index;
  auto size = CountField(j, "tree_size");
  if (!size.ok()) return size.status();
  doc.tree_size = *size;
  if (!j.contains("leaf_hash")) return Status::InvalidArgument("no \"leaf_hash\"", "leaf_hash");
  auto leaf = HashValue(j["leaf_hash"], "leaf_hash");
  if (!leaf.ok()) return leaf.status();
  doc.leaf_hash = *leaf;
  auto path = HashList(j, "audit_path");
  if (!path.ok()) return path.status();
  doc.audit_path = std::move(path).value();
  if (j.contains("entry")) {
    if (!j["entry"].is_object()) {
      return Status::InvalidArgument("\"entry\" must be a JSON object", "entry");
    }
    doc.entry = j["entry"];
  }
  return doc;
}

json ConsistencyProofToJson(const ConsistencyProofDoc& doc) {
  return json{{"first", doc.first},
              {"second", doc.second},
              {"consistency_path", HexList(doc.consistency_path)}};
}

Result<ConsistencyProofDoc> ConsistencyProofFromJson(const json& j) {
  if (!j.is_object()) {
    return Status::InvalidArgument(std::string("a consistency proof must be a JSON object, not ") +
                                   j.type_name());
  }
  ConsistencyProofDoc doc;
  auto first = CountField(j, "first");
  if (!first.ok()) return first.status();
  doc.first = *first;
  auto second = CountField(j, "second");
  if (!second.ok()) return second.status();
  doc.second = *second;
  auto path = HashList(j, "consistency_path");
  if (!path.ok()) return path.status();
  doc.consistency_path = std::move(path).value();
  return doc;
}

std::string DumpLine(std::string_view encoded_entry, const Hash& leaf_hash, const Hash& tree_root) {
  std::string line;
  line.reserve(encoded_entry.size() + 160);
  line += "{\"entry\":";
  line += encoded_entry;
  line += ",\"leaf_hash\":\"";
  line += crypto::ToHex(leaf_hash);
  line += "\",\"tree_root\":\"";
  line += crypto::ToHex(tree_root);
  line += "\"}";
  return line;
}

}  // namespace limpide::ledger
