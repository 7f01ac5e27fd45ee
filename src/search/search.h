// Full-text search over what the ledger makes public (docs/search.md): one
// Xapian index of documents (contracts now, consultations later), with French
// stemming and accent folding, BM25 ranking, phrases, prefixes, boolean
// filters, facets and highlighted snippets. The index is a projection of the
// ledger: Index::Apply() takes ledger entries in order and commits them with
// the position they reach (search/follower.h keeps it up to date).
//
// Only src/search/*.cpp see Xapian; this header is all the rest of the code
// needs.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "domain/contract.h"
#include "store/store.h"

namespace limpide::search {

// ---- Document model ----------------------------------------------------------

// One searchable record. `type` separates the kinds of records that share the
// index ("contract", "consultation"): ids are unique within a type, and a
// `type` filter restricts a search to one of them.
struct Document {
  std::string type;    // "contract" or "consultation"
  std::string uid;     // the record's id (contract uid, consultation id)
  std::string object;  // main text: the object of the contract, the consultation's title
  std::string buyer_id;
  std::string buyer_name;               // may be empty (DECP 2.x publishes no names)
  std::vector<domain::Holder> holders;  // holders, those of the modifications included
  std::vector<std::string> more_text;   // searchable text besides the object (modifications…)
  std::string cpv;                      // "45000000-7", or empty
  std::string department;               // "44", "2A", "974"…, or empty when unknown
  std::string place;                    // place of execution as published: name or code
  std::string procedure;                // API code ("appel_offres_ouvert"), or empty
  std::string nature;                   // API code ("marche"), or empty
  std::string kind;                     // "marche" or "concession"
  std::string status;  // consultations: a ConsultationStatuses() value; empty for contracts
  std::string state;   // consultations: the lifecycle state code ("published", "opened"…)
  std::optional<domain::Money> amount;  // contracts: amount; consultations: estimated value
  std::optional<domain::Date> date;     // notification (contracts), publication (consultations)
  std::optional<domain::Instant> deadline;  // consultations: deposit deadline
};

// The statuses a consultation is searched by, coarser than its lifecycle:
// "open" (published, deposits accepted), "closed" (deadline passed, bids
// being opened or evaluated), "awarded" (awarded, standstill, signed, data
// published), "cancelled", "unsuccessful".
const std::vector<std::string>& ConsultationStatuses();
// The status of a lifecycle state code; empty for an unknown code or a draft.
std::string StatusOfState(std::string_view state);

// The document of a public consultation ledger entry ("tender.published",
// "tender.amended", …: docs/tenders.md) from its body, which holds the
// notice's public fields only (nothing sealed: no deposit, no bidder).
// `published_on` becomes the document's date. invalid_argument when the body
// has no tender id or title (tender.deposits_sealed: only an id; see
// Index::Apply).
Result<Document> ConsultationDocument(std::string_view ledger_body,
                                      std::optional<domain::Date> published_on = std::nullopt);

// The document of a "contract.created" / "contract.updated" ledger entry, from
// its body (the contract's API form with amounts as decimal strings;
// docs/ledger.md). invalid_argument when the body is not such an object.
Result<Document> ContractDocument(std::string_view ledger_body);

// The department of a place of execution, from its DECP code and code type:
// "Code département" as published (01…95, 2A, 2B, 971…976), "Code postal" and
// "Code commune" from their first digits (20xxx split into 2A/2B). Empty when
// the place says no department (region, country) or the code is not one.
std::string DepartmentOf(std::string_view code, std::string_view code_type);
// "Loire-Atlantique" for "44"; empty for an unknown code.
std::string_view DepartmentName(std::string_view department);
// The department as a filter value: "44", "2A", "974" (case ignored);
// invalid_argument otherwise.
Result<std::string> ParseDepartment(std::string_view raw);
// The departments of an INSEE region code (2016 map: "53" -> 22, 29, 35, 56);
// empty for an unknown code. RegionName("53") is "Bretagne", "" when unknown.
const std::vector<std::string>& RegionDepartments(std::string_view region);
std::string_view RegionName(std::string_view region);
// The region of a department ("35" -> "53"); empty when unknown.
std::string_view RegionOf(std::string_view department);
// The 18 region codes, in INSEE order.
const std::vector<std::string>& RegionCodes();

// The text form used for both indexing and querying: FoldForSearch (lower
// case, no diacritics) with apostrophes turned into spaces, so that
// "d'Élagage" gives the words "d" and "elagage", and U+FFFD (a letter lost
// by the producer's encoding) read as "e".
std::string FoldText(std::string_view utf8);

// ---- Words, as the index and saved searches (src/alerts) see them ----------

// The folded words of `utf8`, in order: the runs of letters and digits of
// FoldText(utf8) (any other ASCII character separates words), as the index's
// term generator reads the folded text.
std::vector<std::string> FoldedWords(std::string_view utf8);
// The French Snowball stem of a folded word ("renovations" -> "renov"), the
// stemmer the index uses for its terms and queries. Thread-safe.
std::string Stem(std::string_view folded_word);
// Common French words ("de", "la", "pour"): left out of the index's queries
// (they stay indexed, for phrases) and out of saved searches' required words.
bool IsStopWord(std::string_view folded_word);
const std::vector<std::string>& StopWords();

// ---- Queries and results -----------------------------------------------------

// date and amount: largest first; deadline: soonest first (documents without
// one last).
enum class SortOrder { kRelevance, kDate, kAmount, kDeadline };

struct SearchQuery {
  // Words, "phrases", prefix*, -excluded, AND/OR/NOT, field:word (objet,
  // acheteur, titulaire), range syntax (montant:1000..5000,
  // date:2019-01-01..2019-06-30); docs/search.md. Empty: every document.
  std::string text;
  std::string type;        // "contract" or "consultation"; empty: every type
  std::string cpv;         // CPV digits (2..8); trailing zeros are dropped, "45" finds 45xxxxxx
  std::string buyer;       // SIRET
  std::string supplier;    // holder id
  std::string department;  // as ParseDepartment gives it
  std::string region;      // INSEE region code ("53"): any of its departments
  std::string procedure;   // API code
  std::string nature;      // API code
  std::string status;      // consultations: a ConsultationStatuses() value
  std::optional<domain::Money> amount_min, amount_max;  // inclusive
  std::optional<domain::Date> date_from, date_to;       // inclusive
  // Consultations whose deadline is in [from, to] (a deadline range finds
  // consultations only).
  std::optional<domain::Instant> deadline_from, deadline_to;
  SortOrder sort = SortOrder::kRelevance;
  int offset = 0;
  int limit = 20;
  int facet_values = 10;  // values per facet; 0: no facets
};

// Names of the API parameters, in documentation order (docs/search.md).
const std::vector<std::string>& SearchParameters();
// Reads q, type (contract|consultation), cpv, buyer, supplier, department,
// region, procedure, nature, status, amount_min, amount_max, notified_from,
// notified_to (consultations: the publication date), deadline_from,
// deadline_to (dates, whole days in Europe/Paris, or instants), sort
// (relevance|date|amount|deadline),
// limit (1..100, default 20), page (from 1; offset = (page-1)·limit, at most
// kMaxOffset). Empty values are ignored; with `strict` an unknown parameter
// is an error. Every error is invalid_argument naming the parameter.
Result<SearchQuery> ParseSearchParams(
    const std::vector<std::pair<std::string, std::string>>& params, bool strict);
inline constexpr int kMaxOffset = 10000;  // deeper pages: narrow the query instead

struct Hit {
  Document document;    // as stored in the index (no more_text)
  std::string snippet;  // HTML: the object with the matched words in <mark>…</mark>, escaped
  int percent = 0;      // Xapian's relevance percentage (0 when sorted by value)
};

struct FacetValue {
  std::string value;  // the filter value: "45", "44", "appel_offres_ouvert", a SIRET
  std::string label;  // for people: CPV division, department, procedure or buyer name
  int64_t count = 0;
};

struct Facet {
  std::string name;  // "cpv", "department", "procedure", "buyer": the filter parameter
  std::vector<FacetValue> values;  // most frequent first
};

struct SearchResults {
  int64_t total = 0;  // matching documents (an estimate unless total_exact)
  bool total_exact = true;
  std::vector<Hit> hits;
  std::vector<Facet> facets;    // empty when facet_values is 0
  bool facets_exact = true;     // false: counts scaled from a sample (docs/search.md)
  // Matches the facet counts were taken from (the sample when not
  // facets_exact); 0 when no match was counted (term frequencies, or every
  // facet fixed by a filter).
  int64_t facets_sampled = 0;
  bool plain_words = false;     // the text was not valid syntax and was searched as plain words
  uint64_t index_position = 0;  // ledger entries the searched snapshot covers
};

struct IndexOptions {
  // Facets are counted over at most this many matches; beyond, the counts are
  // scaled estimates (docs/search.md).
  int facet_sample = 2000;
  // Documents Xapian buffers before writing them out, between commits; 0:
  // Xapian's default (10,000). A rebuild sets its batch size: documents are
  // numbered by department, so each write-out merges into every department
  // (docs/search.md, "Document numbers").
  uint64_t flush_threshold = 0;
};

// A search index in a directory. Searches may run from many threads at once,
// alongside one writer (Apply); each search sees the last commit. Only one
// process may open a directory (the writer's lock).
class Index {
 public:
  // Opens the index in `dir`, creating it when absent. unavailable when it
  // cannot be opened (locked by another process: failed_precondition).
  static Result<std::unique_ptr<Index>> Open(const std::string& dir, IndexOptions options = {});
  ~Index();
  Index(const Index&) = delete;
  Index& operator=(const Index&) = delete;

  // Ledger entries the index covers: the position to read from next.
  Result<uint64_t> Position();
  Result<uint64_t> DocumentCount();

  // Applies ledger entries in order, then commits their documents with the
  // new position, max(Position(), last seq + 1). Entries may overlap what was
  // applied already (they replace their documents: re-applying is a no-op);
  // failed_precondition when the first seq is beyond Position() (a gap).
  // contract.created/updated index a contract, the public tender.* entries
  // a consultation (tender.deposits_sealed marks it closed); other kinds are
  // skipped. An entry whose body cannot be read is skipped and counted in
  // skipped().
  Status Apply(const std::vector<store::LedgerRecord>& records);
  int64_t skipped() const;

  Result<SearchResults> Search(const SearchQuery& query);

 private:
  struct Impl;
  explicit Index(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Writes a compact copy of the index in `from` (closed: no writer open on
// it) into `to`, which must not exist: full B-tree blocks, the same document
// numbers, metadata and position. A rebuild ends with it: with documents
// numbered by department, the rebuild's write-outs leave blocks part full
// (docs/search.md). unavailable on a Xapian error.
Status CompactIndex(const std::string& from, const std::string& to);

}  // namespace limpide::search
