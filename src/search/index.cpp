// The Xapian side of search/: the document layout (terms, values, data), the
// writer that applies ledger entries, and searches over a pool of readers.
// The layout is described in docs/search.md; change both together.
#include <xapian.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "domain/cpv.h"
#include "domain/money.h"
#include "domain/procedure.h"
#include "domain/text.h"
#include "domain/time.h"
#include "ledger/receipt.h"
#include "search/internal.h"
#include "search/search.h"

namespace limpide::search {
namespace {

using nlohmann::json;

// Value slots.
constexpr Xapian::valueno kSlotDate = 0;         // "YYYYMMDD"
constexpr Xapian::valueno kSlotAmount = 1;       // sortable_serialise(euros)
constexpr Xapian::valueno kSlotCpvDivision = 2;  // "45"
constexpr Xapian::valueno kSlotDepartment = 3;   // "44"
constexpr Xapian::valueno kSlotProcedure = 4;    // API code
constexpr Xapian::valueno kSlotBuyer = 5;        // SIRET
constexpr Xapian::valueno kSlotDeadline = 6;  // consultations: FormatInstantMillis (sortable)
// The four facet values in one slot, separated by kUnitSeparator, so that a
// facet count reads one value per document instead of four.
constexpr Xapian::valueno kSlotFacets = 7;
constexpr char kUnitSeparator = '\x1f';

// Boolean term prefixes (filters); free-text field prefixes.
constexpr const char* kIdPrefix = "Q";  // Q<type>:<uid>, one document per record
constexpr const char* kTypePrefix = "XT";
constexpr const char* kCpvPrefix = "XC";  // every level: XC45, XC452, …, XC45212310
constexpr const char* kDepartmentPrefix = "XD";
constexpr const char* kBuyerPrefix = "XB";
constexpr const char* kSupplierPrefix = "XS";
constexpr const char* kProcedurePrefix = "XP";
constexpr const char* kNaturePrefix = "XN";
constexpr const char* kKindPrefix = "XK";
constexpr const char* kStatusPrefix = "XZ";
// The amount's bucket (AmountBucketTerm), so that an amount range is a few
// boolean terms instead of a value read per candidate.
constexpr const char* kAmountPrefix = "XA";
constexpr const char* kObjectField = "S";
constexpr const char* kBuyerField = "A";
constexpr const char* kHolderField = "T";

// User metadata: the ledger position the committed documents cover, and the
// names of buyers (facet labels).
constexpr const char* kPositionKey = "ledger_position";
constexpr const char* kBuyerNameKey = "buyer_name:";
// Written when the index is created; an older layout keeps working, without
// what came after it, until `limpide reindex` rebuilds the index:
// 2: every document carries its amount bucket term (XA…); before, amounts
//    were filtered by value ranges only.
// 3: documents are numbered by round and department (below), and carry their
//    round term (XR…); before, in ledger order, facets sampled from the first
//    matches.
constexpr const char* kLayoutKey = "layout";
constexpr int kLayoutWithAmountBuckets = 2;
constexpr int kLayoutByDepartment = 3;
constexpr int kLayoutNew = kLayoutByDepartment;

int LayoutOf(const Xapian::Database& db) {
  const std::string text = db.get_metadata(kLayoutKey);
  int layout = 0;
  std::from_chars(text.data(), text.data() + text.size(), layout);
  return layout;
}

// Document numbers of layout 3 (docs/search.md): round (6 bits), department
// (7 bits: DepartmentNumber, 0 for none), sequence within the two (18 bits,
// from 1); 31 bits in all. A document's round is drawn from its id term once and kept.
// So one department's documents are 64 runs of consecutive numbers: a
// department filter reads the other posting lists from run to run instead of
// whole; and the first rounds are a random sample of every department, over
// which facets are counted.
constexpr int kRoundBits = 6, kDepartmentBits = 7, kSequenceBits = 18;
static_assert(kRoundBits + kDepartmentBits + kSequenceBits == 31);
static_assert(kDepartmentNumbers <= (1 << kDepartmentBits));
constexpr unsigned kRounds = 1u << kRoundBits;
constexpr Xapian::docid kSequenceEnd = 1u << kSequenceBits;
constexpr const char* kRoundPrefix = "XR";  // XR0 … XR63
// Metadata: the next sequence of a (round, department) cell, by the cell's
// first document number.
constexpr const char* kNextSequenceKey = "next_sequence:";

unsigned RoundOfTerm(std::string_view id_term) {
  uint32_t h = 2166136261u;  // FNV-1a
  for (char c : id_term) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
  return h % kRounds;
}
unsigned RoundOfDocid(Xapian::docid id) { return id >> (kDepartmentBits + kSequenceBits); }
unsigned DepartmentOfDocid(Xapian::docid id) {
  return (id >> kSequenceBits) & ((1u << kDepartmentBits) - 1);
}
Xapian::docid CellOf(unsigned round, unsigned department) {
  return (round << (kDepartmentBits + kSequenceBits)) | (department << kSequenceBits);
}
std::string RoundTerm(unsigned round) { return kRoundPrefix + std::to_string(round); }

constexpr int kObjectWeight = 3;  // wdf of the object's words against other text
constexpr size_t kSnippetBytes = 300;

// The French Snowball stemmer on folded words. Xapian's stemmer keeps
// accents ("rénovation" -> "rénov"), so words are folded first; elisions
// ("d'élagage", as snippets see them) are cut. Indexing and queries fold the
// whole text beforehand (FoldText); the snippet highlighter stems the
// original text word by word, and this gives it the same stems.
class FoldingFrenchStemmer : public Xapian::StemImplementation {
 public:
  std::string operator()(const std::string& word) override {
    std::string w = domain::FoldForSearch(RestoreLostLetters(word));
    if (auto apostrophe = w.find('\''); apostrophe != std::string::npos && apostrophe <= 2) {
      w.erase(0, apostrophe + 1);
    }
    return Stem(w);
  }
  std::string get_description() const override { return "french, folded"; }
};

Xapian::Stem FoldingStemmer() { return Xapian::Stem(new FoldingFrenchStemmer); }

// Common French words left out of queries (they stay indexed: phrases use
// them); the same list leaves them out of saved searches (IsStopWord).
const Xapian::SimpleStopper& Stopper() {
  static const Xapian::SimpleStopper* kStopper = [] {
    const auto& words = StopWords();
    return new Xapian::SimpleStopper(words.begin(), words.end());
  }();
  return *kStopper;
}

std::string DateValue(const domain::Date& d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d%02d%02d", d.year, d.month, d.day);
  return buf;
}

std::string AmountValue(domain::Money m) {
  return Xapian::sortable_serialise(static_cast<double>(m.cents) / 100.0);
}

// Amount buckets on a 1-2-5 scale of cents: bucket k holds [Edge(k),
// Edge(k+1)), Edge(3n) = 10^n, Edge(3n+1) = 2·10^n, Edge(3n+2) = 5·10^n;
// "XAz" holds zero and negative amounts, "XAn" documents without one.
constexpr int kAmountBuckets = 3 * 19;  // Edge(57) = 10^19 > any int64
int64_t AmountEdge(int k) {
  static const std::array<int64_t, kAmountBuckets> kEdges = [] {
    std::array<int64_t, kAmountBuckets> e{};
    int64_t decade = 1;
    for (int i = 0; i < kAmountBuckets; i += 3) {
      e[static_cast<size_t>(i)] = decade;
      e[static_cast<size_t>(i + 1)] = 2 * decade;
      e[static_cast<size_t>(i + 2)] = 5 * decade;
      if (i + 3 < kAmountBuckets) decade *= 10;
    }
    return e;
  }();
  return k >= kAmountBuckets ? INT64_MAX : kEdges[static_cast<size_t>(k)];
}

std::string AmountBucketTerm(const std::optional<domain::Money>& amount) {
  if (!amount) return std::string(kAmountPrefix) + "n";
  if (amount->cents <= 0) return std::string(kAmountPrefix) + "z";
  int k = 0;
  while (k + 1 < kAmountBuckets && AmountEdge(k + 1) <= amount->cents) ++k;
  return kAmountPrefix + std::to_string(k);
}

std::string IdTerm(const Document& d) { return kIdPrefix + d.type + ":" + d.uid; }

// ---- Stored data: the fields a hit shows, as compact JSON ----

std::string DataOf(const Document& d) {
  json j = {{"t", d.type}, {"u", d.uid}};
  auto text = [&](const char* key, const std::string& v) {
    if (!v.empty()) j[key] = v;
  };
  text("o", d.object);
  text("b", d.buyer_id);
  text("bn", d.buyer_name);
  text("c", d.cpv);
  text("dep", d.department);
  text("pl", d.place);
  text("p", d.procedure);
  text("n", d.nature);
  text("k", d.kind);
  text("s", d.status);
  text("st", d.state);
  if (d.deadline) j["dl"] = domain::FormatInstantMillis(*d.deadline);
  if (d.amount) j["a"] = d.amount->cents;
  if (d.date) j["d"] = domain::FormatDate(*d.date);
  if (!d.holders.empty()) {
    json holders = json::array();
    for (const auto& h : d.holders) holders.push_back({h.id, h.name});
    j["h"] = std::move(holders);
  }
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

Document DocumentOfData(const std::string& data) {
  Document d;
  json j = json::parse(data, nullptr, false);
  if (!j.is_object()) return d;
  auto text = [&](const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  d.type = text("t");
  d.uid = text("u");
  d.object = text("o");
  d.buyer_id = text("b");
  d.buyer_name = text("bn");
  d.cpv = text("c");
  d.department = text("dep");
  d.place = text("pl");
  d.procedure = text("p");
  d.nature = text("n");
  d.kind = text("k");
  d.status = text("s");
  d.state = text("st");
  if (auto deadline = text("dl"); !deadline.empty()) {
    if (auto parsed = domain::ParseInstant(deadline); parsed.ok()) d.deadline = *parsed;
  }
  if (auto it = j.find("a"); it != j.end() && it->is_number_integer()) {
    d.amount = domain::Money{it->get<int64_t>()};
  }
  if (auto date = text("d"); !date.empty()) {
    if (auto parsed = domain::ParseDate(date); parsed.ok()) d.date = *parsed;
  }
  if (auto it = j.find("h"); it != j.end() && it->is_array()) {
    for (const auto& h : *it) {
      if (h.is_array() && h.size() == 2 && h[0].is_string() && h[1].is_string()) {
        d.holders.push_back({h[0].get<std::string>(), "", h[1].get<std::string>()});
      }
    }
  }
  return d;
}

// ---- Indexing ----

void IndexText(Xapian::TermGenerator& tg, const std::string& text, Xapian::termcount weight,
               const char* field = nullptr) {
  if (text.empty()) return;
  const std::string folded = FoldText(text);
  tg.index_text(folded, weight);
  // Field terms (objet:, acheteur:, titulaire:) carry no positions: a third
  // of the index's size for phrases inside one field, which nobody asked for.
  if (field) tg.index_text_without_positions(folded, 1, field);
  tg.increase_termpos();  // no phrase across two texts
}

Xapian::Document XapianDocument(const Document& d, Xapian::TermGenerator& tg) {
  Xapian::Document doc;
  tg.set_document(doc);
  IndexText(tg, d.object, kObjectWeight, kObjectField);
  IndexText(tg, d.buyer_name, 1, kBuyerField);
  for (const auto& h : d.holders) IndexText(tg, h.name, 1, kHolderField);
  for (const auto& t : d.more_text) IndexText(tg, t, 1);
  const std::string code8 = d.cpv.substr(0, std::min<size_t>(8, d.cpv.size()));
  if (const auto* cpv = domain::CpvTable::Get().Find(code8)) IndexText(tg, cpv->label_fr, 1);

  auto boolean = [&](const char* prefix, const std::string& value) {
    if (!value.empty()) doc.add_boolean_term(prefix + value);
  };
  doc.add_boolean_term(IdTerm(d));
  boolean(kTypePrefix, d.type);
  boolean(kKindPrefix, d.kind);
  boolean(kDepartmentPrefix, d.department);
  boolean(kBuyerPrefix, d.buyer_id);
  for (const auto& h : d.holders) boolean(kSupplierPrefix, h.id);
  boolean(kProcedurePrefix, d.procedure);
  boolean(kNaturePrefix, d.nature);
  boolean(kStatusPrefix, d.status);
  const bool cpv_digits = code8.size() == 8 && std::all_of(code8.begin(), code8.end(), [](char c) {
                            return c >= '0' && c <= '9';
                          });
  if (cpv_digits) {
    for (size_t n = 2; n <= 8; ++n) boolean(kCpvPrefix, code8.substr(0, n));
    doc.add_value(kSlotCpvDivision, code8.substr(0, 2));
  }
  if (d.date) doc.add_value(kSlotDate, DateValue(*d.date));
  if (d.deadline) doc.add_value(kSlotDeadline, domain::FormatInstantMillis(*d.deadline));
  if (d.amount) doc.add_value(kSlotAmount, AmountValue(*d.amount));
  doc.add_boolean_term(AmountBucketTerm(d.amount));
  if (!d.department.empty()) doc.add_value(kSlotDepartment, d.department);
  if (!d.procedure.empty()) doc.add_value(kSlotProcedure, d.procedure);
  if (!d.buyer_id.empty()) doc.add_value(kSlotBuyer, d.buyer_id);
  doc.add_value(kSlotFacets, (cpv_digits ? code8.substr(0, 2) : std::string()) + kUnitSeparator +
                                 d.department + kUnitSeparator + d.procedure + kUnitSeparator +
                                 d.buyer_id);
  doc.set_data(DataOf(d));
  return doc;
}

uint64_t ParsePosition(const std::string& text) {
  uint64_t v = 0;
  std::from_chars(text.data(), text.data() + text.size(), v);
  return v;
}

// ---- Queries ----

// Folds the words of a query but keeps the operators, which Xapian knows in
// capitals only (and "ou", "et" are words).
std::string FoldQuery(std::string_view text) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n')) ++i;
    size_t j = i;
    while (j < text.size() && text[j] != ' ' && text[j] != '\t' && text[j] != '\n') ++j;
    if (j == i) break;
    const std::string_view token = text.substr(i, j - i);
    if (!out.empty()) out.push_back(' ');
    if (token == "AND" || token == "OR" || token == "NOT" || token == "XOR") {
      out += token;
    } else {
      out += FoldText(token);
    }
    i = j;
  }
  return out;
}

// The words only: every character that could be syntax becomes a space.
std::string PlainWords(const std::string& folded) {
  std::string out = folded;
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x80 && !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) c = ' ';
  }
  return out;
}

