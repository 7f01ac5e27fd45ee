// Private to formats/: the per-record half of the DECP readers. Both JSON
// versions and XML are first brought to one "canonical" JSON shape (2.x field
// names where they exist, list wrappers removed: `"titulaires":[{...}]`,
// `"typesPrix":["..."]`), then one converter checks and maps every field.
#pragma once

#include <nlohmann/json.hpp>
#include <pugixml.hpp>
#include <string_view>

#include "formats/decp.h"

namespace limpide::formats::internal {

struct RecordOptions {
  int schema_major = 2;        // 1 or 2
  bool concession = false;     // contrat de concession rules (autoriteConcedante…)
  bool from_xml = false;       // scalars were text: numbers in text are not "as_text" repairs
  std::string_view source;     // default Contract::source
  bool utf8_repaired = false;  // invalid UTF-8 was replaced by U+FFFD (XML)
};

// `s` with every invalid UTF-8 sequence replaced by U+FFFD; sets `repaired`.
std::string SanitizeUtf8(std::string_view s, bool* repaired = nullptr);

// Removes the 2.x list wrappers in place, at any depth: `[{"titulaire":{…}}]`
// becomes `[{…}]` and `{"typePrix":[…]}` becomes `[…]`. Tolerant: unwrapped
// items are left as they are, so 1.x records pass through unchanged.
void UnwrapLists(nlohmann::json& value);

// Converts a DECP 2.x XML element (a <marche> or <contrat-concession>) to the
// canonical JSON shape: list containers become arrays, known booleans
// ("oui"/"non") and numbers become JSON booleans and numbers, empty leaves null.
// Invalid UTF-8 in names or text is replaced by U+FFFD and reported in
// `utf8_repaired` (JSON text cannot hold it).
nlohmann::json XmlToJson(const pugi::xml_node& element, bool* utf8_repaired);

// True when a 1.x record (no list to tell) is a concession: `_type`, else the
// presence of concession-only fields.
bool LooksLikeConcession(const nlohmann::json& record);

// Checks and converts one canonical record. Fills id, contract or errors;
// position and line are the caller's.
DecpRecord ConvertRecord(const nlohmann::json& record, const RecordOptions& options);

}  // namespace limpide::formats::internal
