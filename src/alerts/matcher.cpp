#include "alerts/matcher.h"

#include <algorithm>
#include <array>
#include <mutex>
#include <shared_mutex>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "search/search.h"

namespace limpide::alerts {
namespace {

// ---- The rule as written, on strings (Evaluate, MatchEach, Explain) ----

// The notice as the rules read it, computed once per notice.
struct Analyzed {
  const Notice* notice = nullptr;
  std::vector<std::string> words;         // folded, in order (phrases)
  std::unordered_set<std::string> stems;  // of every word
  std::vector<std::string> codes8;        // the notice's CPV codes, 8 digits
};

Analyzed Analyze(const Notice& n) {
  Analyzed a;
  a.notice = &n;
  a.words = search::FoldedWords(n.text);
  a.stems.reserve(a.words.size());
  for (const auto& w : a.words) a.stems.insert(search::Stem(w));
  for (const auto& code : n.cpv) {
    if (code.size() >= 8) a.codes8.push_back(code.substr(0, 8));
  }
  return a;
}

bool HasPhrase(const std::vector<std::string>& words, const std::vector<std::string>& phrase) {
  if (phrase.empty() || phrase.size() > words.size()) return false;
  return std::search(words.begin(), words.end(), phrase.begin(), phrase.end()) != words.end();
}

bool Present(const Term& t, const Analyzed& a) {
  if (t.phrase()) return HasPhrase(a.words, t.folded);
  return a.stems.count(t.stem) > 0;
}

std::optional<MatchReason> EvaluateAnalyzed(const SavedSearch& s, const Analyzed& a) {
  const Notice& n = *a.notice;
  MatchReason why;
  // Narrowing filters first: they are the cheapest.
  if (!s.departments.empty()) {
    if (n.department.empty() ||
        !std::binary_search(s.departments.begin(), s.departments.end(), n.department))
      return std::nullopt;
    why.department = n.department;
    if (!std::binary_search(s.explicit_departments.begin(), s.explicit_departments.end(),
                            n.department))
      why.region = std::string(search::RegionOf(n.department));
  }
  if (!s.procedures.empty()) {
    if (!std::binary_search(s.procedures.begin(), s.procedures.end(), n.procedure))
      return std::nullopt;
    why.procedure = n.procedure;
  }
  if (s.amount_min_cents || s.amount_max_cents) {
    if (!n.amount_cents) return std::nullopt;
    if (s.amount_min_cents && *n.amount_cents < *s.amount_min_cents) return std::nullopt;
    if (s.amount_max_cents && *n.amount_cents > *s.amount_max_cents) return std::nullopt;
    why.amount = true;
  }
  for (const auto& t : s.keywords.excluded)
    if (Present(t, a)) return std::nullopt;

  const auto& required = s.keywords.required;
  bool words = !required.empty();
  for (const auto& t : required) {
    if (!Present(t, a)) {
      words = false;
      break;
    }
  }
  if (words)
    for (const auto& t : required) why.words.push_back(t.written);
  for (const auto& prefix : s.cpv) {
    for (size_t i = 0; i < a.codes8.size() && why.cpv_filter.empty(); ++i) {
      if (a.codes8[i].compare(0, prefix.size(), prefix) == 0) {
        why.cpv_filter = prefix;
        why.cpv_code = n.cpv[i];
      }
    }
    if (!why.cpv_filter.empty()) break;
  }
  // Keywords and CPV are alternatives; without either, the filters decide.
  if ((!required.empty() || !s.cpv.empty()) && !words && why.cpv_filter.empty())
    return std::nullopt;
  return why;
}

// ---- The compiled form ----

constexpr uint32_t kNone = UINT32_MAX;
constexpr uint32_t kPhraseBit = 0x8000'0000U;  // a term id with it is a phrase id
// Searches with at most this many departments are filed under (key, department) pairs.
constexpr size_t kMaxPairedPlaces = 8;
constexpr std::array<uint32_t, 9> kPow10 = {1,      10,      100,      1000,     10000,
                                            100000, 1000000, 10000000, 100000000};

constexpr uint32_t kValueMask = (1U << 27) - 1;
// A CPV prefix of 2 to 8 digits as one number: its length and its value.
uint32_t CpvKey(std::string_view digits) {
  uint32_t v = 0;
  for (const char c : digits) v = v * 10 + static_cast<uint32_t>(c - '0');
  return (static_cast<uint32_t>(digits.size()) << 27) | v;
}
// How many of the first 8 characters of a code are digits, before any other.
uint32_t LeadingDigits(std::string_view s) {
  uint32_t k = 0;
  while (k < 8 && k < s.size() && s[k] >= '0' && s[k] <= '9') ++k;
  return k;
}

// A search in one cache line: its counts, amount range, and its ids
// (required terms, excluded terms, CPV prefixes, departments, procedures)
// inline when they fit in kInline, else in Impl::overflow.
constexpr size_t kInline = 8;
struct alignas(64) Compiled {
  int64_t min = 0, max = 0;
  uint32_t anchor = kNone;  // stem id of the word the search is filed under
  uint8_t nreq = 0, nexc = 0, ncpv = 0, ndep = 0, nproc = 0;
  bool alive = false, has_min = false, has_max = false;
  bool overflow = false;
  std::array<uint32_t, kInline> ids{};
  size_t count() const { return size_t{nreq} + nexc + ncpv + ndep + nproc; }
};
static_assert(sizeof(Compiled) == 64);

// Index keys: a type, an optional department (id + 1) and a value.
enum KeyType : uint64_t { kWord = 1, kCpv = 2, kDept = 3, kProc = 4 };
uint64_t MakeKey(KeyType type, uint32_t value, uint32_t dept = kNone) {
  return (uint64_t{type} << 56) | (uint64_t{dept == kNone ? 0 : dept + 1} << 32) | value;
}

struct Phrase {
  std::vector<uint32_t> words;  // folded word ids
  std::vector<uint32_t> stems;  // their stem ids
  std::vector<bool> stop;       // common words
};

// The notice as the compiled searches read it.
struct Fast {
  std::vector<uint32_t> words;  // folded word ids in order (kNone: a word no phrase holds)
  std::vector<uint32_t> stems;  // known stem ids, sorted, unique
  // The notice's codes of 8 characters or more, as the number of their
  // leading digits (up to 8; the length in the top bits, as CpvKey).
  std::vector<uint32_t> codes;
  uint32_t dept = kNone, proc = kNone;
};

}  // namespace

std::optional<MatchReason> Evaluate(const SavedSearch& search, const Notice& notice) {
  return EvaluateAnalyzed(search, Analyze(notice));
}

struct Matcher::Impl {
  mutable std::shared_mutex mu;
  std::vector<std::shared_ptr<const SavedSearch>> searches;      // by slot
  std::vector<Compiled> compiled;                                // by slot
  std::unordered_map<uint32_t, std::vector<uint32_t>> overflow;  // slot -> ids
  std::vector<uint32_t> free_slots;
  size_t live = 0;

