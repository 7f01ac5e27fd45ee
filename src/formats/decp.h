// DECP readers: "données essentielles de la commande publique" in DECP 1.x JSON
// (2019 arrêté, flat `{"marches":[…]}` with `_type`), DECP 2.x JSON (2022
// arrêtés, `{"marches":{"marche":[…],"contrat-concession":[…]}}`) and DECP 2.x
// XML. Every record is checked field by field against the decisions in
// docs/import-decisions.md: rejected with every reason, repaired and flagged,
// or kept.
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "domain/contract.h"

namespace limpide::formats {

enum class DecpFormat { kJson1, kJson2, kXml2 };
std::string_view DecpFormatName(DecpFormat f);  // "decp-1-json", "decp-2-json", "decp-2-xml"

struct FieldError {
  std::string field;   // DECP field path, e.g. "acheteur.id", "titulaires[0].id"
  std::string reason;  // French-neutral English sentence: "not a valid SIRET (checksum)"
  friend bool operator==(const FieldError&, const FieldError&) = default;
};

// One record read from a file.
struct DecpRecord {
  DecpFormat format = DecpFormat::kJson2;  // the format the record was read in
  int64_t position = 0;                    // 1-based rank of the record in the file
  int64_t line = 0;                        // line where the record starts (1-based)
  std::string id;  // the record's id as written, even when rejected ("" if none)
  // The contract when the record is accepted (errors empty), possibly with
  // repair flags in contract->flags.
  std::optional<domain::Contract> contract;
  std::vector<FieldError> errors;  // non-empty: the record is rejected
};

// Called for each record, in file order. A non-ok Status stops the reading and
// is returned as is.
using RecordSink = std::function<Status(DecpRecord&&)>;

// Reads DECP from `in`, detecting the format from the first non-blank byte
// ('{' JSON, '<' XML) and, for JSON, the shape of "marches". `source` names the
// input in contracts (Contract::source when the record has none) and errors.
// JSON is read in constant memory (one record at a time). On malformed input
// returns invalid_argument "SOURCE:LINE:COLUMN: what is wrong" (1-based, the
// column in bytes); records before that point have been delivered, so callers
// that want all-or-nothing use a transaction. XML is loaded whole first: a
// malformed XML file delivers no record. A list item that is not an object is
// a rejected record, not a file error.
Status ReadDecp(std::istream& in, std::string_view source, const RecordSink& sink);

// Opens `path` and calls ReadDecp; unavailable when the file cannot be read.
// `source` defaults to the file's base name.
Status ReadDecpFile(const std::string& path, const RecordSink& sink);

// Converts one DECP record given as a JSON text (1.x or 2.x shape as it would
// appear inside the file's list, and its kind) into a contract: used by tests
// and fuzzers. `concession` selects contrat-concession rules for 2.x.
DecpRecord ParseDecpJsonRecord(std::string_view json, DecpFormat format, bool concession,
                               std::string_view source);

}  // namespace limpide::formats
