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

// GET /api/v1/ledger/… and /api/v1/feed (docs/ledger.md, docs/sync.md).
json LedgerPaths() {
  const json bad = Problem("A parameter is malformed or out of range; `field` names it.");
  const json count = {{"type", "integer"}, {"minimum", 0}};
  const auto get = [](const char* id, const char* summary, json parameters, json responses) {
    return json{{"get",
                 {{"operationId", id},
                  {"summary", summary},
                  {"parameters", std::move(parameters)},
                  {"responses", std::move(responses)}}}};
  };
  return {
      {"/api/v1/ledger/head",
       get("getLedgerHead", "The latest signed tree head of the transparency ledger", json::array(),
           {{"200", JsonOk("The signed tree head", "TreeHead")}})},
      {"/api/v1/ledger/key", get("getLedgerKey", "The Ed25519 public key that signs the tree heads",
                                 json::array(), {{"200", JsonOk("The public key", "LedgerKey")}})},
      {"/api/v1/ledger/entries",
       get("listLedgerEntries", "Ledger entries [start, end), at most 1000",
           json::array({Param("start", "query", "First position (default 0).", count),
                        Param("end", "query",
                              "Position after the last (default start + 100, capped at the "
                              "ledger size).",
                              count)}),
           {{"200", JsonOk("The entries", "LedgerEntries")}, {"400", bad}})},
      {"/api/v1/ledger/dump",
       get("dumpLedger", "The whole ledger as JSON Lines, with running roots",
           json::array({Param("tree_size", "query", "Entries to dump (default: all).", count)}),
           {{"200",
             {{"description",
               "One {\"entry\",\"leaf_hash\",\"tree_root\"} object per line (docs/ledger.md)"},
              {"content", {{"application/jsonl", {{"schema", {{"type", "string"}}}}}}}}},
            {"400", bad}})},
      {"/api/v1/ledger/proof/inclusion",
       get("getInclusionProof", "Audit path of one entry in a tree of a given size",
           json::array(
               {Param("leaf_index", "query", "Position of the entry.", count, true),
                Param("tree_size", "query", "Tree size (default: the current size).", count)}),
           {{"200", JsonOk("The proof", "InclusionProof")}, {"400", bad}})},
      {"/api/v1/ledger/proof/consistency",
       get("getConsistencyProof", "Proof that the tree of size first is a prefix of second",
           json::array({Param("first", "query", "Smaller tree size (>= 1).", count, true),
                        Param("second", "query", "Larger tree size.", count, true)}),
           {{"200", JsonOk("The proof", "ConsistencyProof")}, {"400", bad}})},
      {"/api/v1/feed",
       get("getFeed", "Public changes in ledger order, after a cursor",
           json::array(
               {Param("after", "query", "Cursor: `next` of the previous page; absent: start.",
                      {{"type", "string"}, {"pattern", "^[0-9a-f]{32}$"}}),
                Param("limit", "query", "Entries per page (1..1000, default 100).",
                      {{"type", "integer"}, {"minimum", 1}, {"maximum", 1000}}),
                Param("wait", "query",
                      "Long poll: when nothing is new, wait up to this many seconds (0..60).",
                      {{"type", "integer"}, {"minimum", 0}, {"maximum", 60}})}),
           {{"200", JsonOk("A page of changes", "FeedPage")}, {"400", bad}})},
      {"/api/v1/feed/head",
       get("getFeedHead", "Current end of the feed (to know when a client is in sync)",
           json::array(), {{"200", JsonOk("The head", "FeedHead")}})},
  };
}