  // Interned vocabulary: grows, never shrinks.
  std::unordered_map<std::string, uint32_t> stem_ids, word_ids, dept_ids, proc_ids;
  std::unordered_map<std::string, uint32_t> phrase_ids;  // key: the folded words joined by ' '
  std::vector<Phrase> phrases;
  std::vector<uint32_t> stem_count;  // searches requiring each stem (phrase words included)

  std::unordered_map<uint64_t, std::vector<uint32_t>> postings;
  std::vector<uint32_t> always;  // searches with no key: checked for every notice

  static uint32_t Intern(std::unordered_map<std::string, uint32_t>& map, const std::string& s) {
    auto [it, fresh] = map.try_emplace(s, static_cast<uint32_t>(map.size()));
    return it->second;
  }
  static uint32_t Find(const std::unordered_map<std::string, uint32_t>& map, const std::string& s) {
    auto it = map.find(s);
    return it == map.end() ? kNone : it->second;
  }
  uint32_t StemId(const std::string& stem) {
    const uint32_t id = Intern(stem_ids, stem);
    if (id >= stem_count.size()) stem_count.resize(id + 1, 0);
    return id;
  }
  uint32_t TermId(const Term& t) {
    if (!t.phrase()) return StemId(t.stem);
    std::string key;
    for (const auto& w : t.folded) key += w + ' ';
    auto [it, fresh] = phrase_ids.try_emplace(key, static_cast<uint32_t>(phrases.size()));
    if (fresh) {
      Phrase p;
      for (const auto& w : t.folded) {
        p.words.push_back(Intern(word_ids, w));
        p.stems.push_back(StemId(search::Stem(w)));
        p.stop.push_back(search::IsStopWord(w));
      }
      phrases.push_back(std::move(p));
    }
    return it->second | kPhraseBit;
  }

