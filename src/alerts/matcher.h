// Matches a newly published consultation against every saved search at once
// (docs/alerts.md, "Matching"). The searches are indexed by one key each that
// any matching notice must hold (the rarest required word, each CPV prefix,
// each department, …), paired with each of its departments when it names a
// few: a notice looks up its own words, CPV prefixes, department and
// procedure, and only the searches found there are checked in full. Every
// match says why it matched.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "alerts/saved_search.h"

namespace limpide::alerts {

// What is matched of a consultation.
struct Notice {
  std::string id;    // consultation id
  std::string text;  // title, description and lot titles, as published
  std::vector<std::string> cpv;  // every code of the notice ("45000000-7" or 8 digits): main, additional, lots
  std::string department;        // "35", or empty when the place says none
  std::string procedure;         // API code
  std::optional<int64_t> amount_cents;  // estimated value
};

// Why a notice matched one search.
struct MatchReason {
  std::vector<std::string> words;  // the required words and phrases, as written
  std::string cpv_filter;          // the search's prefix ("77") …
  std::string cpv_code;            // … and the notice's code it covers ("77211400-6")
  std::string department;          // the notice's department, when the search names places
  std::string region;              // the region through which it matched, if any
  std::string procedure;           // when the search names procedures
  bool amount = false;             // the estimated value is within the search's range
};

struct Match {
  uint32_t search = 0;  // index into the searches the matcher was built from
  MatchReason reason;
};

// The matching rule for one search, with the reason: keywords (all required
// terms present) or CPV (one of the notice's codes under one of the search's
// prefixes) — either suffices when both are given, since a quarter of notices
// carry a wrong code —, then places, procedures and amount range narrow, and
// any excluded term rejects. nullopt when it does not match.
std::optional<MatchReason> Evaluate(const SavedSearch& search, const Notice& notice);

class Matcher {
 public:
  // Indexes `searches`, which must outlive the matcher and stay unchanged.
  explicit Matcher(const std::vector<SavedSearch>& searches);
  ~Matcher();
  Matcher(const Matcher&) = delete;
  Matcher& operator=(const Matcher&) = delete;

  // Every search that matches `notice`, in search order. Thread-safe.
  std::vector<Match> MatchNotice(const Notice& notice) const;
  // The same answer by evaluating every search in turn (the baseline of
  // bench/alerts_bench.cpp and the oracle of the tests).
  std::vector<Match> MatchEach(const Notice& notice) const;

  size_t size() const;
  // Searches that no key could index (only an amount range or exclusions):
  // checked for every notice.
  size_t unindexed() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace limpide::alerts