// The snippet highlighter splits words on U+FFFD (not a letter), so
// "�lagage" would be "lagage": it is given U+0115 (ĕ, a letter that folds to
// "e" and that French text does not use) instead, put back afterwards.
constexpr std::string_view kLost = "\xEF\xBF\xBD";
constexpr std::string_view kLostStandIn = "\xC4\x95";

std::string Replace(std::string text, std::string_view from, std::string_view to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// Phrases match unstemmed, folded words ("renovation"), which the snippet
// highlighter compares with the original words ("rénovation") and misses: a
// query for highlighting only adds the stemmed form of each such word, which
// the highlighter finds through the folding stemmer. Null when the query has
// no unstemmed word (the usual case: plain words are stemmed).
std::optional<Xapian::Query> HighlightQuery(const Xapian::Query& text, const Xapian::Stem& stem) {
  std::vector<Xapian::Query> extra;
  for (auto t = text.get_terms_begin(); t != text.get_terms_end(); ++t) {
    const std::string term = *t;
    if (term.empty() || (term[0] >= 'A' && term[0] <= 'Z')) continue;  // stemmed, or a field
    extra.emplace_back("Z" + stem(term));
  }
  if (extra.empty()) return std::nullopt;
  extra.push_back(text);
  return Xapian::Query(Xapian::Query::OP_OR, extra.begin(), extra.end());
}

// The documents whose amount is in [low, high] (a bound may be absent), from
// the amount bucket terms: either the buckets inside the range, or those
// outside it to be taken away from the match (`exclude`), whichever has fewer
// postings. Most ranges ("at least 1,000 €") keep nearly every document: the
// few outside are cheap to take away, where reading the amount of every
// candidate cost four times the match itself (docs/search.md). A bucket
// that the range cuts checks the value of its own documents only.
struct AmountRange {
  Xapian::Query query;
  bool exclude = false;
};

AmountRange AmountRangeQuery(const Xapian::Database& db, const std::optional<domain::Money>& lo,
                             const std::optional<domain::Money>& hi) {
  const int64_t low = lo ? lo->cents : INT64_MIN;
  const int64_t high = hi ? hi->cents : INT64_MAX;
  const Xapian::Query in_range =
      lo && hi ? Xapian::Query(Xapian::Query::OP_VALUE_RANGE, kSlotAmount, AmountValue(*lo),
                               AmountValue(*hi))
      : lo     ? Xapian::Query(Xapian::Query::OP_VALUE_GE, kSlotAmount, AmountValue(*lo))
               : Xapian::Query(Xapian::Query::OP_VALUE_LE, kSlotAmount, AmountValue(*hi));
  std::vector<Xapian::Query> inside, outside;
  uint64_t inside_postings = 0, outside_postings = 0;
  const std::string prefix = kAmountPrefix;
  for (auto t = db.allterms_begin(prefix); t != db.allterms_end(prefix); ++t) {
    const std::string term = *t;
    const std::string_view key = std::string_view(term).substr(prefix.size());
    const Xapian::doccount postings = t.get_termfreq();
    bool none = key == "n";
    int64_t first = INT64_MIN, last = INT64_MAX;  // unknown bucket: checked by value
    if (key == "z") {
      last = 0;
    } else if (int k = -1; !none && std::from_chars(key.data(), key.data() + key.size(), k).ec ==
                                        std::errc() && k >= 0 && k < kAmountBuckets) {
      first = AmountEdge(k);
      last = k + 1 < kAmountBuckets ? AmountEdge(k + 1) - 1 : INT64_MAX;
    }
    if (none || last < low || first > high) {
      outside.emplace_back(term);
      outside_postings += postings;
    } else if (first >= low && last <= high) {
      inside.emplace_back(term);
      inside_postings += postings;
    } else {
      inside.emplace_back(Xapian::Query::OP_FILTER, Xapian::Query(term), in_range);
      outside.emplace_back(Xapian::Query::OP_AND_NOT, Xapian::Query(term), in_range);
      inside_postings += postings;
      outside_postings += postings;
    }
  }
  if (outside_postings < inside_postings) {
    return {Xapian::Query(Xapian::Query::OP_OR, outside.begin(), outside.end()), true};
  }
  if (inside.empty()) return {Xapian::Query::MatchNothing, false};
  return {Xapian::Query(Xapian::Query::OP_OR, inside.begin(), inside.end()), false};
}

struct Reader {
  explicit Reader(const std::string& dir) : db(dir), stemmer(FoldingStemmer()) {
    parser.set_database(db);
    parser.set_stemmer(stemmer);
    parser.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
    parser.set_stopper(&Stopper());
    parser.set_default_op(Xapian::Query::OP_AND);
    parser.set_max_expansion(200, Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT);
    parser.add_prefix("objet", kObjectField);
    parser.add_prefix("acheteur", kBuyerField);
    parser.add_prefix("titulaire", kHolderField);
    parser.add_boolean_prefix("cpv", kCpvPrefix);
    parser.add_boolean_prefix("departement", kDepartmentPrefix);
    parser.add_boolean_prefix("procedure", kProcedurePrefix);
    parser.add_boolean_prefix("nature", kNaturePrefix);
    parser.add_boolean_prefix("siret", kBuyerPrefix);
    parser.add_rangeprocessor(
        (new Xapian::NumberRangeProcessor(kSlotAmount, "montant:"))->release());
    parser.add_rangeprocessor((new Xapian::DateRangeProcessor(kSlotDate, "date:"))->release());
  }
  Xapian::Database db;
  Xapian::Stem stemmer;
  Xapian::QueryParser parser;
};

std::string FacetLabel(Xapian::valueno slot, const std::string& value, const Xapian::Database& db) {
  switch (slot) {
    case kSlotCpvDivision: {
      const auto* c = domain::CpvTable::Get().Find(value + "000000");
      return c ? c->label_fr : value;
    }
    case kSlotDepartment: {
      const std::string_view name = DepartmentName(value);
      return name.empty() ? value : std::string(name) + " (" + value + ")";
    }
    case kSlotProcedure: {
      const auto p = domain::ProcedureFromCode(value);
      return p ? std::string(domain::Label(*p)) : value;
    }
    default: {
      std::string name = db.get_metadata(kBuyerNameKey + value);
      return name.empty() ? value : name;
    }
  }
}

struct FacetSpec {
  const char* name;
  Xapian::valueno slot;
  const char* prefix;  // its boolean terms, for exact counts over the whole index
  size_t value_size;   // of the boolean terms counted (0: any); CPV: divisions only
};
constexpr FacetSpec kFacets[] = {{"cpv", kSlotCpvDivision, kCpvPrefix, 2},
                                 {"department", kSlotDepartment, kDepartmentPrefix, 0},
                                 {"procedure", kSlotProcedure, kProcedurePrefix, 0},
                                 {"buyer", kSlotBuyer, kBuyerPrefix, 0}};

// Facet values and their counts, looked up without copying the value.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using FacetCounts = std::unordered_map<std::string, int64_t, StringHash, std::equal_to<>>;

// Counts the facets of each document the matcher looks at (slot
// kSlotFacets, in kFacets order), those that `counted` asks for only: a facet
// fixed by a filter has one value, counted by the match itself. The values
// are read from the slot's value stream, which the matcher's documents come
// in the order of: Document::get_value looks each one up from the top of the
// B-tree, which made counting cost ten times the match (docs/search.md).
//
// With `quota` (layout 3), only whole rounds are kept: a round's counts stay
// in the sample when the next round starts before the quota-th document; the
// round in progress then is taken back, and every document after is only
// looked at. The matcher looks at every match up to its `check_at_least` (the
// quota), so the rounds kept are whole; beyond, it may skip documents by
// weight.
class FacetSpy : public Xapian::MatchSpy {
 public:
  FacetSpy(const Xapian::Database& db, std::array<bool, 4> counted,
           Xapian::doccount quota = 0)
      : db_(db), counted_(counted), quota_(quota) {}
  void operator()(const Xapian::Document& doc, double) override {
    const Xapian::docid id = doc.get_docid();
    ++looked_at_;
    if (quota_ > 0) {
      if (full_) return;
      if (looked_at_ > 1 && RoundOfDocid(id) != RoundOfDocid(last_)) EndRound();
      if (looked_at_ > quota_) {  // the round in progress is not kept
        for (int64_t* count : in_round_counts_) --*count;
        in_round_counts_.clear();
        full_ = true;
        return;
      }
    }
    Count(id);
  }
  // Keeps the round in progress: the matcher looked at every document of it.
  void EndRound() {
    in_round_counts_.clear();
    sampled_ += in_round_;
    in_round_ = 0;
    ++rounds_;
  }
  Xapian::doccount looked_at() const { return looked_at_; }
  bool full() const { return full_; }
  // The documents counted and their rounds (every document when no quota).
  Xapian::doccount sampled() const { return quota_ > 0 ? sampled_ : looked_at_; }
  unsigned rounds() const { return rounds_; }
  const FacetCounts& counts(size_t facet) const { return counts_[facet]; }

 private:
  void Count(Xapian::docid id) {
    if (!started_ || id < last_) {  // a new stream: the next pass of CountFacetsInRounds
      values_ = db_.valuestream_begin(kSlotFacets);
      started_ = true;
    }
    last_ = id;
    ++in_round_;
    if (values_ == db_.valuestream_end(kSlotFacets)) return;
    values_.skip_to(id);
    if (values_ == db_.valuestream_end(kSlotFacets) || values_.get_docid() != id) return;
    const std::string packed = *values_;
    const std::string_view all(packed);
    size_t start = 0;
    for (size_t i = 0; i < counts_.size() && start <= all.size(); ++i) {
      size_t end = all.find(kUnitSeparator, start);
      if (end == std::string_view::npos) end = all.size();
      if (counted_[i] && end > start) {
        const std::string_view value = all.substr(start, end - start);
        auto it = counts_[i].find(value);
        if (it == counts_[i].end()) it = counts_[i].emplace(std::string(value), 0).first;
        ++it->second;
        // Map values stay in place: the round can be taken back (operator()).
        if (quota_ > 0) in_round_counts_.push_back(&it->second);
      }
      start = end + 1;
    }
  }

  Xapian::Database db_;
  std::array<bool, 4> counted_;
  Xapian::doccount quota_;
  Xapian::ValueIterator values_;
  bool started_ = false, full_ = false;
  Xapian::docid last_ = 0;
  Xapian::doccount looked_at_ = 0, sampled_ = 0, in_round_ = 0;
  unsigned rounds_ = 0;
  std::array<FacetCounts, 4> counts_;  // values counted 0 times may stay
  std::vector<int64_t*> in_round_counts_;  // the counts the round in progress added to
};

// Sorts by the deadline, soonest first, documents without one (contracts)
// last: Xapian would put empty values first.
class DeadlineKey : public Xapian::KeyMaker {
 public:
  std::string operator()(const Xapian::Document& doc) const override {
    std::string v = doc.get_value(kSlotDeadline);
    return v.empty() ? std::string("\xff") : v;
  }
};

void SortAndCut(std::vector<FacetValue>& values, int n) {
  std::sort(values.begin(), values.end(), [](const FacetValue& a, const FacetValue& b) {
    return a.count != b.count ? a.count > b.count : a.value < b.value;
  });
  if (values.size() > static_cast<size_t>(n)) values.resize(static_cast<size_t>(n));
}

// tender.deposits_sealed (closing at the deadline) carries no notice: the
// stored document's status and state change, its terms stay. False when the
// index holds no such consultation.
bool MarkClosed(Xapian::WritableDatabase& db, const std::string& id) {
  const std::string id_term = std::string(kIdPrefix) + "consultation:" + id;
  auto it = db.postlist_begin(id_term);
  if (it == db.postlist_end(id_term)) return false;
  Xapian::Document doc = db.get_document(*it);
  Document d = DocumentOfData(doc.get_data());
  if (!d.status.empty()) doc.remove_term(kStatusPrefix + d.status);
  d.state = "closed";
  d.status = StatusOfState(d.state);
  doc.add_boolean_term(kStatusPrefix + d.status);
  doc.set_data(DataOf(d));
  db.replace_document(*it, doc);
  return true;
}

// The consultation document of an entry that carries the notice (every
// tender.* kind but tender.deposits_sealed). Its publication date is the
// time of the first entry the index saw (tender.published), kept afterwards.
Result<Document> ConsultationDocumentOf(Xapian::WritableDatabase& db,
                                        const store::LedgerRecord& r, const json& body) {
  std::optional<domain::Date> published;
  if (auto tender = body.find("tender"); tender != body.end() && tender->is_string()) {
    const std::string id_term =
        std::string(kIdPrefix) + "consultation:" + tender->get<std::string>();
    if (auto it = db.postlist_begin(id_term); it != db.postlist_end(id_term)) {
      published = DocumentOfData(db.get_document(*it).get_data()).date;
    }
  }
  if (!published && r.time.size() >= 10) {
    if (auto d = domain::ParseDate(std::string_view(r.time).substr(0, 10)); d.ok()) published = *d;
  }
  return ConsultationDocumentFromJson(body, published);
}

}  // namespace