  const uint32_t* Ids(uint32_t slot) const {
    const Compiled& c = compiled[slot];
    return c.overflow ? overflow.find(slot)->second.data() : c.ids.data();
  }

  // Counts each stem a required term holds (delta +1 or -1).
  void Count(const Compiled& c, const uint32_t* ids, bool add) {
    const auto count = [&](uint32_t stem) { add ? ++stem_count[stem] : --stem_count[stem]; };
    for (size_t i = 0; i < c.nreq; ++i) {
      if (ids[i] & kPhraseBit) {
        for (const uint32_t s : phrases[ids[i] & ~kPhraseBit].stems) count(s);
      } else {
        count(ids[i]);
      }
    }
  }

  // Interns the search into `slot` (not yet filed) and counts its stems.
  void Compile(uint32_t slot, const SavedSearch& s) {
    Compiled c;
    std::vector<uint32_t> ids;
    for (const auto& t : s.keywords.required) ids.push_back(TermId(t));
    for (const auto& t : s.keywords.excluded) ids.push_back(TermId(t));
    for (const auto& p : s.cpv) ids.push_back(CpvKey(p));
    std::vector<uint32_t> depts;
    for (const auto& d : s.departments) depts.push_back(Intern(dept_ids, d));
    std::sort(depts.begin(), depts.end());
    ids.insert(ids.end(), depts.begin(), depts.end());
    std::vector<uint32_t> procs;
    for (const auto& p : s.procedures) procs.push_back(Intern(proc_ids, p));
    std::sort(procs.begin(), procs.end());
    ids.insert(ids.end(), procs.begin(), procs.end());
    c.nreq = static_cast<uint8_t>(s.keywords.required.size());
    c.nexc = static_cast<uint8_t>(s.keywords.excluded.size());
    c.ncpv = static_cast<uint8_t>(s.cpv.size());
    c.ndep = static_cast<uint8_t>(depts.size());
    c.nproc = static_cast<uint8_t>(procs.size());
    c.has_min = s.amount_min_cents.has_value();
    c.has_max = s.amount_max_cents.has_value();
    c.min = s.amount_min_cents.value_or(0);
    c.max = s.amount_max_cents.value_or(0);
    c.alive = true;
    if (ids.size() <= kInline) {
      std::copy(ids.begin(), ids.end(), c.ids.begin());
      overflow.erase(slot);
    } else {
      c.overflow = true;
      overflow[slot] = std::move(ids);
    }
    compiled[slot] = c;
    Count(c, Ids(slot), true);
  }

  // The stem a required term is filed under: the word itself, or the
  // phrase's word rarest among the searches (common words last).
  uint32_t AnchorOf(uint32_t term) const {
    if (!(term & kPhraseBit)) return term;
    const Phrase& p = phrases[term & ~kPhraseBit];
    size_t best = 0;
    for (size_t i = 1; i < p.stems.size(); ++i) {
      if ((p.stop[best] && !p.stop[i]) ||
          (p.stop[best] == p.stop[i] && stem_count[p.stems[i]] < stem_count[p.stems[best]]))
        best = i;
    }
    return p.stems[best];
  }

