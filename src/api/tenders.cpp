// /api/v1/tenders…: the procedure's endpoints (docs/tenders.md). Each handler
// authenticates, reads the request, calls app::Procedures and shapes the
// answer; the rules live in domain/ and app/.
#include <charconv>
#include <nlohmann/json.hpp>
#include <optional>
#include <variant>

#include "api/api.h"
#include "api/auth.h"
#include "api/body.h"
#include "http/problem.h"

namespace limpide::api {
namespace {

using app::Principal;
using app::UserRole;
using nlohmann::json;

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// Errors of the procedure. resource_exhausted is always a size limit here: 413.
http::Response Failure(const Status& st, const http::Request& req) {
  if (st.code() == ErrorCode::kResourceExhausted)
    return http::Problem(413, "content_too_large", st.message(), req.target, st.field());
  return AuthProblem(st, req);
}

http::Response Answer(const Result<json>& r, const http::Request& req, int status = 200) {
  if (!r.ok()) return Failure(r.status(), req);
  return http::Json(status, Dump(*r));
}

// A list from the service ({"items", "next"?}) in the API's envelope
// ({"data", "links"}: docs/api.md, "Pagination").
http::Response ListAnswer(Result<json> r, const http::Request& req) {
  if (!r.ok()) return Failure(r.status(), req);
  const json next = r->contains("next") ? (*r)["next"] : json(nullptr);
  return http::Json(200, Dump(ListEnvelope(std::move((*r)["items"]), next, req)));
}

http::Response File(const Result<app::FileContent>& f, const http::Request& req) {
  if (!f.ok()) return Failure(f.status(), req);
  http::Response res;
  res.body = f->bytes;
  res.SetHeader("Content-Type", f->type);
  // RFC 6266 with the RFC 5987 form for non-ASCII names.
  std::string ascii;
  for (char c : f->name) ascii += (static_cast<unsigned char>(c) < 0x80 && c != '"') ? c : '_';
  res.SetHeader("Content-Disposition",
                "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + UrlEncode(f->name));
  res.SetHeader("X-Content-Type-Options", "nosniff");
  return res;
}

// A non-negative index from a path parameter.
Result<size_t> Index(const http::Request& req, const char* name) {
  const std::string& v = req.params.at(name);
  size_t out = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || p != v.data() + v.size() || out > 1'000'000)
    return Status::InvalidArgument(std::string(name) + " must be a number from 0", name);
  return out;
}

// Calls `fn(principal)` when the request carries the role and scope, else the 401/403.
template <typename Fn>
http::Response As(const http::Request& req, const app::Accounts& accounts,
                  std::optional<UserRole> role, std::string_view scope, Fn&& fn) {
  auto who = role ? Require(req, accounts, {*role}, scope) : Require(req, accounts, {}, scope);
  if (auto* denied = std::get_if<http::Response>(&who)) return std::move(*denied);
  return fn(std::get<Principal>(who));
}

// The optional principal of a public read: bad credentials are still a 401.
template <typename Fn>
http::Response Public(const http::Request& req, const app::Accounts& accounts, Fn&& fn) {
  auto who = Authenticate(req, accounts);
  if (!who.ok()) return AuthProblem(who.status(), req);
  return fn(who->has_value() ? &**who : nullptr);
}

const std::string& Id(const http::Request& req) { return req.params.at("id"); }

}  // namespace

void RegisterTendersApi(http::Router& router, app::Procedures& procedures,
                        const app::Accounts& accounts) {
  app::Procedures* p = &procedures;
  const app::Accounts* a = &accounts;
  const UserRole buyer = UserRole::kBuyerAgent;
  const UserRole company = UserRole::kCompanyRep;
  const std::string_view tenders = app::kScopeTenders;
  const std::string_view deposits = app::kScopeDeposits;

  // ---- Public reads ----
  router.Add("GET", "/api/v1/tenders", [p, a](const http::Request& req) {
    return Public(req, *a, [&](const Principal* who) {
      store::PageRequest page;
      if (const auto* after = req.Query("after")) page.after = *after;
      if (const auto* limit = req.Query("limit")) {
        int n = 0;
        auto [q, ec] = std::from_chars(limit->data(), limit->data() + limit->size(), n);
        if (ec != std::errc() || q != limit->data() + limit->size())
          return http::Problem(Status::InvalidArgument("limit must be an integer", "limit"),
                               req.target);
        page.limit = n;
      }
      const auto* test = req.Query("test");
      return ListAnswer(p->List(who, page, test && *test == "1"), req);
    });
  });
  router.Add("GET", "/api/v1/tenders/{id}", [p, a](const http::Request& req) {
    return Public(req, *a, [&](const Principal* who) { return Answer(p->Get(who, Id(req)), req); });
  });
  router.Add("GET", "/api/v1/tenders/{id}/documents/{sha256}", [p, a](const http::Request& req) {
    return Public(req, *a, [&](const Principal* who) {
      return File(p->DownloadDocument(who, Id(req), req.params.at("sha256")), req);
    });
  });
  router.Add("GET", "/api/v1/tenders/{id}/questions", [p, a](const http::Request& req) {
    return Public(req, *a,
                  [&](const Principal* who) { return ListAnswer(p->Questions(who, Id(req)), req); });
  });

  // ---- Buyer ----
  router.Add("POST", "/api/v1/tenders", [p, a, buyer, tenders](const http::Request& req) {
    return As(req, *a, buyer, tenders, [&](const Principal& who) {
      if (auto bad = UnlessMediaType(req, "application/json")) return std::move(*bad);
      return Answer(p->CreateDraft(who, req.body), req, 201);
    });
  });
  router.Add("PUT", "/api/v1/tenders/{id}", [p, a, buyer, tenders](const http::Request& req) {
    return As(req, *a, buyer, tenders, [&](const Principal& who) {
      if (auto bad = UnlessMediaType(req, "application/json")) return std::move(*bad);
      return Answer(p->UpdateDraft(who, Id(req), req.body), req);
    });
  });
  router.Add(
      "POST", "/api/v1/tenders/{id}/publish", [p, a, buyer, tenders](const http::Request& req) {
        return As(req, *a, buyer, tenders,
                  [&](const Principal& who) { return Answer(p->Publish(who, Id(req)), req); });
      });
  router.Add(
      "POST", "/api/v1/tenders/{id}/amendments", [p, a, buyer, tenders](const http::Request& req) {
        return As(req, *a, buyer, tenders, [&](const Principal& who) {
          if (auto bad = UnlessMediaType(req, "application/json")) return std::move(*bad);
          auto body = JsonObject(req, {"consultation", "summary"});
          if (!body.ok()) return http::Problem(body.status(), req.target);
          auto summary = StringMember(*body, "summary", false);
          if (!summary.ok()) return http::Problem(summary.status(), req.target);
          if (!body->contains("consultation"))
            return http::Problem(
                Status::InvalidArgument("consultation is required", "consultation"), req.target);
          return Answer(p->Amend(who, Id(req), (*body)["consultation"].dump(), *summary), req);
        });
      });
  for (const char* action : {"cancel", "unsuccessful"}) {
    const bool cancel = std::string_view(action) == "cancel";
    router.Add("POST", std::string("/api/v1/tenders/{id}/") + action,
               [p, a, buyer, tenders, cancel](const http::Request& req) {
                 return As(req, *a, buyer, tenders, [&](const Principal& who) {
                   if (auto bad = UnlessMediaType(req, "application/json")) return std::move(*bad);
                   auto body = JsonObject(req, {"reason"});
                   if (!body.ok()) return http::Problem(body.status(), req.target);
                   auto reason = StringMember(*body, "reason", true);
                   if (!reason.ok()) return http::Problem(reason.status(), req.target);
                   return Answer(cancel ? p->Cancel(who, Id(req), *reason)
                                        : p->DeclareUnsuccessful(who, Id(req), *reason),
                                 req);
                 });
               });
  }
  router.Add(
      "POST", "/api/v1/tenders/{id}/documents", [p, a, buyer, tenders](const http::Request& req) {
        return As(req, *a, buyer, tenders, [&](const Principal& who) {
          const auto* name = req.Query("name");
          if (!name)
            return http::Problem(
                Status::InvalidArgument("the query parameter name is required", "name"),
                req.target);
          return Answer(p->AddDocument(who, Id(req), *name, MediaType(req), req.body), req, 201);
        });
      });
  router.Add("POST", "/api/v1/tenders/{id}/questions/{qid}/answer",
             [p, a, buyer, tenders](const http::Request& req) {
               return As(req, *a, buyer, tenders, [&](const Principal& who) {
                 if (auto bad = UnlessMediaType(req, "application/json")) return std::move(*bad);
                 auto body = JsonObject(req, {"text"});
                 if (!body.ok()) return http::Problem(body.status(), req.target);
                 auto text = StringMember(*body, "text", true);
                 if (!text.ok()) return http::Problem(text.status(), req.target);
                 return Answer(p->Answer(who, Id(req), req.params.at("qid"), *text), req);
               });
             });
  router.Add("POST", "/api/v1/tenders/{id}/opening",
             [p, a, buyer, tenders](const http::Request& req) {
               return As(req, *a, buyer, tenders, [&](const Principal& who) {
                 if (auto bad = UnlessMediaType(req, "application/json")) return std::move(*bad);
                 auto body = JsonObject(req, {"secret_key", "include_late"});
                 if (!body.ok()) return http::Problem(body.status(), req.target);
                 auto key = StringMember(*body, "secret_key", true);
                 if (!key.ok()) return http::Problem(key.status(), req.target);
                 const bool late = body->value("include_late", false);
                 return Answer(p->OpenBids(who, Id(req), *key, late), req);
               });
             });
  router.Add("GET", "/api/v1/tenders/{id}/bids", [p, a, buyer, tenders](const http::Request& req) {
    return As(req, *a, buyer, tenders,
              [&](const Principal& who) { return Answer(p->Bids(who, Id(req)), req); });
  });
  router.Add("GET", "/api/v1/tenders/{id}/bids/{bid}/documents/{n}",
             [p, a, buyer, tenders](const http::Request& req) {
               return As(req, *a, buyer, tenders, [&](const Principal& who) {
                 auto n = Index(req, "n");
                 if (!n.ok()) return http::Problem(n.status(), req.target);
                 return File(p->BidDocument(who, Id(req), req.params.at("bid"), *n), req);
               });
             });
  router.Add("POST", "/api/v1/tenders/{id}/evaluation",
             [p, a, buyer, tenders](const http::Request& req) {
               return As(req, *a, buyer, tenders, [&](const Principal& who) {
                 if (auto bad = UnlessMediaType(req, "application/json")) return std::move(*bad);
                 return Answer(p->Evaluate(who, Id(req), req.body), req);
               });
             });
  router.Add("POST", "/api/v1/tenders/{id}/award",
             [p, a, buyer, tenders](const http::Request& req) {
               return As(req, *a, buyer, tenders, [&](const Principal& who) {
                 if (auto bad = UnlessMediaType(req, "application/json")) return std::move(*bad);
                 auto body = JsonObject(req, {"bid"});
                 if (!body.ok()) return http::Problem(body.status(), req.target);
                 auto bid = StringMember(*body, "bid", true);
                 if (!bid.ok()) return http::Problem(bid.status(), req.target);
                 return Answer(p->Award(who, Id(req), *bid), req);
               });
             });
  router.Add("POST", "/api/v1/tenders/{id}/signature",
             [p, a, buyer, tenders](const http::Request& req) {
               return As(req, *a, buyer, tenders, [&](const Principal& who) {
                 if (auto bad = UnlessMediaType(req, "application/json")) return std::move(*bad);
                 return Answer(p->Sign(who, Id(req), req.body), req);
               });
             });
  router.Add(
      "GET", "/api/v1/tenders/{id}/events", [p, a, buyer, tenders](const http::Request& req) {
        return As(req, *a, buyer, tenders,
                  [&](const Principal& who) { return ListAnswer(p->Events(who, Id(req)), req); });
      });

  // ---- Companies ----
  router.Add("POST", "/api/v1/tenders/{id}/questions",
             [p, a, company, deposits](const http::Request& req) {
               return As(req, *a, company, deposits, [&](const Principal& who) {
                 if (auto bad = UnlessMediaType(req, "application/json")) return std::move(*bad);
                 auto body = JsonObject(req, {"text"});
                 if (!body.ok()) return http::Problem(body.status(), req.target);
                 auto text = StringMember(*body, "text", true);
                 if (!text.ok()) return http::Problem(text.status(), req.target);
                 return Answer(p->Ask(who, Id(req), *text), req, 201);
               });
             });
  router.Add(
      "POST", "/api/v1/tenders/{id}/deposits", [p, a, company, deposits](const http::Request& req) {
        return As(req, *a, company, deposits, [&](const Principal& who) {
          // One document of less than 1 MiB in one request: the body itself.
          if (MediaType(req) == "application/octet-stream") {
            const auto* name = req.Query("name");
            if (!name)
              return http::Problem(
                  Status::InvalidArgument("the query parameter name is required", "name"),
                  req.target);
            const auto* sealed = req.Query("sealed");
            if (sealed && *sealed != "true" && *sealed != "false")
              return http::Problem(Status::InvalidArgument("sealed is true or false", "sealed"),
                                   req.target);
            return Answer(
                p->DepositInOneRequest(who, Id(req), *name, !sealed || *sealed == "true", req.body),
                req, 201);
          }
          if (auto bad = UnlessMediaType(req, "application/json")) return std::move(*bad);
          auto body = JsonObject(req, {"documents"});
          if (!body.ok()) return http::Problem(body.status(), req.target);
          const json& docs = (*body)["documents"];
          if (!docs.is_array())
            return http::Problem(
                Status::InvalidArgument("documents must be an array of {name, size, sealed}",
                                        "documents"),
                req.target);
          std::vector<app::DocumentDeclaration> decl;
          for (size_t i = 0; i < docs.size(); ++i) {
            const json& d = docs[i];
            const std::string field = "documents[" + std::to_string(i) + "]";
            if (!d.is_object() || !d.contains("name") || !d["name"].is_string() ||
                !d.contains("size") || !d["size"].is_number_unsigned() ||
                (d.contains("sealed") && !d["sealed"].is_boolean())) {
              return http::Problem(
                  Status::InvalidArgument("each document is {\"name\": text, \"size\": "
                                          "bytes of plaintext, \"sealed\": true|false}",
                                          field),
                  req.target);
            }
            decl.push_back(
                {d["name"].get<std::string>(), d["size"].get<uint64_t>(), d.value("sealed", true)});
          }
          return Answer(p->StartDeposit(who, Id(req), decl), req, 201);
        });
      });
  router.Add(
      "GET", "/api/v1/tenders/{id}/deposits", [p, a, company, deposits](const http::Request& req) {
        return As(req, *a, company, deposits,
                  [&](const Principal& who) { return ListAnswer(p->Deposits(who, Id(req)), req); });
      });
  router.Add("GET", "/api/v1/tenders/{id}/deposits/{deposit}",
             [p, a, company, deposits](const http::Request& req) {
               return As(req, *a, company, deposits, [&](const Principal& who) {
                 return Answer(p->Deposit(who, Id(req), req.params.at("deposit")), req);
               });
             });
  router.Add("PUT", "/api/v1/tenders/{id}/deposits/{deposit}/documents/{n}/chunks/{k}",
             [p, a, company, deposits](const http::Request& req) {
               return As(req, *a, company, deposits, [&](const Principal& who) {
                 if (auto bad = UnlessMediaType(req, "application/octet-stream"))
                   return std::move(*bad);
                 auto n = Index(req, "n");
                 if (!n.ok()) return http::Problem(n.status(), req.target);
                 auto k = Index(req, "k");
                 if (!k.ok()) return http::Problem(k.status(), req.target);
                 return Answer(
                     p->PutChunk(who, Id(req), req.params.at("deposit"), *n, *k, req.body), req);
               });
             });
  router.Add("POST", "/api/v1/tenders/{id}/deposits/{deposit}/complete",
             [p, a, company, deposits](const http::Request& req) {
               return As(req, *a, company, deposits, [&](const Principal& who) {
                 return Answer(p->CompleteDeposit(who, Id(req), req.params.at("deposit")), req);
               });
             });
  router.Add("DELETE", "/api/v1/tenders/{id}/deposits/{deposit}",
             [p, a, company, deposits](const http::Request& req) {
               return As(req, *a, company, deposits, [&](const Principal& who) {
                 return Answer(p->Withdraw(who, Id(req), req.params.at("deposit")), req);
               });
             });
  router.Add("GET", "/api/v1/tenders/{id}/deposits/{deposit}/proof",
             [p, a, company, deposits](const http::Request& req) {
               return As(req, *a, company, deposits, [&](const Principal& who) {
                 return Answer(p->ReceiptProof(who, Id(req), req.params.at("deposit")), req);
               });
             });

  // ---- Anyone signed in ----
  router.Add("GET", "/api/v1/me/notifications", [p, a](const http::Request& req) {
    return As(req, *a, std::nullopt, "",
              [&](const Principal& who) { return ListAnswer(p->Notifications(who), req); });
  });
}

}  // namespace limpide::api
