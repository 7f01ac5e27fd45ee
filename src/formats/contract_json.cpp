#include "formats/contract_json.h"

#include <string_view>

#include "domain/money.h"
#include "domain/procedure.h"
#include "domain/time.h"
#include "formats/json_text.h"

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

// ---- Direct writer (ContractJsonText) ----------------------------------------
// Mirrors nlohmann's serializer (formats/json_text.h): object keys in byte
// order (json objects are std::map).

using json_text::AppendInt;
using json_text::AppendKey;
using json_text::AppendString;

void AppendTextField(std::string& out, bool& first, std::string_view key,
                     const std::string& value) {
  if (value.empty()) return;
  AppendKey(out, first, key);
  AppendString(out, value);
}

void AppendDateField(std::string& out, bool& first, std::string_view key,
                     const std::optional<domain::Date>& d) {
  if (!d) return;
  AppendKey(out, first, key);
  out.push_back('"');
  if (d->year >= 0 && d->year <= 9999 && d->month >= 0 && d->month <= 99 && d->day >= 0 &&
      d->day <= 99) {
    // FormatDate's "%04d-%02d-%02d" without snprintf.
    const auto digit = [](int v) { return static_cast<char>('0' + v % 10); };
    const char text[10] = {digit(d->year / 1000),
                           digit(d->year / 100),
                           digit(d->year / 10),
                           digit(d->year),
                           '-',
                           digit(d->month / 10),
                           digit(d->month),
                           '-',
                           digit(d->day / 10),
                           digit(d->day)};
    out.append(text, sizeof text);
  } else {
    out += domain::FormatDate(*d);  // digits and '-' only: nothing to escape
  }
  out.push_back('"');
}

// kApi: amounts as JSON numbers (the API). kLedger: amounts as decimal
// strings and other decimals as their JSON text, so that the text is
// canonical JSON, which has integers only (docs/ledger.md).
enum class Numbers { kApi, kLedger };

// Replaces every non-integer number by its JSON text.
void DecimalsAsStrings(json& j) {
  if (j.is_structured()) {
    for (auto& v : j) DecimalsAsStrings(v);
  } else if (j.is_number_float()) {
    j = j.dump();
  }
}

void AppendMoneyField(std::string& out, bool& first, std::string_view key,
                      const std::optional<domain::Money>& m, Numbers numbers) {
  if (!m) return;
  AppendKey(out, first, key);
  if (numbers == Numbers::kLedger) {
    out.push_back('"');
    out += domain::FormatEuros(*m);
    out.push_back('"');
    return;
  }
  if (m->cents % 100 == 0) {
    AppendInt(out, m->cents / 100);
    return;
  }
  json_text::AppendDouble(out, domain::ToEuros(*m));
}

void AppendHolders(std::string& out, const std::vector<domain::Holder>& holders) {
  out.push_back('[');
  for (size_t i = 0; i < holders.size(); ++i) {
    if (i) out.push_back(',');
    const auto& h = holders[i];
    bool first = true;
    out.push_back('{');
    AppendTextField(out, first, "id", h.id);
    AppendTextField(out, first, "idType", h.id_type);
    AppendTextField(out, first, "name", h.name);
    out.push_back('}');
  }
  out.push_back(']');
}

void AppendCodeLabel(std::string& out, bool& first, std::string_view key, std::string_view code,
                     std::string_view label) {
  AppendKey(out, first, key);
  out += "{\"code\":";
  AppendString(out, code);
  out += ",\"label\":";
  AppendString(out, label);
  out.push_back('}');
}

void AppendModification(std::string& out, const domain::Modification& m, Numbers numbers) {
  bool first = true;
  out.push_back('{');
  AppendMoneyField(out, first, "amount", m.amount, numbers);
  if (m.duration_months) {
    AppendKey(out, first, "durationMonths");
    AppendInt(out, *m.duration_months);
  }
  if (!m.holders.empty()) {
    AppendKey(out, first, "holders");
    AppendHolders(out, m.holders);
  }
  AppendTextField(out, first, "id", m.id);
  AppendTextField(out, first, "object", m.object);
  AppendDateField(out, first, "publishedOn", m.published_on);
  AppendDateField(out, first, "signedOn", m.signed_on);
  out.push_back('}');
}