struct Index::Impl {
  std::string dir;
  IndexOptions options;
  std::mutex write_mu;
  Xapian::WritableDatabase writer;
  Xapian::TermGenerator generator;
  int64_t skipped = 0;
  bool by_department = false;  // the writer's layout numbers documents (layout 3)
  // The next sequence of the cells written since the index was opened (by
  // the cell's first number); saved in metadata before each commit, dropped
  // when a batch fails.
  std::map<Xapian::docid, Xapian::docid> next_sequence;

  Status Put(const Document& d, Xapian::Document doc);
  void SaveSequences();
  void DropBatch();
  std::mutex readers_mu;
  std::vector<std::unique_ptr<Reader>> readers;  // idle readers

  std::unique_ptr<Reader> TakeReader() {
    {
      std::lock_guard lock(readers_mu);
      if (!readers.empty()) {
        auto r = std::move(readers.back());
        readers.pop_back();
        return r;
      }
    }
    return std::make_unique<Reader>(dir);
  }
  void GiveBack(std::unique_ptr<Reader> r) {
    std::lock_guard lock(readers_mu);
    readers.push_back(std::move(r));
  }

  SearchResults Run(Reader& reader, const SearchQuery& q);
};

// Adds or replaces the document of `d`. Layout 3: a document keeps its number
// while its department stays; one that moves takes a new number in its new
// department, in the same round.
Status Index::Impl::Put(const Document& d, Xapian::Document doc) {
  const std::string id = IdTerm(d);
  if (!by_department) {
    writer.replace_document(id, doc);
    return Status::Ok();
  }
  const auto department = static_cast<unsigned>(DepartmentNumber(d.department));
  std::optional<Xapian::docid> old;
  if (auto it = writer.postlist_begin(id); it != writer.postlist_end(id)) old = *it;
  const unsigned round = old ? RoundOfDocid(*old) : RoundOfTerm(id);
  doc.add_boolean_term(RoundTerm(round));
  if (old && DepartmentOfDocid(*old) == department) {
    writer.replace_document(*old, doc);
    return Status::Ok();
  }
  const Xapian::docid cell = CellOf(round, department);
  auto [next, fresh] = next_sequence.try_emplace(cell, 1);
  if (fresh) {
    const std::string saved = writer.get_metadata(kNextSequenceKey + std::to_string(cell));
    if (!saved.empty()) next->second = static_cast<Xapian::docid>(ParsePosition(saved));
  }
  if (next->second >= kSequenceEnd) {
    return Status::ResourceExhausted(
        "search index: round " + std::to_string(round) + " of department '" + d.department +
        "' holds " + std::to_string(kSequenceEnd - 1) +
        " documents already, the most the layout numbers (about " +
        std::to_string(kRounds * (kSequenceEnd - 1)) + " a department)");
  }
  if (old) writer.delete_document(*old);
  writer.replace_document(cell | next->second++, doc);
  return Status::Ok();
}

