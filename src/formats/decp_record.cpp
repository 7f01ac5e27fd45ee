// Per-record checks and mapping of DECP records. The decisions (reject, repair
// and flag, keep) are written up field by field in docs/import-decisions.md;
// keep both in step.
#include "formats/decp_record.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "domain/cpv.h"
#include "domain/money.h"
#include "domain/procedure.h"
#include "domain/siret.h"
#include "domain/text.h"
#include "domain/time.h"

namespace limpide::formats::internal {
namespace {

using nlohmann::json;

struct ListWrapper {
  std::string_view list;
  std::string_view item;
};

// Every list of DECP 2.x with its item wrapper name (JSON) or item element (XML).
constexpr std::array<ListWrapper, 12> kLists = {{
    {"titulaires", "titulaire"},
    {"concessionnaires", "concessionnaire"},
    {"modifications", "modification"},
    {"actesSousTraitance", "acteSousTraitance"},
    {"modificationsActesSousTraitance", "modificationActeSousTraitance"},
    {"donneesExecution", "donneesAnnuelles"},
    {"tarifs", "tarif"},
    {"typesPrix", "typePrix"},
    {"considerationsSociales", "considerationSociale"},
    {"considerationsEnvironnementales", "considerationEnvironnementale"},
    {"techniques", "technique"},
    {"modalitesExecution", "modaliteExecution"},
}};

std::optional<std::string_view> ItemNameOf(std::string_view list) {
  for (const auto& w : kLists) {
    if (w.list == list) return w.item;
  }
  return std::nullopt;
}

bool Contains(std::initializer_list<std::string_view> names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::string_view TrimAscii(std::string_view s) {
  constexpr std::string_view kWs = " \t\r\n\f\v";
  const size_t b = s.find_first_not_of(kWs);
  if (b == std::string_view::npos) return {};
  const size_t e = s.find_last_not_of(kWs);
  return s.substr(b, e - b + 1);
}

// A scalar as text: strings as they are, integers in decimal. nullopt for
// anything else (objects, arrays, booleans, floats, null).
std::optional<std::string> ScalarText(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_unsigned()) return std::to_string(v.get<uint64_t>());
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  return std::nullopt;
}

bool IsEmptyValue(const json& v) {
  return v.is_null() || (v.is_string() && TrimAscii(v.get_ref<const std::string&>()).empty()) ||
         (v.is_array() && v.empty()) || (v.is_object() && v.empty());
}

bool HasReplacementCharAnywhere(const json& v) {
  switch (v.type()) {
    case json::value_t::string:
      return domain::HasReplacementChar(v.get_ref<const std::string&>());
    case json::value_t::array:
      return std::any_of(v.begin(), v.end(), HasReplacementCharAnywhere);
    case json::value_t::object:
      for (const auto& [k, child] : v.items()) {
        if (HasReplacementCharAnywhere(child)) return true;
      }
      return false;
    default:
      return false;
  }
}

std::string Path(std::string_view base, size_t index) {
  return std::string(base) + "[" + std::to_string(index) + "]";
}

std::string Path(std::string_view base, std::string_view key) {
  return std::string(base) + "." + std::string(key);
}

// Removes spaces, tabs, dots and hyphens: how SIRETs get written by hand.
std::string StripIdSeparators(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c != ' ' && c != '\t' && c != '.' && c != '-' && c != '\r' && c != '\n') out.push_back(c);
  }
  return out;
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// DECP typeIdentifiant values and the variants met in real files.
std::optional<std::string> CanonicalIdType(std::string_view raw) {
  std::string k;
  for (char c : TrimAscii(raw)) {
    if (c == ' ') continue;
    if (c == '_') c = '-';
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    k.push_back(c);
  }
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 12> kTypes = {{
      {"SIRET", "SIRET"},
      {"TVA", "TVA"},
      {"TVA-INTRACOMMUNAUTAIRE", "TVA"},
      {"TAHITI", "TAHITI"},
      {"RIDET", "RIDET"},
      {"FRWF", "FRWF"},
      {"FRW", "FRWF"},
      {"IREP", "IREP"},
      {"UE", "UE"},
      {"HORS-UE", "HORS-UE"},
      {"HORSUE", "HORS-UE"},
      {"HORS-UNION-EUROPEENNE", "HORS-UE"},
  }};
  for (const auto& [variant, canonical] : kTypes) {
    if (k == variant) return std::string(canonical);
  }
  return std::nullopt;
}

constexpr std::array<std::string_view, 7> kPlaceTypes = {
    "Code postal", "Code commune", "Code arrondissement", "Code canton", "Code département",
    "Code région", "Code pays"};

enum class Outcome { kAbsent, kOk, kInvalid };

class Converter {
 public:
  Converter(const json& record, const RecordOptions& options) : rec_(record), opt_(options) {}

