// Private to formats/: the per-record half of the DECP readers. Both JSON
// versions and XML are first brought to one "canonical" JSON shape (2.x field
// names where they exist, list wrappers removed: `"titulaires":[{...}]`,
// `"typesPrix":["..."]`), held in a JsonTree, then one converter checks and
// maps every field.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <pugixml.hpp>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "domain/cpv.h"
#include "domain/procedure.h"
#include "formats/decp.h"

namespace simdjson::dom {
class element;
}  // namespace simdjson::dom

namespace limpide::formats::internal {

// Remembers the table lookups of the values that repeat from record to record
// (CPV codes, natures, procedures). One per reader: not for sharing between
// threads. Holds a bounded number of entries.
class LookupCache {
 public:
  const Result<domain::ParsedCpv>& Cpv(std::string_view code);
  std::optional<domain::ContractNature> Nature(std::string_view label);
  std::optional<domain::ProcedureType> Procedure(std::string_view label);

 private:
  template <typename V>
  class Memo {
   public:
    template <typename Compute>
    const V& Get(std::string_view key, Compute compute) {
      if (auto it = map_.find(key); it != map_.end()) return it->second;
      if (map_.size() >= kMaxEntries) map_.clear();
      return map_.emplace(std::string(key), compute(key)).first->second;
    }

   private:
    static constexpr size_t kMaxEntries = 1 << 14;
    struct Hash {
      using is_transparent = void;
      size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    std::unordered_map<std::string, V, Hash, std::equal_to<>> map_;
  };

  Memo<Result<domain::ParsedCpv>> cpv_;
  Memo<std::optional<domain::ContractNature>> nature_;
  Memo<std::optional<domain::ProcedureType>> procedure_;
};

struct RecordOptions {
  int schema_major = 2;          // 1 or 2
  bool concession = false;       // contrat de concession rules (autoriteConcedante…)
  bool from_xml = false;         // scalars were text: numbers in text are not "as_text" repairs
  std::string_view source;       // default Contract::source
  bool utf8_repaired = false;    // invalid UTF-8 was replaced by U+FFFD (XML)
  LookupCache* cache = nullptr;  // the reader's, if it has one
};

// `s` with every invalid UTF-8 sequence replaced by U+FFFD; sets `repaired`.
std::string SanitizeUtf8(std::string_view s, bool* repaired = nullptr);

// One value of a JsonTree. Objects hold their members sorted by key (bytewise)
// with one member per key, the last one written winning: what nlohmann's
// std::map-based objects did, so that extra_json keeps its key order.
class JsonNode {
 public:
  enum class Type : uint8_t { kNull, kBool, kInt, kUint, kDouble, kString, kArray, kObject };

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }
  bool is_bool() const { return type_ == Type::kBool; }
  bool is_string() const { return type_ == Type::kString; }
  bool is_array() const { return type_ == Type::kArray; }
  bool is_object() const { return type_ == Type::kObject; }
  bool is_number() const {
    return type_ == Type::kInt || type_ == Type::kUint || type_ == Type::kDouble;
  }
  // Integers: kInt for every value that fits int64_t, kUint above.
  bool is_integer() const { return type_ == Type::kInt || type_ == Type::kUint; }

  bool boolean() const { return bool_; }
  int64_t int_value() const { return num_.i; }
  uint64_t uint_value() const { return num_.u; }
  double double_value() const { return num_.d; }
  double AsDouble() const {
    return type_ == Type::kInt    ? static_cast<double>(num_.i)
           : type_ == Type::kUint ? static_cast<double>(num_.u)
                                  : num_.d;
  }
  std::string_view str() const { return str_; }  // kString only

  // Array items or object members, in order (members have key()).
  std::span<const JsonNode> children() const { return {kids_, count_}; }
  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  std::string_view key() const { return key_; }  // name of an object member
  // The member named `key`, nullptr when absent.
  const JsonNode* Find(std::string_view key) const;

 private:
  friend class JsonTree;
  Type type_ = Type::kNull;
  bool bool_ = false;
  uint32_t first_ = 0;  // index of the first child in the tree, while building
  uint32_t count_ = 0;
  union {
    int64_t i;
    uint64_t u;
    double d;
  } num_{};
  std::string_view key_;
  std::string_view str_;
  const JsonNode* kids_ = nullptr;
};

// The canonical JSON form of one record. Keys and strings are views into the
// value the tree was built from (a simdjson document, a nlohmann value), which
// must outlive the tree's use. Reused across records: Build keeps capacity.
class JsonTree {
 public:
  // Replaces the tree by `value`. With `unwrap_lists`, the 2.x list wrappers
  // are removed at every depth except in the root object itself (see
  // UnwrapRootLists): `[{"titulaire":{…}}]` becomes `[{…}]` and
  // `{"typePrix":[…]}` becomes `[…]`. Tolerant: unwrapped items are left as
  // they are, so 1.x records pass through unchanged.
  void Build(const simdjson::dom::element& value, bool unwrap_lists);
  void Build(const nlohmann::json& value, bool unwrap_lists);
  // Removes the list wrappers of the root object's own members.
  void UnwrapRootLists();

  const JsonNode& root() const { return nodes_.front(); }

 private:
  void Fill(uint32_t slot, const simdjson::dom::element& value, bool unwrap);
  void Fill(uint32_t slot, const nlohmann::json& value, bool unwrap);
  // Sorts the members in [first, first + count) and drops earlier duplicates;
  // returns the new count.
  uint32_t SortMembers(uint32_t first, uint32_t count);
  void UnwrapMembers(uint32_t object);
  void Link();

  std::vector<JsonNode> nodes_;
};

// Converts a DECP 2.x XML element (a <marche> or <contrat-concession>) to the
// canonical JSON shape: list containers become arrays, known booleans
// ("oui"/"non") and numbers become JSON booleans and numbers, empty leaves null.
// Invalid UTF-8 in names or text is replaced by U+FFFD and reported in
// `utf8_repaired` (JSON text cannot hold it).
nlohmann::json XmlToJson(const pugi::xml_node& element, bool* utf8_repaired);

// True when a 1.x record (no list to tell) is a concession: `_type`, else the
// presence of concession-only fields. Call before UnwrapRootLists.
bool LooksLikeConcession(const JsonNode& record);

// Checks and converts one canonical record. Fills id, contract or errors;
// position and line are the caller's.
DecpRecord ConvertRecord(const JsonNode& record, const RecordOptions& options);

}  // namespace limpide::formats::internal
