// Checks of OCDS data beyond the JSON Schema, in the spirit of the OCDS data
// review tool (docs/ocds-import.md): what makes a release unusable (no ocid, a
// malformed ocid prefix, no id, a date that is not a date), closed codelist
// values, empty strings, objects and arrays, and the uniqueness of release ids
// and ocids in a package.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace limpide::formats::ocds {

// One finding: the JSON path of the value at fault ("tender/status",
// "awards[0]/value/currency"; "" for the whole release) and why.
struct Finding {
  std::string path;
  std::string reason;
  friend bool operator==(const Finding&, const Finding&) = default;
};

struct ReleaseCheck {
  std::vector<Finding> errors;    // the release cannot be used: rejected
  std::vector<Finding> warnings;  // kept, reported
};

// "ocds-" + 6 lowercase letters or digits + "-" + at least one character: the
// form of a registered ocid prefix followed by the process identifier.
bool WellFormedOcid(std::string_view ocid);

// True for an RFC 3339 date-time with an offset ("2018-06-22T14:00:22.8+03:00").
bool IsDateTime(std::string_view text);

// Errors: not an object; ocid missing, not a string or malformed (WellFormedOcid);
// id missing or empty; date missing or not a date-time; tag missing, empty or
// not an array of strings; any date field (date, dateSigned, datePublished,
// dateModified, startDate, endDate, maxExtentDate, and strings in members whose
// name ends in "Date") holding a string that is not a date-time.
// Warnings: values outside the closed codelists of the release schema (tag,
// initiationType, statuses, procurementMethod, mainProcurementCategory,
// currencies), empty strings, objects and arrays.
ReleaseCheck CheckRelease(const nlohmann::json& release);

// The findings on a whole package as we publish it (release package or record
// package): every release's errors and warnings (paths prefixed
// "releases[i]/" or "records[i]/compiledRelease/"...), release ids repeated in
// a release package, ocids repeated in a record package, and empty values in
// the package head. Empty when the package passes.
std::vector<Finding> CheckPackage(const nlohmann::json& package);

}  // namespace limpide::formats::ocds
