// /api/v1/alerts…: saved searches and their deliveries (docs/alerts.md).
// Handlers authenticate, read the request and call alerts::Alerts; the Atom
// feed is authenticated by the key in its URL (feed readers send no header).
#include <charconv>
#include <nlohmann/json.hpp>
#include <variant>

#include "api/api.h"
#include "api/auth.h"
#include "api/body.h"
#include "http/problem.h"

namespace limpide::api {
namespace {

using nlohmann::json;

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

http::Response Answer(const Result<json>& r, const http::Request& req, int status = 200) {
  if (!r.ok()) return AuthProblem(r.status(), req);
  return http::Json(status, Dump(*r));
}

// limit (1..100, default 20) and after, the keyset cursor of the previous page.
Result<store::PageRequest> PageOf(const http::Request& req) {
  store::PageRequest page{"", 20};
  if (const auto* after = req.Query("after")) page.after = *after;
  if (const auto* limit = req.Query("limit")) {
    int n = 0;
    auto [p, ec] = std::from_chars(limit->data(), limit->data() + limit->size(), n);
    if (ec != std::errc() || p != limit->data() + limit->size() || n < 1 || n > 100)
      return Status::InvalidArgument("limit must be an integer from 1 to 100", "limit");
    page.limit = n;
  }
  return page;
}

// The page's answer with links.next when there is a following page.
http::Response Paged(Result<json> r, const http::Request& req) {
  if (!r.ok()) return AuthProblem(r.status(), req);
  return http::Json(200, Dump(ListEnvelope(std::move((*r)["data"]), (*r)["next"], req)));
}

Status CheckParams(const http::Request& req, std::initializer_list<std::string_view> allowed) {
  for (const auto& [k, v] : req.query) {
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end())
      return Status::InvalidArgument("unknown parameter '" + k + "'", k);
  }
  return Status::Ok();
}

template <typename Fn>
http::Response As(const http::Request& req, const app::Accounts& accounts, std::string_view scope,
                  Fn&& fn) {
  auto who = Require(req, accounts, {app::UserRole::kCompanyRep}, scope);
  if (auto* denied = std::get_if<http::Response>(&who)) return std::move(*denied);
  return fn(std::get<app::Principal>(who));
}

Result<json> Body(const http::Request& req) {
  return JsonObject(req, {"name", "query", "cpv", "departments", "regions", "procedures",
                          "amountMin", "amountMax", "webhook", "email", "emailMode"});
}

}  // namespace

void RegisterAlertsApi(http::Router& router, alerts::Alerts& alerts,
                       const app::Accounts& accounts) {
  alerts::Alerts* al = &alerts;
  const app::Accounts* a = &accounts;
  // Saving and changing a search is a company action (scope deposits);
  // reading one's own alerts needs the scope read.
  const std::string_view write = app::kScopeDeposits;
  const std::string_view read = app::kScopeRead;

  router.Add("POST", "/api/v1/alerts", [al, a, write](const http::Request& req) {
    return As(req, *a, write, [&](const app::Principal& who) {
      if (auto bad = UnlessMediaType(req, "application/json")) return std::move(*bad);
      auto body = Body(req);
      if (!body.ok()) return http::Problem(body.status(), req.target);
      auto created = al->Create(who, *body);
      if (!created.ok()) return AuthProblem(created.status(), req);
      http::Response r = http::Json(201, Dump(*created));
      r.SetHeader("Location", "/api/v1/alerts/" + (*created)["id"].get<std::string>());
      return r;
    });
  });
  router.Add("GET", "/api/v1/alerts", [al, a, read](const http::Request& req) {
    return As(req, *a, read, [&](const app::Principal& who) {
      if (auto st = CheckParams(req, {"limit", "after"}); !st.ok())
        return http::Problem(st, req.target);
      auto page = PageOf(req);
      if (!page.ok()) return http::Problem(page.status(), req.target);
      return Paged(al->List(who, *page), req);
    });
  });
  router.Add("GET", "/api/v1/alerts/{id}", [al, a, read](const http::Request& req) {
    return As(req, *a, read, [&](const app::Principal& who) {
      return Answer(al->Get(who, req.params.at("id")), req);
    });
  });
  router.Add("PUT", "/api/v1/alerts/{id}", [al, a, write](const http::Request& req) {
    return As(req, *a, write, [&](const app::Principal& who) {
      if (auto bad = UnlessMediaType(req, "application/json")) return std::move(*bad);
      auto body = Body(req);
      if (!body.ok()) return http::Problem(body.status(), req.target);
      return Answer(al->Replace(who, req.params.at("id"), *body), req);
    });
  });
  router.Add("DELETE", "/api/v1/alerts/{id}", [al, a, write](const http::Request& req) {
    return As(req, *a, write, [&](const app::Principal& who) {
      Status st = al->Delete(who, req.params.at("id"));
      if (!st.ok()) return AuthProblem(st, req);
      http::Response r;
      r.status = 204;
      return r;
    });
  });
  router.Add("POST", "/api/v1/alerts/{id}/feed-key", [al, a, write](const http::Request& req) {
    return As(req, *a, write, [&](const app::Principal& who) {
      return Answer(al->RotateFeedKey(who, req.params.at("id")), req);
    });
  });
  // The matches and the deliveries of one alert: pages of the same shape.
  using Lister = Result<json> (alerts::Alerts::*)(const app::Principal&, std::string_view,
                                                  const store::PageRequest&);
  for (const auto& route :
       {std::pair<const char*, Lister>{"/api/v1/alerts/{id}/matches", &alerts::Alerts::Matches},
        std::pair<const char*, Lister>{"/api/v1/alerts/{id}/deliveries",
                                       &alerts::Alerts::Deliveries}}) {
    // Not a structured binding: clang (the fuzz build) cannot capture one.
    const Lister list = route.second;
    router.Add("GET", route.first, [al, a, read, list](const http::Request& req) {
      return As(req, *a, read, [&](const app::Principal& who) {
        if (auto st = CheckParams(req, {"limit", "after"}); !st.ok())
          return http::Problem(st, req.target);
        auto page = PageOf(req);
        if (!page.ok()) return http::Problem(page.status(), req.target);
        return Paged((al->*list)(who, req.params.at("id"), *page), req);
      });
    });
  }
  // No Authorization header: the key in the URL is the credential.
  router.Add("GET", "/api/v1/alerts/{id}/feed", [al](const http::Request& req) {
    const std::string* key = req.Query("key");
    if (!key || key->empty())
      return http::Problem(Status::InvalidArgument("the feed URL needs its key", "key"),
                           req.target);
    auto feed = al->Feed(req.params.at("id"), *key);
    if (!feed.ok()) return http::Problem(feed.status(), req.target);
    http::Response r;
    r.body = std::move(*feed);
    r.SetHeader("Content-Type", "application/atom+xml; charset=utf-8");
    r.SetHeader("Cache-Control", "private, max-age=60");
    return r;
  });
}

}  // namespace limpide::api
