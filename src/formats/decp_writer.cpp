// DECP 2.x JSON and XML writers. A contract is first converted into a small
// tree of DECP 2.x fields (Node), checked field by field against the 2.x
// rules as it is built; the tree is then written as JSON or XML. The
// decisions are written up in docs/export.md; keep both in step.
#include "formats/decp_writer.h"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "domain/money.h"
#include "domain/procedure.h"
#include "domain/text.h"
#include "domain/time.h"
#include "formats/decp_record.h"

namespace limpide::formats {
namespace {

using internal::JsonNode;
using nlohmann::json;
using JType = internal::JsonNode::Type;
using Names = std::span<const std::string_view>;

// ---- DECP 2.x code lists (schema_decp_v2.0.3.json; the XSD has the same) ----

constexpr std::array<std::string_view, 7> kIdTypes = {"SIRET", "TVA",  "TAHITI", "RIDET",
                                                      "FRWF",  "IREP", "HORS-UE"};
constexpr std::array<std::string_view, 7> kPlaceTypes = {
    "Code postal", "Code commune", "Code arrondissement", "Code canton", "Code département",
    "Code région", "Code pays"};
constexpr std::array<std::string_view, 7> kTechniques = {"Accord-cadre",
                                                         "Concours",
                                                         "Système de qualification",
                                                         "Système d'acquisition dynamique",
                                                         "Catalogue électronique",
                                                         "Enchère électronique",
                                                         "Sans objet"};
constexpr std::array<std::string_view, 4> kModalites = {"Tranches", "Bons de commande",
                                                        "Marchés subséquents", "Sans objet"};
constexpr std::array<std::string_view, 7> kCcag = {
    "Travaux",
    "Maitrise d'œuvre",
    "Fournitures courantes et services",
    "Marchés industriels",
    "Prestations intellectuelles",
    "Techniques de l'information et de la communication",
    "Pas de CCAG"};
constexpr std::array<std::string_view, 3> kGroupements = {"Conjoint", "Solidaire",
                                                          "Pas de groupement"};
constexpr std::array<std::string_view, 4> kTypesPrix = {"Définitif ferme", "Définitif actualisable",
                                                        "Définitif révisable", "Provisoire"};
constexpr std::array<std::string_view, 3> kFormesPrix = {"Unitaire", "Forfaitaire", "Mixte"};
constexpr std::array<std::string_view, 3> kVariationsPrix = {"Ferme", "Actualisable", "Révisable"};
constexpr std::array<std::string_view, 4> kSocialesMarche = {
    "Clause sociale", "Critère social", "Marché réservé", "Pas de considération sociale"};
constexpr std::array<std::string_view, 4> kSocialesConcession = {
    "Clause sociale", "Critère social", "Concession réservée", "Pas de considération sociale"};
constexpr std::array<std::string_view, 3> kEnvironnementales = {
    "Clause environnementale", "Critère environnemental", "Pas de considération environnementale"};

bool In(Names list, std::string_view v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

// ---- The tree of one record ----

struct Node {
  enum class Kind : uint8_t {
    kText,        // "name":"text"              <name>text</name>
    kNumber,      // "name":text                <name>text</name>
    kBool,        // "name":true                <name>oui</name>
    kObject,      // "name":{…}                 <name>…</name>
    kObjectList,  // "name":[{"item":{…}},…]    <name><xml_item>…</xml_item>…</name>
    kValueList,   // "name":{"item":["a",…]}    <name><item>a</item>…</name>
  };
  std::string_view name;
  Kind kind = Kind::kText;
  std::string text;  // kText, kNumber
  bool flag = false;
  std::string_view item;      // kObjectList, kValueList
  std::string_view xml_item;  // kObjectList: the XML item element when it differs
  std::vector<Node> kids;     // members (kObject), items (lists: kObject or kText)

  static Node Text(std::string_view name, std::string text) {
    Node n;
    n.name = name;
    n.text = std::move(text);
    return n;
  }
  static Node Number(std::string_view name, std::string text) {
    Node n = Text(name, std::move(text));
    n.kind = Kind::kNumber;
    return n;
  }
  static Node Bool(std::string_view name, bool value) {
    Node n;
    n.name = name;
    n.kind = Kind::kBool;
    n.flag = value;
    return n;
  }
  static Node Object(std::string_view name) {
    Node n;
    n.name = name;
    n.kind = Kind::kObject;
    return n;
  }
};

// Deep equality, for the uniqueItems rule of the JSON Schema.
bool Same(const Node& a, const Node& b) {
  if (a.name != b.name || a.kind != b.kind || a.text != b.text || a.flag != b.flag ||
      a.kids.size() != b.kids.size()) {
    return false;
  }
  for (size_t i = 0; i < a.kids.size(); ++i) {
    if (!Same(a.kids[i], b.kids[i])) return false;
  }
  return true;
}

// ---- Scalar forms ----

// Shortest decimal that reads back as `d`, never in exponent form (xs:decimal
// has none).
std::string DecimalText(double d) {
  if (d == 0) return "0";  // also -0
  char buf[400];
  auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed);
  if (r.ec != std::errc()) return json(d).dump();
  return std::string(buf, r.ptr);
}

std::string EurosText(domain::Money m) { return domain::FormatEuros(m); }

size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

std::string Quoted(std::string_view s) {
  std::string out = "\"";
  out.append(s.substr(0, 80));
  if (s.size() > 80) out += "…";
  out += "\"";
  return out;
}

// Compact JSON of a value, for reasons.
void AppendShown(std::string& out, const JsonNode& v) {
  switch (v.type()) {
    case JType::kNull:
      out += "null";
      return;
    case JType::kBool:
      out += v.boolean() ? "true" : "false";
      return;
    case JType::kInt:
      out += std::to_string(v.int_value());
      return;
    case JType::kUint:
      out += std::to_string(v.uint_value());
      return;
    case JType::kDouble:
      out += json(v.double_value()).dump();
      return;
    case JType::kString:
      out += json(std::string(v.str())).dump(-1, ' ', false, json::error_handler_t::replace);
      return;
    case JType::kArray:
    case JType::kObject: {
      out += v.is_object() ? '{' : '[';
      bool first = true;
      for (const JsonNode& k : v.children()) {
        if (!first) out += ',';
        first = false;
        if (v.is_object()) out += json(std::string(k.key())).dump() + ":";
        AppendShown(out, k);
        if (out.size() > 200) break;
      }
      out += v.is_object() ? '}' : ']';
      return;
    }
  }
}

// The value as published, for reasons: strings quoted, the rest as JSON.
std::string Shown(const JsonNode& v) {
  if (v.is_string()) return Quoted(v.str());
  std::string s;
  AppendShown(s, v);
  return s.size() > 80 ? s.substr(0, 80) + "…" : s;
}

std::string_view TrimAscii(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<bool> AsBool(const JsonNode& v) {
  if (v.is_bool()) return v.boolean();
  if (v.is_string()) {
    // The XSD's own spellings of a boolean.
    const std::string_view s = TrimAscii(v.str());
    if (s == "oui" || s == "true" || s == "1") return true;
    if (s == "non" || s == "false" || s == "0") return false;
  }
  return std::nullopt;
}

std::optional<double> AsDouble(const JsonNode& v) {
  if (v.is_number()) return v.AsDouble();
  if (v.is_string()) {
    const std::string_view s = TrimAscii(v.str());
    double d = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
    if (!s.empty() && ec == std::errc() && ptr == s.data() + s.size() && std::isfinite(d)) return d;
  }
  return std::nullopt;
}

std::optional<int64_t> AsInteger(const JsonNode& v) {
  if (v.type() == JType::kInt) return v.int_value();
  if (v.type() == JType::kUint) return std::nullopt;  // beyond int64
  if (auto d = AsDouble(v); d && std::floor(*d) == *d && std::abs(*d) < 1e15) {
    return static_cast<int64_t>(*d);
  }
  return std::nullopt;
}

std::string NumberText(const JsonNode& v, double d) {
  return v.type() == JType::kInt ? std::to_string(v.int_value()) : DecimalText(d);
}

// The member `key` of an object, nullptr when absent or null.
const JsonNode* Member(const JsonNode& obj, std::string_view key) {
  const JsonNode* v = obj.Find(key);
  return v == nullptr || v->is_null() ? nullptr : v;
}

// ---- The converter ----

class Converter {
 public:
  // `extra` is the contract's extra_json, parsed.
  Converter(const domain::Contract& c, const JsonNode& extra, std::vector<ExportIssue>& issues)
      : c_(c), extra_(extra), issues_(issues) {}

  // Returns the record, or nullopt when it must be skipped (issues say why).
  std::optional<Node> Run() {
    const bool concession = c_.kind == domain::ContractKind::kConcession;
    Node rec = Node::Object(concession ? "contrat-concession" : "marche");
    rec.kids.reserve(32);  // a 2.x marché has 24 to 31 fields
    if (concession) {
      Concession(rec);
    } else {
      Marche(rec);
    }
    LeftOutRest();
    if (skip_) return std::nullopt;
    return rec;
  }

 private:
  // ---- issues ----
  void Skip(std::string field, std::string code, std::string reason) {
    issues_.push_back({std::move(field), std::move(code), std::move(reason), true});
    skip_ = true;
  }
  void LeftOut(std::string field, std::string code, std::string reason) {
    issues_.push_back({std::move(field), std::move(code), std::move(reason), false});
  }
  // A required field that the contract lacks; `raw` is the published value
  // kept in extra when it could not be read at import.
  void Missing(std::string_view field) {
    if (const JsonNode* raw = Extra(field)) {
      Skip(std::string(field), "invalid",
           "required by DECP 2.x; the published value " + Shown(*raw) + " could not be read");
    } else {
      Skip(std::string(field), "missing", "required by DECP 2.x; the record has none");
    }
    Used(field);
  }
  void NotInList(std::string field, std::string_view value, bool required) {
    std::string reason = Quoted(value) + " is not in the DECP 2.x code list";
    if (required) {
      Skip(std::move(field), "not_in_code_list", std::move(reason));
    } else {
      LeftOut(std::move(field), "not_in_code_list", std::move(reason));
    }
  }

  // ---- extra ----
  const JsonNode* Extra(std::string_view key) const { return Member(extra_, key); }
  void Used(std::string_view key) { used_.emplace_back(key); }

  // Every member of extra not used by the conversion: no place in 2.x.
  void LeftOutRest() {
    for (const JsonNode& member : extra_.children()) {
      if (member.is_null()) continue;
      const std::string key(member.key());
      if (std::find(used_.begin(), used_.end(), key) != used_.end()) continue;
      if (key == "titulaires" || key == "concessionnaires" || key == "modifications") {
        // Kept as published because some of it could not be mapped at import;
        // the output is written from what was read.
        LeftOut(key, "invalid",
                "the list as published holds values or members that could not be read at "
                "import; written from the values that were read");
      } else if (key == "acheteur" || key == "autoriteConcedante" || key == "lieuExecution") {
        LeftOut(key, "not_a_2x_field",
                "members other than those of DECP 2.x have no DECP 2.x field: " + Shown(member));
      } else {
        LeftOut(key, "not_a_2x_field", "no DECP 2.x field holds it: " + Shown(member));
      }
    }
  }

  // ---- common fields ----
  void Id(Node& rec) {
    const size_t n = CodePoints(c_.id);
    if (n == 0) {
      Missing("id");
    } else if (n > 16) {
      Skip("id", "too_long", Quoted(c_.id) + " is longer than the 16 characters of DECP 2.x");
    } else {
      rec.kids.push_back(Node::Text("id", c_.id));
    }
  }

  void Buyer(Node& rec, std::string_view key) {
    const bool ok =
        c_.buyer_id.size() == 14 && std::all_of(c_.buyer_id.begin(), c_.buyer_id.end(),
                                                [](char ch) { return ch >= '0' && ch <= '9'; });
    if (!ok) {
      Skip(std::string(key) + ".id", "invalid", Quoted(c_.buyer_id) + " is not 14 digits");
      return;
    }
    Node buyer = Node::Object(key);
    buyer.kids.push_back(Node::Text("id", c_.buyer_id));
    rec.kids.push_back(std::move(buyer));
    if (!c_.buyer_name.empty()) {
      LeftOut(std::string(key) + ".nom", "not_a_2x_field",
              "DECP 2.x has no buyer name (" + Quoted(c_.buyer_name) + ")");
    }
  }

  void Object(Node& rec) {
    if (TrimAscii(c_.object).empty()) {
      Missing("objet");
    } else if (CodePoints(c_.object) > 1000) {
      Skip("objet", "too_long", "longer than the 1000 characters of DECP 2.x");
    } else {
      rec.kids.push_back(Node::Text("objet", c_.object));
    }
  }

  void Duration(Node& rec) {
    if (!c_.duration_months) {
      Missing("dureeMois");
    } else if (*c_.duration_months < 1) {
      Skip("dureeMois", "out_of_range", "below the DECP 2.x minimum of 1 month");
    } else {
      rec.kids.push_back(Node::Number("dureeMois", std::to_string(*c_.duration_months)));
    }
  }

  void RequiredDate(Node& rec, std::string_view name, const std::optional<domain::Date>& d) {
    if (!d) {
      Missing(name);
    } else {
      rec.kids.push_back(Node::Text(name, domain::FormatDate(*d)));
    }
  }

  // montant / valeurGlobale: at least 1 euro in DECP 2.x.
  void Amount(Node& rec, std::string_view name) {
    if (!c_.amount) {
      Missing(name);
    } else if (c_.amount->cents < 100) {
      Skip(std::string(name), "out_of_range",
           EurosText(*c_.amount) + " is below the DECP 2.x minimum of 1 euro");
    } else {
      rec.kids.push_back(Node::Number(name, EurosText(*c_.amount)));
    }
  }

  // A required list of code-list values from extra ("typesPrix": ["…"]),
  // written as {"typePrix":[…]}. The record is skipped when the list is
  // absent or holds a value outside the code list: a partial list would say
  // something else. Repeated values are written once (uniqueItems). `add` is
  // a value the record states in another field (nature "Accord-cadre").
  void ValueList(Node& rec, std::string_view name, std::string_view item, Names allowed,
                 std::string_view add = {}) {
    const JsonNode* v = Extra(name);
    if (v == nullptr || (v->is_array() && v->empty()) ||
        (v->is_string() && TrimAscii(v->str()).empty())) {
      Missing(name);
      return;
    }
    Used(name);
    // One value written without a list counts as a list of one.
    const std::span<const JsonNode> values =
        v->is_array() ? v->children() : std::span<const JsonNode>(v, 1);
    Node list;
    list.name = name;
    list.kind = Node::Kind::kValueList;
    list.item = item;
    bool ok = true;
    for (size_t i = 0; i < values.size(); ++i) {
      const JsonNode& value = values[i];
      if (!value.is_string() || !In(allowed, value.str())) {
        NotInList(std::string(name) + "[" + std::to_string(i) + "]",
                  value.is_string() ? std::string(value.str()) : Shown(value), true);
        ok = false;
        continue;
      }
      AddValue(list, std::string(value.str()));
    }
    if (!add.empty()) AddValue(list, std::string(add));
    if (ok) rec.kids.push_back(std::move(list));
  }

  static void AddValue(Node& list, std::string value) {
    const bool dup = std::any_of(list.kids.begin(), list.kids.end(),
                                 [&](const Node& k) { return k.text == value; });
    if (!dup) list.kids.push_back(Node::Text(list.item, std::move(value)));
  }

  void Enum(Node& rec, std::string_view name, Names allowed, bool required) {
    const JsonNode* v = Extra(name);
    Used(name);
    if (v == nullptr || (v->is_string() && TrimAscii(v->str()).empty())) {
      if (required) Missing(name);
      return;
    }
    if (!v->is_string() || !In(allowed, v->str())) {
      NotInList(std::string(name), v->is_string() ? std::string(v->str()) : Shown(*v), required);
      return;
    }
    rec.kids.push_back(Node::Text(name, std::string(v->str())));
  }

  void Bool(Node& rec, std::string_view name, bool required) {
    const JsonNode* v = Extra(name);
    Used(name);
    if (v == nullptr) {
      if (required) Missing(name);
      return;
    }
    auto b = AsBool(*v);
    if (!b) {
      const std::string reason = Shown(*v) + " is not a boolean";
      if (required) {
        Skip(std::string(name), "invalid", reason);
      } else {
        LeftOut(std::string(name), "invalid", reason);
      }
      return;
    }
    rec.kids.push_back(Node::Bool(name, *b));
  }

  // An integer >= min from extra.
  void Integer(Node& rec, std::string_view name, int64_t min, bool required) {
    const JsonNode* v = Extra(name);
    Used(name);
    if (v == nullptr) {
      if (required) Missing(name);
      return;
    }
    auto n = AsInteger(*v);
    std::string reason;
    std::string code = "invalid";
    if (!n) {
      reason = Shown(*v) + " is not a whole number";
    } else if (*n < min) {
      code = "out_of_range";
      reason = Shown(*v) + " is below the DECP 2.x minimum of " + std::to_string(min);
    } else {
      rec.kids.push_back(Node::Number(name, std::to_string(*n)));
      return;
    }
    if (required) {
      Skip(std::string(name), code, reason);
    } else {
      LeftOut(std::string(name), code, reason);
    }
  }

  // A number in [min, max] from extra (optional fields only).
  void Rate(Node& rec, std::string_view name) {
    const JsonNode* v = Extra(name);
    Used(name);
    if (v == nullptr) return;
    auto d = AsDouble(*v);
    if (!d) {
      LeftOut(std::string(name), "invalid", Shown(*v) + " is not a number");
    } else if (*d < 0 || *d > 1) {
      LeftOut(std::string(name), "out_of_range", Shown(*v) + " is outside 0..1 (a share)");
    } else {
      rec.kids.push_back(Node::Number(name, NumberText(*v, *d)));
    }
  }

  // A holder list (titulaires / concessionnaires): required, and every holder
  // must be writable, since a partial list would name other winners.
  void Holders(Node& rec, std::string_view name, std::string_view item) {
    if (c_.holders.empty()) {
      Missing(name);
      return;
    }
    Node list;
    if (!HolderList(c_.holders, name, item, std::string(name), list, true)) return;
    rec.kids.push_back(std::move(list));
  }

  // Builds the list node; returns false when a holder cannot be written:
  // the record is skipped when `record_level` (the contract's own holders),
  // else the reason is left in problem_ (a modification's holders).
  bool HolderList(const std::vector<domain::Holder>& holders, std::string_view name,
                  std::string_view item, const std::string& path, Node& list, bool record_level) {
    list.name = name;
    list.kind = Node::Kind::kObjectList;
    list.item = item;
    bool ok = true;
    for (size_t i = 0; i < holders.size(); ++i) {
      const domain::Holder& h = holders[i];
      const std::string p = path + "[" + std::to_string(i) + "]";
      if (!In(kIdTypes, h.id_type)) {
        const std::string reason =
            h.id_type.empty()
                ? std::string("the holder's identifier type is unknown; DECP 2.x requires one")
                : Quoted(h.id_type) + " is not in the DECP 2.x code list";
        if (record_level) {
          Skip(p + ".typeIdentifiant", h.id_type.empty() ? "missing" : "not_in_code_list", reason);
        } else {
          problem_ = p;
          problem_ += ".typeIdentifiant: ";
          problem_ += reason;
        }
        ok = false;
        continue;
      }
      Node holder = Node::Object(item);
      holder.kids.push_back(Node::Text("typeIdentifiant", h.id_type));
      holder.kids.push_back(Node::Text("id", h.id));
      if (!h.name.empty()) {
        LeftOut(p + ".denominationSociale", "not_a_2x_field",
                "DECP 2.x has no holder name (" + Quoted(h.name) + ")");
      }
      const bool dup = std::any_of(list.kids.begin(), list.kids.end(),
                                   [&](const Node& k) { return Same(k, holder); });
      if (dup) {
        LeftOut(p, "duplicate", "the same holder is listed twice; written once");
        continue;
      }
      list.kids.push_back(std::move(holder));
    }
    return ok;
  }

  // Appends `item` to the object list unless an equal item is there already.
  void AddUnique(Node& list, Node item, const std::string& path) {
    if (std::any_of(list.kids.begin(), list.kids.end(),
                    [&](const Node& k) { return Same(k, item); })) {
      LeftOut(path, "duplicate", "the same item is listed twice; written once");
      return;
    }
    list.kids.push_back(std::move(item));
  }

  // ---- marché ----
  void Marche(Node& rec) {
    Id(rec);
    Buyer(rec, "acheteur");
    MarcheNature(rec);
    Object(rec);
    if (c_.cpv.empty()) {
      Missing("codeCPV");
    } else {
      rec.kids.push_back(Node::Text("codeCPV", c_.cpv));
    }
    const bool accord_cadre = c_.nature == domain::ContractNature::kAccordCadre;
    ValueList(rec, "techniques", "technique", kTechniques,
              accord_cadre ? std::string_view("Accord-cadre") : std::string_view());
    ValueList(rec, "modalitesExecution", "modaliteExecution", kModalites);
    IdAccordCadre(rec);
    Bool(rec, "marcheInnovant", true);
    Enum(rec, "ccag", kCcag, true);
    Integer(rec, "offresRecues", 1, true);
    Bool(rec, "attributionAvance", true);
    Rate(rec, "tauxAvance");
    Enum(rec, "typeGroupementOperateurs", kGroupements, true);
    Bool(rec, "sousTraitanceDeclaree", true);
    ActesSousTraitance(rec);
    MarcheProcedure(rec);
    Place(rec);
    Duration(rec);
    RequiredDate(rec, "dateNotification", c_.notified_on);
    RequiredDate(rec, "datePublicationDonnees", c_.published_on);
    Amount(rec, "montant");
    ValueList(rec, "typesPrix", "typePrix", kTypesPrix);
    PriceForm(rec);
    Rate(rec, "origineUE");
    Rate(rec, "origineFrance");
    Holders(rec, "titulaires", "titulaire");
    ValueList(rec, "considerationsSociales", "considerationSociale", kSocialesMarche);
    ValueList(rec, "considerationsEnvironnementales", "considerationEnvironnementale",
              kEnvironnementales);
    ModificationsActesSousTraitance(rec);
    Modifications(rec, false);
  }

  void MarcheNature(Node& rec) {
    if (!c_.nature) {
      Missing("nature");
      return;
    }
    switch (*c_.nature) {
      case domain::ContractNature::kMarche:
      case domain::ContractNature::kMarchePartenariat:
      case domain::ContractNature::kMarcheDefenseSecurite:
        rec.kids.push_back(Node::Text("nature", std::string(domain::Label(*c_.nature))));
        return;
      case domain::ContractNature::kAccordCadre:
      case domain::ContractNature::kMarcheSubsequent:
        // DECP 2.x made these a technique ("Accord-cadre") and a link
        // (idAccordCadre); the nature of both is "Marché".
        rec.kids.push_back(Node::Text("nature", "Marché"));
        return;
      default:
        Skip("nature", "not_in_code_list",
             Quoted(domain::Label(*c_.nature)) + " is not a nature of marché in DECP 2.x");
    }
  }

  void MarcheProcedure(Node& rec) {
    if (!c_.procedure) {
      Missing("procedure");
      return;
    }
    switch (*c_.procedure) {
      case domain::ProcedureType::kProcedureAdaptee:
      case domain::ProcedureType::kAppelOffresOuvert:
      case domain::ProcedureType::kAppelOffresRestreint:
      case domain::ProcedureType::kProcedureAvecNegociation:
      case domain::ProcedureType::kSansPubliciteNiConcurrence:
      case domain::ProcedureType::kDialogueCompetitif:
        rec.kids.push_back(Node::Text("procedure", std::string(domain::Label(*c_.procedure))));
        return;
      default:
        Skip("procedure", "not_in_code_list",
             Quoted(domain::Label(*c_.procedure)) + " is not a procedure of marché in DECP 2.x");
    }
  }

  void IdAccordCadre(Node& rec) {
    const JsonNode* v = Extra("idAccordCadre");
    Used("idAccordCadre");
    if (v == nullptr) return;
    std::string text = v->is_string()             ? std::string(v->str())
                       : v->type() == JType::kInt ? std::to_string(v->int_value())
                                                  : std::string();
    const size_t n = CodePoints(text);
    if (n == 0 || n > 16) {
      LeftOut("idAccordCadre", n == 0 ? "invalid" : "too_long",
              Shown(*v) + " is not an identifier of 1 to 16 characters");
      return;
    }
    rec.kids.push_back(Node::Text("idAccordCadre", std::move(text)));
  }

  void Place(Node& rec) {
    if (!c_.place.name.empty()) {
      LeftOut("lieuExecution.nom", "not_a_2x_field",
              "DECP 2.x has no place name (" + Quoted(c_.place.name) + ")");
    }
    if (c_.place.code.empty()) {
      Missing("lieuExecution");
      return;
    }
    if (c_.place.code_type.empty()) {
      Skip("lieuExecution.typeCode", "missing", "required by DECP 2.x; the record has none");
      return;
    }
    if (!In(kPlaceTypes, c_.place.code_type)) {
      NotInList("lieuExecution.typeCode", c_.place.code_type, true);
      return;
    }
    Node place = Node::Object("lieuExecution");
    place.kids.push_back(Node::Text("code", c_.place.code));
    place.kids.push_back(Node::Text("typeCode", c_.place.code_type));
    rec.kids.push_back(std::move(place));
  }

  void PriceForm(Node& rec) {
    if (c_.price_form.empty()) {
      Missing("formePrix");
      return;
    }
    if (!In(kFormesPrix, c_.price_form)) {
      Skip("formePrix", "not_in_code_list",
           Quoted(c_.price_form) +
               " is not in the DECP 2.x code list (Unitaire, Forfaitaire, Mixte); DECP 1.x price "
               "forms say how the price varies, which 2.x asks in typesPrix");
      return;
    }
    rec.kids.push_back(Node::Text("formePrix", c_.price_form));
  }

  // Items of an optional object list from extra, each written whole or left
  // out with its reason.
  template <typename Build>
  void ExtraObjectList(Node& rec, std::string_view name, std::string_view item,
                       std::string_view xml_item, Build build) {
    const JsonNode* v = Extra(name);
    Used(name);
    if (v == nullptr) return;
    if (!v->is_array()) {
      LeftOut(std::string(name), "invalid", "not a list: " + Shown(*v));
      return;
    }
    Node list;
    list.name = name;
    list.kind = Node::Kind::kObjectList;
    list.item = item;
    list.xml_item = xml_item;
    for (size_t i = 0; i < v->size(); ++i) {
      const std::string path = std::string(name) + "[" + std::to_string(i) + "]";
      const JsonNode& it = v->children()[i];
      Node out = Node::Object(item);
      problem_.clear();
      if (!it.is_object()) {
        problem_ = "not an object";
      } else {
        build(it, out);
      }
      if (!problem_.empty()) {
        LeftOut(path, "invalid", "left out: " + problem_);
        continue;
      }
      AddUnique(list, std::move(out), path);
    }
    if (!list.kids.empty()) rec.kids.push_back(std::move(list));
  }

  // Field readers for the items of extra lists: they record the first
  // problem in problem_ and add nothing then.
  void ItemInteger(const JsonNode& obj, Node& out, std::string_view key, int64_t min,
                   bool required) {
    const JsonNode* it = Member(obj, key);
    if (it == nullptr) {
      if (required) Problem(key, "required, absent");
      return;
    }
    auto n = AsInteger(*it);
    if (!n || *n < min) {
      Problem(key, Shown(*it) + " is not a whole number >= " + std::to_string(min));
      return;
    }
    out.kids.push_back(Node::Number(key, std::to_string(*n)));
  }
  void ItemNumber(const JsonNode& obj, Node& out, std::string_view key, double min, bool required) {
    const JsonNode* it = Member(obj, key);
    if (it == nullptr) {
      if (required) Problem(key, "required, absent");
      return;
    }
    auto d = AsDouble(*it);
    if (!d || *d < min) {
      Problem(key, Shown(*it) + " is not a number >= " + DecimalText(min));
      return;
    }
    out.kids.push_back(Node::Number(key, NumberText(*it, *d)));
  }
  void ItemDate(const JsonNode& obj, Node& out, std::string_view key) {
    const JsonNode* it = Member(obj, key);
    if (it == nullptr) {
      Problem(key, "required, absent");
      return;
    }
    auto d = it->is_string() ? domain::ParseDate(it->str())
                             : Result<domain::Date>(Status::InvalidArgument("not a text"));
    if (!d.ok()) {
      Problem(key, Shown(*it) + " is not a date");
      return;
    }
    out.kids.push_back(Node::Text(key, domain::FormatDate(*d)));
  }
  void ItemEnum(const JsonNode& obj, Node& out, std::string_view key, Names allowed) {
    const JsonNode* it = Member(obj, key);
    if (it == nullptr) {
      Problem(key, "required, absent");
      return;
    }
    if (!it->is_string() || !In(allowed, it->str())) {
      Problem(key, Shown(*it) + " is not in the DECP 2.x code list");
      return;
    }
    out.kids.push_back(Node::Text(key, std::string(it->str())));
  }
  void ItemText(const JsonNode& obj, Node& out, std::string_view key, size_t max) {
    const JsonNode* it = Member(obj, key);
    if (it == nullptr) {
      Problem(key, "required, absent");
      return;
    }
    if (!it->is_string() || CodePoints(it->str()) > max) {
      Problem(key, Shown(*it) + " is not a text of at most " + std::to_string(max) + " characters");
      return;
    }
    out.kids.push_back(Node::Text(key, std::string(it->str())));
  }
  void Problem(std::string_view key, const std::string& what) {
    if (problem_.empty()) problem_ = std::string(key) + ": " + what;
  }

  void ActesSousTraitance(Node& rec) {
    ExtraObjectList(rec, "actesSousTraitance", "acteSousTraitance", "acteSousTraitance",
                    [this](const JsonNode& a, Node& out) {
                      ItemInteger(a, out, "id", 1, true);
                      const JsonNode* st = Member(a, "sousTraitant");
                      if (st == nullptr || !st->is_object()) {
                        Problem("sousTraitant", "required, absent");
                      } else {
                        Node sub = Node::Object("sousTraitant");
                        ItemText(*st, sub, "id", 1000);
                        ItemEnum(*st, sub, "typeIdentifiant", kIdTypes);
                        out.kids.push_back(std::move(sub));
                      }
                      ItemInteger(a, out, "dureeMois", 1, true);
                      ItemDate(a, out, "dateNotification");
                      ItemDate(a, out, "datePublicationDonnees");
                      ItemNumber(a, out, "montant", 1, true);
                      ItemEnum(a, out, "variationPrix", kVariationsPrix);
                    });
  }

  void ModificationsActesSousTraitance(Node& rec) {
    // The XSD names the item "modificationActesSousTraitance", the JSON
    // Schema "modificationActeSousTraitance".
    ExtraObjectList(rec, "modificationsActesSousTraitance", "modificationActeSousTraitance",
                    "modificationActesSousTraitance", [this](const JsonNode& m, Node& out) {
                      ItemInteger(m, out, "id", 1, true);
                      ItemInteger(m, out, "dureeMois", 1, false);
                      ItemDate(m, out, "dateNotificationModificationSousTraitance");
                      ItemNumber(m, out, "montant", 1, false);
                      ItemDate(m, out, "datePublicationDonnees");
                    });
  }

  void DonneesExecution(Node& rec) {
    ExtraObjectList(rec, "donneesExecution", "donneesAnnuelles", "donneesAnnuelles",
                    [this](const JsonNode& d, Node& out) {
                      ItemDate(d, out, "datePublicationDonneesExecution");
                      ItemNumber(d, out, "depensesInvestissement", 0, true);
                      const JsonNode* tarifs = Member(d, "tarifs");
                      if (tarifs == nullptr || !tarifs->is_array() || tarifs->empty()) {
                        Problem("tarifs", "required, absent");
                        return;
                      }
                      Node list;
                      list.name = "tarifs";
                      list.kind = Node::Kind::kObjectList;
                      list.item = "tarif";
                      for (const JsonNode& t : tarifs->children()) {
                        if (!t.is_object()) {
                          Problem("tarifs", "an item is not an object");
                          return;
                        }
                        Node tarif = Node::Object("tarif");
                        ItemText(t, tarif, "intituleTarif", 256);
                        ItemNumber(t, tarif, "tarif", 0, true);
                        list.kids.push_back(std::move(tarif));
                      }
                      out.kids.push_back(std::move(list));
                    });
  }

  // The modifications of the contract, each written whole or left out.
  void Modifications(Node& rec, bool concession) {
    if (c_.modifications.empty()) return;
    Node list;
    list.name = "modifications";
    list.kind = Node::Kind::kObjectList;
    list.item = "modification";
    for (size_t i = 0; i < c_.modifications.size(); ++i) {
      const domain::Modification& m = c_.modifications[i];
      const std::string path = "modifications[" + std::to_string(i) + "]";
      Node out = Node::Object("modification");
      std::string why;
      int64_t id = 0;
      auto [ptr, ec] = std::from_chars(m.id.data(), m.id.data() + m.id.size(), id);
      if (ec != std::errc() || ptr != m.id.data() + m.id.size() || id < 1) {
        why = "id " + Quoted(m.id) + " is not a whole number >= 1";
      } else if (!m.signed_on) {
        why = concession ? "dateSignatureModification is required and absent"
                         : "dateNotificationModification is required and absent";
      } else if (!m.published_on) {
        why = "datePublicationDonneesModification is required and absent";
      } else if (m.duration_months && *m.duration_months < 1) {
        why = "dureeMois is below 1";
      } else if (m.amount && m.amount->cents < 100) {
        why = (concession ? "valeurGlobale " : "montant ") + EurosText(*m.amount) +
              " is below the DECP 2.x minimum of 1 euro";
      } else if (concession && !m.holders.empty()) {
        why =
            "it changes the concessionnaires, which a DECP 2.x modification of a contrat de "
            "concession cannot say";
      }
      if (why.empty()) {
        out.kids.push_back(Node::Number("id", std::to_string(id)));
        if (!concession && !m.holders.empty()) {
          Node holders;
          problem_.clear();
          if (!HolderList(m.holders, "titulaires", "titulaire", path + ".titulaires", holders,
                          false)) {
            why = problem_;
          } else {
            out.kids.push_back(std::move(holders));
          }
        }
      }
      if (!why.empty()) {
        LeftOut(path, "invalid", "modification left out: " + why);
        continue;
      }
      out.kids.push_back(
          Node::Text(concession ? "dateSignatureModification" : "dateNotificationModification",
                     domain::FormatDate(*m.signed_on)));
      out.kids.push_back(
          Node::Text("datePublicationDonneesModification", domain::FormatDate(*m.published_on)));
      if (m.duration_months) {
        out.kids.push_back(Node::Number("dureeMois", std::to_string(*m.duration_months)));
      }
      if (m.amount) {
        out.kids.push_back(
            Node::Number(concession ? "valeurGlobale" : "montant", EurosText(*m.amount)));
      }
      if (!m.object.empty()) {
        LeftOut(path + ".objetModification", "not_a_2x_field",
                "DECP 2.x has no object of modification (" + Quoted(m.object) + ")");
      }
      AddUnique(list, std::move(out), path);
    }
    if (!list.kids.empty()) rec.kids.push_back(std::move(list));
  }

  // ---- contrat de concession ----
  void Concession(Node& rec) {
    Id(rec);
    Buyer(rec, "autoriteConcedante");
    if (!c_.nature) {
      Missing("nature");
    } else if (!domain::IsConcession(*c_.nature)) {
      Skip("nature", "not_in_code_list",
           Quoted(domain::Label(*c_.nature)) +
               " is not a nature of contrat de concession in DECP 2.x");
    } else {
      rec.kids.push_back(Node::Text("nature", std::string(domain::Label(*c_.nature))));
    }
    Object(rec);
    if (!c_.procedure) {
      Missing("procedure");
    } else {
      switch (*c_.procedure) {
        case domain::ProcedureType::kNegocieeOuverte:
        case domain::ProcedureType::kNonNegocieeOuverte:
        case domain::ProcedureType::kNegocieeRestreinte:
        case domain::ProcedureType::kNonNegocieeRestreinte:
          rec.kids.push_back(Node::Text("procedure", std::string(domain::Label(*c_.procedure))));
          break;
        default:
          Skip("procedure", "not_in_code_list",
               Quoted(domain::Label(*c_.procedure)) +
                   " is not a procedure of contrat de concession in DECP 2.x");
      }
    }
    Duration(rec);
    RequiredDate(rec, "dateSignature", c_.notified_on);
    RequiredDate(rec, "datePublicationDonnees", c_.published_on);
    RequiredDate(rec, "dateDebutExecution", c_.execution_start);
    Amount(rec, "valeurGlobale");
    if (!c_.public_subsidy) {
      Missing("montantSubventionPublique");
    } else if (c_.public_subsidy->cents < 0) {
      Skip("montantSubventionPublique", "out_of_range", "negative");
    } else {
      rec.kids.push_back(Node::Number("montantSubventionPublique", EurosText(*c_.public_subsidy)));
    }
    DonneesExecution(rec);
    Holders(rec, "concessionnaires", "concessionnaire");
    ValueList(rec, "considerationsSociales", "considerationSociale", kSocialesConcession);
    ValueList(rec, "considerationsEnvironnementales", "considerationEnvironnementale",
              kEnvironnementales);
    Modifications(rec, true);
    // Fields of a 1.x concession that 2.x dropped.
    if (!c_.cpv.empty()) {
      LeftOut("codeCPV", "not_a_2x_field",
              "a contrat de concession has no CPV code in DECP 2.x (" + c_.cpv + ")");
    }
    if (!c_.place.code.empty() || !c_.place.name.empty()) {
      LeftOut("lieuExecution", "not_a_2x_field",
              "a contrat de concession has no place of execution in DECP 2.x");
    }
    if (!c_.price_form.empty()) {
      LeftOut(
          "formePrix", "not_a_2x_field",
          "a contrat de concession has no price form in DECP 2.x (" + Quoted(c_.price_form) + ")");
    }
  }

  const domain::Contract& c_;
  const JsonNode& extra_;
  std::vector<ExportIssue>& issues_;
  std::vector<std::string> used_;
  std::string problem_;  // first problem of the list item being built
  bool skip_ = false;
};

// ---- Writing ----

// `s` with invalid UTF-8 replaced (stored text is valid; this is a guard).
std::string_view ValidUtf8(std::string_view s, std::string& scratch) {
  const bool ascii = std::all_of(s.begin(), s.end(), [](char c) { return (c & 0x80) == 0; });
  if (ascii || domain::IsValidUtf8(s)) return s;
  scratch = internal::SanitizeUtf8(s);
  return scratch;
}

void AppendJsonString(std::string& out, std::string_view raw) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string scratch;
  const std::string_view s = ValidUtf8(raw, scratch);
  out.push_back('"');
  size_t run = 0;
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

void AppendJsonValue(std::string& out, const Node& n);

void AppendJsonMembers(std::string& out, const Node& n) {
  out.push_back('{');
  for (size_t i = 0; i < n.kids.size(); ++i) {
    if (i) out.push_back(',');
    AppendJsonString(out, n.kids[i].name);
    out.push_back(':');
    AppendJsonValue(out, n.kids[i]);
  }
  out.push_back('}');
}

void AppendJsonValue(std::string& out, const Node& n) {
  switch (n.kind) {
    case Node::Kind::kText:
      AppendJsonString(out, n.text);
      return;
    case Node::Kind::kNumber:
      out.append(n.text);
      return;
    case Node::Kind::kBool:
      out.append(n.flag ? "true" : "false");
      return;
    case Node::Kind::kObject:
      AppendJsonMembers(out, n);
      return;
    case Node::Kind::kObjectList:
      out.push_back('[');
      for (size_t i = 0; i < n.kids.size(); ++i) {
        if (i) out.push_back(',');
        out.push_back('{');
        AppendJsonString(out, n.item);
        out.push_back(':');
        AppendJsonMembers(out, n.kids[i]);
        out.push_back('}');
      }
      out.push_back(']');
      return;
    case Node::Kind::kValueList:
      out.push_back('{');
      AppendJsonString(out, n.item);
      out.append(":[");
      for (size_t i = 0; i < n.kids.size(); ++i) {
        if (i) out.push_back(',');
        AppendJsonString(out, n.kids[i].text);
      }
      out.append("]}");
      return;
  }
}

// XML 1.0 text: markup escaped, CR kept as a reference (parsers turn a raw CR
// into LF), and the C0 controls XML cannot hold replaced by U+FFFD (reported).
void AppendXmlText(std::string& out, std::string_view raw, bool& replaced) {
  std::string scratch;
  const std::string_view s = ValidUtf8(raw, scratch);
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '&':
        out.append("&amp;");
        break;
      case '<':
        out.append("&lt;");
        break;
      case '>':
        out.append("&gt;");
        break;
      case '\r':
        out.append("&#13;");
        break;
      case '\t':
      case '\n':
        out.push_back(static_cast<char>(c));
        break;
      default:
        if (c < 0x20) {
          out.append("\xEF\xBF\xBD");
          replaced = true;
        } else if (c == 0xEF && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xBF &&
                   (static_cast<unsigned char>(s[i + 2]) == 0xBE ||
                    static_cast<unsigned char>(s[i + 2]) == 0xBF)) {
          // U+FFFE and U+FFFF are not XML characters either.
          out.append("\xEF\xBF\xBD");
          i += 2;
          replaced = true;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
}

void AppendXmlOpen(std::string& out, std::string_view name) {
  out.push_back('<');
  out.append(name);
  out.push_back('>');
}

void AppendXmlClose(std::string& out, std::string_view name) {
  out.append("</");
  out.append(name);
  out.push_back('>');
}

void AppendXml(std::string& out, const Node& n, std::string_view name, bool& replaced) {
  AppendXmlOpen(out, name);
  switch (n.kind) {
    case Node::Kind::kText:
      AppendXmlText(out, n.text, replaced);
      break;
    case Node::Kind::kNumber:
      out.append(n.text);
      break;
    case Node::Kind::kBool:
      // The spelling of the official XML examples.
      out.append(n.flag ? "oui" : "non");
      break;
    case Node::Kind::kObject:
      for (const Node& k : n.kids) AppendXml(out, k, k.name, replaced);
      break;
    case Node::Kind::kObjectList:
      for (const Node& k : n.kids)
        AppendXml(out, k, n.xml_item.empty() ? n.item : n.xml_item, replaced);
      break;
    case Node::Kind::kValueList:
      for (const Node& k : n.kids) AppendXml(out, k, n.item, replaced);
      break;
  }
  AppendXmlClose(out, name);
}

// Parses extra_json (simdjson, into the readers' JsonTree); one per writer,
// reused from record to record.
class ExtraParser {
 public:
  const JsonNode& Parse(const std::string& text) {
    simdjson::dom::element doc;
    if (parser_.parse(text).get(doc) != simdjson::SUCCESS ||
        doc.type() != simdjson::dom::element_type::OBJECT) {
      // Stored extra_json is always an object; a broken one converts as
      // "no extra field" (the required 2.x fields then skip the record).
      static const simdjson::padded_string kEmpty(std::string_view("{}"));
      const simdjson::error_code empty = parser_.parse(kEmpty).get(doc);
      if (empty != simdjson::SUCCESS) std::abort();  // "{}" always parses
    }
    tree_.Build(doc, /*unwrap_lists=*/false);
    return tree_.root();
  }

 private:
  simdjson::dom::parser parser_;
  internal::JsonTree tree_;
};

// Converts `c`; nullopt when it must be skipped.
std::optional<Node> Convert(const domain::Contract& c, ExtraParser& extra,
                            DecpWriteOutcome& outcome) {
  return Converter(c, extra.Parse(c.extra_json), outcome.issues).Run();
}

// Skipping reasons first, then what was left out, each in field order.
void SortIssues(std::vector<ExportIssue>& issues) {
  std::stable_partition(issues.begin(), issues.end(),
                        [](const ExportIssue& i) { return i.skips_record; });
}

// JSON keeps marchés and contrats de concession in two lists, while contracts
// come in any order: marchés are written as they come, concessions are held
// back (in memory up to kHeldInMemory, then in a temporary file) and written
// by End, in pieces.
class JsonWriter final : public DecpWriter {
 public:
  static constexpr size_t kHeldInMemory = 1 << 20;
  static constexpr size_t kEndPiece = 256 << 10;

  ~JsonWriter() override {
    if (spill_ != nullptr) std::fclose(spill_);
  }

  void Begin(std::string& out) override { out.append(R"({"marches":{"marche":[)"); }

  DecpWriteOutcome Write(const domain::Contract& c, std::string& out) override {
    DecpWriteOutcome outcome;
    std::optional<Node> rec = Convert(c, extra_, outcome);
    SortIssues(outcome.issues);
    if (!rec) return outcome;
    if (c.kind == domain::ContractKind::kConcession) {
      held_.append(concessions_ > 0 ? ",\n" : "\n");
      AppendJsonMembers(held_, *rec);
      ++concessions_;
      if (held_.size() >= kHeldInMemory) Spill();
    } else {
      out.append(marches_ > 0 ? ",\n" : "\n");
      AppendJsonMembers(out, *rec);
      ++marches_;
    }
    outcome.written = true;
    return outcome;
  }

  bool End(std::string& out) override {
    if (!ending_) {
      ending_ = true;
      out.append(marches_ > 0 ? "\n]" : "]");
      if (concessions_ == 0) {
        out.append("}}\n");
        return true;
      }
      out.append(R"(,"contrat-concession":[)");
      if (spill_ != nullptr) std::rewind(spill_);
    }
    if (spill_ != nullptr && status_.ok()) {
      const size_t at = out.size();
      out.resize(at + kEndPiece);
      const size_t n = std::fread(out.data() + at, 1, kEndPiece, spill_);
      out.resize(at + n);
      if (n == kEndPiece) return false;
      if (std::ferror(spill_))
        status_ = Status::Unavailable("cannot read back the held concessions");
      std::fclose(spill_);
      spill_ = nullptr;
      return false;
    }
    out.append(held_);
    held_.clear();
    out.append("\n]}}\n");
    return true;
  }

  Status status() const override { return status_; }

 private:
  // Moves the held concessions to the temporary file.
  void Spill() {
    if (!status_.ok()) return;
    if (spill_ == nullptr) spill_ = std::tmpfile();
    if (spill_ == nullptr || std::fwrite(held_.data(), 1, held_.size(), spill_) != held_.size()) {
      status_ = Status::Unavailable("cannot hold the contrats de concession in a temporary file: " +
                                    std::string(std::strerror(errno)));
      return;
    }
    held_.clear();
  }

  int64_t marches_ = 0;
  int64_t concessions_ = 0;
  std::string held_;            // concessions not yet in spill_
  std::FILE* spill_ = nullptr;  // concessions held beyond kHeldInMemory
  bool ending_ = false;
  Status status_;
  ExtraParser extra_;
};

class XmlWriter final : public DecpWriter {
 public:
  void Begin(std::string& out) override {
    out.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<marches>\n");
  }

  DecpWriteOutcome Write(const domain::Contract& c, std::string& out) override {
    DecpWriteOutcome outcome;
    std::optional<Node> rec = Convert(c, extra_, outcome);
    SortIssues(outcome.issues);
    if (!rec) return outcome;
    bool replaced = false;
    AppendXml(out, *rec, rec->name, replaced);
    out.push_back('\n');
    if (replaced) {
      outcome.issues.push_back({"", "control_char_replaced",
                                "control characters that XML 1.0 cannot hold were replaced by "
                                "U+FFFD",
                                false});
    }
    outcome.written = true;
    return outcome;
  }

  bool End(std::string& out) override {
    out.append("</marches>\n");
    return true;
  }

  Status status() const override { return Status::Ok(); }

 private:
  ExtraParser extra_;
};

}  // namespace

std::unique_ptr<DecpWriter> MakeDecpWriter(DecpSyntax syntax) {
  if (syntax == DecpSyntax::kXml) return std::make_unique<XmlWriter>();
  return std::make_unique<JsonWriter>();
}

std::string IssueField(std::string_view field) {
  std::string out;
  out.reserve(field.size());
  bool in_index = false;
  for (char c : field) {
    if (c == '[') {
      in_index = true;
      out.append("[]");
    } else if (c == ']') {
      in_index = false;
    } else if (!in_index) {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace limpide::formats