  DecpRecord Run() {
    DecpRecord out;
    if (!rec_.is_object()) {
      out.errors.push_back({"", "expected an object"});
      return out;
    }
    extra_ = rec_;
    c_.kind = opt_.concession ? domain::ContractKind::kConcession : domain::ContractKind::kMarche;
    c_.schema_version = opt_.schema_major == 1 ? "1" : "2";
    c_.source = std::string(opt_.source);

    ReadId();
    ReadBuyer();
    ReadNature();
    ReadObject();
    ReadCpv();
    ReadProcedure();
    ReadPlace();
    ReadDuration();
    ReadAmounts();
    ReadDates();
    ReadPriceForm();
    ReadHolders();
    ReadModifications();
    ReadBookkeeping();
    if (opt_.utf8_repaired) Flag("text_invalid_utf8");
    if (HasReplacementCharAnywhere(rec_)) Flag("text_replacement_char");

    out.id = id_text_;
    if (!errors_.empty()) {
      out.errors = std::move(errors_);
      return out;
    }
    c_.uid = domain::MakeUid(c_.buyer_id, c_.id);
    if (const json* uid = Get("uid")) {
      if (uid->is_string() && uid->get_ref<const std::string&>() == c_.uid) {
        Consume("uid");
      } else {
        Flag("uid_mismatch");  // the published uid stays in extra
      }
    }
    c_.flags = std::move(flags_);
    json extra = json::object();
    for (auto& [k, v] : extra_.items()) {
      if (!IsEmptyValue(v)) extra[k] = std::move(v);
    }
    // Strings are valid UTF-8 here (JSON lexer, XML sanitizer); replace, never throw.
    c_.extra_json = extra.dump(-1, ' ', false, json::error_handler_t::replace);
    out.contract = std::move(c_);
    return out;
  }

 private:
  // The value of `key` in the record, nullptr when absent or null.
  const json* Get(std::string_view key) const { return GetIn(rec_, key); }
  static const json* GetIn(const json& obj, std::string_view key) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return nullptr;
    return &*it;
  }
  void Consume(std::string_view key) { extra_.erase(std::string(key)); }
  void Error(std::string field, std::string reason) {
    errors_.push_back({std::move(field), std::move(reason)});
  }
  void Flag(std::string_view flag) {
    if (std::find(flags_.begin(), flags_.end(), flag) == flags_.end()) flags_.emplace_back(flag);
  }

  // A text field: absent (nullptr/""), a string, or an error at `field`.
  std::optional<std::string> Text(const json* v, const std::string& field) {
    if (v == nullptr) return std::string();
    if (v->is_string()) return v->get<std::string>();
    Error(field, "expected a text");
    return std::nullopt;
  }

  void ReadId() {
    const json* v = Get("id");
    std::optional<std::string> id = v ? ScalarText(*v) : std::nullopt;
    if (v == nullptr || (id && TrimAscii(*id).empty())) {
      Error("id", "missing");
    } else if (!id) {
      Error("id", "expected a text");
    } else {
      id_text_ = *id;
      c_.id = *id;
    }
    Consume("id");
  }

