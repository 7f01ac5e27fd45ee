// Saved searches (docs/alerts.md): what a company asks to be alerted of, read
// strictly from its JSON form. Pure: no store, no I/O.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace limpide::alerts {

// A word or a phrase of a keyword query, as written and as matched.
struct Term {
  std::string written;              // "rénovation", "espaces verts"
  std::vector<std::string> folded;  // folded words ("renovation"); several for a phrase
  std::string stem;                 // stem of a single word ("renov"); empty for a phrase
  bool phrase() const { return folded.size() > 1 || stem.empty(); }
};

// The keyword part of a saved search: every required term must appear in the
// notice, no excluded one may.
struct Keywords {
  std::vector<Term> required;
  std::vector<Term> excluded;
  bool empty() const { return required.empty() && excluded.empty(); }
};

// Reads the keyword syntax: words, "phrases", -excluded words and
// -"excluded phrases", separated by spaces. Words are folded and stemmed as
// the search index does (docs/search.md); common French words ("de", "la")
// are dropped from required words. invalid_argument naming `field` for an
// unbalanced quote, a field:word form (filters are JSON members), more than
// kMaxTerms terms or kMaxQueryBytes bytes, or invalid UTF-8.
Result<Keywords> ParseKeywords(std::string_view text, const std::string& field = "query");
inline constexpr size_t kMaxTerms = 32;
inline constexpr size_t kMaxQueryBytes = 1000;

// How matches reach the owner besides the Atom feed.
enum class EmailMode { kNone, kImmediate, kDaily };

// A saved search with its delivery settings.
struct SavedSearch {
  std::string id;     // "al_…"
  std::string owner;  // user id
  std::string org;    // SIRET of the owner's company
  std::string name;
  std::string query;  // as written
  Keywords keywords;
  std::vector<std::string> cpv;  // significant prefixes ("45", "4521"); a division covers its codes
  std::vector<std::string> regions;      // INSEE region codes as given ("53")
  std::vector<std::string> departments;  // as given plus those of the regions, sorted, unique
  std::vector<std::string> explicit_departments;  // as given
  std::vector<std::string> procedures;   // API codes ("appel_offres_ouvert")
  std::optional<int64_t> amount_min_cents, amount_max_cents;  // on the estimated value
  std::string webhook;  // http:// URL, or empty
  std::string email;    // or empty
  EmailMode email_mode = EmailMode::kNone;
};

// The members a client may send (docs/alerts.md).
const std::vector<std::string>& SavedSearchMembers();

// The criteria and delivery settings from a client's JSON object: name, query,
// cpv, departments, regions, procedures, amountMin, amountMax (euros),
// webhook, email, emailMode. invalid_argument naming the member ("cpv[1]",
// "webhook") for anything unknown, malformed or out of the tables, and when
// no criterion is given at all.
Result<SavedSearch> SavedSearchFromJson(const nlohmann::json& body);

// The criteria as the API shows them (the same members as the input).
nlohmann::json CriteriaToJson(const SavedSearch& s);


std::string_view Code(EmailMode mode);  // "none", "immediate", "daily"

}  // namespace limpide::alerts