void AppendExtra(std::string& out, const std::string& extra_json, Numbers numbers) {
  if (extra_json.empty() || extra_json == "{}") {
    out += "{}";
    return;
  }
  // Already as the DOM would write it (integers only, so the ledger's form
  // too): copied as it is, without a parse and a dump per contract served.
  if (json_text::IsDumpedObject(extra_json)) {
    out += extra_json;
    return;
  }
  json extra = json::parse(extra_json, nullptr, false);
  if (numbers == Numbers::kLedger) DecimalsAsStrings(extra);
  if (extra.is_object())
    out += extra.dump(-1, ' ', false, json::error_handler_t::replace);
  else
    out += "{}";
}

void AppendContract(std::string& out, const domain::Contract& c, Numbers numbers) {
  // Keys in byte order, as std::map keeps them in ContractToJson.
  bool first = true;
  out.push_back('{');
  AppendMoneyField(out, first, "amount", c.amount, numbers);
  AppendKey(out, first, "buyer");
  out += "{\"id\":";
  AppendString(out, c.buyer_id);
  if (!c.buyer_name.empty()) {
    out += ",\"name\":";
    AppendString(out, c.buyer_name);
  }
  out.push_back('}');
  AppendTextField(out, first, "cpv", c.cpv);
  if (c.duration_months) {
    AppendKey(out, first, "durationMonths");
    AppendInt(out, *c.duration_months);
  }
  AppendDateField(out, first, "executionStart", c.execution_start);
  AppendKey(out, first, "extra");
  AppendExtra(out, c.extra_json, numbers);
  AppendKey(out, first, "flags");
  out.push_back('[');
  for (size_t i = 0; i < c.flags.size(); ++i) {
    if (i) out.push_back(',');
    AppendString(out, c.flags[i]);
  }
  out.push_back(']');
  AppendKey(out, first, "holders");
  AppendHolders(out, c.holders);
  AppendKey(out, first, "id");
  AppendString(out, c.id);
  AppendKey(out, first, "kind");
  out += c.kind == domain::ContractKind::kConcession ? "\"concession\"" : "\"marche\"";
  AppendKey(out, first, "modifications");
  out.push_back('[');
  for (size_t i = 0; i < c.modifications.size(); ++i) {
    if (i) out.push_back(',');
    AppendModification(out, c.modifications[i], numbers);
  }
  out.push_back(']');
  if (c.nature) {
    AppendCodeLabel(out, first, "nature", domain::Code(*c.nature), domain::Label(*c.nature));
  }
  AppendDateField(out, first, "notifiedOn", c.notified_on);
  AppendTextField(out, first, "object", c.object);
  if (!c.place.code.empty() || !c.place.code_type.empty() || !c.place.name.empty()) {
    bool place_first = true;
    AppendKey(out, first, "place");
    out.push_back('{');
    AppendTextField(out, place_first, "code", c.place.code);
    AppendTextField(out, place_first, "name", c.place.name);
    AppendTextField(out, place_first, "type", c.place.code_type);
    out.push_back('}');
  }
  AppendTextField(out, first, "priceForm", c.price_form);
  if (c.procedure) {
    AppendCodeLabel(out, first, "procedure", domain::Code(*c.procedure),
                    domain::Label(*c.procedure));
  }
  AppendMoneyField(out, first, "publicSubsidy", c.public_subsidy, numbers);
  AppendDateField(out, first, "publishedOn", c.published_on);
  AppendTextField(out, first, "schemaVersion", c.schema_version);
  AppendTextField(out, first, "source", c.source);
  AppendKey(out, first, "uid");
  AppendString(out, c.uid);
  out.push_back('}');
}

}  // namespace

void AppendContractJson(std::string& out, const domain::Contract& c) {
  AppendContract(out, c, Numbers::kApi);
}

std::string ContractLedgerText(const domain::Contract& c) {
  std::string out;
  out.reserve(1024 + c.extra_json.size());
  AppendContract(out, c, Numbers::kLedger);
  return out;
}

std::string ContractJsonText(const domain::Contract& c) {
  std::string out;
  out.reserve(1024 + c.extra_json.size());
  AppendContractJson(out, c);
  return out;
}

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