  void ReadBuyer() {
    const std::string key = opt_.concession ? "autoriteConcedante" : "acheteur";
    const std::string id_field = key + ".id";
    const json* buyer = Get(key);
    const json* id = nullptr;
    if (buyer == nullptr || (buyer->is_string() && buyer->get_ref<const std::string&>().empty())) {
      // decp-processing writes the flattened column name "acheteur.id".
      id = Get(id_field);
      if (id != nullptr) {
        Flag("buyer_id_flat_key");
        Consume(id_field);
      }
    } else if (!buyer->is_object()) {
      Error(key, "expected an object");
      return;
    } else {
      id = GetIn(*buyer, "id");
      if (auto name = Text(GetIn(*buyer, "nom"), Path(key, "nom"))) c_.buyer_name = *name;
      json& rest = extra_[key];
      rest.erase("id");
      rest.erase("nom");
      if (rest.empty()) Consume(key);
    }
    std::optional<std::string> raw = id ? ScalarText(*id) : std::nullopt;
    if (id == nullptr || (raw && TrimAscii(*raw).empty())) {
      Error(id_field, "missing");
      return;
    }
    if (!raw) {
      Error(id_field, "expected a text");
      return;
    }
    std::string siret = StripIdSeparators(*raw);
    if (siret.size() != 14 || !AllDigits(siret)) {
      Error(id_field, "not a SIRET (expected 14 digits): \"" + *raw + "\"");
      return;
    }
    if (siret != *raw || !id->is_string()) Flag("buyer_id_normalized");
    if (!domain::IsValidSiret(siret)) Flag("buyer_siret_checksum");
    c_.buyer_id = std::move(siret);
  }

  void ReadNature() {
    const json* v = Get("nature");
    if (v == nullptr || (v->is_string() && TrimAscii(v->get_ref<const std::string&>()).empty())) {
      Flag("nature_missing");
    } else if (!v->is_string()) {
      Error("nature", "expected a text");
    } else if (auto n = domain::ParseNature(v->get_ref<const std::string&>())) {
      c_.nature = *n;
    } else {
      Error("nature", "unknown nature \"" + v->get<std::string>() + "\"");
    }
    Consume("nature");
  }

  void ReadProcedure() {
    const json* v = Get("procedure");
    if (v == nullptr || (v->is_string() && TrimAscii(v->get_ref<const std::string&>()).empty())) {
      Flag("procedure_missing");
    } else if (!v->is_string()) {
      Error("procedure", "expected a text");
    } else if (auto p = domain::ParseProcedure(v->get_ref<const std::string&>())) {
      c_.procedure = *p;
    } else {
      Error("procedure", "unknown procedure \"" + v->get<std::string>() + "\"");
    }
    Consume("procedure");
  }

  void ReadObject() {
    if (auto text = Text(Get("objet"), "objet")) {
      c_.object = *text;
      if (TrimAscii(c_.object).empty()) Flag("object_missing");
    }
    Consume("objet");
  }

  void ReadCpv() {
    const json* v = Get("codeCPV");
    std::optional<std::string> raw = v ? ScalarText(*v) : std::nullopt;
    if (v == nullptr || (raw && TrimAscii(*raw).empty())) {
      // 2.x concessions have no CPV; 1.x ones may.
      if (!opt_.concession) Flag("cpv_missing");
      Consume("codeCPV");
      return;
    }
    if (raw) {
      auto parsed = domain::ParseCpv(TrimAscii(*raw));
      if (parsed.ok()) {
        c_.cpv = parsed->code->code;
        for (const auto& r : parsed->repairs) {
          // DECP 1.5 prefers the code without its check digit: not a repair.
          if (opt_.schema_major == 1 && r == "cpv_check_digit_added") continue;
          Flag(r);
        }
        Consume("codeCPV");
        return;
      }
    }
    Flag("cpv_invalid");  // the value as published stays in extra
  }

  void ReadPlace() {
    const json* v = Get("lieuExecution");
    if (v == nullptr) {
      if (!opt_.concession) Flag("place_missing");
      return;
    }
    if (!v->is_object()) {
      if (IsEmptyValue(*v)) {
        if (!opt_.concession) Flag("place_missing");
        return;
      }
      Error("lieuExecution", "expected an object");
      return;
    }
    if (const json* code = GetIn(*v, "code")) {
      if (auto text = ScalarText(*code)) {
        c_.place.code = std::string(TrimAscii(*text));
      } else {
        Error("lieuExecution.code", "expected a text");
      }
    }
    if (auto type = Text(GetIn(*v, "typeCode"), "lieuExecution.typeCode")) {
      const std::string_view raw = TrimAscii(*type);
      c_.place.code_type = std::string(raw);
      if (!raw.empty() &&
          std::find(kPlaceTypes.begin(), kPlaceTypes.end(), raw) == kPlaceTypes.end()) {
        const std::string folded = domain::FoldForSearch(raw);
        auto it = std::find_if(kPlaceTypes.begin(), kPlaceTypes.end(), [&](std::string_view t) {
          return domain::FoldForSearch(t) == folded;
        });
        if (it != kPlaceTypes.end()) {
          c_.place.code_type = std::string(*it);
          Flag("place_type_normalized");
        } else {
          Flag("place_type_unknown");
        }
      }
    }
    if (auto name = Text(GetIn(*v, "nom"), "lieuExecution.nom")) c_.place.name = *name;
    if (c_.place.code.empty() && !opt_.concession) Flag("place_missing");
    json& rest = extra_["lieuExecution"];
    for (const char* k : {"code", "typeCode", "nom"}) rest.erase(k);
    if (rest.empty()) Consume("lieuExecution");
  }

