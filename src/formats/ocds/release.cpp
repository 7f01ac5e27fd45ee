#include "formats/ocds/release.h"

#include <simdjson.h>

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "domain/money.h"
#include "domain/procedure.h"
#include "domain/time.h"
#include "formats/decp_record.h"
#include "formats/json_text.h"

namespace limpide::embedded {
extern const std::string_view kOcdsReleaseSchema;
}

namespace limpide::formats::ocds {
namespace {

using domain::Instant;
using nlohmann::json;

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kMicrosPerDay = 86'400 * kMicrosPerSecond;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Midnight in Paris at the start of `d`.
Instant ParisMidnight(const domain::Date& d) {
  const int64_t utc_midnight = domain::DaysFromCivil(d) * kMicrosPerDay;
  // The offset in force just before local midnight (changes happen at 01:00 UTC).
  const int off = domain::ParisOffsetMinutes(Instant{utc_midnight - 3 * 3600 * kMicrosPerSecond});
  return Instant{utc_midnight - off * 60 * kMicrosPerSecond};
}

// "2024-03-01T00:00:00+01:00": `t` in Europe/Paris time, to the second.
std::string FormatParis(Instant t) {
  const int off = domain::ParisOffsetMinutes(t);
  const int64_t local = t.micros + off * 60 * kMicrosPerSecond;
  const int64_t days = FloorDiv(local, kMicrosPerDay);
  const int64_t secs = (local - days * kMicrosPerDay) / kMicrosPerSecond;
  const domain::Date d = domain::CivilFromDays(days);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d+%02d:%02d", d.year, d.month, d.day,
                static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60),
                static_cast<int>(secs % 60), off / 60, off % 60);
  return buf;
}

// "2024-03-01T00:00:00+01:00" with its quotes: FormatParis without snprintf.
void AppendParis(std::string& out, Instant t) {
  const int off = domain::ParisOffsetMinutes(t);
  const int64_t local = t.micros + off * 60 * kMicrosPerSecond;
  const int64_t days = FloorDiv(local, kMicrosPerDay);
  const int64_t secs = (local - days * kMicrosPerDay) / kMicrosPerSecond;
  const domain::Date d = domain::CivilFromDays(days);
  if (d.year < 0 || d.year > 9999 || off < 0) {
    out.push_back('"');
    out += FormatParis(t);
    out.push_back('"');
    return;
  }
  const auto digit = [](int64_t v) { return static_cast<char>('0' + v % 10); };
  const int64_t h = secs / 3600, m = secs / 60 % 60, s = secs % 60;
  const char text[27] = {'"',
                         digit(d.year / 1000),
                         digit(d.year / 100),
                         digit(d.year / 10),
                         digit(d.year),
                         '-',
                         digit(d.month / 10),
                         digit(d.month),
                         '-',
                         digit(d.day / 10),
                         digit(d.day),
                         'T',
                         digit(h / 10),
                         digit(h),
                         ':',
                         digit(m / 10),
                         digit(m),
                         ':',
                         digit(s / 10),
                         digit(s),
                         '+',
                         digit(off / 600),
                         digit(off / 60),
                         ':',
                         digit(off % 60 / 10),
                         digit(off % 60),
                         '"'};
  out.append(text, sizeof text);
}

// ---- The writer ----------------------------------------------------------------
// The releases are written as text, keys in byte order and values as
// nlohmann's serializer writes them (formats/json_text.h), so that each line
// is exactly json::parse(line).dump(): the form the files and the API have
// always had. Nothing empty is written (no empty string, object or array):
// OCDS data review flags them, so every optional member is tested first.

using json_text::AppendDouble;
using json_text::AppendInt;
using json_text::AppendKey;
using json_text::AppendString;

// `"key":"value"` when `value` is not empty.
void AppendText(std::string& out, bool& first, std::string_view key, std::string_view value) {
  if (value.empty()) return;
  AppendKey(out, first, key);
  AppendString(out, value);
}

// `"key":"YYYY-MM-DD"`.
void AppendDay(std::string& out, bool& first, std::string_view key, const domain::Date& d) {
  AppendKey(out, first, key);
  AppendString(out, domain::FormatDate(d));
}

