// Per-record checks and mapping of DECP records. The decisions (reject, repair
// and flag, keep) are written up field by field in docs/import-decisions.md;
// keep both in step.
#include "formats/decp_record.h"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
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

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

std::string_view TrimAscii(std::string_view s) {
  while (!s.empty() && IsAsciiSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsAsciiSpace(s.back())) s.remove_suffix(1);
  return s;
}

// A scalar as text: strings as they are, integers in decimal. nullopt for
// anything else (objects, arrays, booleans, floats, null).
std::optional<std::string> ScalarText(const JsonNode& v) {
  switch (v.type()) {
    case JsonNode::Type::kString:
      return std::string(v.str());
    case JsonNode::Type::kInt:
      return std::to_string(v.int_value());
    case JsonNode::Type::kUint:
      return std::to_string(v.uint_value());
    default:
      return std::nullopt;
  }
}

bool IsEmptyValue(const JsonNode& v) {
  return v.is_null() || (v.is_string() && TrimAscii(v.str()).empty()) ||
         ((v.is_array() || v.is_object()) && v.empty());
}

bool HasReplacementCharAnywhere(const JsonNode& v) {
  switch (v.type()) {
    case JsonNode::Type::kString:
      return domain::HasReplacementChar(v.str());
    case JsonNode::Type::kArray:
    case JsonNode::Type::kObject:
      return std::any_of(v.children().begin(), v.children().end(), HasReplacementCharAnywhere);
    default:
      return false;
  }
}

// JSON text as nlohmann's dump() writes it (compact, no ASCII escaping): the
// stored extra_json must not change when the reader does.
void AppendJsonString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t run = 0;  // start of the bytes not yet copied
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      default:
        out.append("\\u00");
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xF]);
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

