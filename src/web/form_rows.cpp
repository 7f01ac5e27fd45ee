#include "web/form_rows.h"

#include <algorithm>
#include <charconv>

#include "domain/consultation.h"

namespace limpide::web {

const RowList kLots{"lots", {"title", "cpv", "estimatedValue"}, domain::kMaxLots};
const RowList kCriteria{"criteria", {"name", "weight"}, domain::kMaxCriteria};

namespace {

// A row index: 1 to 6 decimal digits, nothing else.
int ParseIndex(std::string_view digits) {
  if (digits.empty() || digits.size() > 6) return -1;
  for (const char ch : digits)
    if (ch < '0' || ch > '9') return -1;
  int n = -1;
  std::from_chars(digits.data(), digits.data() + digits.size(), n);
  return n;
}

}  // namespace

int RowOf(const std::string& name, const RowList& rows, std::string* member) {
  const std::string head = std::string(rows.list) + "[";
  if (!name.starts_with(head)) return -1;
  const size_t close = name.find("].", head.size());
  if (close == std::string::npos) return -1;
  const int n = ParseIndex(std::string_view(name).substr(head.size(), close - head.size()));
  if (n < 0) return -1;
  const std::string m = name.substr(close + 2);
  for (const char* known : rows.members) {
    if (m == known) {
      *member = m;
      return n;
    }
  }
  return -1;
}

int RowCount(const Values& v, const RowList& rows) {
  if (auto it = v.find(std::string(rows.list) + ".rows"); it != v.end()) {
    int n = 0;
    auto [p, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), n);
    return ec == std::errc() && p == it->second.data() + it->second.size() && n > 0 ? n : 0;
  }
  int n = 0;
  for (;; ++n) {
    bool any = false;
    for (const char* m : rows.members)
      any |= v.count(std::string(rows.list) + "[" + std::to_string(n) + "]." + m) > 0;
    if (!any) return n;
  }
}

Values PostedValues(const Fields& fields, bool* row_edit) {
  Values v;
  std::string remove_list;
  int remove_row = -1;
  const std::string add = Field(fields, "ajouter");
  if (const std::string r = Field(fields, "retirer"); !r.empty()) {
    const size_t dash = r.rfind('-');
    if (dash != std::string::npos) {
      remove_row = ParseIndex(std::string_view(r).substr(dash + 1));
      if (remove_row >= 0) remove_list = r.substr(0, dash);
    }
  }
  *row_edit = !add.empty() || remove_row >= 0;
  for (const RowList* rows : {&kLots, &kCriteria}) {
    // Row index → member → value, in index order.
    std::map<int, std::map<std::string, std::string>> posted;
    for (const auto& f : fields) {
      std::string member;
      const int n = RowOf(f.name, *rows, &member);
      if (n < 0) continue;
      if (remove_list == rows->list && n == remove_row) continue;
      posted[n].emplace(member, f.value);
    }
    int out = 0;
    for (const auto& [n, members] : posted) {
      bool blank = true;
      for (const auto& [m, value] : members) blank &= value.empty();
      if (blank) continue;
      for (const auto& [m, value] : members)
        v[std::string(rows->list) + "[" + std::to_string(out) + "]." + m] = value;
      ++out;
    }
    // Rows to show: those kept, one more when one is added (within the
    // limit), at least one.
    const int added = add == rows->list && out < rows->max_rows ? 1 : 0;
    v[std::string(rows->list) + ".rows"] = std::to_string(std::max(1, out + added));
  }
  for (const auto& f : fields) {
    std::string member;
    if (RowOf(f.name, kLots, &member) >= 0 || RowOf(f.name, kCriteria, &member) >= 0) continue;
    if (f.name == "ajouter" || f.name == "retirer" || f.name == "csrf") continue;
    v.emplace(f.name, f.value);
  }
  return v;
}

}  // namespace limpide::web
