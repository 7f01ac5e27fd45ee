// Ledger entries and their byte-exact encoding (docs/ledger.md, "Entries").
//
// An entry's leaf input is the canonical JSON of its five fields, so that anyone can recompute
// its hash from the JSON with any language's standard library.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "base/result.h"

namespace limpide::ledger {

// Canonical JSON: object keys sorted by bytes, no whitespace, strings UTF-8 with only the
// escapes \" \\ \b \f \n \r \t and \u00xx (lower-case hex) for other control characters,
// integers only and within ±(2^53 - 1) (I-JSON, exact in every language), at most 64 levels of
// nesting. invalid_argument naming the JSON pointer at fault: a float anywhere, an integer out
// of range, a string that is not UTF-8. Duplicate keys cannot occur in a json value; DecodeEntry
// rejects them in input (the re-encoding differs).
Result<std::string> CanonicalJson(const nlohmann::json& value);

// NOLINTNEXTLINE(bugprone-exception-escape): json's noexcept move only asserts its invariant
struct Entry {
  uint64_t seq = 0;     // 0-based position in the ledger = leaf index
  std::string time;     // UTC, RFC 3339 with milliseconds: "2026-11-29T03:03:27.123Z"
  std::string kind;     // "contract.created", "contract.updated", ... (printable ASCII)
  std::string subject;  // id of what changed (contract uid, consultation id…)
  nlohmann::json body;  // any JSON object, canonicalised
};

// The leaf input: canonical JSON of {"body":…,"kind":…,"seq":…,"subject":…,"time":…}.
// invalid_argument (with the field) when the entry is not well-formed: see DecodeEntry.
Result<std::string> EncodeEntry(const Entry& e);

// The entry held by a JSON object with exactly the five fields, checked to be well-formed:
// seq an integer in [0, 2^53 - 1], time of the form above (a real date and time), kind a
// non-empty string of printable ASCII (no space), subject a non-empty string, body an object.
// Says nothing about canonical form (the object is already parsed). Pass an rvalue to move the
// body instead of copying it.
Result<Entry> EntryFromJson(nlohmann::json j);

// The JSON object form of an entry (the inverse of EntryFromJson).
nlohmann::json EntryToJson(const Entry& e);

// Parses one encoded entry and checks it is well-formed (EntryFromJson) and canonical
// (re-encoding gives the same bytes: no whitespace, sorted keys, no duplicate keys, minimal
// escapes). invalid_argument saying which rule failed and where.
Result<Entry> DecodeEntry(std::string_view bytes);

// A fast check, building no JSON value, that `bytes` is an entry in canonical form: true only
// when DecodeEntry(bytes) would succeed, with the entry's seq in `*seq`. False says nothing
// more: call DecodeEntry for the verdict and the reason (rare forms, such as escaped characters
// in keys, are left to it). Verifying a dump uses this on every line.
bool QuickCheckEncodedEntry(std::string_view bytes, uint64_t* seq);

// Checks `time` has the form "YYYY-MM-DDTHH:MM:SS.mmmZ" and is a real UTC date and time.
Status CheckEntryTime(std::string_view time);

}  // namespace limpide::ledger
