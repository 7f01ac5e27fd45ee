#include "formats/contract_json.h"

#include "domain/money.h"
#include "domain/procedure.h"
#include "domain/time.h"

namespace limpide::formats {
namespace {

using nlohmann::json;

void SetText(json& j, const char* key, const std::string& value) {
  if (!value.empty()) j[key] = value;
}

void SetDate(json& j, const char* key, const std::optional<domain::Date>& d) {
  if (d) j[key] = domain::FormatDate(*d);
}

void SetMoney(json& j, const char* key, const std::optional<domain::Money>& m) {
  if (!m) return;
  // Whole euros as JSON integers ("575000", not "575000.0").
  if (m->cents % 100 == 0) {
    j[key] = m->cents / 100;
  } else {
    j[key] = domain::ToEuros(*m);
  }
}

json HoldersToJson(const std::vector<domain::Holder>& holders) {
  json out = json::array();
  for (const auto& h : holders) {
    json j = json::object();
    SetText(j, "id", h.id);
    SetText(j, "idType", h.id_type);
    SetText(j, "name", h.name);
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace

json ContractToJson(const domain::Contract& c) {
  json j = json::object();
  j["uid"] = c.uid;
  j["id"] = c.id;
  j["kind"] = c.kind == domain::ContractKind::kConcession ? "concession" : "marche";
  json buyer = {{"id", c.buyer_id}};
  SetText(buyer, "name", c.buyer_name);
  j["buyer"] = std::move(buyer);
  if (c.nature) {
    j["nature"] = {{"code", domain::Code(*c.nature)}, {"label", domain::Label(*c.nature)}};
  }
  if (c.procedure) {
    j["procedure"] = {{"code", domain::Code(*c.procedure)}, {"label", domain::Label(*c.procedure)}};
  }
  SetText(j, "object", c.object);
  SetText(j, "cpv", c.cpv);
  json place = json::object();
  SetText(place, "code", c.place.code);
  SetText(place, "type", c.place.code_type);
  SetText(place, "name", c.place.name);
  if (!place.empty()) j["place"] = std::move(place);
  if (c.duration_months) j["durationMonths"] = *c.duration_months;
  SetMoney(j, "amount", c.amount);
  SetMoney(j, "publicSubsidy", c.public_subsidy);
  SetDate(j, "notifiedOn", c.notified_on);
  SetDate(j, "publishedOn", c.published_on);
  SetDate(j, "executionStart", c.execution_start);
  SetText(j, "priceForm", c.price_form);
  j["holders"] = HoldersToJson(c.holders);
  json mods = json::array();
  for (const auto& m : c.modifications) {
    json mj = json::object();
    SetText(mj, "id", m.id);
    SetText(mj, "object", m.object);
    SetDate(mj, "signedOn", m.signed_on);
    SetDate(mj, "publishedOn", m.published_on);
    if (m.duration_months) mj["durationMonths"] = *m.duration_months;
    SetMoney(mj, "amount", m.amount);
    if (!m.holders.empty()) mj["holders"] = HoldersToJson(m.holders);
    mods.push_back(std::move(mj));
  }
  j["modifications"] = std::move(mods);
  json extra = json::parse(c.extra_json, nullptr, false);
  j["extra"] = extra.is_object() ? std::move(extra) : json::object();
  SetText(j, "schemaVersion", c.schema_version);
  SetText(j, "source", c.source);
  j["flags"] = c.flags;
  return j;
}

json OrganizationToJson(const domain::Organization& o) {
  json j = json::object();
  j["id"] = o.id;
  SetText(j, "name", o.name);
  json as_buyer = {{"contracts", o.contracts_as_buyer}};
  SetMoney(as_buyer, "amount", o.amount_as_buyer);
  json as_holder = {{"contracts", o.contracts_as_holder}};
  SetMoney(as_holder, "amount", o.amount_as_holder);
  j["asBuyer"] = std::move(as_buyer);
  j["asHolder"] = std::move(as_holder);
  return j;
}

}  // namespace limpide::formats