json LedgerSchemas() {
  const json hex = {{"type", "string"}, {"pattern", "^[0-9a-f]{64}$"}};
  const json count = {{"type", "integer"}, {"minimum", 0}};
  const json entry = {{"type", "object"},
                      {"description", "A ledger entry, canonical JSON (docs/ledger.md)"},
                      {"required", json::array({"seq", "time", "kind", "subject", "body"})},
                      {"properties",
                       {{"seq", count},
                        {"time", {{"type", "string"}, {"format", "date-time"}}},
                        {"kind", {{"type", "string"}}},
                        {"subject", {{"type", "string"}}},
                        {"body", {{"type", "object"}}}}}};
  const auto object = [](json required, json properties) {
    return json{{"type", "object"},
                {"required", std::move(required)},
                {"properties", std::move(properties)}};
  };
  return {
      {"LedgerEntry", entry},
      {"TreeHead",
       object(json::array({"tree_size", "timestamp", "root_hash", "signature", "key_id"}),
              {{"tree_size", count},
               {"timestamp", {{"type", "integer"}, {"description", "ms since 1970"}}},
               {"root_hash", hex},
               {"signature", {{"type", "string"}, {"contentEncoding", "base64"}}},
               {"key_id", hex}})},
      {"LedgerKey", object(json::array({"algorithm", "public_key", "key_id"}),
                           {{"algorithm", {{"const", "Ed25519"}}},
                            {"public_key", {{"type", "string"}, {"contentEncoding", "base64"}}},
                            {"key_id", hex}})},
      {"LedgerEntries",
       object(json::array({"start", "end", "tree_size", "entries"}),
              {{"start", count},
               {"end", count},
               {"tree_size", count},
               {"entries",
                {{"type", "array"},
                 {"items", object(json::array({"entry", "leaf_hash"}),
                                  {{"entry", {{"$ref", "#/components/schemas/LedgerEntry"}}},
                                   {"leaf_hash", hex}})}}}})},
      {"InclusionProof",
       object(json::array({"leaf_index", "tree_size", "leaf_hash", "audit_path", "entry"}),
              {{"leaf_index", count},
               {"tree_size", count},
               {"leaf_hash", hex},
               {"audit_path", {{"type", "array"}, {"items", hex}}},
               {"entry", {{"$ref", "#/components/schemas/LedgerEntry"}}}})},
      {"ConsistencyProof", object(json::array({"first", "second", "consistency_path"}),
                                  {{"first", count},
                                   {"second", count},
                                   {"consistency_path", {{"type", "array"}, {"items", hex}}}})},
      {"FeedPage",
       object(json::array({"data", "next", "position", "head", "synced", "limit", "links"}),
              {{"data",
                {{"type", "array"}, {"items", {{"$ref", "#/components/schemas/LedgerEntry"}}}}},
               {"next", {{"type", "string"}}},
               {"position", count},
               {"head", count},
               {"synced", {{"type", "boolean"}}},
               {"limit", count},
               {"links", {{"type", "object"}}}})},
      {"FeedHead", object(json::array({"position", "cursor"}),
                          {{"position", count}, {"cursor", {{"type", "string"}}}})},
  };
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
      {"/api/v1/export/decp.json",
       {{"get",
         {{"operationId", "exportDecpJson"},
          {"summary",
           "Every matching contract as DECP 2.x JSON (schema_decp_v2.0.3.json), streamed"},
          {"description",
           "Records that DECP 2.x cannot hold (DECP 1.x records lack fields that 2.x "
           "requires) are left out of the file; `limpide export` lists them with their reasons "
           "(docs/export.md)."},
          {"parameters", list_params},
          {"responses",
           {{"200",
             {{"description", "DECP 2.x JSON, as an attachment named decp-YYYY-MM-DD.json"},
              {"content", {{"application/json", {{"schema", {{"type", "object"}}}}}}}}},
            {"400", bad}}}}}}},
      {"/api/v1/export/decp.xml",
       {{"get",
         {{"operationId", "exportDecpXml"},
          {"summary", "Every matching contract as DECP 2.x XML (schema_decp_v2.0.2.xsd), streamed"},
          {"parameters", list_params},
          {"responses",
           {{"200",
             {{"description", "DECP 2.x XML, as an attachment named decp-YYYY-MM-DD.xml"},
              {"content", {{"application/xml", {{"schema", {{"type", "string"}}}}}}}}},
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
      {"/api/v1/ocds/releases",
       {{"get",
         {{"operationId", "listOcdsReleases"},
          {"summary", "OCDS 1.1 release package of a page of contracts (docs/ocds-mapping.md)"},
          {"description",
           "Same filters and pagination as /api/v1/contracts; the package's links.next is the "
           "next page."},
          {"parameters", paged},
          {"responses",
           {{"200",
             {{"description", "An OCDS 1.1 release package"},
              {"content", {{"application/json", {{"schema", {{"type", "object"}}}}}}}}},
            {"400", bad},
            {"429", too_many}}}}}}},
      {"/api/v1/ocds/records/{ocid}",
       {{"get",
         {{"operationId", "getOcdsRecord"},
          {"summary", "OCDS 1.1 record package of one contract: releases, compiled and versioned"},
          {"parameters", json::array({Param("ocid", "path", "ocid: <prefix>-<contract uid>.",
                                            {{"type", "string"}}, true)})},
          {"responses",
           {{"200",
             {{"description", "An OCDS 1.1 record package"},
              {"content", {{"application/json", {{"schema", {{"type", "object"}}}}}}}}},
            {"404", Problem("No contract with this ocid.")}}}}}}},
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
  paths.update(LedgerPaths());
  json schemas = Schemas();
  schemas.update(LedgerSchemas());
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
      {"components", {{"schemas", std::move(schemas)}}},
  };
  return doc.dump(2);
}

}  // namespace limpide::api