// {"amount":…,"currency":"EUR"}
void AppendValue(std::string& out, bool& first, domain::Money m) {
  AppendKey(out, first, "value");
  out += "{\"amount\":";
  AppendDouble(out, domain::ToEuros(m));
  out += ",\"currency\":\"EUR\"}";
}

bool IsSiret(const domain::Holder& h) { return h.id_type.empty() || h.id_type == "SIRET"; }

std::string PartyId(const domain::Holder& h) {
  if (IsSiret(h)) return std::string(kSiretScheme) + "-" + h.id;
  return "DECP-" + h.id_type + "-" + h.id;
}

// {"id":PARTY ID,"name":NAME} (an OrganizationReference).
void AppendReference(std::string& out, const std::string& party_id, const domain::Holder& h) {
  out += "{\"id\":";
  AppendString(out, party_id);
  if (!h.name.empty()) {
    out += ",\"name\":";
    AppendString(out, h.name);
  }
  out.push_back('}');
}

// Parties by id, roles merged, in first-seen order; holders without an id are
// not parties.
class Parties {
 public:
  void Add(const domain::Holder& h, std::string_view role) {
    if (h.id.empty()) return;
    std::string id = PartyId(h);
    for (Party& p : list_) {
      if (p.id != id) continue;
      if (std::find(p.roles.begin(), p.roles.end(), role) == p.roles.end()) p.roles.push_back(role);
      return;
    }
    list_.push_back(Party{std::move(id), &h, {role}});
  }
  // `"parties":[…]` unless there is none.
  void Append(std::string& out, bool& first) const {
    if (list_.empty()) return;
    AppendKey(out, first, "parties");
    out.push_back('[');
    for (size_t i = 0; i < list_.size(); ++i) {
      if (i) out.push_back(',');
      const Party& p = list_[i];
      const domain::Holder& h = *p.holder;
      bool f = true;
      out.push_back('{');
      if (!IsSiret(h)) {
        AppendKey(out, f, "decp");
        out += "{\"typeIdentifiant\":";
        AppendString(out, h.id_type);
        out.push_back('}');
      }
      AppendKey(out, f, "id");
      AppendString(out, p.id);
      AppendKey(out, f, "identifier");
      out += "{\"id\":";
      AppendString(out, h.id);
      if (!h.name.empty()) {
        out += ",\"legalName\":";
        AppendString(out, h.name);
      }
      if (IsSiret(h)) {
        out += ",\"scheme\":";
        AppendString(out, kSiretScheme);
      }
      out.push_back('}');
      AppendText(out, f, "name", h.name);
      AppendKey(out, f, "roles");
      out.push_back('[');
      for (size_t r = 0; r < p.roles.size(); ++r) {
        if (r) out.push_back(',');
        AppendString(out, p.roles[r]);
      }
      out += "]}";
    }
    out.push_back(']');
  }

 private:
  struct Party {
    std::string id;
    const domain::Holder* holder;  // the first seen with that id
    std::vector<std::string_view> roles;
  };
  std::vector<Party> list_;
};

// `"suppliers":[…]`: references to the holders, once each (DECP files repeat
// holders); nothing when none has an id.
void AppendSuppliers(std::string& out, bool& first, const std::vector<domain::Holder>& holders) {
  std::vector<std::string> seen;
  for (const auto& h : holders) {
    if (h.id.empty()) continue;
    std::string id = PartyId(h);
    if (std::find(seen.begin(), seen.end(), id) != seen.end()) continue;
    if (seen.empty()) {
      AppendKey(out, first, "suppliers");
      out.push_back('[');
    } else {
      out.push_back(',');
    }
    AppendReference(out, id, h);
    seen.push_back(std::move(id));
  }
  if (!seen.empty()) out.push_back(']');
}

std::optional<std::string_view> MainCategory(domain::ContractNature n) {
  using N = domain::ContractNature;
  switch (n) {
    case N::kConcessionTravaux:
      return "works";
    case N::kConcessionService:
    case N::kConcessionServicePublic:
    case N::kDelegationServicePublic:
      return "services";
    default:
      return std::nullopt;
  }
}

