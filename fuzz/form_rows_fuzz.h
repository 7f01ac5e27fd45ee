// Shared body of the draft form's row reader fuzz target (form_rows_fuzz) and
// of its seed regression test (tests/web/form_rows_test.cpp): the bytes are
// an urlencoded body; once decoded, PostedValues must keep its promises
// whatever the fields. A broken invariant aborts, which the fuzzer reports as
// a crash:
//  - rows come out compact: "<list>[i].<member>" for i in 0..n-1 with a known
//    member, none blank, n = the non-blank rows posted (the removed one aside);
//  - "<list>.rows" is n, or n + 1 after "ajouter" (never beyond max_rows), at
//    least 1, and RowCount reads it back;
//  - neither csrf nor a button is kept among the values.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>

#include "web/form_rows.h"
#include "web/forms.h"

namespace limpide::fuzz {

inline void CheckRows(bool ok) {
  if (!ok) std::abort();
}

inline void FuzzFormRows(std::string_view text) {
  web::Fields fields;
  if (!web::DecodeForm(text, fields)) return;
  bool row_edit = false;
  const web::Values v = web::PostedValues(fields, &row_edit);
  CheckRows(!v.count("csrf") && !v.count("ajouter") && !v.count("retirer"));
  for (const web::RowList* rows : {&web::kLots, &web::kCriteria}) {
    const std::string list = rows->list;
    // The rows posted, the removed one aside: the first value of each member.
    std::map<int, std::map<std::string, std::string>> posted;
    // The row "retirer" names: "<list>-<index>", the index read as in a
    // field name ("lots-01" is row 1).
    const std::string remove = web::Field(fields, "retirer");
    const size_t dash = remove.rfind('-');
    std::string unused;
    const int removed =
        dash == std::string::npos || remove.substr(0, dash) != list
            ? -1
            : web::RowOf(list + "[" + remove.substr(dash + 1) + "]." + rows->members[0], *rows,
                         &unused);
    for (const auto& f : fields) {
      std::string member;
      const int n = web::RowOf(f.name, *rows, &member);
      if (n < 0) continue;
      CheckRows(n <= 999'999);
      if (n == removed) continue;
      posted[n].emplace(member, f.value);
    }
    int filled = 0;
    for (const auto& [n, members] : posted) {
      bool blank = true;
      for (const auto& [m, value] : members) blank &= value.empty();
      filled += blank ? 0 : 1;
    }
    int kept = 0;
    for (;; ++kept) {
      bool any = false;
      for (const char* m : rows->members)
        any |= v.count(list + "[" + std::to_string(kept) + "]." + m) > 0;
      if (!any) break;
      bool blank = true;
      for (const char* m : rows->members) {
        auto it = v.find(list + "[" + std::to_string(kept) + "]." + m);
        if (it != v.end()) blank &= it->second.empty();
      }
      CheckRows(!blank);
    }
    CheckRows(kept == filled);
    // Nothing beyond the compact rows.
    for (const auto& [name, value] : v) {
      std::string member;
      const int n = web::RowOf(name, *rows, &member);
      CheckRows(n < 0 || n < kept);
    }
    const int shown = web::RowCount(v, *rows);
    const bool add = web::Field(fields, "ajouter") == list;
    CheckRows(shown >= 1);
    CheckRows(shown == std::max(1, kept) || (add && shown == kept + 1 && kept < rows->max_rows));
  }
}

}  // namespace limpide::fuzz
