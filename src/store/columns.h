// The JSON columns of the contract tables, shared by the store engines
// (docs/storage.md): flags, holders and modifications are kept as compact JSON
// arrays written byte for byte (bytes that are not UTF-8 survive), and read
// back by a reader as strict as the writer. Private to store/.
#pragma once

#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "domain/contract.h"

namespace limpide::store::internal {

// "concession" or "marche".
std::string_view KindCode(domain::ContractKind k);
// "YYYY-MM-DD", or "" when absent.
std::string DateText(const std::optional<domain::Date>& d);
// Appends `s` as a JSON string, bytes kept as they are (only '"', '\\' and
// control characters escaped).
void AppendJsonString(std::string& out, std::string_view s);

// ["flag",…]
std::string FlagsJson(const std::vector<std::string>& flags);
// [[id, id_type, name],…]
std::string HoldersJson(const std::vector<domain::Holder>& holders);
// [[id, object, signed_on|null, published_on|null, duration|null, amount_cents|null, holders],…]
std::string ModificationsJson(const std::vector<domain::Modification>& mods);

// Columns of `contracts` read back into a Contract, in this order.
inline constexpr const char* kContractColumns =
    "uid, id, kind, buyer_id, buyer_name, nature, procedure, object, cpv, place_code, "
    "place_code_type, place_name, duration_months, amount_cents, public_subsidy_cents, "
    "notified_on, published_on, execution_start, price_form, extra_json, schema_version, "
    "source, flags, holders_json, modifications_json";

// kContractColumns, each prefixed by `table` and a dot ("c.uid, c.id, …"): for
// a statement that joins another table with columns of the same names.
std::string ContractColumnsOf(std::string_view table);

// Columns written by UpsertContract, bound as parameters 1..N in this order
// (1 = uid; N = updated_at, which created_at takes too on insert).
inline constexpr const char* kWriteColumns[] = {
    "uid",          "id",          "kind",           "buyer_id",        "buyer_name",
    "nature",       "procedure",   "object",         "object_folded",   "cpv",
    "cpv8",         "place_code",  "place_code_type", "place_name",     "duration_months",
    "amount_cents", "public_subsidy_cents", "notified_on", "published_on", "execution_start",
    "price_form",   "extra_json",  "schema_version", "source",          "flags",
    "holders_json", "modifications_json", "content_hash", "updated_at"};
inline constexpr int kWriteColumnCount = static_cast<int>(std::size(kWriteColumns));

// The engines' statements over kWriteColumns; parameters are written
// `marker` + number ('?' for SQLite, '$' for PostgreSQL).
// INSERT … ON CONFLICT (uid) DO NOTHING, then `suffix` (e.g. " RETURNING seq").
// has_sources is set from the objects table: whether an object of
// kContractSourcesKind is stored under the uid, `sources_kind` being that kind
// as an SQL literal of the engine.
std::string InsertContractSql(char marker, std::string_view sources_kind,
                              std::string_view suffix = {});
// UPDATE contracts SET <all but uid> followed by `where` (which may use
// parameter 1, the uid, or parameters after N).
std::string UpdateContractSql(char marker, std::string_view where);

// internal: "corrupt stored contract <uid>: <what>".
Status Corrupt(std::string_view what, std::string_view uid);

// The inverses; internal (Corrupt) on anything the writers did not produce.
Result<std::vector<std::string>> ParseFlagsJson(std::string_view text, std::string_view uid);
Result<std::vector<domain::Holder>> ParseHoldersJson(std::string_view text, std::string_view uid);
Result<std::vector<domain::Modification>> ParseModificationsJson(std::string_view text,
                                                                 std::string_view uid);

// Amendments keep their history (docs/ocds-import.md): when `incoming` lacks
// modifications that `stored` has (by id), the contract to write is
// `incoming` with them: the stored order, each replaced by the incoming one of
// the same id, then the incoming ones not stored. nullopt when nothing is
// missing (write `incoming` as it is).
std::optional<domain::Contract> KeepStoredModifications(
    const domain::Contract& incoming, const std::vector<domain::Modification>& stored);

}  // namespace limpide::store::internal