  // dureeMois: a positive whole number of months; fractions round up as the
  // arrêté says. `as_text` is set for a number written as a JSON string.
  Outcome Duration(const json* v, std::optional<int>& out, bool& as_text, bool& rounded) const {
    if (v == nullptr || IsEmptyValue(*v)) return Outcome::kAbsent;
    double months = 0;
    if (v->is_number()) {
      months = v->get<double>();
    } else if (v->is_string()) {
      const std::string_view t = TrimAscii(v->get_ref<const std::string&>());
      if (!AllDigits(t) || t.size() > 6) return Outcome::kInvalid;
      months = std::stod(std::string(t));
      as_text = !opt_.from_xml;
    } else {
      return Outcome::kInvalid;
    }
    if (!std::isfinite(months) || months <= 0 || months > 12 * 200) return Outcome::kInvalid;
    const double up = std::ceil(months);
    rounded = up != months;
    out = static_cast<int>(up);
    return Outcome::kOk;
  }

  // An amount in euros: a JSON number, or text in XML (and, repaired, in JSON).
  Outcome Amount(const json* v, std::optional<domain::Money>& out, bool& as_text) const {
    if (v == nullptr || IsEmptyValue(*v)) return Outcome::kAbsent;
    if (v->is_number()) {
      auto m = domain::MoneyFromEuros(v->get<double>());
      if (!m.ok() || m->cents < 0) return Outcome::kInvalid;
      out = *m;
      return Outcome::kOk;
    }
    if (v->is_string()) {
      auto m = domain::ParseEuros(TrimAscii(v->get_ref<const std::string&>()));
      if (!m.ok() || m->cents < 0) return Outcome::kInvalid;
      as_text = !opt_.from_xml;
      out = *m;
      return Outcome::kOk;
    }
    return Outcome::kInvalid;
  }

  Outcome Date(const json* v, std::optional<domain::Date>& out) const {
    if (v == nullptr || IsEmptyValue(*v)) return Outcome::kAbsent;
    if (!v->is_string()) return Outcome::kInvalid;
    auto d = domain::ParseDate(TrimAscii(v->get_ref<const std::string&>()));
    if (!d.ok()) return Outcome::kInvalid;
    out = *d;
    return Outcome::kOk;
  }

  void ReadDuration() {
    bool as_text = false;
    bool rounded = false;
    switch (Duration(Get("dureeMois"), c_.duration_months, as_text, rounded)) {
      case Outcome::kAbsent:
        Flag("duration_missing");
        Consume("dureeMois");
        break;
      case Outcome::kInvalid:
        Flag("duration_invalid");  // kept in extra as published ("NC")
        break;
      case Outcome::kOk:
        if (as_text) Flag("duration_as_text");
        if (rounded) Flag("duration_rounded_up");
        Consume("dureeMois");
        break;
    }
  }

  void ReadAmounts() {
    const std::string_view key = opt_.concession ? "valeurGlobale" : "montant";
    bool as_text = false;
    switch (Amount(Get(key), c_.amount, as_text)) {
      case Outcome::kAbsent:
        Flag("amount_missing");
        Consume(key);
        break;
      case Outcome::kInvalid:
        Flag("amount_invalid");
        break;
      case Outcome::kOk:
        if (as_text) Flag("amount_as_text");
        if (c_.amount->cents == 0) Flag("amount_zero");
        Consume(key);
        break;
    }
    if (!opt_.concession) return;
    as_text = false;
    switch (Amount(Get("montantSubventionPublique"), c_.public_subsidy, as_text)) {
      case Outcome::kAbsent:
        Consume("montantSubventionPublique");
        break;
      case Outcome::kInvalid:
        Flag("public_subsidy_invalid");
        break;
      case Outcome::kOk:
        if (as_text) Flag("amount_as_text");
        Consume("montantSubventionPublique");
        break;
    }
  }

