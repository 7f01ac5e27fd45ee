#include "formats/csv.h"

#include <string>

#include "domain/money.h"
#include "domain/procedure.h"
#include "domain/time.h"

namespace limpide::formats {
namespace {

template <typename T, typename F>
std::string Optional(const std::optional<T>& v, F format) {
  return v ? format(*v) : std::string();
}

void Append(std::string& line, std::string_view value) {
  if (!line.empty()) line.push_back(',');
  line += CsvField(value);
}

}  // namespace

std::string CsvHeader() {
  return "uid,id,kind,buyer_id,buyer_name,nature,procedure,object,cpv,place_code,place_type,"
         "duration_months,amount,notified_on,published_on,holders_ids,holders_names,"
         "modifications\r\n";
}

std::string CsvField(std::string_view value) {
  if (value.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(value);
  std::string out;
  out.reserve(value.size() + 2);
  out.push_back('"');
  for (char c : value) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string CsvRow(const domain::Contract& c) {
  std::string ids;
  std::string names;
  for (size_t i = 0; i < c.holders.size(); ++i) {
    if (i > 0) {
      ids += " | ";
      names += " | ";
    }
    ids += c.holders[i].id;
    names += c.holders[i].name;
  }
  std::string line;
  // The first field may be empty only in a broken contract; keep the comma count.
  line += CsvField(c.uid);
  Append(line, c.id);
  Append(line, c.kind == domain::ContractKind::kConcession ? "concession" : "marche");
  Append(line, c.buyer_id);
  Append(line, c.buyer_name);
  Append(line, c.nature ? domain::Code(*c.nature) : std::string_view());
  Append(line, c.procedure ? domain::Code(*c.procedure) : std::string_view());
  Append(line, c.object);
  Append(line, c.cpv);
  Append(line, c.place.code);
  Append(line, c.place.code_type);
  Append(line, Optional(c.duration_months, [](int m) { return std::to_string(m); }));
  Append(line, Optional(c.amount, domain::FormatEuros));
  Append(line, Optional(c.notified_on, domain::FormatDate));
  Append(line, Optional(c.published_on, domain::FormatDate));
  Append(line, ids);
  Append(line, names);
  Append(line, std::to_string(c.modifications.size()));
  line += "\r\n";
  return line;
}

}  // namespace limpide::formats