void Index::Impl::SaveSequences() {
  for (const auto& [cell, next] : next_sequence) {
    writer.set_metadata(kNextSequenceKey + std::to_string(cell), std::to_string(next));
  }
}

// Counts the facets of the matches of `query` in the first rounds (layout
// 3): as many rounds as should hold `sample` matches out of `total`, doubled
// while they hold fewer than half of it. Every match of a round is counted.
// Returns the rounds counted.
unsigned CountFacetsInRounds(const Xapian::Database& db, const Xapian::Query& query,
                             int64_t total, int sample, FacetSpy& spy) {
  unsigned k = kRounds;
  if (total > sample && sample > 0) {
    const auto share = static_cast<double>(kRounds) * sample / static_cast<double>(total);
    k = std::clamp(static_cast<unsigned>(std::ceil(share)), 1u, kRounds);
  }
  unsigned done = 0;
  while (true) {
    Xapian::Query counted = query;
    if (done > 0 || k < kRounds) {
      std::vector<Xapian::Query> rounds;
      for (unsigned r = done; r < k; ++r) rounds.emplace_back(RoundTerm(r));
      counted = Xapian::Query(Xapian::Query::OP_FILTER, query,
                              Xapian::Query(Xapian::Query::OP_OR, rounds.begin(), rounds.end()));
    }
    // Weighted as the page is: a weighting that needs no term frequencies
    // (BoolWeight, CoordWeight) meets the Xapian bug of Unweighted().
    Xapian::Enquire enquire(db);
    enquire.set_query(counted);
    enquire.add_matchspy(&spy);
    enquire.get_mset(0, 0, db.get_doccount());
    done = k;
    if (done == kRounds || spy.looked_at() * 2 >= static_cast<Xapian::doccount>(sample)) {
      return done;
    }
    k = std::min(kRounds, k * 2);
  }
}