  void ReadDate(std::string_view key, std::optional<domain::Date>& out, std::string_view name,
                bool flag_missing) {
    switch (Date(Get(key), out)) {
      case Outcome::kAbsent:
        if (flag_missing) Flag(std::string(name) + "_missing");
        Consume(key);
        break;
      case Outcome::kInvalid:
        Flag(std::string(name) + "_invalid");
        break;
      case Outcome::kOk:
        Consume(key);
        break;
    }
  }

  void ReadDates() {
    ReadDate(opt_.concession ? "dateSignature" : "dateNotification", c_.notified_on, "notified_on",
             true);
    ReadDate("datePublicationDonnees", c_.published_on, "published_on", true);
    if (opt_.concession) {
      ReadDate("dateDebutExecution", c_.execution_start, "execution_start", false);
    }
  }

  void ReadPriceForm() {
    const json* v = Get("formePrix");
    if (v != nullptr && v->is_string()) {
      c_.price_form = v->get<std::string>();
      Consume("formePrix");
    }
  }

  // Appends the objects of `list`, flattening lists nested by broken exports.
  void FlattenInto(const json& list, std::vector<const json*>& out) {
    for (const auto& item : list) {
      if (item.is_array()) {
        Flag("holders_nested_lists");
        FlattenInto(item, out);
      } else {
        out.push_back(&item);
      }
    }
  }

  // Returns false when some holder field could not be mapped (the list then
  // stays in extra as published).
  bool Holders(const json& list, const std::string& path, std::vector<domain::Holder>& out) {
    if (!list.is_array()) {
      Error(path, "expected a list");
      return false;
    }
    std::vector<const json*> items;
    FlattenInto(list, items);
    bool mapped = true;
    for (size_t i = 0; i < items.size(); ++i) {
      const json& item = *items[i];
      const std::string p = Path(path, i);
      if (!item.is_object()) {
        Error(p, "expected an object");
        continue;
      }
      domain::Holder h;
      const json* id = GetIn(item, "id");
      std::optional<std::string> raw = id ? ScalarText(*id) : std::nullopt;
      if (id == nullptr || (raw && TrimAscii(*raw).empty())) {
        Error(Path(p, "id"), "missing");
        continue;
      }
      if (!raw) {
        Error(Path(p, "id"), "expected a text");
        continue;
      }
      if (auto type = Text(GetIn(item, "typeIdentifiant"), Path(p, "typeIdentifiant"))) {
        if (TrimAscii(*type).empty()) {
          if (const std::string s = StripIdSeparators(*raw); s.size() == 14 && AllDigits(s)) {
            h.id_type = "SIRET";
            Flag("holder_id_type_inferred");
          } else {
            Flag("holder_id_type_missing");
          }
        } else if (auto canonical = CanonicalIdType(*type)) {
          if (*canonical != *type) Flag("holder_id_type_normalized");
          h.id_type = *canonical;
        } else {
          h.id_type = *type;
          Flag("holder_id_type_unknown");
        }
      }
      if (h.id_type == "SIRET") {
        h.id = StripIdSeparators(*raw);
        if (h.id.size() != 14 || !AllDigits(h.id)) {
          Flag("holder_siret_malformed");
        } else if (!domain::IsValidSiret(h.id)) {
          Flag("holder_siret_checksum");
        }
      } else {
        h.id = std::string(TrimAscii(*raw));
      }
      if (h.id != *raw) Flag("holder_id_normalized");
      if (auto name = Text(GetIn(item, "denominationSociale"), Path(p, "denominationSociale"))) {
        h.name = *name;
      }
      for (const auto& [k, v] : item.items()) {
        if (!Contains({"id", "typeIdentifiant", "denominationSociale"}, k) && !IsEmptyValue(v)) {
          mapped = false;
        }
      }
      out.push_back(std::move(h));
    }
    return mapped;
  }

  void ReadHolders() {
    const std::string key = opt_.concession ? "concessionnaires" : "titulaires";
    const json* v = Get(key);
    if (v == nullptr || IsEmptyValue(*v)) {
      Flag("holders_missing");
      Consume(key);
      return;
    }
    if (Holders(*v, key, c_.holders)) Consume(key);
    if (c_.holders.empty()) Flag("holders_missing");
  }