// Whether `j` is empty once pruned (an empty string, object or array, or null).
bool IsEmptyValue(const json& j) {
  return (j.is_string() && j.get_ref<const std::string&>().empty()) ||
         ((j.is_object() || j.is_array()) && j.empty()) || j.is_null();
}

// Removes empty strings, objects and arrays, and nulls (recursively): DECP
// extras may carry some.
void Prune(json& j) {
  if (!j.is_structured()) return;
  for (auto it = j.begin(); it != j.end();) {
    Prune(*it);
    it = IsEmptyValue(*it) ? j.erase(it) : std::next(it);
  }
}

using internal::JsonNode;

// Whether `v` is nothing once pruned as Prune does.
bool PrunedEmpty(const JsonNode& v) {
  switch (v.type()) {
    case JsonNode::Type::kNull:
      return true;
    case JsonNode::Type::kString:
      return v.str().empty();
    case JsonNode::Type::kArray:
    case JsonNode::Type::kObject:
      return std::all_of(v.children().begin(), v.children().end(), PrunedEmpty);
    default:
      return false;
  }
}

// Appends `v` pruned, as nlohmann writes the pruned value: JsonTree objects
// are in nlohmann's key order with one member per key (the last), and
// simdjson types numbers as nlohmann does (integers as int64 or uint64, "-0"
// as the integer 0, the rest as doubles); the tests hold it to that.
void AppendPruned(std::string& out, const JsonNode& v) {
  switch (v.type()) {
    case JsonNode::Type::kNull:
      out += "null";
      return;
    case JsonNode::Type::kBool:
      out += v.boolean() ? "true" : "false";
      return;
    case JsonNode::Type::kInt:
      AppendInt(out, v.int_value());
      return;
    case JsonNode::Type::kUint:
      out += std::to_string(v.uint_value());
      return;
    case JsonNode::Type::kDouble:
      AppendDouble(out, v.double_value());
      return;
    case JsonNode::Type::kString:
      AppendString(out, v.str());
      return;
    case JsonNode::Type::kArray:
    case JsonNode::Type::kObject: {
      const bool object = v.is_object();
      out.push_back(object ? '{' : '[');
      bool first = true;
      for (const JsonNode& kid : v.children()) {
        if (PrunedEmpty(kid)) continue;
        if (!first) out.push_back(',');
        first = false;
        if (object) {
          AppendString(out, kid.key());
          out.push_back(':');
        }
        AppendPruned(out, kid);
      }
      out.push_back(object ? '}' : ']');
      return;
    }
  }
}

// `"autres":{…}`: the contract's extra DECP fields, pruned, unless nothing is
// left. Parsed with simdjson into the readers' JsonTree (one per thread,
// reused); by nlohmann when simdjson refuses it (not JSON, invalid UTF-8,
// integers beyond 64 bits), so that the text is still what nlohmann gives.
void AppendExtras(std::string& out, bool& first, const std::string& extra_json) {
  if (extra_json.empty() || extra_json == "{}") return;
  thread_local simdjson::dom::parser parser;
  thread_local internal::JsonTree tree;
  simdjson::dom::element doc;
  if (parser.parse(extra_json).get(doc) == simdjson::SUCCESS &&
      doc.type() == simdjson::dom::element_type::OBJECT) {
    tree.Build(doc, /*unwrap_lists=*/false);
    if (PrunedEmpty(tree.root())) return;
    AppendKey(out, first, "autres");
    AppendPruned(out, tree.root());
    return;
  }
  json extra = json::parse(extra_json, nullptr, /*allow_exceptions=*/false);
  if (!extra.is_object()) return;
  Prune(extra);
  if (extra.empty()) return;
  AppendKey(out, first, "autres");
  out += extra.dump(-1, ' ', false, json::error_handler_t::replace);
}

// `"items":[…]`: the CPV code as the classification of the one item.
void AppendItems(std::string& out, bool& first, const domain::Contract& c) {
  if (c.cpv.empty()) return;
  AppendKey(out, first, "items");
  out += "[{\"classification\":{\"id\":";
  AppendString(out, c.cpv);
  out += ",\"scheme\":\"CPV\"}";
  if (!c.object.empty()) {
    out += ",\"description\":";
    AppendString(out, c.object);
  }
  out += ",\"id\":\"1\"}]";
}