  // Calls `f(key)` for every key the search of `slot` is filed under.
  template <typename F>
  void ForEachKey(uint32_t slot, F f) const {
    const Compiled& c = compiled[slot];
    const uint32_t* ids = Ids(slot);
    const uint32_t* cpv = ids + c.nreq + c.nexc;
    const uint32_t* dep = cpv + c.ncpv;
    const uint32_t* proc = dep + c.ndep;
    const bool by_place = c.ndep > 0 && c.ndep <= kMaxPairedPlaces;
    const auto add = [&](KeyType type, uint32_t value) {
      if (!by_place || type == kDept) return f(MakeKey(type, value));
      for (size_t i = 0; i < c.ndep; ++i) f(MakeKey(type, value, dep[i]));
    };
    if (c.nreq > 0 || c.ncpv > 0) {
      if (c.nreq > 0) add(kWord, c.anchor);
      for (size_t i = 0; i < c.ncpv; ++i) add(kCpv, cpv[i]);
    } else if (c.ndep > 0) {
      for (size_t i = 0; i < c.ndep; ++i) add(kDept, dep[i]);
    } else if (c.nproc > 0) {
      for (size_t i = 0; i < c.nproc; ++i) add(kProc, proc[i]);
    }
  }
  bool Unindexed(const Compiled& c) const {
    return c.nreq == 0 && c.ncpv == 0 && c.ndep == 0 && c.nproc == 0;
  }

  // Files the compiled search of `slot` under its keys.
  void File(uint32_t slot) {
    Compiled& c = compiled[slot];
    if (c.nreq > 0) {
      const uint32_t* ids = Ids(slot);
      c.anchor = AnchorOf(ids[0]);
      for (size_t i = 1; i < c.nreq; ++i) {
        const uint32_t a = AnchorOf(ids[i]);
        if (stem_count[a] < stem_count[c.anchor]) c.anchor = a;
      }
    }
    if (Unindexed(c)) {
      always.push_back(slot);
      return;
    }
    ForEachKey(slot, [&](uint64_t key) {
      auto& list = postings[key];
      if (list.empty() || list.back() != slot) list.push_back(slot);
    });
  }

  uint32_t NewSlot(std::shared_ptr<const SavedSearch> s) {
    uint32_t slot;
    if (!free_slots.empty()) {
      slot = free_slots.back();
      free_slots.pop_back();
      searches[slot] = std::move(s);
    } else {
      slot = static_cast<uint32_t>(searches.size());
      searches.push_back(std::move(s));
      compiled.emplace_back();
    }
    ++live;
    return slot;
  }

  void Remove(uint32_t slot) {
    if (slot >= compiled.size() || !compiled[slot].alive) return;
    const Compiled& c = compiled[slot];
    if (Unindexed(c)) {
      always.erase(std::find(always.begin(), always.end(), slot));
    } else {
      ForEachKey(slot, [&](uint64_t key) {
        auto it = postings.find(key);
        if (it == postings.end()) return;
        auto& list = it->second;
        auto at = std::find(list.begin(), list.end(), slot);
        if (at != list.end()) {
          *at = list.back();
          list.pop_back();
        }
        if (list.empty()) postings.erase(it);
      });
    }
    Count(c, Ids(slot), false);
    overflow.erase(slot);
    compiled[slot] = Compiled{};
    searches[slot].reset();
    free_slots.push_back(slot);
    --live;
  }

  Fast AnalyzeFast(const Notice& n) const {
    Fast a;
    const std::vector<std::string> words = search::FoldedWords(n.text);
    a.words.reserve(words.size());
    std::unordered_set<std::string_view> seen;
    for (const auto& w : words) {
      a.words.push_back(Find(word_ids, w));
      if (!seen.insert(w).second) continue;
      const uint32_t s = Find(stem_ids, search::Stem(w));
      if (s != kNone) a.stems.push_back(s);
    }
    std::sort(a.stems.begin(), a.stems.end());
    a.stems.erase(std::unique(a.stems.begin(), a.stems.end()), a.stems.end());
    for (const auto& code : n.cpv) {
      if (code.size() < 8) continue;  // as Evaluate: shorter codes are no codes
      const uint32_t k = LeadingDigits(code);
      if (k >= 2) a.codes.push_back(CpvKey(std::string_view(code).substr(0, k)));
    }
    if (!n.department.empty()) a.dept = Find(dept_ids, n.department);
    if (!n.procedure.empty()) a.proc = Find(proc_ids, n.procedure);
    return a;
  }

