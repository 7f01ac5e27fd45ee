// GET /api/v1/search (docs/search.md, docs/api.md).
#include <nlohmann/json.hpp>

#include "api/api.h"
#include "domain/money.h"
#include "domain/time.h"
#include "http/problem.h"

namespace limpide::api {
namespace {

using nlohmann::json;

json HitJson(const search::Hit& hit) {
  const search::Document& d = hit.document;
  json j = {{"type", d.type}, {"uid", d.uid}, {"snippet", hit.snippet}};
  auto text = [&](const char* key, const std::string& v) {
    if (!v.empty()) j[key] = v;
  };
  text("object", d.object);
  json buyer = {{"id", d.buyer_id}};
  if (!d.buyer_name.empty()) buyer["name"] = d.buyer_name;
  j["buyer"] = std::move(buyer);
  if (d.amount) j["amount"] = domain::ToEuros(*d.amount);
  if (d.date) j["date"] = domain::FormatDate(*d.date);
  text("cpv", d.cpv);
  text("procedure", d.procedure);
  text("nature", d.nature);
  text("department", d.department);
  text("place", d.place);
  json holders = json::array();
  for (const auto& h : d.holders) {
    json hj = {{"id", h.id}};
    if (!h.name.empty()) hj["name"] = h.name;
    holders.push_back(std::move(hj));
  }
  j["holders"] = std::move(holders);
  text("status", d.status);
  text("state", d.state);
  if (d.deadline) j["deadline"] = domain::FormatInstantMillis(*d.deadline);
  if (hit.percent > 0) j["score"] = hit.percent;
  j["links"] = {{"self", (d.type == "consultation" ? "/api/v1/tenders/" : "/api/v1/contracts/") +
                             UrlEncode(d.uid)}};
  return j;
}

http::Response Search(search::Index& index, store::Store& store, const http::Request& req) {
  auto query = search::ParseSearchParams(req.query, /*strict=*/true);
  if (!query.ok()) return http::Problem(query.status(), req.target);
  auto results = index.Search(*query);
  if (!results.ok()) return http::Problem(results.status(), req.target);
  auto ledger_size = store.LedgerSize();
  if (!ledger_size.ok()) return http::Problem(ledger_size.status(), req.target);

  json items = json::array();
  for (const auto& hit : results->hits) items.push_back(HitJson(hit));
  json facets = json::object();
  for (const auto& f : results->facets) {
    json values = json::array();
    for (const auto& v : f.values) {
      values.push_back({{"value", v.value}, {"label", v.label}, {"count", v.count}});
    }
    facets[f.name] = std::move(values);
  }
  json links = {{"self", req.target}};
  const int page = query->offset / query->limit + 1;
  if (query->offset + query->limit < results->total &&
      query->offset + query->limit <= search::kMaxOffset) {
    const std::string rest = QueryString(req.query, "page");
    links["next"] =
        req.path + rest + (rest.empty() ? "?" : "&") + "page=" + std::to_string(page + 1);
  }
  json body = {{"total", results->total},
               {"totalExact", results->total_exact},
               {"data", std::move(items)},
               {"facets", std::move(facets)},
               {"facetsExact", results->facets_exact},
               {"facetsSampled", results->facets_sampled},
               {"plainWords", results->plain_words},
               {"page", page},
               {"limit", query->limit},
               {"index_position", results->index_position},
               {"ledger_size", *ledger_size},
               {"links", std::move(links)}};
  return http::Json(200, body.dump(-1, ' ', false, json::error_handler_t::replace));
}

}  // namespace

void RegisterSearchApi(http::Router& router, search::Index& index, store::Store& store) {
  router.Add("GET", "/api/v1/search",
             [&index, &store](const http::Request& req) { return Search(index, store, req); });
}

}  // namespace limpide::api
