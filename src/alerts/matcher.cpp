#include "alerts/matcher.h"

#include <algorithm>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "alerts/terms.h"

namespace limpide::alerts {
namespace {

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
  a.words = FoldedWords(n.text);
  a.stems.reserve(a.words.size());
  for (const auto& w : a.words) a.stems.insert(Stem(w));
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
      why.region = std::string(RegionOf(n.department));
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

// The index is a map from key to the searches that any matching notice must
// reach through it. Keys are typed by a one-byte prefix: 'w' a stem, 'c' a
// CPV prefix, 'd' a department, 'p' a procedure.
// Searches with at most this many departments are filed under (key, department) pairs.
constexpr size_t kMaxPairedPlaces = 8;

std::string Key(char type, std::string_view value) {
  std::string k;
  k.reserve(value.size() + 1);
  k.push_back(type);
  k.append(value);
  return k;
}

// The stem that stands for a required term: the word itself, or the phrase's
// word rarest among the searches (stop words last).
template <typename Count>
std::string AnchorOf(const Term& t, const Count& count) {
  if (!t.phrase()) return t.stem;
  std::string best;
  size_t best_count = SIZE_MAX;
  bool best_stop = true;
  for (const auto& w : t.folded) {
    const std::string stem = Stem(w);
    const bool stop = IsStopWord(w);
    const size_t c = count(stem);
    if (best.empty() || (best_stop && !stop) || (stop == best_stop && c < best_count)) {
      best = stem;
      best_count = c;
      best_stop = stop;
    }
  }
  return best;
}

}  // namespace

std::optional<MatchReason> Evaluate(const SavedSearch& search, const Notice& notice) {
  return EvaluateAnalyzed(search, Analyze(notice));
}

struct Matcher::Impl {
  const std::vector<SavedSearch>* searches = nullptr;
  std::unordered_map<std::string, std::vector<uint32_t>> postings;
  std::vector<uint32_t> always;  // searches with no key: checked for every notice
};

Matcher::Matcher(const std::vector<SavedSearch>& searches) : impl_(std::make_unique<Impl>()) {
  impl_->searches = &searches;
  // How many searches require each stem: the rarest one is the key that
  // lets the fewest searches through.
  std::unordered_map<std::string, uint32_t> counts;
  for (const auto& s : searches) {
    for (const auto& t : s.keywords.required) {
      if (t.phrase()) {
        for (const auto& w : t.folded) ++counts[Stem(w)];
      } else {
        ++counts[t.stem];
      }
    }
  }
  const auto count = [&](const std::string& stem) {
    auto it = counts.find(stem);
    return it == counts.end() ? size_t{0} : size_t{it->second};
  };
  auto& postings = impl_->postings;
  for (uint32_t i = 0; i < searches.size(); ++i) {
    const SavedSearch& s = searches[i];
    // A search narrowed to a few departments is filed under each key paired
    // with each department: a notice elsewhere does not even see it.
    const bool by_place = !s.departments.empty() && s.departments.size() <= kMaxPairedPlaces;
    const auto add = [&](const std::string& key) {
      const auto file = [&](std::string k) {
        auto& list = postings[std::move(k)];
        if (list.empty() || list.back() != i) list.push_back(i);
      };
      if (!by_place || key[0] == 'd') return file(key);
      for (const auto& d : s.departments) file(key + '|' + d);
    };
    if (!s.keywords.required.empty() || !s.cpv.empty()) {
      if (!s.keywords.required.empty()) {
        std::string best;
        size_t best_count = SIZE_MAX;
        for (const auto& t : s.keywords.required) {
          std::string anchor = AnchorOf(t, count);
          const size_t c = count(anchor);
          if (c < best_count) {
            best = std::move(anchor);
            best_count = c;
          }
        }
        add(Key('w', best));
      }
      for (const auto& prefix : s.cpv) add(Key('c', prefix));
    } else if (!s.departments.empty()) {
      for (const auto& d : s.departments) add(Key('d', d));
    } else if (!s.procedures.empty()) {
      for (const auto& p : s.procedures) add(Key('p', p));
    } else {
      impl_->always.push_back(i);
    }
  }
}

Matcher::~Matcher() = default;

size_t Matcher::size() const { return impl_->searches->size(); }
size_t Matcher::unindexed() const { return impl_->always.size(); }

std::vector<Match> Matcher::MatchNotice(const Notice& notice) const {
  const Analyzed a = Analyze(notice);
  std::vector<uint32_t> candidates = impl_->always;
  const auto lookup = [&](char type, std::string_view value) {
    std::string key = Key(type, value);
    auto it = impl_->postings.find(key);
    if (it != impl_->postings.end())
      candidates.insert(candidates.end(), it->second.begin(), it->second.end());
    if (type == 'd' || notice.department.empty()) return;
    key += '|';
    key += notice.department;
    it = impl_->postings.find(key);
    if (it != impl_->postings.end())
      candidates.insert(candidates.end(), it->second.begin(), it->second.end());
  };
  for (const auto& stem : a.stems) lookup('w', stem);
  for (const auto& code : a.codes8)
    for (size_t len = 2; len <= 8; ++len) lookup('c', std::string_view(code).substr(0, len));
  if (!notice.department.empty()) lookup('d', notice.department);
  if (!notice.procedure.empty()) lookup('p', notice.procedure);
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  std::vector<Match> out;
  for (const uint32_t i : candidates) {
    if (auto why = EvaluateAnalyzed((*impl_->searches)[i], a)) out.push_back({i, std::move(*why)});
  }
  return out;
}

std::vector<Match> Matcher::MatchEach(const Notice& notice) const {
  const Analyzed a = Analyze(notice);
  std::vector<Match> out;
  const auto& searches = *impl_->searches;
  for (uint32_t i = 0; i < searches.size(); ++i) {
    if (auto why = EvaluateAnalyzed(searches[i], a)) out.push_back({i, std::move(*why)});
  }
  return out;
}

}  // namespace limpide::alerts