// `"decp":{…}`: the DECP fields without an OCDS home (docs/ocds-mapping.md).
void AppendDecpExtension(std::string& out, bool& first, const domain::Contract& c,
                         bool date_unknown) {
  AppendKey(out, first, "decp");
  bool f = true;
  out.push_back('{');
  AppendExtras(out, f, c.extra_json);
  if (date_unknown) {
    AppendKey(out, f, "dateInconnue");
    out += "true";
  }
  if (c.notified_on) AppendDay(out, f, "dateNotification", *c.notified_on);
  if (c.published_on) AppendDay(out, f, "datePublicationDonnees", *c.published_on);
  if (c.duration_months) {
    AppendKey(out, f, "dureeMois");
    AppendInt(out, *c.duration_months);
  }
  AppendText(out, f, "formePrix", c.price_form);
  AppendText(out, f, "id", c.id);
  if (!c.place.code.empty() || !c.place.name.empty() || !c.place.code_type.empty()) {
    AppendKey(out, f, "lieuExecution");
    bool p = true;
    out.push_back('{');
    AppendText(out, p, "code", c.place.code);
    AppendText(out, p, "nom", c.place.name);
    AppendText(out, p, "typeCode", c.place.code_type);
    out.push_back('}');
  }
  if (c.public_subsidy) {
    AppendKey(out, f, "montantSubventionPublique");
    AppendDouble(out, domain::ToEuros(*c.public_subsidy));
  }
  if (c.nature) AppendText(out, f, "nature", domain::Label(*c.nature));
  if (c.procedure) AppendText(out, f, "procedure", domain::Label(*c.procedure));
  AppendText(out, f, "source", c.source);
  AppendText(out, f, "type", c.kind == domain::ContractKind::kConcession ? "concession" : "marche");
  AppendText(out, f, "uid", c.uid);
  AppendText(out, f, "versionDecp", c.schema_version);
  out.push_back('}');
}

// The members every release has after its own: `"id"`, `"initiationType"`,
// `"language"`, `"ocid"` (in key order with what the caller writes around).
void AppendIdentity(std::string& out, bool& first, const std::string& ocid, std::string_view id) {
  AppendKey(out, first, "id");
  AppendString(out, id);
  out += ",\"initiationType\":\"tender\",\"language\":\"fr\",\"ocid\":";
  AppendString(out, ocid);
}

// The award/contract release (release 1).
void AppendAwardRelease(std::string& out, const domain::Contract& c, const std::string& ocid,
                        const std::string& id, Instant date, bool date_unknown) {
  domain::Holder buyer{c.buyer_id, "SIRET", c.buyer_name};
  Parties parties;
  parties.Add(buyer, "buyer");
  for (const auto& h : c.holders) parties.Add(h, "supplier");

  bool first = true;
  out.push_back('{');
  // awards: one, always (it has an id).
  AppendKey(out, first, "awards");
  {
    bool f = true;
    out += "[{";
    if (c.notified_on) {
      AppendKey(out, f, "date");
      AppendParis(out, ParisMidnight(*c.notified_on));
    }
    AppendText(out, f, "description", c.object);
    AppendKey(out, f, "id");
    out += "\"1\"";
    AppendItems(out, f, c);
    AppendSuppliers(out, f, c.holders);
    if (c.amount) AppendValue(out, f, *c.amount);
    out += "}]";
  }
  if (!c.buyer_id.empty()) {
    AppendKey(out, first, "buyer");
    AppendReference(out, PartyId(buyer), buyer);
  }
  AppendKey(out, first, "contracts");
  {
    bool f = true;
    out += "[{\"awardID\":\"1\"";
    f = false;
    if (c.notified_on) {
      AppendKey(out, f, "dateSigned");
      AppendParis(out, ParisMidnight(*c.notified_on));
    }
    AppendText(out, f, "description", c.object);
    AppendKey(out, f, "id");
    out += "\"1\"";
    AppendItems(out, f, c);
    if (c.execution_start) {
      AppendKey(out, f, "period");
      out += "{\"startDate\":";
      AppendParis(out, ParisMidnight(*c.execution_start));
      out.push_back('}');
    }
    if (c.amount) AppendValue(out, f, *c.amount);
    out += "}]";
  }
  AppendKey(out, first, "date");
  AppendParis(out, date);
  AppendDecpExtension(out, first, c, date_unknown);
  AppendIdentity(out, first, ocid, id);
  parties.Append(out, first);
  out += ",\"tag\":[\"award\",\"contract\"]";
  const std::string& tender_id = c.id.empty() ? c.uid : c.id;
  const bool category = c.nature && MainCategory(*c.nature);
  if (!tender_id.empty() || c.procedure || category) {
    AppendKey(out, first, "tender");
    bool f = true;
    out.push_back('{');
    AppendText(out, f, "id", tender_id);
    if (category) AppendText(out, f, "mainProcurementCategory", *MainCategory(*c.nature));
    if (c.procedure) {
      AppendText(out, f, "procurementMethod", domain::OcdsProcurementMethod(*c.procedure));
      AppendText(out, f, "procurementMethodDetails", domain::Label(*c.procedure));
    }
    out.push_back('}');
  }
  out.push_back('}');
}

