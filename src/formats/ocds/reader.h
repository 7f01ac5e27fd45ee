// OCDS 1.1 in: detects and reads release packages, record packages and
// streams of releases (JSON Lines, or one release), one release or record in
// memory at a time whatever the file size (docs/ocds-import.md).
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace limpide::formats::ocds {

enum class InputForm {
  kReleasePackage,  // {"releases": [...], uri, publisher, extensions...}
  kRecordPackage,   // {"records": [...], ...}
  kReleaseLines,    // one release per line (JSON Lines)
  kReleaseStream,   // releases one after the other, each over several lines (one release file)
};
// "ocds-release-package", "ocds-record-package", "ocds-json-lines", "ocds-release".
std::string_view InputFormName(InputForm f);

// Looks at the top-level member names of the first JSON object of `in` (their
// values are skipped, not kept) and says which OCDS form the input is: a
// "releases" member makes a release package, "records" a record package, and
// an object with "ocid" (and neither) a release: JSON Lines when it fits on
// one line. When the first line is not JSON, the next lines are tried (a
// JSON Lines file with a broken first line). nullopt for anything else (DECP,
// not JSON...), and on a stream that cannot seek back. Leaves `in` where it
// was.
std::optional<InputForm> DetectOcds(std::istream& in);

// One release (release package, JSON Lines) or record (record package) read.
struct Item {
  int64_t position = 0;  // 1-based rank of the item in the file
  int64_t line = 0;      // 1-based line where it starts
  int64_t column = 0;    // 1-based column (bytes) where it starts
  std::string text;      // its bytes as written
  nlohmann::json value;  // the parsed item; null when `error` is set
  // Why `text` is not JSON: "LINE:COLUMN: reason" (in the file); empty when it is.
  std::string error;
};
// Called for each item in file order; a non-ok Status stops the reading and
// is returned as is.
using ItemSink = std::function<Status(Item&&)>;

// Reads `in` as `form` (from DetectOcds). A package's other top-level members
// (uri, publisher, extensions...) are set in `*package` (an object) at the
// end, since they may follow the list. An item that is not JSON is delivered
// with `error` and the reading goes on after it, as long as the outer
// structure holds (strings and brackets balance; in JSON Lines each line is
// on its own). invalid_argument "SOURCE:LINE:COLUMN: reason" when the outer
// structure is broken; the items before it have been delivered.
Status ReadOcds(std::istream& in, InputForm form, std::string_view source, const ItemSink& sink,
                nlohmann::json* package);

}  // namespace limpide::formats::ocds
