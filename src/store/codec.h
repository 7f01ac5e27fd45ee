// Engine-neutral helpers shared by the store engines: content hash, cursor
// encoding, argument checks. Private to store/: nothing outside includes it.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "domain/contract.h"
#include "store/store.h"

namespace limpide::store::internal {

// SHA-256 of a canonical, length-prefixed serialisation of `c` that leaves out
// `source` and `flags` (they are provenance, not content). 32 raw bytes.
using ContentHash = std::array<uint8_t, 32>;
ContentHash HashContent(const domain::Contract& c);

// Position in the listing order: notification date ("" when absent, which
// sorts last) then uid.
struct SortKey {
  std::string date;  // "YYYY-MM-DD" or ""
  std::string uid;
};
// Opaque cursor: base64url (no padding) of "c1" '\n' date '\n' uid.
std::string EncodeCursor(const SortKey& key);
// invalid_argument (field "after") for anything EncodeCursor did not produce.
Result<SortKey> DecodeCursor(std::string_view cursor);

// Cursor of an object listing (ListObjects): base64url of "o1" '\n' id, the
// last id of the page.
std::string EncodeObjectCursor(std::string_view id);
// invalid_argument (field "after") for anything EncodeObjectCursor did not produce.
Result<std::string> DecodeObjectCursor(std::string_view cursor);
// The id a ListObjects or ListOrganizations page resumes after: "" for the
// first page (empty cursor), invalid_argument (field "after") for a cursor
// EncodeObjectCursor did not produce.
Result<std::string> ObjectCursorKey(std::string_view after);
// CheckObject, and a version of at least 1: an object read from another
// store (WriteTransaction::CopyObject).
Status CheckCopiedObject(const StoredObject& o);
// invalid_argument naming the field when kind or id is empty, too long (kind
// 64 bytes, id 512) or holds control characters, or when body is not a JSON
// object.
Status CheckObject(std::string_view kind, std::string_view id, std::string_view body);
// The organizations an object body lists in its top-level "orgs" member (the
// index of Store::ListObjectsOf), sorted, without duplicates; empty when
// absent. invalid_argument (field "body") when "orgs" is not an array of 1 to 100,000
// strings of 1 to 64 bytes without control characters. `body` must have
// passed CheckObject.
Result<std::vector<std::string>> ObjectOrgs(std::string_view body);

// The 8 leading digits of a CPV code ("45000000-7" -> "45000000"); empty when
// `cpv` does not start with 8 digits.
std::string Cpv8(std::string_view cpv);

// invalid_argument with the field at fault (cpv_prefix, amount, notified, limit).
Status CheckFilter(const ContractFilter& f);
Status CheckLimit(int limit);

// Words of the text filter, folded (domain::FoldForSearch) and split on spaces.
std::vector<std::string> SearchWords(std::string_view text);

// Base64url without padding; Decode returns false on any invalid input.
std::string Base64UrlEncode(std::string_view bytes);
bool Base64UrlDecode(std::string_view text, std::string& out);

inline constexpr int kMaxPageLimit = 1000;

// The checks of WriteTransaction::CopyLedgerEntry against the ledger's tail
// (`size` entries, the last at `last_time`): the next seq, a time not earlier,
// the leaf hash of the entry's bytes, an entry in canonical form whose seq is
// its own.
Status CheckCopiedEntry(const LedgerRecord& r, uint64_t size, std::string_view last_time);

// The least string above every string that starts with `prefix` ("" when
// there is none: the prefix is empty or all 0xFF bytes), so that ids starting
// with it are the index range [prefix, upper).
std::string PrefixUpperBound(std::string_view prefix);
// A listing by id read with one row more than `limit` asked for: drops that
// row and sets the cursor that resumes after the last one kept.
template <class Page>
void FinishObjectPage(Page& page, int limit) {
  if (page.items.size() <= static_cast<size_t>(limit)) return;
  page.items.pop_back();
  page.next = EncodeObjectCursor(page.items.back().id);
}

// Microseconds since the Unix epoch (the contracts' created_at/updated_at).
int64_t NowMicros();
// The current time as the ledger writes it: "2026-11-29T03:03:27.123Z".
std::string LedgerNow();

// The canonical text of the ledger entry `e` at position `seq`, written at
// `time` (docs/ledger.md). A body already in canonical form (what the app
// writes) is spliced in and checked in one pass; any other JSON object is
// parsed and canonicalised. InvalidArgument when the kind or subject is empty
// or the body is not a JSON object.
Result<std::string> EncodeLedgerAppend(const LedgerAppend& e, uint64_t seq,
                                       const std::string& time);

// Adds one row of an engine's inventory statement: (table, kind, rows, bytes)
// where table is 0 contracts, 1 organizations, 2 ledger entries, 3 ledger
// nodes, 4 blobs (bytes: their total size), 5 objects of `kind`.
void AddInventoryRow(Inventory& inv, int64_t table, std::string_view kind, int64_t rows,
                     int64_t bytes);

}  // namespace limpide::store::internal