// The "contractAmendment" release of modification `m`, the `n`-th release.
void AppendAmendmentRelease(std::string& out, const domain::Modification& m, bool day_known,
                            const std::string& ocid, const std::string& id,
                            const std::string& amends, Instant date, int n) {
  Parties parties;
  for (const auto& h : m.holders) parties.Add(h, "supplier");
  const std::string amendment_id = std::to_string(n - 1);

  bool first = true;
  out.push_back('{');
  if (!m.holders.empty()) {
    AppendKey(out, first, "awards");
    out += "[{\"id\":\"1\"";
    bool f = false;
    AppendSuppliers(out, f, m.holders);
    out += "}]";
  }
  AppendKey(out, first, "contracts");
  {
    out += "[{\"amendments\":[{\"amendsReleaseID\":";
    AppendString(out, amends);
    bool f = false;
    if (m.signed_on) {
      AppendKey(out, f, "date");
      AppendParis(out, ParisMidnight(*m.signed_on));
    }
    AppendText(out, f, "description", m.object);
    AppendKey(out, f, "id");
    AppendString(out, amendment_id);
    AppendKey(out, f, "releaseID");
    AppendString(out, id);
    out += "}],\"awardID\":\"1\",\"id\":\"1\"";
    if (m.amount) AppendValue(out, f, *m.amount);
    out += "}]";
  }
  AppendKey(out, first, "date");
  AppendParis(out, date);
  AppendKey(out, first, "decp");
  {
    bool f = true;
    out.push_back('{');
    if (m.duration_months) {
      AppendKey(out, f, "dureeMois");
      AppendInt(out, *m.duration_months);
    }
    AppendKey(out, f, "modifications");
    out += "[{";
    bool g = true;
    if (!day_known) {
      AppendKey(out, g, "dateInconnue");
      out += "true";
    }
    if (m.signed_on) AppendDay(out, g, "dateNotificationModification", *m.signed_on);
    if (m.published_on) AppendDay(out, g, "datePublicationDonneesModification", *m.published_on);
    if (m.duration_months) {
      AppendKey(out, g, "dureeMois");
      AppendInt(out, *m.duration_months);
    }
    AppendKey(out, g, "id");
    AppendString(out, amendment_id);
    AppendText(out, g, "idDecp", m.id);
    out += "}]}";
  }
  AppendIdentity(out, first, ocid, id);
  parties.Append(out, first);
  out += ",\"tag\":[\"contractAmendment\"]}";
}

}  // namespace

std::string Ocid(const domain::Contract& c, std::string_view prefix) {
  return std::string(prefix) + "-" + c.uid;
}

std::string UidFromOcid(std::string_view ocid, std::string_view prefix) {
  if (ocid.size() <= prefix.size() + 1 || ocid.substr(0, prefix.size()) != prefix ||
      ocid[prefix.size()] != '-')
    return {};
  return std::string(ocid.substr(prefix.size() + 1));
}

