// OCDS 1.1 merging: compiled and versioned releases from the releases of one
// contracting process (docs/ocds-merge.md).
//
// The behaviour is driven by the release schema, read once by Merger::FromSchema:
// `omitWhenMerged` fields are dropped, `wholeListMerge` arrays (and arrays whose
// items are not objects with an `id`) are replaced whole, arrays of objects with
// an `id` are merged by `id`, objects merge field by field, `null` removes.
// Fields the schema does not describe (extensions) follow the same rules decided
// on the data: objects merge, arrays of objects that all carry an `id` merge by
// `id`, any other array is replaced whole.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace limpide::formats::ocds {

// How the merge treats a field, as derived from the release schema.
enum class MergeRule : uint8_t {
  kDefault,          // not described by the schema: decided on the data
  kObject,           // an object: its fields merge one by one
  kIdentifierMerge,  // an array of objects with `id`: objects merged by `id`, new ones appended
  kWholeListMerge,   // replaced whole, like a literal (`wholeListMerge`, arrays of non-objects
                     // or of objects without an `id` property)
  kOmitWhenMerged,   // dropped (`omitWhenMerged`: release metadata)
};
std::string_view MergeRuleName(MergeRule rule);  // "object", "identifierMerge", …

// One row of the rule table: a schema path such as "tender/items/additionalClassifications"
// (array levels do not appear in paths) and its rule. `version_id` is set where the schema
// declares `"versionId": true`: informative only, such `id`s are versioned like any field
// because they are not the identifier of an object in an array.
struct PathRule {
  std::string path;
  MergeRule rule = MergeRule::kDefault;
  bool version_id = false;
};

// The compiled and the versioned release of one contracting process, as a record carries them.
struct MergedRecord {
  nlohmann::json compiled;
  nlohmann::json versioned;
};

// The same, as JSON text.
struct MergedRecordText {
  std::string compiled;
  std::string versioned;
};

// Merges releases of one ocid. Immutable once built, cheap to copy (the rule table is
// shared), safe to use from several threads at once.
class Merger {
 public:
  // Derives the rule table from an OCDS release schema (draft-04 JSON, as published:
  // `properties`, `definitions`, local `$ref`s such as "#/definitions/Award"). `$ref`s to
  // other documents are not followed: the fields below them take the default rules. A
  // recursive definition stops where it loops, with the default rules.
  // Errors: invalid_argument if the schema has no `properties` object or a local `$ref`
  // points nowhere.
  static Result<Merger> FromSchema(const nlohmann::json& release_schema);
  // Reads and parses the schema file, then FromSchema. Errors: not_found if the file cannot
  // be opened, invalid_argument if it is not JSON or not a release schema.
  static Result<Merger> FromSchemaFile(const std::filesystem::path& path);

  // The compiled release: the latest value of every field. `tag` is ["compiled"], `date`
  // the date of the latest release, `id` "<ocid>-<that date>".
  //
  // Releases are merged in the order of their `date` (compared as instants, so offsets
  // count); releases with the same date keep their order in `releases`. Every release must
  // be an object with a string `ocid` (the same for all), a string `id` and a string `date`
  // that is an RFC 3339 date-time with an offset. Errors: invalid_argument naming the first
  // bad release (index in `releases` and id) and why, or saying that `releases` is empty.
  // A field whose shape changes (a value in one release, an object in a later one) takes
  // the later one. The result owns its values; `releases` may die right after.
  Result<nlohmann::json> Compile(std::span<const nlohmann::json> releases) const;

  // The versioned release: `ocid`, and every other field as a list of
  // {releaseID, releaseDate, releaseTag, value}, oldest first, one entry each time the
  // value changes (`null` included). The `id` of an object in an array is its identity and
  // is not versioned. Same order and errors as Compile, and also invalid_argument when a
  // field is a value (a string, say) in one release and an object or array of objects in
  // another, unless all its earlier values were null: such a history has no versioned form.
  // The error names the release that changed the shape and the path of the field.
  Result<nlohmann::json> Versioned(std::span<const nlohmann::json> releases) const;

  // Both at once, from one pass over the releases: what a record needs. Same order and
  // errors as Versioned.
  Result<MergedRecord> Merge(std::span<const nlohmann::json> releases) const;

  // Merge, written straight to JSON text without building the two DOMs: byte for byte
  // `compiled.dump()` and `versioned.dump()` of Merge's result, at a fraction of the cost
  // (for records served or exported as text). Same errors as Merge, and invalid_argument if
  // a string of the input is not UTF-8 (possible only in a DOM built by hand).
  Result<MergedRecordText> MergeToText(std::span<const nlohmann::json> releases) const;

  // The rule table, in schema order, for every path the schema describes below the release.
  std::vector<PathRule> Rules() const;

  struct RuleNode;  // private to merge.cpp; named here so that the table can be shared

 private:
  explicit Merger(std::shared_ptr<const std::vector<RuleNode>> rules) : rules_(std::move(rules)) {}
  std::shared_ptr<const std::vector<RuleNode>> rules_;  // rules_->front() is the release
};

}  // namespace limpide::formats::ocds
