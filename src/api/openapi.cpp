// The OpenAPI 3.1 description of API v1, built from the same enums the code
// uses so that it cannot drift from them.
#include <nlohmann/json.hpp>
#include <vector>

#include "api/api.h"
#include "domain/contract.h"
#include "domain/procedure.h"
#include "search/search.h"

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
       {{"uid",
         {{"type", "string"},
          {"description",
           "Buyer SIRET followed by the DECP id; \"<ocid>:<OCDS contract id>\" for a contract "
           "known only from imported OCDS (docs/ocds-import.md)."}}},
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
        {"sources",
         {{"type", "array"},
          {"description",
           "Every source this contract was read from (one contract, one identity: "
           "docs/ocds-import.md). Served by GET /api/v1/contracts/{uid}."},
          {"items",
           {{"type", "object"},
            {"required", json::array({"source"})},
            {"properties",
             {{"source", {{"type", "string"}}},
              {"format", {{"type", "string"}}},
              {"ocid", {{"type", "string"}}}}}}}}},
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
                    {"field", {{"type", "string"}, {"description", "The input at fault."}}},
                    {"detail_fr",
                     {{"type", "string"},
                      {"description",
                       "The same refusal in French, when the service states it (the rules of "
                       "the procedure); the text the web pages show."}}}}}};
  return {{"Contract", contract},
          {"ContractPage", page},
          {"Organization", organization},
          {"Cpv", cpv},
          {"Problem", problem}};
}