void AppendJson(std::string& out, const JsonNode& v) {
  switch (v.type()) {
    case JsonNode::Type::kNull:
      out.append("null");
      return;
    case JsonNode::Type::kBool:
      out.append(v.boolean() ? "true" : "false");
      return;
    case JsonNode::Type::kInt:
      out.append(std::to_string(v.int_value()));
      return;
    case JsonNode::Type::kUint:
      out.append(std::to_string(v.uint_value()));
      return;
    case JsonNode::Type::kDouble:
      out.append(json(v.double_value()).dump());  // nlohmann's shortest round-trip form
      return;
    case JsonNode::Type::kString:
      AppendJsonString(out, v.str());
      return;
    case JsonNode::Type::kArray:
    case JsonNode::Type::kObject: {
      const bool object = v.is_object();
      out.push_back(object ? '{' : '[');
      bool first = true;
      for (const JsonNode& child : v.children()) {
        if (!first) out.push_back(',');
        first = false;
        if (object) {
          AppendJsonString(out, child.key());
          out.push_back(':');
        }
        AppendJson(out, child);
      }
      out.push_back(object ? '}' : ']');
      return;
    }
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

// Members of an object that the converter maps into contract fields, the
// rest of the object staying in extra.
constexpr std::array<std::string_view, 2> kBuyerMapped = {"id", "nom"};
constexpr std::array<std::string_view, 3> kPlaceMapped = {"code", "typeCode", "nom"};

enum class Outcome { kAbsent, kOk, kInvalid };

class Converter {
 public:
  Converter(const JsonNode& record, const RecordOptions& options)
      : rec_(record),
        opt_(options),
        cache_(options.cache != nullptr ? *options.cache : own_cache_) {}

  DecpRecord Run() {
    DecpRecord out;
    out.format = opt_.from_xml            ? DecpFormat::kXml2
                 : opt_.schema_major == 1 ? DecpFormat::kJson1
                                          : DecpFormat::kJson2;
    if (!rec_.is_object()) {
      out.errors.push_back({"", "expected an object"});
      return out;
    }
    extra_.assign(rec_.size(), Extra::kKept);
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
    if (const JsonNode* uid = Get("uid")) {
      if (uid->is_string() && uid->str() == c_.uid) {
        Consume(uid);
      } else {
        Flag("uid_mismatch");  // the published uid stays in extra
      }
    }
    c_.flags = std::move(flags_);
    c_.extra_json = ExtraJson();
    out.contract = std::move(c_);
    return out;
  }

 private:
  // What becomes of a member of the record in extra_json.
  enum class Extra : uint8_t {
    kKept,       // as published, unless empty
    kConsumed,   // mapped to contract fields
    kBuyerRest,  // an object less kBuyerMapped
    kPlaceRest,  // an object less kPlaceMapped
  };

  // The fields not consumed, as a compact JSON object sorted by key; empty
  // values are left out.
  std::string ExtraJson() const {
    std::string out = "{";
    const auto members = rec_.children();
    for (size_t i = 0; i < members.size(); ++i) {
      const JsonNode& v = members[i];
      if (extra_[i] == Extra::kConsumed) continue;
      if (extra_[i] == Extra::kKept && IsEmptyValue(v)) continue;
      if (out.size() > 1) out.push_back(',');
      AppendJsonString(out, v.key());
      out.push_back(':');
      if (extra_[i] == Extra::kKept) {
        AppendJson(out, v);
        continue;
      }
      const std::span<const std::string_view> mapped =
          extra_[i] == Extra::kBuyerRest ? std::span<const std::string_view>(kBuyerMapped)
                                         : std::span<const std::string_view>(kPlaceMapped);
      out.push_back('{');
      bool first = true;
      for (const JsonNode& child : v.children()) {
        if (std::find(mapped.begin(), mapped.end(), child.key()) != mapped.end()) continue;
        if (!first) out.push_back(',');
        first = false;
        AppendJsonString(out, child.key());
        out.push_back(':');
        AppendJson(out, child);
      }
      out.push_back('}');
    }
    out.push_back('}');
    return out;
  }

  // The value of `key` in the record, nullptr when absent or null.
  const JsonNode* Get(std::string_view key) const { return GetIn(rec_, key); }
  static const JsonNode* GetIn(const JsonNode& obj, std::string_view key) {
    const JsonNode* v = obj.Find(key);
    if (v == nullptr || v->is_null()) return nullptr;
    return v;
  }
  // Sets what becomes of `member` (a member of the record, as Get returns
  // it) in extra. Nothing to do for nullptr: an absent or null member is not
  // in extra.
  void SetExtra(const JsonNode* member, Extra what) {
    if (member != nullptr) extra_[static_cast<size_t>(member - rec_.children().data())] = what;
  }
  void Consume(const JsonNode* member) { SetExtra(member, Extra::kConsumed); }
  // Consumes the members `mapped` of the object `value` (a member of the
  // record): all of it when nothing else is left.
  void ConsumeMembers(const JsonNode& value, std::span<const std::string_view> mapped, Extra rest) {
    const bool left =
        std::any_of(value.children().begin(), value.children().end(), [&](const JsonNode& m) {
          return std::find(mapped.begin(), mapped.end(), m.key()) == mapped.end();
        });
    SetExtra(&value, left ? rest : Extra::kConsumed);
  }
  void Error(std::string field, std::string reason) {
    errors_.push_back({std::move(field), std::move(reason)});
  }
  void Flag(std::string_view flag) {
    if (std::find(flags_.begin(), flags_.end(), flag) == flags_.end()) flags_.emplace_back(flag);
  }

  // A text field: absent (nullptr/""), a string, or an error at `field`.
  std::optional<std::string> Text(const JsonNode* v, const std::string& field) {
    if (v == nullptr) return std::string();
    if (v->is_string()) return std::string(v->str());
    Error(field, "expected a text");
    return std::nullopt;
  }

  void ReadId() {
    const JsonNode* v = Get("id");
    std::optional<std::string> id = v ? ScalarText(*v) : std::nullopt;
    if (v == nullptr || (id && TrimAscii(*id).empty())) {
      Error("id", "missing");
    } else if (!id) {
      Error("id", "expected a text");
    } else {
      id_text_ = *id;
      c_.id = *id;
    }
    Consume(v);
  }

  void ReadBuyer() {
    const std::string key = opt_.concession ? "autoriteConcedante" : "acheteur";
    const std::string id_field = key + ".id";
    const JsonNode* buyer = Get(key);
    const JsonNode* id = nullptr;
    if (buyer == nullptr || (buyer->is_string() && buyer->str().empty())) {
      // decp-processing writes the flattened column name "acheteur.id".
      id = Get(id_field);
      if (id != nullptr) {
        Flag("buyer_id_flat_key");
        Consume(id);
      }
    } else if (!buyer->is_object()) {
      Error(key, "expected an object");
      return;
    } else {
      id = GetIn(*buyer, "id");
      if (auto name = Text(GetIn(*buyer, "nom"), Path(key, "nom"))) c_.buyer_name = *name;
      ConsumeMembers(*buyer, kBuyerMapped, Extra::kBuyerRest);
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
    const JsonNode* v = Get("nature");
    if (v == nullptr || (v->is_string() && TrimAscii(v->str()).empty())) {
      Flag("nature_missing");
    } else if (!v->is_string()) {
      Error("nature", "expected a text");
    } else if (auto n = cache_.Nature(v->str())) {
      c_.nature = *n;
    } else {
      Error("nature", "unknown nature \"" + std::string(v->str()) + "\"");
    }
    Consume(v);
  }

  void ReadProcedure() {
    const JsonNode* v = Get("procedure");
    if (v == nullptr || (v->is_string() && TrimAscii(v->str()).empty())) {
      Flag("procedure_missing");
    } else if (!v->is_string()) {
      Error("procedure", "expected a text");
    } else if (auto p = cache_.Procedure(v->str())) {
      c_.procedure = *p;
    } else {
      Error("procedure", "unknown procedure \"" + std::string(v->str()) + "\"");
    }
    Consume(v);
  }

  void ReadObject() {
    const JsonNode* v = Get("objet");
    if (auto text = Text(v, "objet")) {
      c_.object = *text;
      if (TrimAscii(c_.object).empty()) Flag("object_missing");
    }
    Consume(v);
  }

  void ReadCpv() {
    const JsonNode* v = Get("codeCPV");
    std::optional<std::string> raw = v ? ScalarText(*v) : std::nullopt;
    if (v == nullptr || (raw && TrimAscii(*raw).empty())) {
      // 2.x concessions have no CPV; 1.x ones may.
      if (!opt_.concession) Flag("cpv_missing");
      Consume(v);
      return;
    }
    if (raw) {
      const Result<domain::ParsedCpv>& parsed = cache_.Cpv(TrimAscii(*raw));
      if (parsed.ok()) {
        c_.cpv = parsed->code->code;
        for (const auto& r : parsed->repairs) {
          // DECP 1.5 prefers the code without its check digit: not a repair.
          if (opt_.schema_major == 1 && r == "cpv_check_digit_added") continue;
          Flag(r);
        }
        Consume(v);
        return;
      }
    }
    Flag("cpv_invalid");  // the value as published stays in extra
  }

  void ReadPlace() {
    const JsonNode* v = Get("lieuExecution");
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
    if (const JsonNode* code = GetIn(*v, "code")) {
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
    ConsumeMembers(*v, kPlaceMapped, Extra::kPlaceRest);
  }

  // dureeMois: a positive whole number of months; fractions round up as the
  // arrêté says. `as_text` is set for a number written as a JSON string.
  Outcome Duration(const JsonNode* v, std::optional<int>& out, bool& as_text, bool& rounded) const {
    if (v == nullptr || IsEmptyValue(*v)) return Outcome::kAbsent;
    double months = 0;
    if (v->is_number()) {
      months = v->AsDouble();
    } else if (v->is_string()) {
      const std::string_view t = TrimAscii(v->str());
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
  Outcome Amount(const JsonNode* v, std::optional<domain::Money>& out, bool& as_text) const {
    if (v == nullptr || IsEmptyValue(*v)) return Outcome::kAbsent;
    if (v->is_number()) {
      auto m = domain::MoneyFromEuros(v->AsDouble());
      if (!m.ok() || m->cents < 0) return Outcome::kInvalid;
      out = *m;
      return Outcome::kOk;
    }
    if (v->is_string()) {
      auto m = domain::ParseEuros(TrimAscii(v->str()));
      if (!m.ok() || m->cents < 0) return Outcome::kInvalid;
      as_text = !opt_.from_xml;
      out = *m;
      return Outcome::kOk;
    }
    return Outcome::kInvalid;
  }

  Outcome Date(const JsonNode* v, std::optional<domain::Date>& out) const {
    if (v == nullptr || IsEmptyValue(*v)) return Outcome::kAbsent;
    if (!v->is_string()) return Outcome::kInvalid;
    auto d = domain::ParseDate(TrimAscii(v->str()));
    if (!d.ok()) return Outcome::kInvalid;
    out = *d;
    return Outcome::kOk;
  }

  void ReadDuration() {
    bool as_text = false;
    bool rounded = false;
    const JsonNode* v = Get("dureeMois");
    switch (Duration(v, c_.duration_months, as_text, rounded)) {
      case Outcome::kAbsent:
        Flag("duration_missing");
        Consume(v);
        break;
      case Outcome::kInvalid:
        Flag("duration_invalid");  // kept in extra as published ("NC")
        break;
      case Outcome::kOk:
        if (as_text) Flag("duration_as_text");
        if (rounded) Flag("duration_rounded_up");
        Consume(v);
        break;
    }
  }

  void ReadAmounts() {
    const std::string_view key = opt_.concession ? "valeurGlobale" : "montant";
    bool as_text = false;
    const JsonNode* amount = Get(key);
    switch (Amount(amount, c_.amount, as_text)) {
      case Outcome::kAbsent:
        Flag("amount_missing");
        Consume(amount);
        break;
      case Outcome::kInvalid:
        Flag("amount_invalid");
        break;
      case Outcome::kOk:
        if (as_text) Flag("amount_as_text");
        if (c_.amount->cents == 0) Flag("amount_zero");
        Consume(amount);
        break;
    }
    if (!opt_.concession) return;
    as_text = false;
    const JsonNode* subsidy = Get("montantSubventionPublique");
    switch (Amount(subsidy, c_.public_subsidy, as_text)) {
      case Outcome::kAbsent:
        Consume(subsidy);
        break;
      case Outcome::kInvalid:
        Flag("public_subsidy_invalid");
        break;
      case Outcome::kOk:
        if (as_text) Flag("amount_as_text");
        Consume(subsidy);
        break;
    }
  }

  void ReadDate(std::string_view key, std::optional<domain::Date>& out, std::string_view name,
                bool flag_missing) {
    const JsonNode* v = Get(key);
    switch (Date(v, out)) {
      case Outcome::kAbsent:
        if (flag_missing) Flag(std::string(name) + "_missing");
        Consume(v);
        break;
      case Outcome::kInvalid:
        Flag(std::string(name) + "_invalid");
        break;
      case Outcome::kOk:
        Consume(v);
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
    const JsonNode* v = Get("formePrix");
    if (v != nullptr && v->is_string()) {
      c_.price_form = std::string(v->str());
      Consume(v);
    }
  }

  // Appends the objects of `list`, flattening lists nested by broken exports.
  void FlattenInto(const JsonNode& list, std::vector<const JsonNode*>& out) {
    for (const JsonNode& item : list.children()) {
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
  bool Holders(const JsonNode& list, const std::string& path, std::vector<domain::Holder>& out) {
    if (!list.is_array()) {
      Error(path, "expected a list");
      return false;
    }
    std::vector<const JsonNode*> items;
    FlattenInto(list, items);
    bool mapped = true;
    for (size_t i = 0; i < items.size(); ++i) {
      const JsonNode& item = *items[i];
      if (!item.is_object()) {
        Error(Path(path, i), "expected an object");
        continue;
      }
      domain::Holder h;
      const JsonNode* id = GetIn(item, "id");
      std::optional<std::string> raw = id ? ScalarText(*id) : std::nullopt;
      if (id == nullptr || (raw && TrimAscii(*raw).empty())) {
        Error(Path(Path(path, i), "id"), "missing");
        continue;
      }
      if (!raw) {
        Error(Path(Path(path, i), "id"), "expected a text");
        continue;
      }
      const JsonNode* type_value = GetIn(item, "typeIdentifiant");
      std::optional<std::string> type =
          type_value == nullptr || type_value->is_string()
              ? Text(type_value, "")
              : Text(type_value, Path(Path(path, i), "typeIdentifiant"));
      if (type) {
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
      const JsonNode* name_value = GetIn(item, "denominationSociale");
      if (name_value == nullptr || name_value->is_string()) {
        if (name_value != nullptr) h.name = std::string(name_value->str());
      } else {
        Error(Path(Path(path, i), "denominationSociale"), "expected a text");
      }
      for (const JsonNode& m : item.children()) {
        if (!Contains({"id", "typeIdentifiant", "denominationSociale"}, m.key()) &&
            !IsEmptyValue(m)) {
          mapped = false;
        }
      }
      out.push_back(std::move(h));
    }
    return mapped;
  }

  void ReadHolders() {
    const std::string_view key = opt_.concession ? "concessionnaires" : "titulaires";
    const JsonNode* v = Get(key);
    if (v == nullptr || IsEmptyValue(*v)) {
      Flag("holders_missing");
      Consume(v);
      return;
    }
    if (Holders(*v, std::string(key), c_.holders)) Consume(v);
    if (c_.holders.empty()) Flag("holders_missing");
  }

  void ReadModifications() {
    const JsonNode* v = Get("modifications");
    if (v == nullptr || IsEmptyValue(*v)) {
      Consume(v);
      return;
    }
    if (!v->is_array()) {
      Error("modifications", "expected a list");
      return;
    }
    bool mapped = true;
    for (size_t i = 0; i < v->size(); ++i) {
      const JsonNode& item = v->children()[i];
      const std::string p = Path("modifications", i);
      if (!item.is_object()) {
        Error(p, "expected an object");
        continue;
      }
      domain::Modification m;
      bool ok = true;
      if (const JsonNode* id = GetIn(item, "id")) {
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
      const JsonNode* signed_on = GetIn(item, "dateNotificationModification");
      if (signed_on == nullptr) signed_on = GetIn(item, "dateSignatureModification");
      ok &= Date(signed_on, m.signed_on) != Outcome::kInvalid;
      ok &= Date(GetIn(item, "datePublicationDonneesModification"), m.published_on) !=
            Outcome::kInvalid;
      bool as_text = false;
      bool rounded = false;
      ok &= Duration(GetIn(item, "dureeMois"), m.duration_months, as_text, rounded) !=
            Outcome::kInvalid;
      const JsonNode* amount = GetIn(item, "montant");
      if (amount == nullptr) amount = GetIn(item, "valeurGlobale");
      ok &= Amount(amount, m.amount, as_text) != Outcome::kInvalid;
      if (!ok) Flag("modification_invalid");
      mapped &= ok;
      const JsonNode* holders = GetIn(item, "titulaires");
      if (holders == nullptr) holders = GetIn(item, "concessionnaires");
      if (holders != nullptr && !IsEmptyValue(*holders)) {
        const std::string hp =
            Path(p, GetIn(item, "titulaires") ? "titulaires" : "concessionnaires");
        mapped &= Holders(*holders, hp, m.holders);
      }
      for (const JsonNode& member : item.children()) {
        if (!Contains({"id", "objetModification", "dateNotificationModification",
                       "dateSignatureModification", "datePublicationDonneesModification",
                       "dureeMois", "montant", "valeurGlobale", "titulaires", "concessionnaires"},
                      member.key()) &&
            !IsEmptyValue(member)) {
          mapped = false;
        }
      }
      c_.modifications.push_back(std::move(m));
    }
    if (mapped) Consume(v);
  }

  void ReadBookkeeping() {
    if (const JsonNode* s = Get("source");
        s != nullptr && s->is_string() && !TrimAscii(s->str()).empty()) {
      c_.source = std::string(s->str());
      Consume(s);
    }
    if (const JsonNode* t = Get("_type"); t != nullptr && t->is_string()) Consume(t);
  }

  const JsonNode& rec_;
  const RecordOptions& opt_;
  LookupCache own_cache_;  // when the reader has none
  LookupCache& cache_;
  std::vector<Extra> extra_;  // one per member of rec_
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

// Bytewise order of keys (std::string's), looking at the first byte inline:
// most keys differ there.
inline bool KeyLess(std::string_view a, std::string_view b) {
  if (!a.empty() && !b.empty() && a.front() != b.front()) {
    return static_cast<unsigned char>(a.front()) < static_cast<unsigned char>(b.front());
  }
  return a < b;
}

}  // namespace

const Result<domain::ParsedCpv>& LookupCache::Cpv(std::string_view code) {
  return cpv_.Get(code, [](std::string_view c) { return domain::ParseCpv(c); });
}

std::optional<domain::ContractNature> LookupCache::Nature(std::string_view label) {
  return nature_.Get(label, [](std::string_view l) { return domain::ParseNature(l); });
}

std::optional<domain::ProcedureType> LookupCache::Procedure(std::string_view label) {
  return procedure_.Get(label, [](std::string_view l) { return domain::ParseProcedure(l); });
}

const JsonNode* JsonNode::Find(std::string_view key) const {
  if (type_ != Type::kObject) return nullptr;
  const JsonNode* b = kids_;
  const JsonNode* e = kids_ + count_;
  const JsonNode* it = std::lower_bound(
      b, e, key, [](const JsonNode& m, std::string_view k) { return KeyLess(m.key_, k); });
  return it != e && it->key_ == key ? it : nullptr;
}

void JsonTree::Build(const simdjson::dom::element& value, bool unwrap_lists) {
  nodes_.clear();
  nodes_.emplace_back();
  Fill(0, value, unwrap_lists);
  Link();
}

void JsonTree::Build(const nlohmann::json& value, bool unwrap_lists) {
  nodes_.clear();
  nodes_.emplace_back();
  Fill(0, value, unwrap_lists);
  Link();
}

void JsonTree::UnwrapRootLists() {
  if (nodes_.front().type_ != JsonNode::Type::kObject) return;
  UnwrapMembers(0);
  Link();
}

// Children are laid out contiguously after their parent's siblings: slots for
// all of a container's children are reserved first, then each is filled.
void JsonTree::Fill(uint32_t slot, const simdjson::dom::element& value, bool unwrap) {
  namespace dom = simdjson::dom;
  JsonNode node;
  switch (value.type()) {
    case dom::element_type::NULL_VALUE:
      node.type_ = JsonNode::Type::kNull;
      break;
    case dom::element_type::BOOL:
      node.type_ = JsonNode::Type::kBool;
      node.bool_ = value.get_bool().value_unsafe();
      break;
    case dom::element_type::INT64:
      node.type_ = JsonNode::Type::kInt;
      node.num_.i = value.get_int64().value_unsafe();
      break;
    case dom::element_type::UINT64:
      node.type_ = JsonNode::Type::kUint;  // simdjson uses it only above INT64_MAX
      node.num_.u = value.get_uint64().value_unsafe();
      break;
    case dom::element_type::DOUBLE:
      node.type_ = JsonNode::Type::kDouble;
      node.num_.d = value.get_double().value_unsafe();
      break;
    case dom::element_type::STRING:
      node.type_ = JsonNode::Type::kString;
      node.str_ = value.get_string().value_unsafe();
      break;
    case dom::element_type::ARRAY: {
      const dom::array array = value.get_array().value_unsafe();
      size_t count = array.size();
      if (count >= 0xFFFFFF) count = static_cast<size_t>(std::distance(array.begin(), array.end()));
      const auto first = static_cast<uint32_t>(nodes_.size());
      nodes_.resize(nodes_.size() + count);
      uint32_t i = first;
      for (dom::element item : array) Fill(i++, item, unwrap);
      node.type_ = JsonNode::Type::kArray;
      node.first_ = first;
      node.count_ = static_cast<uint32_t>(count);
      break;
    }
    case dom::element_type::OBJECT: {
      const dom::object object = value.get_object().value_unsafe();
      size_t count = object.size();
      if (count >= 0xFFFFFF) {
        count = static_cast<size_t>(std::distance(object.begin(), object.end()));
      }
      const auto first = static_cast<uint32_t>(nodes_.size());
      nodes_.resize(nodes_.size() + count);
      uint32_t i = first;
      for (const dom::key_value_pair& member : object) {
        Fill(i, member.value, unwrap);
        nodes_[i++].key_ = member.key;
      }
      node.type_ = JsonNode::Type::kObject;
      node.first_ = first;
      node.count_ = SortMembers(first, static_cast<uint32_t>(count));
      break;
    }
  }
  nodes_[slot] = node;
  if (unwrap && slot != 0 && node.type_ == JsonNode::Type::kObject) UnwrapMembers(slot);
}

void JsonTree::Fill(uint32_t slot, const nlohmann::json& value, bool unwrap) {
  JsonNode node;
  switch (value.type()) {
    case json::value_t::null:
    case json::value_t::discarded:
    case json::value_t::binary:  // not produced by the JSON parser
      node.type_ = JsonNode::Type::kNull;
      break;
    case json::value_t::boolean:
      node.type_ = JsonNode::Type::kBool;
      node.bool_ = value.get<bool>();
      break;
    case json::value_t::number_integer:
      node.type_ = JsonNode::Type::kInt;
      node.num_.i = value.get<int64_t>();
      break;
    case json::value_t::number_unsigned: {
      const auto u = value.get<uint64_t>();
      if (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        node.type_ = JsonNode::Type::kInt;
        node.num_.i = static_cast<int64_t>(u);
      } else {
        node.type_ = JsonNode::Type::kUint;
        node.num_.u = u;
      }
      break;
    }
    case json::value_t::number_float:
      node.type_ = JsonNode::Type::kDouble;
      node.num_.d = value.get<double>();
      break;
    case json::value_t::string:
      node.type_ = JsonNode::Type::kString;
      node.str_ = value.get_ref<const std::string&>();
      break;
    case json::value_t::array: {
      const auto first = static_cast<uint32_t>(nodes_.size());
      nodes_.resize(nodes_.size() + value.size());
      uint32_t i = first;
      for (const json& item : value) Fill(i++, item, unwrap);
      node.type_ = JsonNode::Type::kArray;
      node.first_ = first;
      node.count_ = static_cast<uint32_t>(value.size());
      break;
    }
    case json::value_t::object: {
      const auto first = static_cast<uint32_t>(nodes_.size());
      nodes_.resize(nodes_.size() + value.size());
      uint32_t i = first;
      for (auto it = value.begin(); it != value.end(); ++it) {
        Fill(i, *it, unwrap);
        nodes_[i++].key_ = it.key();
      }
      node.type_ = JsonNode::Type::kObject;
      node.first_ = first;
      node.count_ = SortMembers(first, static_cast<uint32_t>(value.size()));
      break;
    }
  }
  nodes_[slot] = node;
  if (unwrap && slot != 0 && node.type_ == JsonNode::Type::kObject) UnwrapMembers(slot);
}

uint32_t JsonTree::SortMembers(uint32_t first, uint32_t count) {
  JsonNode* b = nodes_.data() + first;
  JsonNode* e = b + count;
  if (count > 32) {
    std::stable_sort(b, e,
                     [](const JsonNode& x, const JsonNode& y) { return KeyLess(x.key_, y.key_); });
  } else {
    for (JsonNode* m = b + 1; m < e; ++m) {  // insertion sort: stable, no allocation
      if (!KeyLess(m->key_, (m - 1)->key_)) continue;
      JsonNode moved = *m;
      JsonNode* to = m;
      for (; to != b && KeyLess(moved.key_, (to - 1)->key_); --to) *to = *(to - 1);
      *to = moved;
    }
  }
  // Equal keys are now adjacent in input order: keep the last of each run.
  JsonNode* out = b;
  for (JsonNode* m = b; m != e; ++m) {
    if (m + 1 != e && (m + 1)->key_ == m->key_) continue;
    if (out != m) *out = *m;
    ++out;
  }
  return static_cast<uint32_t>(out - b);
}

void JsonTree::UnwrapMembers(uint32_t object) {
  const uint32_t first = nodes_[object].first_;
  const uint32_t count = nodes_[object].count_;
  for (uint32_t m = first; m < first + count; ++m) {
    const std::optional<std::string_view> item = ItemNameOf(nodes_[m].key_);
    if (!item) continue;
    // The single member of an object named `item`, or no index.
    const auto wrapped = [&](uint32_t i) -> std::optional<uint32_t> {
      const JsonNode& n = nodes_[i];
      if (n.type_ != JsonNode::Type::kObject || n.count_ != 1) return std::nullopt;
      if (nodes_[n.first_].key_ != *item) return std::nullopt;
      return n.first_;
    };
    if (const auto inner = wrapped(m)) {
      const std::string_view key = nodes_[m].key_;
      if (nodes_[*inner].type_ == JsonNode::Type::kArray) {
        nodes_[m] = nodes_[*inner];
      } else {
        // A single item: a one-item list.
        const auto slot = static_cast<uint32_t>(nodes_.size());
        nodes_.push_back(nodes_[*inner]);
        JsonNode list;
        list.type_ = JsonNode::Type::kArray;
        list.first_ = slot;
        list.count_ = 1;
        nodes_[m] = list;
      }
      nodes_[m].key_ = key;
    }
    if (nodes_[m].type_ == JsonNode::Type::kArray) {
      const uint32_t items = nodes_[m].first_;
      for (uint32_t i = items; i < items + nodes_[m].count_; ++i) {
        if (const auto inner = wrapped(i)) nodes_[i] = nodes_[*inner];
      }
    }
  }
}

void JsonTree::Link() {
  for (JsonNode& n : nodes_) {
    n.kids_ = n.count_ > 0 ? nodes_.data() + n.first_ : nullptr;
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

bool LooksLikeConcession(const JsonNode& record) {
  if (!record.is_object()) return false;
  if (const JsonNode* t = record.Find("_type"); t != nullptr && t->is_string()) {
    const std::string folded = domain::FoldForSearch(t->str());
    if (folded.find("concession") != std::string::npos) return true;
    if (folded.find("march") != std::string::npos) return false;
  }
  for (const char* k :
       {"autoriteConcedante", "concessionnaires", "valeurGlobale", "dateSignature"}) {
    if (const JsonNode* v = record.Find(k); v != nullptr && !IsEmptyValue(*v)) return true;
  }
  return false;
}

DecpRecord ConvertRecord(const JsonNode& record, const RecordOptions& options) {
  return Converter(record, options).Run();
}

}  // namespace limpide::formats::internal