int AppendReleases(std::string& out, const domain::Contract& c, const ReleaseOptions& options,
                   char terminator) {
  const std::string ocid = Ocid(c, options.ocid_prefix);

  // Dates: notification (else publication) at 00:00 Paris; each later release at
  // its own date, moved one second after the previous one when not later.
  std::optional<Instant> first;
  if (c.notified_on) {
    first = ParisMidnight(*c.notified_on);
  } else if (c.published_on) {
    first = ParisMidnight(*c.published_on);
  }
  Instant last = first.value_or(Instant{0});
  std::string id = ocid + "-1";
  AppendAwardRelease(out, c, ocid, id, last, /*date_unknown=*/!first);
  out.push_back(terminator);

  int n = 1;
  for (const auto& m : c.modifications) {
    ++n;
    std::optional<domain::Date> day = m.signed_on ? m.signed_on : m.published_on;
    Instant t = day ? ParisMidnight(*day) : Instant{last.micros + kMicrosPerSecond};
    if (t <= last) t = Instant{last.micros + kMicrosPerSecond};
    last = t;
    std::string next = ocid + "-" + std::to_string(n);
    AppendAmendmentRelease(out, m, day.has_value(), ocid, next, id, t, n);
    out.push_back(terminator);
    id = std::move(next);
  }
  return n;
}

std::vector<json> ContractReleases(const domain::Contract& c, const ReleaseOptions& options) {
  std::string text;
  AppendReleases(text, c, options, '\n');
  std::vector<json> out;
  for (size_t start = 0; start < text.size();) {
    const size_t end = text.find('\n', start);
    out.push_back(json::parse(std::string_view(text).substr(start, end - start)));
    start = end + 1;
  }
  return out;
}

std::string ReleasePackageText(std::string_view releases, const PackageMeta& meta,
                               std::string_view next) {
  std::string out;
  out.reserve(releases.size() + 256);
  out.push_back('{');
  if (!next.empty()) {
    out += "\"links\":{\"next\":";
    AppendString(out, next);
    out += "},";
  }
  out += "\"publishedDate\":";
  AppendString(out, meta.published_date);
  out += ",\"publisher\":{\"name\":";
  AppendString(out, meta.publisher_name);
  out += "},\"releases\":[";
  out += releases;
  out += "],\"uri\":";
  AppendString(out, meta.uri);
  out += ",\"version\":\"1.1\"}";
  return out;
}

namespace {
json PackageHead(const PackageMeta& meta) {
  json p = json::object();
  p["uri"] = meta.uri;
  p["publishedDate"] = meta.published_date;
  p["publisher"] = {{"name", meta.publisher_name}};
  p["version"] = "1.1";
  return p;
}
}  // namespace

json ReleasePackage(std::vector<json> releases, const PackageMeta& meta) {
  json p = PackageHead(meta);
  p["releases"] = json(std::move(releases));
  return p;
}

Result<json> RecordPackage(std::span<const std::vector<json>> release_sets, const Merger& merger,
                           const PackageMeta& meta) {
  json p = PackageHead(meta);
  json records = json::array();
  for (const auto& releases : release_sets) {
    auto merged = merger.Merge(releases);
    if (!merged.ok()) return merged.status();
    json rec = json::object();
    rec["ocid"] = releases.empty() ? json("") : releases.front()["ocid"];
    rec["releases"] = releases;
    rec["compiledRelease"] = std::move(merged->compiled);
    rec["versionedRelease"] = std::move(merged->versioned);
    records.push_back(std::move(rec));
  }
  p["records"] = std::move(records);
  return p;
}

std::string_view EmbeddedReleaseSchema() { return embedded::kOcdsReleaseSchema; }

const Merger& EmbeddedMerger() {
  static const Merger kMerger = [] {
    auto m = Merger::FromSchema(json::parse(embedded::kOcdsReleaseSchema));
    if (!m.ok()) throw std::runtime_error("embedded OCDS release schema: " + m.status().message());
    return *std::move(m);
  }();
  return kMerger;
}

}  // namespace limpide::formats::ocds
