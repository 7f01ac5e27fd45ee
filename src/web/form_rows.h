// The repeated rows of the buyer's draft form (docs/tenders.md, "Lots and
// criteria"): lots and award criteria, any number, posted as fields
// "lots[3].title", "criteria[0].weight"…, added and removed by submit buttons
// ("ajouter" = lots|criteria, "retirer" = lots-N|criteria-N) so that the form
// works without JavaScript. Private to src/web/.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "web/forms.h"

namespace limpide::web {

// A form's values by field name ("title", "lots[0].cpv", "lots.rows"…).
using Values = std::map<std::string, std::string>;

// One list of rows: its JSON array and the members of a row.
struct RowList {
  const char* list;  // "lots", "criteria": the JSON array
  std::vector<const char*> members;
  int max_rows;  // the domain's limit (domain::kMaxLots, kMaxCriteria)
};
extern const RowList kLots;      // title, cpv, estimatedValue
extern const RowList kCriteria;  // name, weight

// The row index of a posted field "lots[12].title" of `rows`, with its
// member in `member`; -1 for any other name: another list, an unknown
// member, an index that is not 0 to 999,999 written in decimal digits only.
int RowOf(const std::string& name, const RowList& rows, std::string* member);

// The number of rows of `rows` in `v`: its "<list>.rows" value when present
// (0 when that is not a number), else the rows 0..n-1 present.
int RowCount(const Values& v, const RowList& rows);

// The values of a posted draft form. Rows of lots and criteria are made
// compact: rows left blank are dropped and the others renumbered from 0 in
// the order of their indexes (gaps and huge indexes alike), so that the index
// a service error names ("lots[2].cpv") is the row shown; a field posted
// twice keeps its first value. "<list>.rows" tells how many rows to show:
// those kept, one more when "ajouter" names the list (up to its max_rows),
// at least one. `row_edit` tells that the post was a row button ("ajouter"
// or a well-formed "retirer"), to show the form again rather than save it.
// The other fields are kept by name (first value), "csrf" and the buttons
// left out.
Values PostedValues(const Fields& fields, bool* row_edit);

}  // namespace limpide::web