// GET /api/v1/search (docs/search.md).
json SearchPaths() {
  const json date = {{"type", "string"}, {"format", "date"}};
  const json amount = {{"type", "number"}, {"minimum", -1e15}, {"maximum", 1e15}};
  const json text = {{"type", "string"}};
  const json facet = {
      {"type", "array"},
      {"items",
       {{"type", "object"},
        {"required", json::array({"value", "label", "count"})},
        {"properties",
         {{"value", {{"type", "string"}, {"description", "The filter value for this facet."}}},
          {"label", text},
          {"count", {{"type", "integer"}, {"minimum", 0}}}}}}}};
  const json item = {
      {"type", "object"},
      {"required", json::array({"type", "uid", "snippet", "buyer", "holders", "links"})},
      {"properties",
       {{"type", {{"type", "string"}, {"enum", json::array({"contract", "consultation"})}}},
        {"uid", {{"type", "string"}, {"description", "Contract uid, or consultation id."}}},
        {"object",
         {{"type", "string"}, {"description", "Object of the contract, title of the consultation."}}},
        {"snippet",
         {{"type", "string"},
          {"description", "The object, HTML-escaped, matched words in <mark>…</mark>."}}},
        {"buyer", {{"type", "object"}, {"properties", {{"id", text}, {"name", text}}}}},
        {"amount",
         {{"type", "number"},
          {"description", "Contracts: the amount; consultations: the estimated value."}}},
        {"date",
         {{"type", "string"},
          {"format", "date"},
          {"description", "Contracts: notification; consultations: publication."}}},
        {"status",
         {{"type", "string"},
          {"enum", json::array({"open", "closed", "awarded", "cancelled", "unsuccessful"})},
          {"description", "Consultations only."}}},
        {"state",
         {{"type", "string"}, {"description", "Consultations only: the lifecycle state code."}}},
        {"deadline",
         {{"type", "string"},
          {"format", "date-time"},
          {"description", "Consultations only: the deposit deadline."}}},
        {"cpv", text},
        {"procedure", text},
        {"nature", text},
        {"department", text},
        {"place", text},
        {"holders",
         {{"type", "array"},
          {"items", {{"type", "object"}, {"properties", {{"id", text}, {"name", text}}}}}}},
        {"score", {{"type", "integer"}, {"minimum", 0}, {"maximum", 100}}},
        {"links", {{"type", "object"}, {"properties", {{"self", text}}}}}}}};
  json parameters = json::array(
      {Param("q", "query",
             "Words (all must match; accents and case ignored; French stemming), \"phrases\", "
             "prefix*, -excluded, AND/OR/NOT, objet:/acheteur:/titulaire: fields, "
             "montant:A..B and date:A..B ranges. Bad syntax is searched as plain words.",
             {{"type", "string"}, {"maxLength", 500}}),
       Param("type", "query",
             "contract or consultation; both when absent. A deadline range finds consultations "
             "only.",
             {{"type", "string"}, {"enum", json::array({"contract", "consultation"})}}),
       Param("cpv", "query", "CPV code or prefix; a division finds every code below it.",
             {{"type", "string"}, {"pattern", "^[0-9]{2,8}(-[0-9])?$"}}),
       Param("buyer", "query", "SIRET of the buyer.",
             {{"type", "string"}, {"pattern", "^[0-9 ]{14,20}$"}}),
       Param("supplier", "query", "Identifier of a holder.",
             {{"type", "string"}, {"maxLength", 64}}),
       Param("department", "query", "Department of the place of execution.",
             {{"type", "string"}, {"pattern", "^([0-9]{2}|2[ABab]|97[1-6])$"}}),
       Param("region", "query",
             "INSEE region code (2016 map): the place of execution is in one of its departments.",
             {{"type", "string"}, {"enum", search::RegionCodes()}}),
       Param("procedure", "query", "Procedure type code.",
             {{"type", "string"}, {"enum", Codes(domain::AllProcedures())}}),
       Param("nature", "query", "Contract nature code.",
             {{"type", "string"}, {"enum", Codes(domain::AllNatures())}}),
       Param("status", "query",
             "Consultations: open (deposits accepted), closed (deadline passed), awarded, "
             "cancelled, unsuccessful.",
             {{"type", "string"},
              {"enum", json::array({"open", "closed", "awarded", "cancelled", "unsuccessful"})}}),
       Param("amount_min", "query", "Amount at least this many euros.", amount),
       Param("amount_max", "query", "Amount at most this many euros.", amount),
       Param("notified_from", "query", "Contracts notified (consultations published) on or after this date.", date),
       Param("notified_to", "query", "Contracts notified (consultations published) on or before this date.", date),
       Param("deadline_from", "query",
             "Consultations whose deadline is at or after this instant, or this day (Paris).",
             {{"type", "string"}}),
       Param("deadline_to", "query",
             "Consultations whose deadline is at or before this instant, or the end of this day "
             "(Paris).",
             {{"type", "string"}}),
       Param("sort", "query",
             "relevance (default), date, amount (largest first) or deadline (soonest first).",
             {{"type", "string"},
              {"enum", json::array({"relevance", "date", "amount", "deadline"})}}),
       Param("limit", "query", "Results per page (1..100, default 20).",
             {{"type", "integer"}, {"minimum", 1}, {"maximum", 100}}),
       Param("page", "query", "Page number from 1 (the first 10,000 results).",
             {{"type", "integer"}, {"minimum", 1}})});
  const json results = {
      {"type", "object"},
      {"required",
       json::array({"total", "totalExact", "data", "facets", "facetsExact", "plainWords", "page",
                    "limit", "index_position", "ledger_size", "links"})},
      {"properties",
       {{"total", {{"type", "integer"}, {"minimum", 0}}},
        {"totalExact", {{"type", "boolean"}}},
        {"data", {{"type", "array"}, {"items", item}}},
        {"facets",
         {{"type", "object"},
          {"properties",
           {{"cpv", facet}, {"department", facet}, {"procedure", facet}, {"buyer", facet}}}}},
        {"facetsExact",
         {{"type", "boolean"},
          {"description",
           "false: the facet counts are estimates, scaled from a sample of the matches "
           "(docs/search.md)."}}},
        {"facetsSampled",
         {{"type", "integer"},
          {"minimum", 0},
          {"description",
           "Matches the facet counts were taken from: the sample when facetsExact is false "
           "(the first matches in ledger order; were they drawn at random, a count c scaled "
           "from n sampled matches would be within about ±2·sqrt(c)·total/n of the true "
           "count); 0 when the counts come from the index's term frequencies or every facet is "
           "fixed by a filter (docs/search.md)."}}},
        {"plainWords", {{"type", "boolean"}}},
        {"page", {{"type", "integer"}}},
        {"limit", {{"type", "integer"}}},
        {"index_position",
         {{"type", "integer"}, {"description", "Ledger entries the index covers."}}},
        {"ledger_size", {{"type", "integer"}}},
        {"links", {{"type", "object"}, {"properties", {{"self", text}, {"next", text}}}}}}}};
  return {{"/api/v1/search",
           {{"get",
             {{"operationId", "search"},
              {"summary",
               "Full-text search over the contracts and consultations, with filters and facets"},
              {"parameters", std::move(parameters)},
              {"responses",
               {{"200",
                 {{"description", "A page of results"},
                  {"content", {{"application/json", {{"schema", results}}}}}}},
                {"400", Problem("A parameter is malformed; `field` names it.")},
                {"503", Problem("The search index cannot be read.")}}}}}}}};
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

// The accounts endpoints (docs/accounts.md). Private operations name the
// credentials they take; the rest of v1 stays public.
// The procedure's endpoints (docs/tenders.md), from one table: each row gives
// the method, the operation, who may call it and how it answers.
json TendersPaths() {
  struct Op {
    const char* path;
    const char* method;
    const char* id;
    const char* summary;
    bool private_op;   // needs credentials
    const char* body;  // "json", "octet", "" (none)
    const char* ok;    // success status
    std::vector<std::pair<const char*, const char*>> errors;
  };
  const std::pair<const char*, const char*> bad{"400", "Malformed input; `field` names it."};
  const std::pair<const char*, const char*> unauth{"401", "No or bad credentials."};
  const std::pair<const char*, const char*> forbidden{
      "403", "Not the consultation's buyer, not a company, or a token without the scope."};
  const std::pair<const char*, const char*> missing{
      "404", "No such consultation, document, deposit or bid (or not yours to see)."};
  const std::pair<const char*, const char*> state{
      "409", "The consultation's state forbids it; the message names the rule."};
  const std::pair<const char*, const char*> too_large{
      "413", "Larger than the consultation's published size limit."};
  const std::pair<const char*, const char*> media{"415", "Wrong Content-Type."};
  const std::vector<Op> ops = {
      {"/api/v1/tenders",
       "get",
       "listTenders",
       "Consultations in creation order (drafts only to their buyer)",
       false,
       "",
       "200",
       {bad, unauth}},
      {"/api/v1/tenders",
       "post",
       "createTender",
       "A buyer's agent creates a draft",
       true,
       "json",
       "201",
       {bad, unauth, forbidden, media}},
      {"/api/v1/tenders/{id}",
       "get",
       "getTender",
       "A consultation: its state, deadlines, documents, amendments, opening public key",
       false,
       "",
       "200",
       {unauth, missing}},
      {"/api/v1/tenders/{id}",
       "put",
       "updateTender",
       "Replaces a draft's fields",
       true,
       "json",
       "200",
       {bad, unauth, forbidden, missing, state, media}},
      {"/api/v1/tenders/{id}/publish",
       "post",
       "publishTender",
       "Publishes; answers the opening key pair, whose secret key is given only here",
       true,
       "",
       "200",
       {bad, unauth, forbidden, missing, state}},
      {"/api/v1/tenders/{id}/amendments",
       "post",
       "amendTender",
       "An amendment: {consultation, summary}",
       true,
       "json",
       "200",
       {bad, unauth, forbidden, missing, state, media}},
      {"/api/v1/tenders/{id}/cancel",
       "post",
       "cancelTender",
       "Declared sans suite: {reason}",
       true,
       "json",
       "200",
       {bad, unauth, forbidden, missing, state, media}},
      {"/api/v1/tenders/{id}/unsuccessful",
       "post",
       "declareTenderUnsuccessful",
       "Declared infructueuse: {reason}",
       true,
       "json",
       "200",
       {bad, unauth, forbidden, missing, state, media}},
      {"/api/v1/tenders/{id}/documents",
       "post",
       "addTenderDocument",
       "Adds a DCE document (the body; ?name= its file name)",
       true,
       "octet",
       "201",
       {bad, unauth, forbidden, missing, state, too_large}},
      {"/api/v1/tenders/{id}/documents/{sha256}",
       "get",
       "downloadTenderDocument",
       "Downloads a DCE document (free; recorded in the history)",
       false,
       "",
       "200",
       {bad, unauth, missing}},
      {"/api/v1/tenders/{id}/questions",
       "get",
       "listTenderQuestions",
       "Answered questions (askers never shown)",
       false,
       "",
       "200",
       {unauth, missing}},
      {"/api/v1/tenders/{id}/questions",
       "post",
       "askTenderQuestion",
       "A company asks: {text}",
       true,
       "json",
       "201",
       {bad, unauth, forbidden, missing, state, media}},
      {"/api/v1/tenders/{id}/questions/{qid}/answer",
       "post",
       "answerTenderQuestion",
       "The buyer answers publicly: {text}",
       true,
       "json",
       "200",
       {bad, unauth, forbidden, missing, state, media}},
      {"/api/v1/tenders/{id}/deposits",
       "get",
       "listMyDeposits",
       "The company's own deposits",
       true,
       "",
       "200",
       {unauth, forbidden, missing}},
      {"/api/v1/tenders/{id}/deposits",
       "post",
       "startDeposit",
       "Starts a deposit: {documents: [{name, size, sealed}]}; or, sent as "
       "application/octet-stream with ?name=&sealed=, deposits one document under 1 MiB and "
       "answers its receipt",
       true,
       "json",
       "201",
       {bad, unauth, forbidden, missing, state, too_large, media}},
      {"/api/v1/tenders/{id}/deposits/{deposit}",
       "get",
       "getMyDeposit",
       "One of the company's deposits, with the chunks received",
       true,
       "",
       "200",
       {unauth, forbidden, missing}},
      {"/api/v1/tenders/{id}/deposits/{deposit}",
       "delete",
       "withdrawDeposit",
       "Withdraws a deposit before the deadline",
       true,
       "",
       "200",
       {unauth, forbidden, missing, state}},
      {"/api/v1/tenders/{id}/deposits/{deposit}/documents/{n}/chunks/{k}",
       "put",
       "putDepositChunk",
       "One chunk of a document: 1 MiB of plaintext sealed (48 bytes more), or plaintext",
       true,
       "octet",
       "200",
       {bad, unauth, forbidden, missing, state, too_large, media}},
      {"/api/v1/tenders/{id}/deposits/{deposit}/complete",
       "post",
       "completeDeposit",
       "Completes the deposit: the signed receipt (docs/receipt.md)",
       true,
       "",
       "200",
       {unauth, forbidden, missing, state}},
      {"/api/v1/tenders/{id}/deposits/{deposit}/proof",
       "get",
       "getReceiptProof",
       "After the deadline: {receipt, proof, head} for limpide verify receipt",
       true,
       "",
       "200",
       {unauth, forbidden, missing, {"409", "Before the deadline, or a late deposit."}}},
      {"/api/v1/tenders/{id}/opening",
       "post",
       "openBids",
       "Opens the bids with the buyer's secret key: {secret_key, include_late}",
       true,
       "json",
       "200",
       {bad, unauth, forbidden, missing, state, media}},
      {"/api/v1/tenders/{id}/bids",
       "get",
       "listBids",
       "The opened bids and the ranking",
       true,
       "",
       "200",
       {unauth, forbidden, missing, state}},
      {"/api/v1/tenders/{id}/bids/{bid}/documents/{n}",
       "get",
       "downloadBidDocument",
       "A bid's document as its sealed file (LMPS1), to open with the secret key",
       true,
       "",
       "200",
       {bad, unauth, forbidden, missing}},
      {"/api/v1/tenders/{id}/evaluation",
       "post",
       "evaluateBids",
       "Scores {scores: {bid: {criterion: 0..100}}}; answers the ranking",
       true,
       "json",
       "200",
       {bad, unauth, forbidden, missing, state, media}},
      {"/api/v1/tenders/{id}/award",
       "post",
       "awardTender",
       "Awards to a bid: {bid}",
       true,
       "json",
       "200",
       {bad, unauth, forbidden, missing, state, media}},
      {"/api/v1/tenders/{id}/signature",
       "post",
       "signContract",
       "Signs: {amount, duration_months}; publishes the DECP record",
       true,
       "json",
       "200",
       {bad, unauth, forbidden, missing, state, media}},
      {"/api/v1/tenders/{id}/events",
       "get",
       "listTenderEvents",
       "The consultation's history, for its buyer",
       true,
       "",
       "200",
       {unauth, forbidden, missing}},
      {"/api/v1/me/notifications",
       "get",
       "listNotifications",
       "Notifications of the user's organization",
       true,
       "",
       "200",
       {unauth}},
  };
  const json credentials = json::array({{{"bearer", json::array()}}, {{"session", json::array()}}});
  json paths = json::object();
  for (const Op& op : ops) {
    json o = {{"operationId", op.id},
              {"summary", op.summary},
              {"tags", json::array({"tenders"})},
              {"description", "docs/tenders.md"}};
    json params = json::array();
    const std::string path = op.path;
    for (const char* name : {"id", "sha256", "qid", "deposit", "n", "k", "bid"}) {
      if (path.find(std::string("{") + name + "}") != std::string::npos)
        params.push_back(Param(name, "path", name, {{"type", "string"}}, true));
    }
    if (path == "/api/v1/tenders" && std::string_view(op.method) == "get") {
      params.push_back(Param("after", "query", "Cursor of the next page.", {{"type", "string"}}));
      params.push_back(Param("limit", "query", "1..1000, default 50.",
                             {{"type", "integer"}, {"minimum", 1}, {"maximum", 1000}}));
      params.push_back(
          Param("test", "query", "1: include test consultations.", {{"type", "string"}}));
    }
    if (path.ends_with("/documents") && std::string_view(op.method) == "post")
      params.push_back(Param("name", "query", "File name.", {{"type", "string"}}, true));
    if (!params.empty()) o["parameters"] = std::move(params);
    if (op.private_op) o["security"] = credentials;
    if (std::string_view(op.body) == "json") {
      o["requestBody"] = {{"required", true},
                          {"content", {{"application/json", {{"schema", {{"type", "object"}}}}}}}};
    } else if (std::string_view(op.body) == "octet") {
      o["requestBody"] = {
          {"required", true},
          {"content",
           {{"application/octet-stream",
             {{"schema",
               {{"type", "string"}, {"contentMediaType", "application/octet-stream"}}}}}}}};
    }
    json responses = {{op.ok, {{"description", "Done"}}}};
    if (std::string_view(op.id).starts_with("list")) {
      // Lists share the API's envelope (docs/api.md, "Pagination").
      const json text = {{"type", "string"}};
      responses[op.ok]["content"] = {
          {"application/json",
           {{"schema",
             {{"type", "object"},
              {"required", json::array({"data", "links"})},
              {"properties",
               {{"data", {{"type", "array"}, {"items", {{"type", "object"}}}}},
                {"links",
                 {{"type", "object"},
                  {"required", json::array({"self"})},
                  {"properties", {{"self", text}, {"next", text}}}}}}}}}}}};
    }
    for (const auto& [code, text] : op.errors) responses[code] = Problem(text);
    o["responses"] = std::move(responses);
    paths[op.path][op.method] = std::move(o);
  }
  return paths;
}

// Saved searches and alerts (docs/alerts.md).
json AlertsPaths() {
  const json bad = Problem("Malformed input; `field` names the member or parameter at fault.");
  const json unauth = Problem("No or bad credentials.");
  const json forbidden = Problem("Not a company representative, or a token without the scope.");
  const json missing = Problem("No such alert, or not yours.");
  const json media = Problem("The body is not sent as application/json.");
  const json credentials = json::array({{{"bearer", json::array()}}, {{"session", json::array()}}});
  const json id = Param("id", "path", "The alert's id (al_…).", {{"type", "string"}}, true);
  const json page = json::array(
      {id, Param("after", "query", "Cursor of the next page (links.next).", {{"type", "string"}}),
       Param("limit", "query", "1..100, default 20.",
             {{"type", "integer"}, {"minimum", 1}, {"maximum", 100}})});
  const json body = {
      {"required", true},
      {"content",
       {{"application/json", {{"schema", {{"$ref", "#/components/schemas/SavedSearch"}}}}}}}};
  const json ok = {{"description", "The alert"},
                   {"content", {{"application/json", {{"schema", {{"type", "object"}}}}}}}};
  const json list = {{"description", "A page: data, links.next"},
                     {"content", {{"application/json", {{"schema", {{"type", "object"}}}}}}}};
  const auto op = [&](const char* opid, const char* summary, json responses) {
    return json{{"operationId", opid},
                {"summary", summary},
                {"tags", json::array({"alerts"})},
                {"description", "docs/alerts.md"},
                {"security", credentials},
                {"responses", std::move(responses)}};
  };
  json paths = json::object();
  paths["/api/v1/alerts"]["post"] =
      op("createAlert",
         "A company saves a search; the answer holds the feed URL and the webhook secret, shown "
         "once",
         {{"201", ok}, {"400", bad}, {"401", unauth}, {"403", forbidden}, {"415", media}});
  paths["/api/v1/alerts"]["post"]["requestBody"] = body;
  paths["/api/v1/alerts"]["get"] =
      op("listAlerts", "The user's saved searches",
         {{"200", list}, {"400", bad}, {"401", unauth}, {"403", forbidden}});
  paths["/api/v1/alerts"]["get"]["parameters"] =
      json::array({page[1], page[2]});
  paths["/api/v1/alerts/{id}"]["get"] =
      op("getAlert", "One saved search", {{"200", ok}, {"401", unauth}, {"404", missing}});
  paths["/api/v1/alerts/{id}"]["put"] =
      op("replaceAlert", "Replaces the criteria and settings (a new webhook URL gets a new secret)",
         {{"200", ok}, {"400", bad}, {"401", unauth}, {"404", missing}, {"415", media}});
  paths["/api/v1/alerts/{id}"]["put"]["requestBody"] = body;
  paths["/api/v1/alerts/{id}"]["delete"] =
      op("deleteAlert", "Deletes a saved search",
         {{"204", {{"description", "Deleted"}}}, {"401", unauth}, {"404", missing}});
  for (const char* method : {"get", "put", "delete"})
    paths["/api/v1/alerts/{id}"][method]["parameters"] = json::array({id});
  paths["/api/v1/alerts/{id}/feed-key"]["post"] =
      op("rotateAlertFeedKey", "A new feed URL; the old one stops working",
         {{"200", ok}, {"401", unauth}, {"404", missing}});
  paths["/api/v1/alerts/{id}/feed-key"]["post"]["parameters"] = json::array({id});
  paths["/api/v1/alerts/{id}/matches"]["get"] =
      op("listAlertMatches", "The consultations that matched, newest first, each with its reason",
         {{"200", list}, {"400", bad}, {"401", unauth}, {"404", missing}});
  paths["/api/v1/alerts/{id}/matches"]["get"]["parameters"] = page;
  paths["/api/v1/alerts/{id}/deliveries"]["get"] =
      op("listAlertDeliveries",
         "Webhook, e-mail and digest deliveries: state (pending, sent, parked), attempts, next "
         "try, last error",
         {{"200", list}, {"400", bad}, {"401", unauth}, {"404", missing}});
  paths["/api/v1/alerts/{id}/deliveries"]["get"]["parameters"] = page;
  paths["/api/v1/alerts/{id}/feed"]["get"] = {
      {"operationId", "getAlertFeed"},
      {"summary", "The Atom 1.0 feed of a saved search, for feed readers (the key is the credential)"},
      {"tags", json::array({"alerts"})},
      {"description", "docs/alerts.md"},
      {"parameters",
       json::array({id, Param("key", "query", "The feed key given with the feed URL.",
                              {{"type", "string"}}, true)})},
      {"responses",
       {{"200",
         {{"description", "An Atom 1.0 feed"},
          {"content", {{"application/atom+xml", {{"schema", {{"type", "string"}}}}}}}}},
        {"400", bad},
        {"404", Problem("No such alert, or a wrong key.")}}}};
  return paths;
}

json AlertsSchemas() {
  const json strings = {{"type", "array"}, {"items", {{"type", "string"}}}, {"maxItems", 100}};
  return {{"SavedSearch",
           {{"type", "object"},
            {"additionalProperties", false},
            {"description",
             "At least one criterion. Keywords or CPV (either suffices), then places, procedures "
             "and amounts narrow; excluded words reject (docs/alerts.md)."},
            {"properties",
             {{"name", {{"type", "string"}, {"maxLength", 200}}},
              {"query",
               {{"type", "string"},
                {"description", "Words, \"phrases\", -excluded words and -\"phrases\"."}}},
              {"cpv", strings},
              {"departments", strings},
              {"regions",
               {{"type", "array"},
                {"items", {{"type", "string"}, {"enum", search::RegionCodes()}}},
                {"maxItems", 100}}},
              {"procedures", strings},
              {"amountMin", {{"type", "number"}, {"minimum", 0}}},
              {"amountMax", {{"type", "number"}, {"minimum", 0}}},
              {"webhook", {{"type", "string"}, {"format", "uri"}}},
              {"email", {{"type", "string"}, {"format", "email"}}},
              {"emailMode", {{"enum", json::array({"immediate", "daily"})}}}}}}}};
}

json AccountsPaths() {
  const json bad = Problem("The body is malformed; `field` names the member at fault.");
  const json unauthenticated = Problem(
      "No or bad credentials (malformed, unknown, revoked or expired token); see "
      "WWW-Authenticate.");
  const json forbidden =
      Problem("Authenticated, but the role or the token's scopes do not allow it.");
  const json media = Problem("The body is not sent as application/json.");
  const json credentials = json::array({{{"bearer", json::array()}}, {{"session", json::array()}}});
  const auto body = [](const char* schema) {
    return json{{"required", true},
                {"content",
                 {{"application/json",
                   {{"schema", {{"$ref", std::string("#/components/schemas/") + schema}}}}}}}};
  };
  const json no_content = {{"description", "Done; no body"}};
  return {
      {"/api/v1/accounts",
       {{"post",
         {{"operationId", "registerCompany"},
          {"summary", "A company registers itself: its organization and its first representative"},
          {"requestBody", body("CompanyRegistration")},
          {"responses",
           {{"201", JsonOk("The new user", "User")},
            {"400", bad},
            {"409", Problem("The e-mail address or the organization already has an account.")},
            {"415", media}}}}}}},
      {"/api/v1/admin/users",
       {{"post",
         {{"operationId", "createUser"},
          {"summary", "An admin creates a user of any role (buyer agents, admins)"},
          {"security", credentials},
          {"requestBody", body("NewUser")},
          {"responses",
           {{"201", JsonOk("The new user", "User")},
            {"400", bad},
            {"401", unauthenticated},
            {"403", forbidden},
            {"409", Problem("The e-mail address already has an account.")},
            {"415", media}}}}}}},
      {"/api/v1/session",
       {{"post",
         {{"operationId", "login"},
          {"summary", "Log in: a session token, also set as the cookie limpide_session"},
          {"requestBody", body("Login")},
          {"responses",
           {{"201", JsonOk("The session (its token is shown only here)", "IssuedToken")},
            {"400", bad},
            {"401", Problem("Wrong e-mail or password (the answer does not say which).")},
            {"415", media}}}}},
        {"delete",
         {{"operationId", "logout"},
          {"summary", "Log out: revokes the session used and clears the cookie"},
          {"security", credentials},
          {"responses",
           {{"204", no_content},
            {"400", Problem("The credential is an API token, not a session.")},
            {"401", unauthenticated}}}}}}},
      {"/api/v1/me",
       {{"get",
         {{"operationId", "getMe"},
          {"summary", "The authenticated user, with the scopes of the credential used"},
          {"security", credentials},
          {"responses", {{"200", JsonOk("The user", "Me")}, {"401", unauthenticated}}}}}}},
      {"/api/v1/me/tokens",
       {{"get",
         {{"operationId", "listTokens"},
          {"summary", "The user's API tokens and live sessions (never the tokens themselves)"},
          {"security", credentials},
          {"responses", {{"200", JsonOk("The tokens", "TokenList")}, {"401", unauthenticated}}}}},
        {"post",
         {{"operationId", "createToken"},
          {"summary", "A new API token with some of the credential's scopes, shown once"},
          {"security", credentials},
          {"requestBody", body("TokenRequest")},
          {"responses",
           {{"201", JsonOk("The token (shown only here)", "IssuedToken")},
            {"400", bad},
            {"401", unauthenticated},
            {"403", Problem("A scope the credential used does not hold.")},
            {"415", media}}}}}}},
      {"/api/v1/me/tokens/{id}",
       {{"delete",
         {{"operationId", "revokeToken"},
          {"summary", "Revoke one of the user's tokens or sessions (admins: anyone's)"},
          {"security", credentials},
          {"parameters",
           json::array({Param("id", "path", "Short id of the token: 16 hex digits.",
                              {{"type", "string"}, {"pattern", "^[0-9a-f]{16}$"}}, true)})},
          {"responses",
           {{"204", no_content},
            {"400", bad},
            {"401", unauthenticated},
            {"404", Problem("No such token among those the user may revoke.")}}}}}}},
  };
}

json AccountsSchemas() {
  const json text = {{"type", "string"}};
  const json instant = {{"type", "string"}, {"format", "date-time"}};
  json roles = json::array();
  for (app::UserRole r : app::AllUserRoles()) roles.push_back(std::string(app::Code(r)));
  const json scopes = {{"type", "array"},
                       {"items", {{"type", "string"}, {"enum", app::AllScopes()}}}};
  const json role = {{"type", "string"}, {"enum", std::move(roles)}};
  const json password = {{"type", "string"}, {"minLength", 12}, {"writeOnly", true}};
  const json email = {{"type", "string"}, {"format", "email"}, {"maxLength", 254}};
  const auto object = [](json required, json properties) {
    return json{{"type", "object"},
                {"required", std::move(required)},
                {"properties", std::move(properties)}};
  };
  json user = object(
      json::array({"id", "email", "name", "role"}),
      {{"id", text},
       {"email", email},
       {"name", text},
       {"role", role},
       {"organization", object(json::array({"id", "name"}), {{"id", text}, {"name", text}})}});
  json me = user;
  me["required"].push_back("scopes");
  me["properties"]["scopes"] = scopes;
  me["properties"]["credential"] = object(
      json::array({"id", "kind"}),
      {{"id", text}, {"kind", {{"type", "string"}, {"enum", json::array({"api", "session"})}}}});
  json token_info =
      object(json::array({"id", "kind", "label", "scopes", "created"}),
             {{"id", text},
              {"kind", {{"type", "string"}, {"enum", json::array({"api", "session"})}}},
              {"label", text},
              {"scopes", scopes},
              {"created", instant},
              {"expires", instant},
              {"revoked", instant}});
  return {
      {"CompanyRegistration",
       object(json::array({"siret", "organizationName", "email", "name", "password"}),
              {{"siret", {{"type", "string"}, {"description", "SIRET of the company (14 digits)"}}},
               {"organizationName", text},
               {"email", email},
               {"name", text},
               {"password", password}})},
      {"NewUser", object(json::array({"email", "name", "password", "role"}),
                         {{"siret",
                           {{"type", "string"},
                            {"description", "SIRET of the organization; optional for an admin"}}},
                          {"organizationName",
                           {{"type", "string"}, {"description", "Required when the SIRET is new"}}},
                          {"email", email},
                          {"name", text},
                          {"password", password},
                          {"role", role}})},
      {"Login", object(json::array({"email", "password"}),
                       {{"email", text}, {"password", {{"type", "string"}, {"writeOnly", true}}}})},
      {"TokenRequest",
       object(json::array({"scopes"}), {{"scopes", scopes},
                                        {"label", {{"type", "string"}, {"maxLength", 100}}},
                                        {"expires", instant}})},
      {"IssuedToken",
       object(json::array({"token", "id"}),
              {{"token",
                {{"type", "string"},
                 {"pattern", "^lmp_[A-Za-z0-9_-]{43}$"},
                 {"description", "Send as Authorization: Bearer <token>. Shown only once."}}},
               {"id", text},
               {"scopes", scopes},
               {"label", text},
               {"expires", instant}})},
      {"User", user},
      {"Me", me},
      {"TokenInfo", token_info},
      {"TokenList",
       object(json::array({"data"}),
              {{"data",
                {{"type", "array"}, {"items", {{"$ref", "#/components/schemas/TokenInfo"}}}}}})},
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
      {"/api/v1/bulk",
       {{"get",
         {{"operationId", "listBulkFiles"},
          {"summary",
           "The bulk open data files: the full dump and one delta per day (docs/bulk.md)"},
          {"description",
           "JSON: {full, daily[]}. Each set names the ledger head it was cut at "
           "(ledger_head.tree_size and root_hash, to check against /api/v1/ledger), a daily "
           "set its day (Europe/Paris), ledger_range [from, to) and changed_after_day (its "
           "contracts changed again before the head, which it holds in that later state); each "
           "file its name, format, media_type, size, sha256, records, skipped (DECP 2.x cannot "
           "hold them), url, sha256_url, and gzip {name, size, sha256, url, sha256_url, "
           "media_type}: its gzip copy."},
          {"responses",
           {{"200",
             {{"description", "The index, newest day first"},
              {"content", {{"application/json", {{"schema", {{"type", "object"}}}}}}}}}}}}}}},
      {"/api/v1/bulk/full/{file}",
       {{"get",
         {{"operationId", "getBulkFullFile"},
          {"summary", "A file of the latest full dump, in one request whatever its size"},
          {"description",
           "Served from disk with Content-Length, ETag (the SHA-256), Accept-Ranges: bytes; "
           "Range (one range) resumes a download (206), If-Range guards the resume, a range "
           "past the end is 416 with Content-Range bytes */SIZE. FILE.sha256 is the checksum "
           "line for `sha256sum -c`. FILE.gz is the gzip copy, a file of its own "
           "(application/gzip, no Content-Encoding): its own ETag and checksum (FILE.gz.sha256), "
           "and ranges of its compressed bytes."},
          {"parameters",
           json::array({Param("file", "path",
                              "decp.json (DECP 2.x), ocds.jsonl (OCDS 1.1 releases, one a line), "
                              "contracts.csv, each optionally followed by .gz (its gzip copy), "
                              "then optionally by .sha256 (the checksum line).",
                              {{"type", "string"}}, true),
                        Param("Range", "header", "bytes=FIRST-[LAST] or bytes=-SUFFIX.",
                              {{"type", "string"}}, false)})},
          {"responses",
           {{"200", {{"description", "The whole file"}}},
            {"206", {{"description", "The range asked (Content-Range)"}}},
            {"304", {{"description", "If-None-Match names the current ETag"}}},
            {"404", Problem("No such file, or no full dump yet (field `file`).")},
            {"416", Problem("The range starts at or beyond the end of the file.")}}}}}}},
      {"/api/v1/bulk/daily/{day}/{file}",
       {{"get",
         {{"operationId", "getBulkDailyFile"},
          {"summary", "A file of the delta of one day: the contracts changed that day"},
          {"description",
           "Same files and download behaviour as the full dump. A day without change has "
           "empty but valid files."},
          {"parameters",
           json::array(
               {Param("day", "path", "YYYY-MM-DD, a day that is over (Europe/Paris).",
                      {{"type", "string"}, {"format", "date"}}, true),
                Param("file", "path", "As for the full dump.", {{"type", "string"}}, true)})},
          {"responses",
           {{"200", {{"description", "The whole file"}}},
            {"206", {{"description", "The range asked (Content-Range)"}}},
            {"304", {{"description", "If-None-Match names the current ETag"}}},
            {"400", Problem("`day` is not a date (field `day`).")},
            {"404", Problem("No delta for that day, or no such file.")},
            {"416", Problem("The range starts at or beyond the end of the file.")}}}}}}},
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
          {"description",
           "For an ocid imported from OCDS (limpide import), the releases are the stored ones and "
           "the compiled and versioned releases their merge; otherwise the releases of our own "
           "contract (docs/ocds-mapping.md)."},
          {"parameters",
           json::array(
               {Param("ocid", "path", "ocid: <prefix>-<contract uid>, or an imported OCDS ocid.",
                      {{"type", "string"}}, true)})},
          {"responses",
           {{"200",
             {{"description", "An OCDS 1.1 record package"},
              {"content", {{"application/json", {{"schema", {{"type", "object"}}}}}}}}},
            {"404", Problem("No contract with this ocid.")}}}}}}},
      {"/healthz",
       {{"get",
         {{"operationId", "health"},
          {"summary", "Liveness and store reachability"},
          {"description",
           "200 {\"status\":\"ok\",\"store\":\"ok\"} when the server is up and its store "
           "answers (checked at most once a second); 503 problem+json with Retry-After when the "
           "store cannot be reached (the node reconnects by itself)."},
          {"responses",
           {{"200", {{"description", "The server is up and its store answers"}}},
            {"429", too_many},
            {"503", Problem("The store cannot be reached; see Retry-After.")}}}}}}},
      {"/metrics",
       {{"get",
         {{"operationId", "metrics"},
          {"summary", "Prometheus metrics"},
          {"responses",
           {{"200", {{"description", "Prometheus text format 0.0.4"}}}, {"429", too_many}}}}}}},
  };
  paths.update(LedgerPaths());
  paths.update(SearchPaths());
  paths.update(AccountsPaths());
  paths.update(TendersPaths());
  paths.update(AlertsPaths());
  json schemas = Schemas();
  schemas.update(LedgerSchemas());
  schemas.update(AccountsSchemas());
  schemas.update(AlertsSchemas());
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
      // Public by default; operations that need credentials list them.
      {"security", json::array()},
      {"paths", std::move(paths)},
      {"components",
       {{"schemas", std::move(schemas)},
        // Private operations (accounts, procedure) list these (docs/accounts.md).
        {"securitySchemes",
         {{"bearer",
           {{"type", "http"},
            {"scheme", "bearer"},
            {"description", "An API token or a session token (lmp_…), stored hashed."}}},
          {"session",
           {{"type", "apiKey"},
            {"in", "cookie"},
            {"name", "limpide_session"},
            {"description", "The session cookie set by POST /api/v1/session or /connexion."}}}}}}},
  };
  return doc.dump(2);
}

}  // namespace limpide::api
