#include "formats/ocds/release.h"

#include <cstdio>
#include <map>
#include <stdexcept>

#include "domain/money.h"
#include "domain/procedure.h"
#include "domain/time.h"

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

json Value(domain::Money m) { return {{"amount", domain::ToEuros(m)}, {"currency", "EUR"}}; }

std::string PartyId(const domain::Holder& h) {
  if (h.id_type.empty() || h.id_type == "SIRET") return std::string(kSiretScheme) + "-" + h.id;
  return "DECP-" + h.id_type + "-" + h.id;
}

json Identifier(const domain::Holder& h) {
  json id = {{"id", h.id}};
  if (h.id_type.empty() || h.id_type == "SIRET") id["scheme"] = kSiretScheme;
  if (!h.name.empty()) id["legalName"] = h.name;
  return id;
}

// Parties by id, roles merged, in first-seen order.
class Parties {
 public:
  void Add(const domain::Holder& h, std::string_view role) {
    if (h.id.empty()) return;
    const std::string id = PartyId(h);
    auto it = index_.find(id);
    if (it == index_.end()) {
      json p = {{"id", id}, {"identifier", Identifier(h)}, {"roles", json::array({role})}};
      if (!h.name.empty()) p["name"] = h.name;
      if (!h.id_type.empty() && h.id_type != "SIRET") p["decp"] = {{"typeIdentifiant", h.id_type}};
      index_.emplace(id, list_.size());
      list_.push_back(std::move(p));
      return;
    }
    json& roles = list_[it->second]["roles"];
    for (const auto& r : roles)
      if (r == role) return;
    roles.push_back(role);
  }
  bool empty() const { return list_.empty(); }
  json Json() const { return list_; }

 private:
  std::map<std::string, size_t> index_;
  std::vector<json> list_;
};

json Reference(const domain::Holder& h) {
  json r = {{"id", PartyId(h)}};
  if (!h.name.empty()) r["name"] = h.name;
  return r;
}

// References to the holders, once each (DECP files repeat holders).
json SupplierRefs(const std::vector<domain::Holder>& holders) {
  json out = json::array();
  std::map<std::string, bool> seen;
  for (const auto& h : holders) {
    if (h.id.empty() || !seen.emplace(PartyId(h), true).second) continue;
    out.push_back(Reference(h));
  }
  return out;
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

// The DECP fields without an OCDS home (docs/ocds-mapping.md).
json DecpExtension(const domain::Contract& c) {
  json d = json::object();
  if (!c.id.empty()) d["id"] = c.id;
  d["uid"] = c.uid;
  d["type"] = c.kind == domain::ContractKind::kConcession ? "concession" : "marche";
  if (c.nature) d["nature"] = domain::Label(*c.nature);
  if (c.procedure) d["procedure"] = domain::Label(*c.procedure);
  if (c.duration_months) d["dureeMois"] = *c.duration_months;
  if (!c.price_form.empty()) d["formePrix"] = c.price_form;
  json place = json::object();
  if (!c.place.code.empty()) place["code"] = c.place.code;
  if (!c.place.code_type.empty()) place["typeCode"] = c.place.code_type;
  if (!c.place.name.empty()) place["nom"] = c.place.name;
  if (!place.empty()) d["lieuExecution"] = std::move(place);
  if (c.public_subsidy) d["montantSubventionPublique"] = domain::ToEuros(*c.public_subsidy);
  if (c.published_on) d["datePublicationDonnees"] = domain::FormatDate(*c.published_on);
  if (c.notified_on) d["dateNotification"] = domain::FormatDate(*c.notified_on);
  if (!c.schema_version.empty()) d["versionDecp"] = c.schema_version;
  if (!c.source.empty()) d["source"] = c.source;
  if (!c.extra_json.empty()) {
    json extra = json::parse(c.extra_json, nullptr, /*allow_exceptions=*/false);
    if (extra.is_object() && !extra.empty()) d["autres"] = std::move(extra);
  }
  return d;
}

// Removes empty strings, objects and arrays (recursively): OCDS data review
// flags them, and DECP extras may carry some.
void Prune(json& j) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end();) {
      Prune(it.value());
      const json& v = it.value();
      if ((v.is_string() && v.get_ref<const std::string&>().empty()) ||
          ((v.is_object() || v.is_array()) && v.empty()) || v.is_null()) {
        it = j.erase(it);
      } else {
        ++it;
      }
    }
  } else if (j.is_array()) {
    for (auto it = j.begin(); it != j.end();) {
      Prune(*it);
      if ((it->is_string() && it->get_ref<const std::string&>().empty()) ||
          ((it->is_object() || it->is_array()) && it->empty()) || it->is_null()) {
        it = j.erase(it);
      } else {
        ++it;
      }
    }
  }
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

