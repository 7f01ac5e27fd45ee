#include "alerts/fuzz_check.h"

#include "alerts/matcher.h"
#include "alerts/saved_search.h"

namespace limpide::alerts {

bool CheckSavedSearchInput(std::string_view input) {
  const auto refused = [](const Status& s) {
    return s.code() == ErrorCode::kInvalidArgument && !s.field().empty();
  };
  auto k = ParseKeywords(input);
  if (!k.ok() && !refused(k.status())) return false;
  if (k.ok()) {
    for (const auto* terms : {&k->required, &k->excluded})
      for (const Term& t : *terms)
        if (t.folded.empty() || (!t.phrase() && t.stem.empty())) return false;
  }
  const nlohmann::json j = nlohmann::json::parse(input, nullptr, false);
  if (j.is_discarded()) return true;
  auto s = SavedSearchFromJson(j);
  if (!s.ok()) return j.is_object() ? refused(s.status()) : true;
  auto back = SavedSearchFromJson(CriteriaToJson(*s));
  if (!back.ok() || back->cpv != s->cpv || back->departments != s->departments ||
      back->procedures != s->procedures || back->query != s->query ||
      back->amount_min_cents != s->amount_min_cents || back->amount_max_cents != s->amount_max_cents)
    return false;
  Notice n;
  n.text = s->query + " travaux d'élagage";
  n.cpv = {"77211400-6"};
  n.department = s->departments.empty() ? "35" : s->departments[0];
  n.procedure = "procedure_adaptee";
  n.amount_cents = s->amount_min_cents;
  const std::vector<SavedSearch> one = {*s};
  Matcher m(one);
  const auto fast = m.MatchNotice(n);
  if (fast != m.MatchEach(n)) return false;
  // Removing and adding it again gives the same answer.
  m.Remove(0);
  if (!m.MatchNotice(n).empty()) return false;
  m.Add(std::make_shared<const SavedSearch>(*s));
  return m.MatchNotice(n) == fast;
}

}  // namespace limpide::alerts
