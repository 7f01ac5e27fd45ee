#include "api/api.h"

#include <chrono>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>

#include "api/body_cache.h"
#include "api/export.h"
#include "api/ocds.h"
#include "formats/contract_json.h"
#include "http/metrics.h"
#include "http/problem.h"

namespace limpide::api {
namespace {

using nlohmann::json;

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// Whether the store answers (one cheap read), checked at most once a second
// whatever the request rate: /healthz stays a near-free probe.
class StoreHealth {
 public:
  explicit StoreHealth(store::Store& store) : store_(store) {}
  Status Check() {
    using Clock = std::chrono::steady_clock;
    std::unique_lock<std::mutex> lock(mu_);
    if (checked_ != Clock::time_point{} && Clock::now() - checked_ < std::chrono::seconds(1))
      return last_;
    // The next probes use the last answer while this one asks the store.
    checked_ = Clock::now();
    lock.unlock();
    Status st = store_.LedgerSize().status();
    lock.lock();
    checked_ = Clock::now();
    last_ = st;
    return last_;
  }

 private:
  store::Store& store_;
  std::mutex mu_;
  std::chrono::steady_clock::time_point checked_{};
  Status last_;
};

http::Response ContractList(const app::Catalogue& catalogue, const http::Request& req) {
  auto query = app::ParseContractQuery(req.query, /*strict=*/true);
  if (!query.ok()) return http::Problem(query.status(), req.target);
  auto page = catalogue.ListContracts(*query);
  if (!page.ok()) return http::Problem(page.status(), req.target);
  json links = {{"self", req.target}};
  if (!page->next.empty()) links["next"] = NextPageUrl(req, page->next);
  const json meta = {{"limit", query->page.limit}, {"count", page->items.size()}};
  // The text of {"data": [...], "links": ..., "meta": ...} (keys in dump
  // order), the contracts written directly rather than through a DOM.
  std::string body = R"({"data":[)";
  for (size_t i = 0; i < page->items.size(); ++i) {
    if (i) body.push_back(',');
    formats::AppendContractJson(body, page->items[i]);
  }
  body += R"(],"links":)";
  body += Dump(links);
  body += R"(,"meta":)";
  body += Dump(meta);
  body.push_back('}');
  return http::Json(200, std::move(body));
}

}  // namespace

std::string UrlEncode(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string QueryString(const app::Params& params, std::string_view skip) {
  std::string out;
  for (const auto& [k, v] : params) {
    if (v.empty() || k == skip) continue;
    out += out.empty() ? '?' : '&';
    out += UrlEncode(k);
    out += '=';
    out += UrlEncode(v);
  }
  return out;
}

std::string NextPageUrl(const http::Request& req, std::string_view cursor) {
  const std::string rest = QueryString(req.query, "after");
  return req.path + rest + (rest.empty() ? "?" : "&") + "after=" + UrlEncode(cursor);
}

json ListEnvelope(json items, const json& next, const http::Request& req) {
  json out = {{"data", std::move(items)}, {"links", {{"self", req.target}}}};
  if (next.is_string()) out["links"]["next"] = NextPageUrl(req, next.get<std::string>());
  return out;
}

void RegisterApi(http::Router& router, const app::Catalogue& catalogue, const ApiOptions& options) {
  const app::Catalogue* cat = &catalogue;
  auto contracts = std::make_shared<BodyCache>(options.contract_cache_bytes);

  auto health = std::make_shared<StoreHealth>(cat->store());
  router.Add("GET", "/healthz", [health](const http::Request& req) {
    const Status store = health->Check();
    if (!store.ok()) {
      return http::Problem(Status::Unavailable("store unreachable: " + store.message()),
                           req.target);
    }
    return http::Json(200, R"({"status":"ok","store":"ok"})");
  });
  router.Add("GET", "/metrics", [contracts](const http::Request&) {
    http::Response r;
    r.body = http::MetricsText() + contracts->MetricsText("contract");
    r.SetHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    return r;
  });
  router.Add("GET", "/api/v1/openapi.json", [](const http::Request&) {
    static const std::string kBody = OpenApiJson();
    return http::Json(200, kBody);
  });

  RegisterExport(router, catalogue);
  RegisterOcds(router, catalogue);
  router.Add("GET", "/api/v1/contracts",
             [cat](const http::Request& req) { return ContractList(*cat, req); });

  router.Add("GET", "/api/v1/contracts.csv", [cat](const http::Request& req) {
    auto query = app::ParseContractQuery(req.query, /*strict=*/true);
    if (!query.ok()) return http::Problem(query.status(), req.target);
    http::Response r;
    r.SetHeader("Content-Type", "text/csv; charset=utf-8");
    r.SetHeader("Content-Disposition", "attachment; filename=\"contracts.csv\"");
    r.stream = cat->ContractsCsv(*query);
    return r;
  });

  router.Add("GET", "/api/v1/contracts/{uid}", [cat, contracts](const http::Request& req) {
    const std::string& uid = req.params.at("uid");
    // Taken before the contract is read: the body is at least as new.
    const std::optional<uint64_t> version =
        contracts->enabled() ? cat->store().ContractsVersion() : std::nullopt;
    if (version) {
      if (auto kept = contracts->Get(uid, *version)) return http::Json(200, std::move(*kept));
    }
    auto c = cat->GetContractWithSources(uid);
    if (!c.ok()) return http::Problem(c.status(), req.target);
    std::string body = formats::ContractJsonText(c->contract);
    body.pop_back();  // the closing brace: "sources" goes last
    body += ",\"sources\":";
    body += c->sources;
    body += '}';
    if (version) contracts->Put(uid, *version, body);
    return http::Json(200, std::move(body));
  });

  router.Add("GET", "/api/v1/organizations/{siret}", [cat](const http::Request& req) {
    auto view = cat->GetOrganization(req.params.at("siret"));
    if (!view.ok()) return http::Problem(view.status(), req.target);
    json body = formats::OrganizationToJson(view->organization);
    auto partners = [](const std::vector<store::Partner>& list) {
      json out = json::array();
      for (const auto& p : list) {
        json j = {{"id", p.id}, {"contracts", p.contracts}, {"amount", domain::ToEuros(p.amount)}};
        if (!p.name.empty()) j["name"] = p.name;
        out.push_back(std::move(j));
      }
      return out;
    };
    body["topSuppliers"] = partners(view->holders);
    body["topBuyers"] = partners(view->buyers);
    body["links"] = {
        {"asBuyer", "/api/v1/contracts?buyer=" + UrlEncode(view->organization.id)},
        {"asSupplier", "/api/v1/contracts?supplier=" + UrlEncode(view->organization.id)}};
    return http::Json(200, Dump(body));
  });

  router.Add("GET", "/api/v1/cpv/{code}", [cat](const http::Request& req) {
    auto view = cat->GetCpv(req.params.at("code"));
    if (!view.ok()) return http::Problem(view.status(), req.target);
    auto brief = [](const domain::CpvCode* c) {
      return json{{"code", c->code},
                  {"labelFr", c->label_fr},
                  {"labelEn", c->label_en},
                  {"level", c->level}};
    };
    json body = brief(view->code);
    if (!view->code->parent_code8.empty()) body["parent"] = view->code->parent_code8;
    json lineage = json::array();
    for (const auto* c : view->lineage) lineage.push_back(brief(c));
    json children = json::array();
    for (const auto* c : view->children) children.push_back(brief(c));
    body["lineage"] = std::move(lineage);
    body["children"] = std::move(children);
    body["contracts"] = {{"count", view->contracts.contracts},
                         {"amount", domain::ToEuros(view->contracts.total_amount)}};
    body["links"] = {
        {"contracts",
         "/api/v1/contracts?cpv=" + std::string(domain::CpvSignificantPrefix(view->code->code8))}};
    return http::Json(200, Dump(body));
  });
}

}  // namespace limpide::api
