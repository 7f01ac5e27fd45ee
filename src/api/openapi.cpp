// The OpenAPI 3.1 description of API v1, built from the same enums the code
// uses so that it cannot drift from them.
#include <nlohmann/json.hpp>

#include "api/api.h"
#include "domain/contract.h"
#include "domain/procedure.h"

namespace limpide::api {
namespace {

using nlohmann::json;

json Codes(auto all) {
  json out = json::array();
  for (auto v : all) out.push_back(std::string(domain::Code(v)));
  return out;
}
json Labels(auto all) {
  json out = json::array();
  for (auto v : all) out.push_back(std::string(domain::Label(v)));
  return out;
}
json Strings(std::span<const std::string_view> values) {
  json out = json::array();
  for (auto v : values) out.push_back(std::string(v));
  return out;
}

json Param(const char* name, const char* in, const char* description, json schema,
           bool required = false) {
  return {{"name", name},
          {"in", in},
          {"description", description},
          {"required", required},
          {"schema", std::move(schema)}};
}

json Problem(const char* description) {
  return {
      {"description", description},
      {"content",
       {{"application/problem+json", {{"schema", {{"$ref", "#/components/schemas/Problem"}}}}}}}};
}

json JsonOk(const char* description, const char* schema) {
  return {{"description", description},
          {"content",
           {{"application/json",
             {{"schema", {{"$ref", std::string("#/components/schemas/") + schema}}}}}}}};
}

json ListParameters() {
  const json date = {{"type", "string"}, {"format", "date"}};
  const json amount = {{"type", "number"}, {"minimum", -1e15}, {"maximum", 1e15}};
  return json::array({
      Param("q", "query", "Words that must all appear in the object (accents and case ignored).",
            {{"type", "string"}, {"maxLength", 200}}),
      Param("buyer", "query", "SIRET of the buyer (acheteur or autorité concédante).",
            {{"type", "string"}, {"pattern", "^[0-9 ]{14,20}$"}}),
      Param("supplier", "query", "Identifier of a holder (titulaire or concessionnaire).",
            {{"type", "string"}, {"maxLength", 64}}),
      Param("cpv", "query", "CPV prefix: 2 to 8 digits; a division finds every code below it.",
            {{"type", "string"}, {"pattern", "^[0-9]{2,8}(-[0-9])?$"}}),
      Param("procedure", "query", "Procedure type code.",
            {{"type", "string"}, {"enum", Codes(domain::AllProcedures())}}),
      Param("nature", "query", "Contract nature code.",
            {{"type", "string"}, {"enum", Codes(domain::AllNatures())}}),
      Param("notified_from", "query", "Notified on or after this date.", date),
      Param("notified_to", "query", "Notified on or before this date.", date),
      Param("amount_min", "query", "Amount at least this many euros.", amount),
      Param("amount_max", "query", "Amount at most this many euros.", amount),
  });
}

json Schemas() {
  json money = {{"type", "number"}, {"description", "Euros, at most 2 decimals."}};
  json holder = {{"type", "object"},
                 {"required", json::array({"id", "idType"})},
                 {"properties",
                  {{"id", {{"type", "string"}}},
                   {"idType", {{"type", "string"}, {"enum", Strings(domain::HolderIdTypes())}}},
                   {"name", {{"type", "string"}}}}}};
  json coded = [](json codes, json labels) {
    return json{{"type", "object"},
                {"required", json::array({"code", "label"})},
                {"properties",
                 {{"code", {{"type", "string"}, {"enum", std::move(codes)}}},
                  {"label", {{"type", "string"}, {"enum", std::move(labels)}}}}}};
  }(json(), json());
  json nature = coded;
  nature["properties"]["code"]["enum"] = Codes(domain::AllNatures());
  nature["properties"]["label"]["enum"] = Labels(domain::AllNatures());
  json procedure = coded;
  procedure["properties"]["code"]["enum"] = Codes(domain::AllProcedures());
  procedure["properties"]["label"]["enum"] = Labels(domain::AllProcedures());
  json date = {{"type", "string"}, {"format", "date"}};

  json contract = {
      {"type", "object"},
      {"required", json::array({"uid", "id", "kind", "buyer"})},
      {"properties",
       {{"uid", {{"type", "string"}, {"description", "Buyer SIRET followed by the DECP id."}}},
        {"id", {{"type", "string"}}},
        {"kind", {{"type", "string"}, {"enum", json::array({"marche", "concession"})}}},
        {"buyer",
         {{"type", "object"},
          {"properties", {{"id", {{"type", "string"}}}, {"name", {{"type", "string"}}}}}}},
        {"nature", nature},
        {"procedure", procedure},
        {"object", {{"type", "string"}}},
        {"cpv", {{"type", "string"}, {"pattern", "^[0-9]{8}-[0-9]$"}}},
        {"place",
         {{"type", "object"},
          {"properties",
           {{"code", {{"type", "string"}}},
            {"type", {{"type", "string"}, {"enum", Strings(domain::PlaceCodeTypes())}}},
            {"name", {{"type", "string"}}}}}}},
        {"durationMonths", {{"type", "integer"}}},
        {"amount", money},
        {"publicSubsidy", money},
        {"notifiedOn", date},
        {"publishedOn", date},
        {"executionStart", date},
        {"priceForm", {{"type", "string"}}},
        {"holders", {{"type", "array"}, {"items", holder}}},
        {"modifications", {{"type", "array"}, {"items", {{"type", "object"}}}}},
        {"extra", {{"type", "object"}, {"description", "Every other DECP field, 2.x names."}}},
        {"schemaVersion", {{"type", "string"}, {"enum", json::array({"1", "2"})}}},
        {"source", {{"type", "string"}}},
        {"flags",
         {{"type", "array"},
          {"items", {{"type", "string"}}},
          {"description", "Repairs applied at import (docs/import-decisions.md)."}}}}}};

  json totals = {{"type", "object"},
                 {"properties", {{"contracts", {{"type", "integer"}}}, {"amount", money}}}};
  json partner = {{"type", "object"},
                  {"properties",
                   {{"id", {{"type", "string"}}},
                    {"name", {{"type", "string"}}},
                    {"contracts", {{"type", "integer"}}},
                    {"amount", money}}}};
  json organization = {{"type", "object"},
                       {"required", json::array({"id"})},
                       {"properties",
                        {{"id", {{"type", "string"}}},
                         {"name", {{"type", "string"}}},
                         {"asBuyer", totals},
                         {"asHolder", totals},
                         {"topSuppliers", {{"type", "array"}, {"items", partner}}},
                         {"topBuyers", {{"type", "array"}, {"items", partner}}},
                         {"links", {{"type", "object"}}}}}};
  json cpv_brief = {{"type", "object"},
                    {"properties",
                     {{"code", {{"type", "string"}}},
                      {"labelFr", {{"type", "string"}}},
                      {"labelEn", {{"type", "string"}}},
                      {"level", {{"type", "integer"}, {"minimum", 1}, {"maximum", 7}}}}}};
  json cpv = cpv_brief;
  cpv["properties"]["parent"] = {{"type", "string"}};
  cpv["properties"]["lineage"] = {{"type", "array"}, {"items", cpv_brief}};
  cpv["properties"]["children"] = {{"type", "array"}, {"items", cpv_brief}};
  cpv["properties"]["contracts"] = totals;
  cpv["properties"]["links"] = {{"type", "object"}};

  json page = {
      {"type", "object"},
      {"required", json::array({"data", "links"})},
      {"properties",
       {{"data", {{"type", "array"}, {"items", {{"$ref", "#/components/schemas/Contract"}}}}},
        {"links",
         {{"type", "object"},
          {"properties",
           {{"self", {{"type", "string"}}},
            {"next", {{"type", "string"}, {"description", "Absent on the last page."}}}}}}},
        {"meta", {{"type", "object"}}}}}};
  json problem = {{"type", "object"},
                  {"required", json::array({"type", "title", "status"})},
                  {"properties",
                   {{"type", {{"type", "string"}}},
                    {"title", {{"type", "string"}}},
                    {"status", {{"type", "integer"}}},
                    {"detail", {{"type", "string"}}},
                    {"instance", {{"type", "string"}}},
                    {"field", {{"type", "string"}, {"description", "The input at fault."}}}}}};
  return {{"Contract", contract},
          {"ContractPage", page},
          {"Organization", organization},
          {"Cpv", cpv},
          {"Problem", problem}};
}

}  // namespace

std::string OpenApiJson() {
  json list_params = ListParameters();
  json paged = list_params;
  paged.push_back(Param("after", "query", "Cursor from links.next of the previous page.",
                        {{"type", "string"}}));
  paged.push_back(Param("limit", "query", "Page size.",
                        {{"type", "integer"}, {"minimum", 1}, {"maximum", 1000}, {"default", 50}}));
  const json bad = Problem("A parameter is malformed; `field` names it.");
  const json too_many = Problem("Too many requests from this client; see Retry-After.");
  json paths = {
      {"/api/v1/contracts",
       {{"get",
         {{"operationId", "listContracts"},
          {"summary", "List contracts, newest notification first, keyset-paginated"},
          {"parameters", paged},
          {"responses",
           {{"200", JsonOk("A page of contracts", "ContractPage")},
            {"400", bad},
            {"429", too_many}}}}}}},
      {"/api/v1/contracts.csv",
       {{"get",
         {{"operationId", "exportContractsCsv"},
          {"summary", "Every matching contract as CSV, streamed, no row limit"},
          {"parameters", list_params},
          {"responses",
           {{"200",
             {{"description", "RFC 4180 CSV with a header row"},
              {"content", {{"text/csv", {{"schema", {{"type", "string"}}}}}}}}},
            {"400", bad}}}}}}},
      {"/api/v1/contracts/{uid}",
       {{"get",
         {{"operationId", "getContract"},
          {"summary", "One contract by uid (buyer SIRET + DECP id)"},
          {"parameters",
           json::array({Param("uid", "path", "Contract uid.", {{"type", "string"}}, true)})},
          {"responses",
           {{"200", JsonOk("The contract", "Contract")},
            {"404", Problem("No such contract.")}}}}}}},
      {"/api/v1/organizations/{siret}",
       {{"get",
         {{"operationId", "getOrganization"},
          {"summary", "An organization with its totals as buyer and as supplier"},
          {"parameters", json::array({Param("siret", "path", "SIRET or other holder identifier.",
                                            {{"type", "string"}}, true)})},
          {"responses",
           {{"200", JsonOk("The organization", "Organization")},
            {"404", Problem("The id appears in no contract.")}}}}}}},
      {"/api/v1/cpv/{code}",
       {{"get",
         {{"operationId", "getCpv"},
          {"summary", "A CPV 2008 code: labels, hierarchy and contracts under it"},
          {"parameters", json::array({Param("code", "path", "8 digits, optionally -check digit.",
                                            {{"type", "string"}}, true)})},
          {"responses",
           {{"200", JsonOk("The code", "Cpv")},
            {"400", bad},
            {"404", Problem("Not a CPV 2008 code.")}}}}}}},
      {"/healthz",
       {{"get",
         {{"operationId", "health"},
          {"summary", "Liveness"},
          {"responses", {{"200", {{"description", "The server is up"}}}, {"429", too_many}}}}}}},
      {"/metrics",
       {{"get",
         {{"operationId", "metrics"},
          {"summary", "Prometheus metrics"},
          {"responses",
           {{"200", {{"description", "Prometheus text format 0.0.4"}}}, {"429", too_many}}}}}}},
  };
  json doc = {
      {"openapi", "3.1.0"},
      {"info",
       {{"title", "Limpide API"},
        {"version", "1.0.0"},
        {"summary", "Open data of French public procurement: contracts (DECP) and organizations."},
        {"description",
         "Conventions: docs/api.md. Errors are application/problem+json (RFC 9457)."},
        {"license", {{"name", "Licence Ouverte 2.0 (data)"}, {"identifier", "etalab-2.0"}}}}},
      {"servers", json::array({{{"url", "/"}}})},
      // Everything in v1 is public: no authentication.
      {"security", json::array()},
      {"paths", std::move(paths)},
      {"components", {{"schemas", Schemas()}}},
  };
  return doc.dump(2);
}

}  // namespace limpide::api