  void ReadModifications() {
    const json* v = Get("modifications");
    if (v == nullptr || IsEmptyValue(*v)) {
      Consume("modifications");
      return;
    }
    if (!v->is_array()) {
      Error("modifications", "expected a list");
      return;
    }
    bool mapped = true;
    for (size_t i = 0; i < v->size(); ++i) {
      const json& item = (*v)[i];
      const std::string p = Path("modifications", i);
      if (!item.is_object()) {
        Error(p, "expected an object");
        continue;
      }
      domain::Modification m;
      bool ok = true;
      if (const json* id = GetIn(item, "id")) {
        auto text = ScalarText(*id);
        if (text)
          m.id = *text;
        else
          ok = false;
      } else {
        m.id = std::to_string(i + 1);  // 1.x has no id: the rank in the list
      }
      if (auto text = Text(GetIn(item, "objetModification"), Path(p, "objetModification"))) {
        m.object = *text;
      }
      const json* signed_on = GetIn(item, "dateNotificationModification");
      if (signed_on == nullptr) signed_on = GetIn(item, "dateSignatureModification");
      ok &= Date(signed_on, m.signed_on) != Outcome::kInvalid;
      ok &= Date(GetIn(item, "datePublicationDonneesModification"), m.published_on) !=
            Outcome::kInvalid;
      bool as_text = false;
      bool rounded = false;
      ok &= Duration(GetIn(item, "dureeMois"), m.duration_months, as_text, rounded) !=
            Outcome::kInvalid;
      const json* amount = GetIn(item, "montant");
      if (amount == nullptr) amount = GetIn(item, "valeurGlobale");
      ok &= Amount(amount, m.amount, as_text) != Outcome::kInvalid;
      if (!ok) Flag("modification_invalid");
      mapped &= ok;
      const json* holders = GetIn(item, "titulaires");
      if (holders == nullptr) holders = GetIn(item, "concessionnaires");
      if (holders != nullptr && !IsEmptyValue(*holders)) {
        const std::string hp =
            Path(p, GetIn(item, "titulaires") ? "titulaires" : "concessionnaires");
        mapped &= Holders(*holders, hp, m.holders);
      }
      for (const auto& [k, val] : item.items()) {
        if (!Contains({"id", "objetModification", "dateNotificationModification",
                       "dateSignatureModification", "datePublicationDonneesModification",
                       "dureeMois", "montant", "valeurGlobale", "titulaires", "concessionnaires"},
                      k) &&
            !IsEmptyValue(val)) {
          mapped = false;
        }
      }
      c_.modifications.push_back(std::move(m));
    }
    if (mapped) Consume("modifications");
  }

  void ReadBookkeeping() {
    if (const json* s = Get("source");
        s != nullptr && s->is_string() && !TrimAscii(s->get_ref<const std::string&>()).empty()) {
      c_.source = s->get<std::string>();
      Consume("source");
    }
    if (const json* t = Get("_type"); t != nullptr && t->is_string()) Consume("_type");
  }

  const json& rec_;
  const RecordOptions& opt_;
  json extra_;
  domain::Contract c_;
  std::string id_text_;
  std::vector<FieldError> errors_;
  std::vector<std::string> flags_;
};

// XML scalars that are booleans or numbers in the JSON form.
bool IsXmlBoolean(std::string_view name) {
  return Contains({"marcheInnovant", "attributionAvance", "sousTraitanceDeclaree"}, name);
}

bool IsXmlNumber(std::string_view name, std::string_view parent) {
  if (name == "id") {
    return Contains({"modification", "acteSousTraitance", "modificationActeSousTraitance"}, parent);
  }
  return Contains(
      {"montant", "dureeMois", "valeurGlobale", "montantSubventionPublique", "origineUE",
       "origineFrance", "tauxAvance", "offresRecues", "depensesInvestissement", "tarif"},
      name);
}

json XmlLeaf(std::string_view name, std::string_view parent, const std::string& raw) {
  const std::string_view t = TrimAscii(raw);
  if (t.empty()) return nullptr;
  if (IsXmlBoolean(name)) {
    if (t == "oui" || t == "true" || t == "1") return true;
    if (t == "non" || t == "false" || t == "0") return false;
  } else if (IsXmlNumber(name, parent)) {
    json n = json::parse(t.begin(), t.end(), nullptr, false);
    if (n.is_number()) return n;
  }
  return std::string(raw);
}

