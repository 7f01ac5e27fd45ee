// DECP 2.x writers: contracts out as the JSON of schema_decp_v2.0.3.json
// (`{"marches":{"marche":[…],"contrat-concession":[…]}}`) and as the XML of
// schema_decp_v2.0.2.xsd (`<marches><marche>…</marche>…</marches>`), one
// record at a time, in constant memory.
//
// Each contract is converted field by field (docs/export.md has the table).
// Nothing is guessed: a field that DECP 2.x requires and the contract lacks,
// or a value outside a 2.x code list, makes the record skipped; a value that
// 2.x cannot hold in an optional place is left out. Either way the outcome
// lists every reason, so the exporter can count and report them.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "domain/contract.h"

namespace limpide::formats {

// One thing of a contract that is not in the DECP 2.x output, or the reason
// why the whole record is not.
struct ExportIssue {
  // DECP path of the field: "ccag", "titulaires[1].typeIdentifiant",
  // "modifications[0]", or the 1.x name left out ("acheteur.nom").
  std::string field;
  // Stable short key, for counting: "missing", "not_in_code_list",
  // "out_of_range", "too_long", "not_a_2x_field", "duplicate", "invalid",
  // "control_char_replaced".
  std::string code;
  std::string reason;         // an English sentence naming the value at fault
  bool skips_record = false;  // true: the record was not written because of it
  friend bool operator==(const ExportIssue&, const ExportIssue&) = default;
};

struct DecpWriteOutcome {
  bool written = false;
  // Empty when the record was written whole. When written is false, at least
  // one issue has skips_record.
  std::vector<ExportIssue> issues;
};

enum class DecpSyntax { kJson, kXml };

// Usage: Begin(out), then Write(contract, out) for each contract in any
// order, then End(out) until it returns true. Each call appends to `out`,
// which the caller may flush and clear between calls (a file, a chunked HTTP
// body). Memory stays bounded whatever the number of records: JSON keeps
// marchés and contrats de concession in two lists, so the JSON writer holds
// the concessions back until End, in memory up to 1 MiB and then in a
// temporary file (tmpfile(), removed when the writer goes). Not thread-safe.
class DecpWriter {
 public:
  virtual ~DecpWriter() = default;
  // Appends the opening of the document.
  virtual void Begin(std::string& out) = 0;
  // Converts `c` to DECP 2.x and appends it (or holds it back), or appends
  // nothing when the record cannot be written: the outcome says which, with
  // every reason.
  virtual DecpWriteOutcome Write(const domain::Contract& c, std::string& out) = 0;
  // Appends the next piece of the end of the document (the held-back
  // concessions, at most 256 KiB a call, then the closing); returns true once
  // the document is complete. Begin must have been called.
  virtual bool End(std::string& out) = 0;
  // Not ok when the temporary file failed: the document is then incomplete
  // and must be discarded. Check it after Write and End.
  virtual Status status() const = 0;
};

std::unique_ptr<DecpWriter> MakeDecpWriter(DecpSyntax syntax);

// The field of an issue with list positions removed ("titulaires[].id"):
// what exporters count by.
std::string IssueField(std::string_view field);

}  // namespace limpide::formats
