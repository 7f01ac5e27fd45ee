// The document model and the query parameters: everything of search/ that
// does not need Xapian.
#include <algorithm>
#include <array>
#include <charconv>
#include <nlohmann/json.hpp>

#include "domain/cpv.h"
#include "domain/money.h"
#include "domain/procedure.h"
#include "domain/siret.h"
#include "domain/text.h"
#include "domain/time.h"
#include "search/internal.h"
#include "search/search.h"

namespace limpide::search {
namespace {

using nlohmann::json;

std::string Text(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The "code" of {"code","label"} members (nature, procedure).
std::string CodeOf(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_object() ? Text(*it, "code") : std::string();
}

void AddHolders(const json& j, std::vector<domain::Holder>& out) {
  auto it = j.find("holders");
  if (it == j.end() || !it->is_array()) return;
  for (const auto& h : *it) {
    if (!h.is_object()) continue;
    domain::Holder holder{Text(h, "id"), Text(h, "idType"), Text(h, "name")};
    if (holder.id.empty() && holder.name.empty()) continue;
    const bool seen = std::any_of(out.begin(), out.end(),
                                  [&](const domain::Holder& o) { return o.id == holder.id; });
    if (!seen) out.push_back(std::move(holder));
  }
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Metropolitan departments, Corsica and the five overseas departments
// (COG, INSEE). Index: the code.
struct Department {
  std::string_view code, name;
};
constexpr std::array<Department, 101> kDepartments = {{
    {"01", "Ain"},
    {"02", "Aisne"},
    {"03", "Allier"},
    {"04", "Alpes-de-Haute-Provence"},
    {"05", "Hautes-Alpes"},
    {"06", "Alpes-Maritimes"},
    {"07", "Ardèche"},
    {"08", "Ardennes"},
    {"09", "Ariège"},
    {"10", "Aube"},
    {"11", "Aude"},
    {"12", "Aveyron"},
    {"13", "Bouches-du-Rhône"},
    {"14", "Calvados"},
    {"15", "Cantal"},
    {"16", "Charente"},
    {"17", "Charente-Maritime"},
    {"18", "Cher"},
    {"19", "Corrèze"},
    {"21", "Côte-d'Or"},
    {"22", "Côtes-d'Armor"},
    {"23", "Creuse"},
    {"24", "Dordogne"},
    {"25", "Doubs"},
    {"26", "Drôme"},
    {"27", "Eure"},
    {"28", "Eure-et-Loir"},
    {"29", "Finistère"},
    {"2A", "Corse-du-Sud"},
    {"2B", "Haute-Corse"},
    {"30", "Gard"},
    {"31", "Haute-Garonne"},
    {"32", "Gers"},
    {"33", "Gironde"},
    {"34", "Hérault"},
    {"35", "Ille-et-Vilaine"},
    {"36", "Indre"},
    {"37", "Indre-et-Loire"},
    {"38", "Isère"},
    {"39", "Jura"},
    {"40", "Landes"},
    {"41", "Loir-et-Cher"},
    {"42", "Loire"},
    {"43", "Haute-Loire"},
    {"44", "Loire-Atlantique"},
    {"45", "Loiret"},
    {"46", "Lot"},
    {"47", "Lot-et-Garonne"},
    {"48", "Lozère"},
    {"49", "Maine-et-Loire"},
    {"50", "Manche"},
    {"51", "Marne"},
    {"52", "Haute-Marne"},
    {"53", "Mayenne"},
    {"54", "Meurthe-et-Moselle"},
    {"55", "Meuse"},
    {"56", "Morbihan"},
    {"57", "Moselle"},
    {"58", "Nièvre"},
    {"59", "Nord"},
    {"60", "Oise"},
    {"61", "Orne"},
    {"62", "Pas-de-Calais"},
    {"63", "Puy-de-Dôme"},
    {"64", "Pyrénées-Atlantiques"},
    {"65", "Hautes-Pyrénées"},
    {"66", "Pyrénées-Orientales"},
    {"67", "Bas-Rhin"},
    {"68", "Haut-Rhin"},
    {"69", "Rhône"},
    {"70", "Haute-Saône"},
    {"71", "Saône-et-Loire"},
    {"72", "Sarthe"},
    {"73", "Savoie"},
    {"74", "Haute-Savoie"},
    {"75", "Paris"},
    {"76", "Seine-Maritime"},
    {"77", "Seine-et-Marne"},
    {"78", "Yvelines"},
    {"79", "Deux-Sèvres"},
    {"80", "Somme"},
    {"81", "Tarn"},
    {"82", "Tarn-et-Garonne"},
    {"83", "Var"},
    {"84", "Vaucluse"},
    {"85", "Vendée"},
    {"86", "Vienne"},
    {"87", "Haute-Vienne"},
    {"88", "Vosges"},
    {"89", "Yonne"},
    {"90", "Territoire de Belfort"},
    {"91", "Essonne"},
    {"92", "Hauts-de-Seine"},
    {"93", "Seine-Saint-Denis"},
    {"94", "Val-de-Marne"},
    {"95", "Val-d'Oise"},
    {"971", "Guadeloupe"},
    {"972", "Martinique"},
    {"973", "Guyane"},
    {"974", "La Réunion"},
    {"976", "Mayotte"},
}};

static_assert(kDepartments.size() + 1 == kDepartmentNumbers);

const Department* FindDepartment(std::string_view code) {
  auto it = std::find_if(kDepartments.begin(), kDepartments.end(),
                         [&](const Department& d) { return d.code == code; });
  return it == kDepartments.end() ? nullptr : &*it;
}

// Regions (INSEE codes, 2016 map) and their departments.
struct Region {
  std::string_view code, name;
  std::vector<std::string> departments;
};
const std::vector<Region>& Regions() {
  static const std::vector<Region> kRegions = {
      {"01", "Guadeloupe", {"971"}},
      {"02", "Martinique", {"972"}},
      {"03", "Guyane", {"973"}},
      {"04", "La Réunion", {"974"}},
      {"06", "Mayotte", {"976"}},
      {"11", "Île-de-France", {"75", "77", "78", "91", "92", "93", "94", "95"}},
      {"24", "Centre-Val de Loire", {"18", "28", "36", "37", "41", "45"}},
      {"27", "Bourgogne-Franche-Comté", {"21", "25", "39", "58", "70", "71", "89", "90"}},
      {"28", "Normandie", {"14", "27", "50", "61", "76"}},
      {"32", "Hauts-de-France", {"02", "59", "60", "62", "80"}},
      {"44", "Grand Est", {"08", "10", "51", "52", "54", "55", "57", "67", "68", "88"}},
      {"52", "Pays de la Loire", {"44", "49", "53", "72", "85"}},
      {"53", "Bretagne", {"22", "29", "35", "56"}},
      {"75",
       "Nouvelle-Aquitaine",
       {"16", "17", "19", "23", "24", "33", "40", "47", "64", "79", "86", "87"}},
      {"76",
       "Occitanie",
       {"09", "11", "12", "30", "31", "32", "34", "46", "48", "65", "66", "81", "82"}},
      {"84",
       "Auvergne-Rhône-Alpes",
       {"01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74"}},
      {"93", "Provence-Alpes-Côte d'Azur", {"04", "05", "06", "13", "83", "84"}},
      {"94", "Corse", {"2A", "2B"}},
  };
  return kRegions;
}

const Region* FindRegion(std::string_view code) {
  for (const auto& r : Regions())
    if (r.code == code) return &r;
  return nullptr;
}

// The department of a 5-character postcode or INSEE commune code.
std::string FromCommuneOrPostcode(std::string_view code, bool postcode) {
  if (code.size() != 5) return {};
  if (!postcode && (code.starts_with("2A") || code.starts_with("2B"))) {
    return AllDigits(code.substr(2)) ? std::string(code.substr(0, 2)) : std::string();
  }
  if (!AllDigits(code)) return {};
  if (code.starts_with("97"))
    return FindDepartment(code.substr(0, 3)) ? std::string(code.substr(0, 3)) : "";
  if (code.starts_with("20")) {
    // Postcodes: 200xx-201xx Corse-du-Sud, 202xx-206xx Haute-Corse. (INSEE
    // codes of Corsica use 2A/2B, so a "20" commune code is not one.)
    if (!postcode) return {};
    return code[2] <= '1' ? "2A" : "2B";
  }
  return FindDepartment(code.substr(0, 2)) ? std::string(code.substr(0, 2)) : std::string();
}

}  // namespace

std::string FoldText(std::string_view utf8) {
  std::string out = domain::FoldForSearch(RestoreLostLetters(utf8));
  std::replace(out.begin(), out.end(), '\'', ' ');
  return out;
}

std::string RestoreLostLetters(std::string_view utf8) {
  static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
  std::string out;
  size_t start = 0;
  for (size_t at = utf8.find(kReplacement); at != std::string_view::npos;
       at = utf8.find(kReplacement, start)) {
    out.append(utf8.substr(start, at - start));
    out.push_back('e');
    start = at + kReplacement.size();
  }
  if (start == 0) return std::string(utf8);
  out.append(utf8.substr(start));
  return out;
}

std::string DepartmentOf(std::string_view code, std::string_view code_type) {
  if (code_type == "Code département") {
    if (code.size() == 1 && AllDigits(code))
      return FindDepartment(std::string("0") + code[0]) ? std::string("0") + code[0] : "";
    // "078": a padded metropolitan code.
    if (code.size() == 3 && code[0] == '0' && AllDigits(code)) code.remove_prefix(1);
    auto d = ParseDepartment(code);
    if (d.ok()) return *d;
    // A postcode under the wrong type (seen in the 2019 data).
    return FromCommuneOrPostcode(code, /*postcode=*/true);
  }
  if (code_type == "Code postal") return FromCommuneOrPostcode(code, /*postcode=*/true);
  if (code_type == "Code commune") return FromCommuneOrPostcode(code, /*postcode=*/false);
  return {};
}

int DepartmentNumber(std::string_view department) {
  const Department* d = FindDepartment(department);
  return d ? static_cast<int>(d - kDepartments.data()) + 1 : 0;
}

const std::vector<std::string>& RegionDepartments(std::string_view region) {
  static const std::vector<std::string> kNone;
  const Region* r = FindRegion(region);
  return r ? r->departments : kNone;
}

const std::vector<std::string>& RegionCodes() {
  static const std::vector<std::string> kCodes = [] {
    std::vector<std::string> codes;
    for (const auto& r : Regions()) codes.emplace_back(r.code);
    return codes;
  }();
  return kCodes;
}

std::string_view RegionName(std::string_view region) {
  const Region* r = FindRegion(region);
  return r ? r->name : std::string_view();
}

std::string_view RegionOf(std::string_view department) {
  for (const auto& r : Regions())
    if (std::find(r.departments.begin(), r.departments.end(), department) != r.departments.end())
      return r.code;
  return {};
}

std::string_view DepartmentName(std::string_view department) {
  const Department* d = FindDepartment(department);
  return d ? d->name : std::string_view();
}

Result<std::string> ParseDepartment(std::string_view raw) {
  std::string code(raw);
  for (char& c : code) {
    if (c == 'a' || c == 'b') c = static_cast<char>(c - 'a' + 'A');
  }
  if (FindDepartment(code) == nullptr) {
    return Status::InvalidArgument(
        "a department code: 01 to 95, 2A, 2B, or 971 to 976 (got '" + std::string(raw) + "')",
        "department");
  }
  return code;
}

Result<Document> ContractDocument(std::string_view ledger_body) {
  return ContractDocumentFromJson(json::parse(ledger_body, nullptr, /*allow_exceptions=*/false));
}

Result<Document> ContractDocumentFromJson(const nlohmann::json& j) {
  if (!j.is_object()) return Status::InvalidArgument("contract entry body is not a JSON object");
  Document d;
  d.type = "contract";
  d.uid = Text(j, "uid");
  if (d.uid.empty()) return Status::InvalidArgument("contract entry body has no uid");
  d.object = Text(j, "object");
  if (auto b = j.find("buyer"); b != j.end() && b->is_object()) {
    d.buyer_id = Text(*b, "id");
    d.buyer_name = Text(*b, "name");
  }
  AddHolders(j, d.holders);
  if (auto mods = j.find("modifications"); mods != j.end() && mods->is_array()) {
    for (const auto& m : *mods) {
      if (!m.is_object()) continue;
      AddHolders(m, d.holders);
      std::string object = Text(m, "object");
      if (!object.empty()) d.more_text.push_back(std::move(object));
    }
  }
  d.cpv = Text(j, "cpv");
  d.procedure = CodeOf(j, "procedure");
  d.nature = CodeOf(j, "nature");
  d.kind = Text(j, "kind");
  if (auto p = j.find("place"); p != j.end() && p->is_object()) {
    const std::string code = Text(*p, "code");
    const std::string name = Text(*p, "name");
    d.department = DepartmentOf(code, Text(*p, "type"));
    d.place = name.empty() ? code : name;
    if (!name.empty()) d.more_text.push_back(name);
  }
  // Amounts are decimal strings in ledger bodies (canonical JSON has integers
  // only); accept numbers too.
  if (auto a = j.find("amount"); a != j.end()) {
    auto m = a->is_string()   ? domain::ParseEuros(a->get<std::string>())
             : a->is_number() ? domain::ParseEuros(a->dump())
                              : Result<domain::Money>(Status::InvalidArgument("amount"));
    if (m.ok()) d.amount = *m;
  }
  if (std::string date = Text(j, "notifiedOn"); !date.empty()) {
    auto parsed = domain::ParseDate(date);
    if (parsed.ok()) d.date = *parsed;
  }
  return d;
}

const std::vector<std::string>& ConsultationStatuses() {
  static const std::vector<std::string> kStatuses = {"open", "closed", "awarded", "cancelled",
                                                     "unsuccessful"};
  return kStatuses;
}

std::string StatusOfState(std::string_view state) {
  if (state == "published") return "open";
  if (state == "closed" || state == "opened" || state == "evaluated") return "closed";
  if (state == "awarded" || state == "standstill" || state == "signed" ||
      state == "data_published") {
    return "awarded";
  }
  if (state == "cancelled" || state == "unsuccessful") return std::string(state);
  return {};
}

Result<Document> ConsultationDocument(std::string_view ledger_body,
                                      std::optional<domain::Date> published_on) {
  return ConsultationDocumentFromJson(json::parse(ledger_body, nullptr, /*allow_exceptions=*/false),
                                      published_on);
}

// Reads the public notice fields only (docs/tenders.md, "Ledger entries"):
// whatever else an entry carries (bids, winner, question texts…) stays out of
// the index.
Result<Document> ConsultationDocumentFromJson(const nlohmann::json& j,
                                              std::optional<domain::Date> published_on) {
  if (!j.is_object()) return Status::InvalidArgument("tender entry body is not a JSON object");
  Document d;
  d.type = "consultation";
  d.uid = Text(j, "tender");
  if (d.uid.empty()) return Status::InvalidArgument("tender entry body has no tender id");
  d.object = Text(j, "title");
  if (d.object.empty()) return Status::InvalidArgument("tender entry body has no title");
  if (std::string description = Text(j, "description"); !description.empty()) {
    d.more_text.push_back(std::move(description));
  }
  if (auto b = j.find("buyer"); b != j.end() && b->is_object()) {
    d.buyer_id = Text(*b, "id");
    d.buyer_name = Text(*b, "name");
  }
  d.cpv = Text(j, "cpv");
  d.procedure = Text(j, "procedure");
  d.nature = Text(j, "nature");
  d.kind = d.nature.starts_with("concession") ? "concession" : "marche";
  d.place = Text(j, "place");
  std::string place_type = Text(j, "place_type");
  if (place_type.empty()) {
    // Entries written before place_type: a short code is a department.
    place_type = d.place.size() <= 3 ? "Code département" : "Code postal";
  }
  d.department = DepartmentOf(d.place, place_type);
  d.state = Text(j, "state");
  d.status = StatusOfState(d.state);
  if (auto v = j.find("estimated_value_cents"); v != j.end() && v->is_number_integer()) {
    d.amount = domain::Money{v->get<int64_t>()};
  }
  if (std::string deadline = Text(j, "deadline"); !deadline.empty()) {
    auto parsed = domain::ParseInstant(deadline);
    if (parsed.ok()) d.deadline = *parsed;
  }
  d.date = published_on;
  return d;
}

const std::vector<std::string>& SearchParameters() {
  static const std::vector<std::string> kNames = {
      "q",           "type",          "cpv",         "buyer",         "supplier",
      "department",  "region",        "procedure",   "nature",        "status",
      "amount_min",  "amount_max",    "notified_from", "notified_to", "deadline_from",
      "deadline_to", "sort",          "limit",       "page"};
  return kNames;
}

namespace {

// A deadline bound: an instant as written, or a date read as a whole day in
// Europe/Paris (its first microsecond for `from`, its last for `to`).
Result<domain::Instant> DeadlineBound(const std::string& raw, bool from) {
  if (raw.size() > 10) return domain::ParseInstant(raw);
  auto date = domain::ParseDate(raw);
  if (!date.ok()) {
    return Status::InvalidArgument("a date (YYYY-MM-DD) or an instant (2026-12-20T12:00:00Z)");
  }
  constexpr int64_t kDay = int64_t{86'400'000'000};
  const int64_t midnight_utc = domain::DaysFromCivil(*date) * kDay;
  // Paris's offset at that day's UTC midday is the offset of its midnight
  // (changes happen at 01:00 UTC, never around midnight Paris time).
  const int64_t offset =
      int64_t{domain::ParisOffsetMinutes(domain::Instant{midnight_utc + kDay / 2})} * 60'000'000;
  const int64_t start = midnight_utc - offset;
  return domain::Instant{from ? start : start + kDay - 1};
}

}  // namespace

Result<SearchQuery> ParseSearchParams(
    const std::vector<std::pair<std::string, std::string>>& params, bool strict) {
  const auto bad = [](const std::string& name, const std::string& why) {
    return Status::InvalidArgument("parameter '" + name + "': " + why, name);
  };
  const auto integer = [](const std::string& raw, int& out) {
    auto [ptr, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), out);
    return ec == std::errc() && ptr == raw.data() + raw.size();
  };
  SearchQuery q;
  int page = 1;
  for (const auto& [name, raw] : params) {
    if (raw.empty()) continue;
    if (name == "q") {
      if (raw.size() > 500) return bad(name, "longer than 500 bytes");
      q.text = raw;
    } else if (name == "cpv") {
      auto prefix = domain::ParseCpvPrefix(raw);
      if (!prefix.ok()) return bad(name, prefix.status().message());
      std::string digits = *prefix;
      while (digits.size() > 2 && digits.back() == '0') digits.pop_back();
      q.cpv = digits;
    } else if (name == "buyer") {
      auto siret = domain::ParseSiret(raw);
      if (!siret.ok()) return bad(name, siret.status().message());
      q.buyer = *siret;
    } else if (name == "supplier") {
      if (raw.size() > 64) return bad(name, "longer than 64 characters");
      q.supplier = raw;
    } else if (name == "department") {
      auto d = ParseDepartment(raw);
      if (!d.ok()) return bad(name, d.status().message());
      q.department = *d;
    } else if (name == "region") {
      if (RegionName(raw).empty()) {
        return bad(name, "an INSEE region code (\"53\" Bretagne, \"11\" Île-de-France…), got '" +
                             raw + "'");
      }
      q.region = raw;
    } else if (name == "type") {
      if (raw != "contract" && raw != "consultation") {
        return bad(name, "must be contract or consultation");
      }
      q.type = raw;
    } else if (name == "status") {
      const auto& all = ConsultationStatuses();
      if (std::find(all.begin(), all.end(), raw) == all.end()) {
        return bad(name, "must be open, closed, awarded, cancelled or unsuccessful");
      }
      q.status = raw;
    } else if (name == "deadline_from" || name == "deadline_to") {
      auto at = DeadlineBound(raw, name == "deadline_from");
      if (!at.ok()) return bad(name, at.status().message());
      (name == "deadline_from" ? q.deadline_from : q.deadline_to) = *at;
    } else if (name == "procedure") {
      if (!domain::ProcedureFromCode(raw)) {
        return bad(name, "unknown procedure code '" + raw + "' (see /api/v1/openapi.json)");
      }
      q.procedure = raw;
    } else if (name == "nature") {
      if (!domain::NatureFromCode(raw)) {
        return bad(name, "unknown nature code '" + raw + "' (see /api/v1/openapi.json)");
      }
      q.nature = raw;
    } else if (name == "amount_min" || name == "amount_max") {
      auto m = domain::ParseEuros(raw);
      if (!m.ok()) return bad(name, m.status().message());
      (name == "amount_min" ? q.amount_min : q.amount_max) = *m;
    } else if (name == "notified_from" || name == "notified_to") {
      auto d = domain::ParseDate(raw);
      if (!d.ok()) return bad(name, d.status().message());
      (name == "notified_from" ? q.date_from : q.date_to) = *d;
    } else if (name == "sort") {
      if (raw == "relevance") {
        q.sort = SortOrder::kRelevance;
      } else if (raw == "date") {
        q.sort = SortOrder::kDate;
      } else if (raw == "amount") {
        q.sort = SortOrder::kAmount;
      } else if (raw == "deadline") {
        q.sort = SortOrder::kDeadline;
      } else {
        return bad(name, "must be relevance, date, amount or deadline");
      }
    } else if (name == "limit") {
      if (!integer(raw, q.limit) || q.limit < 1 || q.limit > 100) {
        return bad(name, "must be an integer between 1 and 100");
      }
    } else if (name == "page") {
      if (!integer(raw, page) || page < 1) return bad(name, "must be an integer from 1");
    } else if (strict) {
      return bad(name, "unknown parameter");
    }
  }
  if (q.date_from && q.date_to && *q.date_to < *q.date_from) {
    return bad("notified_to", "is before notified_from");
  }
  if (q.deadline_from && q.deadline_to && *q.deadline_to < *q.deadline_from) {
    return bad("deadline_to", "is before deadline_from");
  }
  if (q.amount_min && q.amount_max && *q.amount_max < *q.amount_min) {
    return bad("amount_max", "is below amount_min");
  }
  if (static_cast<int64_t>(page - 1) * q.limit > kMaxOffset) {
    return bad("page", "goes beyond the first " + std::to_string(kMaxOffset) +
                           " results: add words or filters to narrow the search");
  }
  q.offset = (page - 1) * q.limit;
  return q;
}

}  // namespace limpide::search