// Whether `text` gives every match a weight of 0: filters alone ("cpv:45",
// "montant:1000..2000", "cpv:45 -voirie"). Xapian 1.4.22 reads past the end
// of the posting list of a term that is in every document, and fails
// ("Unexpected end of posting list"), when such a query runs over document
// numbers with gaps (layout 3); the same filters under MatchAll, as a search
// without words has them, do not (tests/search/layout_test.cpp).
bool Unweighted(const Xapian::Database& db, const Xapian::Query& text) {
  bool words = false, filters = false;  // value ranges have no terms
  for (auto t = text.get_terms_begin(); t != text.get_terms_end(); ++t) {
    ((*t).starts_with('X') ? filters : words) = true;
  }
  if (words && !filters) return false;  // words only: weighted
  Xapian::Enquire enquire(db);
  enquire.set_query(text);
  return enquire.get_mset(0, 0).get_max_possible() == 0;
}

SearchResults Index::Impl::Run(Reader& reader, const SearchQuery& q) {
  SearchResults out;
  const Xapian::Database& db = reader.db;
  out.index_position = ParsePosition(db.get_metadata(kPositionKey));

  Xapian::Query text = Xapian::Query::MatchAll;
  const std::string folded = FoldQuery(q.text);
  if (!folded.empty()) {
    constexpr unsigned kFlags =
        Xapian::QueryParser::FLAG_PHRASE | Xapian::QueryParser::FLAG_BOOLEAN |
        Xapian::QueryParser::FLAG_LOVEHATE | Xapian::QueryParser::FLAG_WILDCARD |
        Xapian::QueryParser::FLAG_PURE_NOT;
    try {
      text = reader.parser.parse_query(folded, kFlags);
    } catch (const Xapian::QueryParserError&) {
      // Unbalanced brackets, a lone operator…: searched as plain words.
      out.plain_words = true;
      text = reader.parser.parse_query(PlainWords(folded), 0);
    }
    if (text.empty()) text = Xapian::Query::MatchAll;  // nothing searchable in it
  }
  const int layout = LayoutOf(db);
  if (layout >= kLayoutByDepartment && text.get_type() != Xapian::Query::LEAF_MATCH_ALL &&
      Unweighted(db, text)) {
    text = Xapian::Query(Xapian::Query::OP_FILTER, Xapian::Query::MatchAll, text);
  }

  std::vector<Xapian::Query> filters;
  auto term = [&](const char* prefix, const std::string& value) {
    if (!value.empty()) filters.emplace_back(prefix + value);
  };
  term(kTypePrefix, q.type);
  term(kCpvPrefix, q.cpv);
  term(kBuyerPrefix, q.buyer);
  term(kSupplierPrefix, q.supplier);
  term(kDepartmentPrefix, q.department);
  if (!q.region.empty()) {
    std::vector<Xapian::Query> departments;
    for (const auto& d : RegionDepartments(q.region)) departments.emplace_back(kDepartmentPrefix + d);
    filters.emplace_back(Xapian::Query::OP_OR, departments.begin(), departments.end());
  }
  term(kProcedurePrefix, q.procedure);
  term(kNaturePrefix, q.nature);
  term(kStatusPrefix, q.status);
  if (q.date_from)
    filters.emplace_back(Xapian::Query::OP_VALUE_GE, kSlotDate, DateValue(*q.date_from));
  if (q.date_to) filters.emplace_back(Xapian::Query::OP_VALUE_LE, kSlotDate, DateValue(*q.date_to));
  if (q.deadline_from || q.deadline_to) {
    // Only consultations have a deadline; the type term keeps the range
    // from reading every contract's (empty) slot.
    if (q.type.empty()) term(kTypePrefix, "consultation");
    if (q.deadline_from) {
      filters.emplace_back(Xapian::Query::OP_VALUE_GE, kSlotDeadline,
                           domain::FormatInstantMillis(*q.deadline_from));
    }
    if (q.deadline_to) {
      filters.emplace_back(Xapian::Query::OP_VALUE_LE, kSlotDeadline,
                           domain::FormatInstantMillis(*q.deadline_to));
    }
  }
  std::optional<Xapian::Query> excluded;  // documents taken away from the match
  if ((q.amount_min || q.amount_max) && layout >= kLayoutWithAmountBuckets) {
    AmountRange range = AmountRangeQuery(db, q.amount_min, q.amount_max);
    if (!range.exclude) {
      filters.push_back(std::move(range.query));
    } else if (!range.query.empty()) {
      excluded = std::move(range.query);
    }
  } else {
    if (q.amount_min) {
      filters.emplace_back(Xapian::Query::OP_VALUE_GE, kSlotAmount, AmountValue(*q.amount_min));
    }
    if (q.amount_max) {
      filters.emplace_back(Xapian::Query::OP_VALUE_LE, kSlotAmount, AmountValue(*q.amount_max));
    }
  }
  const bool browse_all =
      text.get_type() == Xapian::Query::LEAF_MATCH_ALL && filters.empty() && !excluded;
  Xapian::Query query =
      filters.empty()
          ? text
          : Xapian::Query(Xapian::Query::OP_FILTER, text,
                          Xapian::Query(Xapian::Query::OP_AND, filters.begin(), filters.end()));
  if (excluded) query = Xapian::Query(Xapian::Query::OP_AND_NOT, query, *excluded);

  Xapian::Enquire enquire(db);
  enquire.set_query(query);
  DeadlineKey deadline_key;  // outlives get_mset
  switch (q.sort) {
    case SortOrder::kRelevance:
      enquire.set_sort_by_relevance_then_value(kSlotDate, true);
      break;
    case SortOrder::kDate:
      enquire.set_sort_by_value_then_relevance(kSlotDate, true);
      break;
    case SortOrder::kAmount:
      enquire.set_sort_by_value_then_relevance(kSlotAmount, true);
      break;
    case SortOrder::kDeadline:
      enquire.set_sort_by_key_then_relevance(&deadline_key, false);
      break;
  }
  // Facets: over the whole index, the counts of the boolean terms are exact
  // and free; a facet that a filter fixes has one value, whose count is the
  // total; otherwise a match spy counts the values of a sample of the matches
  // (below; docs/search.md).
  const bool facets = q.facet_values > 0;
  const std::array<std::string, 4> fixed = {q.cpv.size() >= 2 ? q.cpv.substr(0, 2) : std::string(),
                                            q.department, q.procedure, q.buyer};
  std::array<bool, 4> counted{};
  for (size_t i = 0; i < counted.size(); ++i) counted[i] = fixed[i].empty();
  const bool spy = facets && !browse_all &&
                   std::any_of(counted.begin(), counted.end(), [](bool c) { return c; });
  // The page's match counts the facets of what it looks at: every match when
  // it looked at all of them; otherwise, in layout 3, the whole rounds before
  // its `facet_sample`-th match, or, when the first round alone holds more,
  // a second match over the first rounds; in older layouts the first
  // `facet_sample` matches.
  const bool by_rounds = spy && layout >= kLayoutByDepartment;
  const auto sample = static_cast<Xapian::doccount>(std::max(options.facet_sample, 1));
  FacetSpy page_spy(db, counted, by_rounds ? sample : 0);
  FacetSpy round_spy(db, counted);
  const FacetSpy* facet_spy = &page_spy;
  if (spy) enquire.add_matchspy(&page_spy);
  const auto check_at_least = static_cast<Xapian::doccount>(
      std::max(spy ? options.facet_sample : 0, q.offset + q.limit));
  Xapian::MSet mset = enquire.get_mset(static_cast<Xapian::doccount>(q.offset),
                                       static_cast<Xapian::doccount>(q.limit), check_at_least);
  out.total = mset.get_matches_estimated();
  out.total_exact = mset.get_matches_lower_bound() == mset.get_matches_upper_bound();
  if (by_rounds && out.total > 0) {
    if (!page_spy.full()) {
      page_spy.EndRound();  // the match ended within the quota: every match was counted
    } else if (page_spy.rounds() == 0) {
      facet_spy = &round_spy;
      if (CountFacetsInRounds(db, query, out.total, options.facet_sample, round_spy) == kRounds) {
        out.total = round_spy.looked_at();  // every match counted: the total too
        out.total_exact = true;
      }
    }
  }

  // Snippets without Xapian's background model and exhaustive search: those
  // look up the frequency of every word of every object shown, which cost
  // more than the search itself; objects are short enough without them.
  Xapian::MSet highlighter = mset;
  if (!mset.empty()) {
    if (auto hq = HighlightQuery(text, reader.stemmer)) {
      Xapian::Enquire hl(db);
      hl.set_query(*hq);
      highlighter = hl.get_mset(0, 0);
    }
  }
  for (auto it = mset.begin(); it != mset.end(); ++it) {
    Hit hit;
    hit.document = DocumentOfData(it.get_document().get_data());
    hit.percent = q.sort == SortOrder::kRelevance ? it.get_percent() : 0;
    const bool lost = hit.document.object.find(kLost) != std::string::npos;
    hit.snippet = highlighter.snippet(
        lost ? Replace(hit.document.object, kLost, kLostStandIn) : hit.document.object,
        kSnippetBytes, reader.stemmer,
        /*flags=*/0, "<mark>", "</mark>", "…");
    if (lost) hit.snippet = Replace(std::move(hit.snippet), kLostStandIn, kLost);
    out.hits.push_back(std::move(hit));
  }

  if (!facets) return out;
  const double seen = facet_spy->sampled();
  const double scale = spy && seen > 0 && seen < out.total ? out.total / seen : 1.0;
  for (size_t i = 0; i < std::size(kFacets); ++i) {
    const FacetSpec& f = kFacets[i];
    Facet facet{f.name, {}};
    if (browse_all) {
      const std::string prefix = f.prefix;
      for (auto t = db.allterms_begin(prefix); t != db.allterms_end(prefix); ++t) {
        std::string value = (*t).substr(prefix.size());
        if (f.value_size && value.size() != f.value_size) continue;
        facet.values.push_back({std::move(value), "", t.get_termfreq()});
      }
    } else if (!counted[i]) {
      if (out.total > 0) facet.values.push_back({fixed[i], "", out.total});
    } else {
      for (const auto& [value, count] : facet_spy->counts(i)) {
        if (count == 0) continue;
        facet.values.push_back(
            {value, "", static_cast<int64_t>(std::llround(static_cast<double>(count) * scale))});
      }
    }
    SortAndCut(facet.values, q.facet_values);
    for (auto& v : facet.values) v.label = FacetLabel(f.slot, v.value, db);
    out.facets.push_back(std::move(facet));
  }
  // Scaled from a sample, or a total that Xapian estimated.
  out.facets_exact = browse_all || (scale == 1.0 && out.total_exact);
  out.facets_sampled = spy ? static_cast<int64_t>(seen) : 0;
  return out;
}