std::vector<json> ContractReleases(const domain::Contract& c, const ReleaseOptions& options) {
  const std::string ocid = Ocid(c, options.ocid_prefix);
  std::vector<json> out;

  // Dates: notification (else publication) at 00:00 Paris; each later release at
  // its own date, moved one second after the previous one when not later.
  std::optional<Instant> first;
  if (c.notified_on) {
    first = ParisMidnight(*c.notified_on);
  } else if (c.published_on) {
    first = ParisMidnight(*c.published_on);
  }
  bool date_unknown = !first;
  Instant last = first.value_or(Instant{0});

  Parties parties;
  domain::Holder buyer{c.buyer_id, "SIRET", c.buyer_name};
  parties.Add(buyer, "buyer");
  for (const auto& h : c.holders) parties.Add(h, "supplier");

  json r = json::object();
  r["ocid"] = ocid;
  r["id"] = ocid + "-1";
  r["date"] = FormatParis(last);
  r["tag"] = {"award", "contract"};
  r["initiationType"] = "tender";
  r["language"] = "fr";
  r["parties"] = parties.Json();
  if (!c.buyer_id.empty()) r["buyer"] = Reference(buyer);

  json tender = {{"id", c.id.empty() ? c.uid : c.id}};
  if (c.procedure) {
    tender["procurementMethod"] = domain::OcdsProcurementMethod(*c.procedure);
    tender["procurementMethodDetails"] = domain::Label(*c.procedure);
  }
  if (c.nature) {
    if (auto cat = MainCategory(*c.nature)) tender["mainProcurementCategory"] = *cat;
  }
  r["tender"] = std::move(tender);

  json items = json::array();
  if (!c.cpv.empty()) {
    json item = {{"id", "1"}, {"classification", {{"scheme", "CPV"}, {"id", c.cpv}}}};
    if (!c.object.empty()) item["description"] = c.object;
    items.push_back(std::move(item));
  }

  json award = {{"id", "1"}};
  if (!c.object.empty()) award["description"] = c.object;
  if (c.notified_on) award["date"] = FormatParis(ParisMidnight(*c.notified_on));
  if (c.amount) award["value"] = Value(*c.amount);
  award["suppliers"] = SupplierRefs(c.holders);
  award["items"] = items;

  json contract = {{"id", "1"}, {"awardID", "1"}};
  if (!c.object.empty()) contract["description"] = c.object;
  if (c.amount) contract["value"] = Value(*c.amount);
  if (c.notified_on) contract["dateSigned"] = FormatParis(ParisMidnight(*c.notified_on));
  if (c.execution_start)
    contract["period"] = {{"startDate", FormatParis(ParisMidnight(*c.execution_start))}};
  contract["items"] = std::move(items);
  r["awards"] = json::array({std::move(award)});
  r["contracts"] = json::array({std::move(contract)});
  json decp = DecpExtension(c);
  if (date_unknown) decp["dateInconnue"] = true;
  r["decp"] = std::move(decp);
  Prune(r);
  out.push_back(std::move(r));

  int n = 1;
  for (const auto& m : c.modifications) {
    ++n;
    std::optional<domain::Date> day = m.signed_on ? m.signed_on : m.published_on;
    Instant t = day ? ParisMidnight(*day) : Instant{last.micros + kMicrosPerSecond};
    if (t <= last) t = Instant{last.micros + kMicrosPerSecond};
    last = t;

    json a = json::object();
    a["ocid"] = ocid;
    a["id"] = ocid + "-" + std::to_string(n);
    a["date"] = FormatParis(t);
    a["tag"] = {"contractAmendment"};
    a["initiationType"] = "tender";
    a["language"] = "fr";
    json amendment = {{"id", std::to_string(n - 1)}};
    if (m.signed_on) amendment["date"] = FormatParis(ParisMidnight(*m.signed_on));
    if (!m.object.empty()) amendment["description"] = m.object;
    amendment["amendsReleaseID"] = out.back()["id"];
    amendment["releaseID"] = a["id"];
    json contract_a = {{"id", "1"}, {"awardID", "1"}};
    if (m.amount) contract_a["value"] = Value(*m.amount);
    contract_a["amendments"] = json::array({std::move(amendment)});
    a["contracts"] = json::array({std::move(contract_a)});
    if (!m.holders.empty()) {
      Parties p;
      for (const auto& h : m.holders) p.Add(h, "supplier");
      a["parties"] = p.Json();
      a["awards"] = json::array({json{{"id", "1"}, {"suppliers", SupplierRefs(m.holders)}}});
    }
    json dm = {{"id", std::to_string(n - 1)}, {"idDecp", m.id}};
    if (m.duration_months) dm["dureeMois"] = *m.duration_months;
    if (m.published_on)
      dm["datePublicationDonneesModification"] = domain::FormatDate(*m.published_on);
    if (m.signed_on) dm["dateNotificationModification"] = domain::FormatDate(*m.signed_on);
    if (!day) dm["dateInconnue"] = true;
    a["decp"] = {{"modifications", json::array({std::move(dm)})}};
    if (m.duration_months) a["decp"]["dureeMois"] = *m.duration_months;
    Prune(a);
    out.push_back(std::move(a));
  }
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