  bool Has(uint32_t term, const Fast& a) const {
    if (!(term & kPhraseBit)) return std::binary_search(a.stems.begin(), a.stems.end(), term);
    const auto& words = phrases[term & ~kPhraseBit].words;
    return std::search(a.words.begin(), a.words.end(), words.begin(), words.end()) != a.words.end();
  }

  // Evaluate's rule on the compiled search, without the reason.
  bool Matches(uint32_t slot, const Fast& a, const Notice& n) const {
    const Compiled& c = compiled[slot];
    const uint32_t* req = Ids(slot);
    const uint32_t* exc = req + c.nreq;
    const uint32_t* cpv = exc + c.nexc;
    const uint32_t* dep = cpv + c.ncpv;
    const uint32_t* proc = dep + c.ndep;
    if (c.ndep > 0 && (a.dept == kNone || std::find(dep, dep + c.ndep, a.dept) == dep + c.ndep))
      return false;
    if (c.nproc > 0 &&
        (a.proc == kNone || std::find(proc, proc + c.nproc, a.proc) == proc + c.nproc))
      return false;
    if (c.has_min || c.has_max) {
      if (!n.amount_cents) return false;
      if (c.has_min && *n.amount_cents < c.min) return false;
      if (c.has_max && *n.amount_cents > c.max) return false;
    }
    for (size_t i = 0; i < c.nexc; ++i)
      if (Has(exc[i], a)) return false;
    if (c.nreq == 0 && c.ncpv == 0) return true;
    if (c.nreq > 0) {
      bool all = true;
      for (size_t i = 0; i < c.nreq && all; ++i) all = Has(req[i], a);
      if (all) return true;
    }
    for (size_t i = 0; i < c.ncpv; ++i) {
      const uint32_t len = cpv[i] >> 27, value = cpv[i] & kValueMask;
      for (const uint32_t code : a.codes) {
        const uint32_t k = code >> 27;
        if (k >= len && (code & kValueMask) / kPow10[k - len] == value) return true;
      }
    }
    return false;
  }
};

Matcher::Matcher() : impl_(std::make_unique<Impl>()) {}

namespace {
std::vector<std::shared_ptr<const SavedSearch>> Shared(const std::vector<SavedSearch>& searches) {
  std::vector<std::shared_ptr<const SavedSearch>> out;
  out.reserve(searches.size());
  for (const auto& s : searches) out.push_back(std::make_shared<const SavedSearch>(s));
  return out;
}
}  // namespace

Matcher::Matcher(const std::vector<SavedSearch>& searches) : Matcher(Shared(searches)) {}

Matcher::Matcher(std::vector<std::shared_ptr<const SavedSearch>> searches) : Matcher() {
  // Compile every search first, so that each is filed under the word rarest
  // among all of them.
  std::unique_lock lock(impl_->mu);
  impl_->searches.reserve(searches.size());
  impl_->compiled.reserve(searches.size());
  for (auto& s : searches) {
    const SavedSearch& ref = *s;
    const uint32_t slot = impl_->NewSlot(std::move(s));
    impl_->Compile(slot, ref);
  }
  for (uint32_t slot = 0; slot < impl_->compiled.size(); ++slot) impl_->File(slot);
}

Matcher::~Matcher() = default;

uint32_t Matcher::Add(std::shared_ptr<const SavedSearch> search) {
  std::unique_lock lock(impl_->mu);
  const SavedSearch& s = *search;
  const uint32_t slot = impl_->NewSlot(std::move(search));
  impl_->Compile(slot, s);
  impl_->File(slot);
  return slot;
}

void Matcher::Remove(uint32_t slot) {
  std::unique_lock lock(impl_->mu);
  impl_->Remove(slot);
}

std::shared_ptr<const SavedSearch> Matcher::search(uint32_t slot) const {
  std::shared_lock lock(impl_->mu);
  return slot < impl_->searches.size() ? impl_->searches[slot] : nullptr;
}

size_t Matcher::size() const {
  std::shared_lock lock(impl_->mu);
  return impl_->live;
}
size_t Matcher::unindexed() const {
  std::shared_lock lock(impl_->mu);
  return impl_->always.size();
}

std::vector<uint32_t> Matcher::MatchNotice(const Notice& notice, size_t* checked) const {
  std::shared_lock lock(impl_->mu);
  const Impl& m = *impl_;
  const Fast a = m.AnalyzeFast(notice);
  // Candidates reached through several keys are checked once: `seen` and
  // `hit` are bitsets over the slots, cleared again before returning.
  thread_local std::vector<uint64_t> seen, hit;
  thread_local std::vector<uint32_t> touched;
  const size_t words = (m.compiled.size() + 63) / 64;
  if (seen.size() < words) {
    seen.resize(words, 0);
    hit.resize(words, 0);
  }
  touched.clear();
  size_t low = SIZE_MAX, high = 0;  // the words of `hit` in use
  const auto check = [&](const std::vector<uint32_t>& list) {
    const size_t n = list.size();
    for (size_t i = 0; i < n; ++i) {
      // The searches are read at random places: ask for them early.
      if (i + 8 < n) __builtin_prefetch(&m.compiled[list[i + 8]]);
      const uint32_t slot = list[i];
      uint64_t& s = seen[slot >> 6];
      const uint64_t bit = uint64_t{1} << (slot & 63);
      if (s & bit) continue;
      s |= bit;
      touched.push_back(slot);
      if (m.Matches(slot, a, notice)) {
        hit[slot >> 6] |= bit;
        low = std::min<size_t>(low, slot >> 6);
        high = std::max<size_t>(high, slot >> 6);
      }
    }
  };
  const auto lookup = [&](KeyType type, uint32_t value) {
    if (auto it = m.postings.find(MakeKey(type, value)); it != m.postings.end()) check(it->second);
    if (a.dept == kNone || type == kDept) return;
    if (auto it = m.postings.find(MakeKey(type, value, a.dept)); it != m.postings.end())
      check(it->second);
  };
  check(m.always);
  for (const uint32_t stem : a.stems) lookup(kWord, stem);
  std::vector<uint32_t> prefixes;
  for (const uint32_t code : a.codes) {
    const uint32_t k = code >> 27;
    for (uint32_t len = 2; len <= k; ++len)
      prefixes.push_back((len << 27) | ((code & kValueMask) / kPow10[k - len]));
  }
  std::sort(prefixes.begin(), prefixes.end());
  prefixes.erase(std::unique(prefixes.begin(), prefixes.end()), prefixes.end());
  for (const uint32_t p : prefixes) lookup(kCpv, p);
  if (a.dept != kNone) lookup(kDept, a.dept);
  if (a.proc != kNone) lookup(kProc, a.proc);

  if (checked) *checked = touched.size();
  for (const uint32_t slot : touched) seen[slot >> 6] = 0;
  std::vector<uint32_t> out;
  for (size_t w = low; w <= high && low != SIZE_MAX; ++w) {
    for (uint64_t bits = hit[w]; bits != 0; bits &= bits - 1)
      out.push_back(static_cast<uint32_t>(w * 64 + static_cast<size_t>(__builtin_ctzll(bits))));
    hit[w] = 0;
  }
  return out;
}

std::vector<uint32_t> Matcher::MatchEach(const Notice& notice) const {
  std::shared_lock lock(impl_->mu);
  const Analyzed a = Analyze(notice);
  std::vector<uint32_t> out;
  const auto& searches = impl_->searches;
  for (uint32_t i = 0; i < searches.size(); ++i) {
    if (searches[i] && EvaluateAnalyzed(*searches[i], a)) out.push_back(i);
  }
  return out;
}

std::vector<std::optional<MatchReason>> Matcher::Explain(const Notice& notice,
                                                         const std::vector<uint32_t>& slots) const {
  std::shared_lock lock(impl_->mu);
  const Analyzed a = Analyze(notice);
  std::vector<std::optional<MatchReason>> out;
  out.reserve(slots.size());
  for (const uint32_t slot : slots) {
    if (slot < impl_->searches.size() && impl_->searches[slot])
      out.push_back(EvaluateAnalyzed(*impl_->searches[slot], a));
    else
      out.emplace_back();
  }
  return out;
}

}  // namespace limpide::alerts