json XmlValue(const pugi::xml_node& node, std::string_view parent, bool* repaired) {
  const std::string name = SanitizeUtf8(node.name(), repaired);
  const bool list = ItemNameOf(name).has_value();
  bool has_elements = false;
  for (pugi::xml_node child = node.first_child(); child; child = child.next_sibling()) {
    if (child.type() == pugi::node_element) {
      has_elements = true;
      break;
    }
  }
  if (!has_elements) {
    return list ? json::array() : XmlLeaf(name, parent, SanitizeUtf8(node.text().get(), repaired));
  }
  if (list) {
    json items = json::array();
    for (pugi::xml_node child = node.first_child(); child; child = child.next_sibling()) {
      if (child.type() == pugi::node_element) items.push_back(XmlValue(child, name, repaired));
    }
    return items;
  }
  json obj = json::object();
  std::vector<std::string> repeated;
  for (pugi::xml_node child = node.first_child(); child; child = child.next_sibling()) {
    if (child.type() != pugi::node_element) continue;
    std::string key = SanitizeUtf8(child.name(), repaired);
    json value = XmlValue(child, name, repaired);
    auto it = obj.find(key);
    if (it == obj.end()) {
      obj.emplace(std::move(key), std::move(value));
    } else {
      // An element repeated where DECP has one: keep every occurrence.
      if (std::find(repeated.begin(), repeated.end(), key) == repeated.end()) {
        *it = json::array({std::move(*it)});
        repeated.push_back(key);
      }
      it->push_back(std::move(value));
    }
  }
  return obj;
}

}  // namespace

void UnwrapLists(json& value) {
  if (value.is_array()) {
    for (auto& item : value) UnwrapLists(item);
    return;
  }
  if (!value.is_object()) return;
  for (auto& [key, child] : value.items()) {
    if (auto item_name = ItemNameOf(key)) {
      const std::string item(*item_name);
      if (child.is_object() && child.size() == 1 && child.contains(item)) {
        json inner = std::move(child[item]);
        child = inner.is_array() ? std::move(inner) : json::array({std::move(inner)});
      }
      if (child.is_array()) {
        for (auto& e : child) {
          if (e.is_object() && e.size() == 1 && e.contains(item)) {
            json inner = std::move(e[item]);
            e = std::move(inner);
          }
        }
      }
    }
    UnwrapLists(child);
  }
}

std::string SanitizeUtf8(std::string_view s, bool* repaired) {
  if (domain::IsValidUtf8(s)) return std::string(s);
  if (repaired != nullptr) *repaired = true;
  std::string out;
  out.reserve(s.size() + 8);
  size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    size_t len = b < 0x80           ? 1
                 : (b >> 5) == 0x6  ? 2
                 : (b >> 4) == 0xE  ? 3
                 : (b >> 3) == 0x1E ? 4
                                    : 0;
    if (len > 0 && i + len <= s.size() && domain::IsValidUtf8(s.substr(i, len))) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out.append("\xEF\xBF\xBD");  // U+FFFD for this byte
      ++i;
    }
  }
  return out;
}

json XmlToJson(const pugi::xml_node& element, bool* utf8_repaired) {
  json v = XmlValue(element, "", utf8_repaired);
  if (!v.is_object()) v = json::object();
  return v;
}

bool LooksLikeConcession(const json& record) {
  if (!record.is_object()) return false;
  if (auto it = record.find("_type"); it != record.end() && it->is_string()) {
    const std::string folded = domain::FoldForSearch(it->get_ref<const std::string&>());
    if (folded.find("concession") != std::string::npos) return true;
    if (folded.find("march") != std::string::npos) return false;
  }
  for (const char* k :
       {"autoriteConcedante", "concessionnaires", "valeurGlobale", "dateSignature"}) {
    auto it = record.find(k);
    if (it != record.end() && !IsEmptyValue(*it)) return true;
  }
  return false;
}

DecpRecord ConvertRecord(const json& record, const RecordOptions& options) {
  return Converter(record, options).Run();
}

}  // namespace limpide::formats::internal
