// Matches a newly published consultation against every saved search at once
// (docs/alerts.md, "Matching"). Each search is compiled to integers (its
// words and phrases as ids of an interned vocabulary, CPV prefixes as
// numbers, departments and procedures as small ids) in one cache line, and
// filed under one key that any matching notice must hold (the rarest
// required word, each CPV prefix, each department, …), paired with each of
// its departments when it names a few: a notice looks up its own stems, CPV
// prefixes, department and procedure, and only the searches found there are
// checked. Matching answers search slots only; why each one matched is
// computed afterwards, for the matches that are delivered (Explain).
//
// Searches are added and removed one at a time (a few microseconds each),
// so a change of one saved search does not rebuild the index.
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
  std::vector<std::string>
      cpv;  // every code of the notice ("45000000-7" or 8 digits): main, additional, lots
  std::string department;               // "35", or empty when the place says none
  std::string procedure;                // API code
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

// The matching rule for one search, with the reason: keywords (all required
// terms present) or CPV (one of the notice's codes under one of the search's
// prefixes) — either suffices when both are given, since a quarter of notices
// carry a wrong code —, then places, procedures and amount range narrow, and
// any excluded term rejects. nullopt when it does not match. This is the
// rule as written, on strings: the oracle of the tests and the naive loop of
// the benchmark.
std::optional<MatchReason> Evaluate(const SavedSearch& search, const Notice& notice);

class Matcher {
 public:
  Matcher();
  // The searches in slots 0, 1, … (copied; the second form shares them).
  // Faster than adding them one by one, and each is filed under the word
  // rarest among all of them.
  explicit Matcher(const std::vector<SavedSearch>& searches);
  explicit Matcher(std::vector<std::shared_ptr<const SavedSearch>> searches);
  ~Matcher();
  Matcher(const Matcher&) = delete;
  Matcher& operator=(const Matcher&) = delete;

  // Files a search; returns its slot (a slot freed by Remove may be reused).
  uint32_t Add(std::shared_ptr<const SavedSearch> search);
  // Unfiles the search of `slot`; no-op for a free slot.
  void Remove(uint32_t slot);
  // The search in `slot`, or null for a free slot.
  std::shared_ptr<const SavedSearch> search(uint32_t slot) const;

  // The slots of every search that matches `notice`, ascending. Thread-safe
  // (against Add and Remove too). `checked`, when given, receives how many
  // searches were checked (the candidates the keys let through).
  std::vector<uint32_t> MatchNotice(const Notice& notice, size_t* checked = nullptr) const;
  // The same answer by evaluating every search in turn with Evaluate (the
  // naive loop: the baseline of bench/alerts_bench.cpp and the oracle of the
  // tests).
  std::vector<uint32_t> MatchEach(const Notice& notice) const;
  // Why each of `slots` matched `notice` (Evaluate, with the notice read
  // once); nullopt for a slot that does not match or is free.
  std::vector<std::optional<MatchReason>> Explain(const Notice& notice,
                                                  const std::vector<uint32_t>& slots) const;

  size_t size() const;  // searches filed
  // Searches that no key could index (only an amount range or exclusions):
  // checked for every notice.
  size_t unindexed() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace limpide::alerts