Index::Index(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Index::~Index() = default;

Result<std::unique_ptr<Index>> Index::Open(const std::string& dir, IndexOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->dir = dir;
  impl->options = options;
  // Xapian 1.4 reads its threshold from the environment when the writer opens.
  if (options.flush_threshold > 0) {
    setenv("XAPIAN_FLUSH_THRESHOLD", std::to_string(options.flush_threshold).c_str(), 1);
  }
  try {
    impl->writer = Xapian::WritableDatabase(dir, Xapian::DB_CREATE_OR_OPEN);
  } catch (const Xapian::DatabaseLockError& e) {
    return Status::FailedPrecondition("search index " + dir +
                                      " is in use by another process: " + e.get_msg());
  } catch (const Xapian::Error& e) {
    return Status::Unavailable("cannot open the search index " + dir + ": " + e.get_description());
  }
  try {
    // A new index gets the current layout; an older one keeps what it has
    // (Run reads the key) until it is rebuilt.
    if (impl->writer.get_doccount() == 0 && impl->writer.get_metadata(kLayoutKey).empty()) {
      impl->writer.set_metadata(kLayoutKey, std::to_string(kLayoutNew));
      impl->writer.commit();
    }
    impl->by_department = LayoutOf(impl->writer) >= kLayoutByDepartment;
  } catch (const Xapian::Error& e) {
    return Status::Unavailable("cannot open the search index " + dir + ": " + e.get_description());
  }
  impl->generator.set_stemmer(FoldingStemmer());
  impl->generator.set_stemming_strategy(Xapian::TermGenerator::STEM_SOME);
  return std::unique_ptr<Index>(new Index(std::move(impl)));
}

Result<uint64_t> Index::Position() {
  std::lock_guard lock(impl_->write_mu);
  try {
    return ParsePosition(impl_->writer.get_metadata(kPositionKey));
  } catch (const Xapian::Error& e) {
    return Status::Unavailable("search index: " + e.get_description());
  }
}

Result<uint64_t> Index::DocumentCount() {
  std::lock_guard lock(impl_->write_mu);
  try {
    return uint64_t{impl_->writer.get_doccount()};
  } catch (const Xapian::Error& e) {
    return Status::Unavailable("search index: " + e.get_description());
  }
}

int64_t Index::skipped() const { return impl_->skipped; }

Status Index::Apply(const std::vector<store::LedgerRecord>& records) {
  if (records.empty()) return Status::Ok();
  std::lock_guard lock(impl_->write_mu);
  Xapian::WritableDatabase& db = impl_->writer;
  try {
    const uint64_t position = ParsePosition(db.get_metadata(kPositionKey));
    if (records.front().seq > position) {
      return Status::FailedPrecondition(
          "ledger entries from " + std::to_string(records.front().seq) +
          " cannot follow the index's position " + std::to_string(position));
    }
    for (size_t i = 0; i < records.size(); ++i) {
      const store::LedgerRecord& r = records[i];
      if (i > 0 && r.seq != records[i - 1].seq + 1) {
        return Status::InvalidArgument("ledger entries out of order at " + std::to_string(r.seq));
      }
      const bool contract = r.kind == "contract.created" || r.kind == "contract.updated";
      const bool tender = r.kind.starts_with("tender.");
      if (!contract && !tender) continue;
      json entry = json::parse(r.entry, nullptr, false);
      auto body = entry.is_object() ? entry.find("body") : entry.end();
      Result<Document> doc = Status::InvalidArgument("no body");
      if (body != entry.end() && contract) {
        doc = ContractDocumentFromJson(*body);
      } else if (body != entry.end() && body->is_object() && !body->contains("title")) {
        auto tender = body->find("tender");
        if (r.kind == ledger::kDepositsSealedKind && tender != body->end() &&
            tender->is_string()) {
          MarkClosed(db, tender->get<std::string>());  // unknown consultation: nothing to do
          continue;
        }
      } else if (body != entry.end()) {
        doc = ConsultationDocumentOf(db, r, *body);
      }
      if (!doc.ok()) {
        ++impl_->skipped;
        continue;
      }
      if (Status put = impl_->Put(*doc, XapianDocument(*doc, impl_->generator)); !put.ok()) {
        impl_->DropBatch();
        return put;
      }
      if (!doc->buyer_name.empty()) db.set_metadata(kBuyerNameKey + doc->buyer_id, doc->buyer_name);
    }
    const uint64_t reached = std::max(position, records.back().seq + 1);
    db.set_metadata(kPositionKey, std::to_string(reached));
    impl_->SaveSequences();
    db.commit();
  } catch (const Xapian::Error& e) {
    impl_->DropBatch();
    return Status::Unavailable("search index: " + e.get_description());
  }
  return Status::Ok();
}

// Drops the uncommitted changes of a failed batch; the same entries can be
// applied again.
void Index::Impl::DropBatch() {
  next_sequence.clear();
  try {
    writer.close();
    writer = Xapian::WritableDatabase(dir, Xapian::DB_CREATE_OR_OPEN);
  } catch (const Xapian::Error&) {
  }
}

Status CompactIndex(const std::string& from, const std::string& to) {
  try {
    Xapian::Database db(from);
    db.compact(to, Xapian::DBCOMPACT_NO_RENUMBER | Xapian::Compactor::FULL);
  } catch (const Xapian::Error& e) {
    return Status::Unavailable("cannot compact the search index " + from + " into " + to + ": " +
                               e.get_description());
  }
  return Status::Ok();
}

Result<SearchResults> Index::Search(const SearchQuery& query) {
  std::unique_ptr<Reader> reader;
  for (int attempt = 0;; ++attempt) {
    try {
      if (!reader) reader = impl_->TakeReader();
      reader->db.reopen();  // the last commit
      SearchResults results = impl_->Run(*reader, query);
      impl_->GiveBack(std::move(reader));
      return results;
    } catch (const Xapian::DatabaseModifiedError&) {
      // The writer committed twice during this search: read the new revision.
      if (attempt >= 3) return Status::Unavailable("search index busy, retry");
    } catch (const Xapian::Error& e) {
      return Status::Unavailable("search index: " + e.get_description());
    }
  }
}

}  // namespace limpide::search
