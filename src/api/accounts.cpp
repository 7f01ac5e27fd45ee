// Accounts endpoints (docs/accounts.md): registration of companies, users
// created by admins, login sessions, the current user and their API tokens.
// No answer ever holds a password, a password hash or a stored token hash;
// a token appears once, in the answer that creates it.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>
#include <variant>

#include "api/api.h"
#include "api/auth.h"
#include "api/body.h"
#include "domain/time.h"
#include "http/problem.h"

namespace limpide::api {
namespace {

using nlohmann::json;

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

json UserJson(const app::Principal& p) {
  json j = {{"id", p.user_id}, {"email", p.email}, {"name", p.name}, {"role", app::Code(p.role)}};
  if (!p.org_id.empty()) j["organization"] = {{"id", p.org_id}, {"name", p.org_name}};
  return j;
}

json TokenJson(const app::TokenInfo& t) {
  json j = {{"id", t.id},
            {"kind", t.kind},
            {"label", t.label},
            {"scopes", t.scopes},
            {"created", domain::FormatInstantMillis(t.created)}};
  if (t.expires) j["expires"] = domain::FormatInstantMillis(*t.expires);
  if (t.revoked) j["revoked"] = domain::FormatInstantMillis(*t.revoked);
  return j;
}

// Answers that carry a secret must not be cached (RFC 6749 §5.1).
http::Response NoStore(http::Response r) {
  r.SetHeader("Cache-Control", "no-store");
  return r;
}

http::Response NoContent() {
  http::Response r;
  r.status = 204;
  return r;
}

// The user fields shared by self-registration and admin creation.
Result<app::NewUser> NewUserFrom(const json& body) {
  app::NewUser user;
  struct Member {
    const char* key;
    std::string* out;
  };
  for (const Member& m : {Member{"email", &user.email}, Member{"name", &user.name},
                          Member{"password", &user.password}, Member{"siret", &user.org_id},
                          Member{"organizationName", &user.org_name}}) {
    auto value = StringMember(body, m.key, false);
    if (!value.ok()) return value.status();
    *m.out = std::move(*value);
  }
  return user;
}

}  // namespace

void RegisterAccountsApi(http::Router& router, app::Accounts& accounts) {
  app::Accounts* acc = &accounts;

  router.Add("POST", "/api/v1/accounts", [acc](const http::Request& req) {
    if (auto refused = UnlessMediaType(req, "application/json")) return *refused;
    auto body = JsonObject(req, {"siret", "organizationName", "email", "name", "password"});
    if (!body.ok()) return http::Problem(body.status(), req.target);
    auto user = NewUserFrom(*body);
    if (!user.ok()) return http::Problem(user.status(), req.target);
    auto created = acc->RegisterCompany(*user);
    if (!created.ok()) return http::Problem(created.status(), req.target);
    http::Response r = http::Json(201, Dump(UserJson(*created)));
    r.SetHeader("Location", "/api/v1/me");
    return r;
  });

  router.Add("POST", "/api/v1/admin/users", [acc](const http::Request& req) {
    auto who = Require(req, *acc, {app::UserRole::kAdmin}, app::kScopeAdmin);
    if (auto* refused = std::get_if<http::Response>(&who)) return std::move(*refused);
    if (auto refused = UnlessMediaType(req, "application/json")) return *refused;
    auto body = JsonObject(req, {"siret", "organizationName", "email", "name", "password", "role"});
    if (!body.ok()) return http::Problem(body.status(), req.target);
    auto user = NewUserFrom(*body);
    if (!user.ok()) return http::Problem(user.status(), req.target);
    auto role_code = StringMember(*body, "role", true);
    if (!role_code.ok()) return http::Problem(role_code.status(), req.target);
    auto role = app::UserRoleFromCode(*role_code);
    if (!role) {
      return http::Problem(
          Status::InvalidArgument("role must be buyer_agent, company_rep or admin", "role"),
          req.target);
    }
    user->role = *role;
    auto created = acc->CreateUser(*user);
    if (!created.ok()) return http::Problem(created.status(), req.target);
    return http::Json(201, Dump(UserJson(*created)));
  });

  router.Add("POST", "/api/v1/session", [acc](const http::Request& req) {
    if (auto refused = UnlessMediaType(req, "application/json")) return *refused;
    auto body = JsonObject(req, {"email", "password"});
    if (!body.ok()) return http::Problem(body.status(), req.target);
    auto email = StringMember(*body, "email", true);
    if (!email.ok()) return http::Problem(email.status(), req.target);
    auto password = StringMember(*body, "password", true);
    if (!password.ok()) return http::Problem(password.status(), req.target);
    auto session = acc->Login(*email, *password);
    if (!session.ok()) return AuthProblem(session.status(), req);
    json out = {{"token", session->token}, {"id", session->id}};
    if (session->expires) out["expires"] = domain::FormatInstantMillis(*session->expires);
    http::Response r = NoStore(http::Json(201, Dump(out)));
    r.SetHeader("Set-Cookie", SessionCookie(*session, req, app::SystemNow()));
    return r;
  });

  router.Add("DELETE", "/api/v1/session", [acc](const http::Request& req) {
    auto who = Require(req, *acc, {}, "");
    if (auto* refused = std::get_if<http::Response>(&who)) {
      // A dead session cookie is cleared all the same.
      if (!req.Header("authorization") && CookieValue(req, kSessionCookie))
        refused->SetHeader("Set-Cookie", ClearedSessionCookie(req));
      return std::move(*refused);
    }
    const auto& p = std::get<app::Principal>(who);
    if (p.token_kind != "session") {
      return http::Problem(
          Status::InvalidArgument("this credential is an API token, not a session: revoke it "
                                  "with DELETE /api/v1/me/tokens/" +
                                      p.token_id,
                                  "Authorization"),
          req.target);
    }
    Status revoked = acc->RevokeToken(p, p.token_id);
    if (!revoked.ok()) return http::Problem(revoked, req.target);
    http::Response r = NoContent();
    r.SetHeader("Set-Cookie", ClearedSessionCookie(req));
    return r;
  });

  router.Add("GET", "/api/v1/me", [acc](const http::Request& req) {
    auto who = Require(req, *acc, {}, "");
    if (auto* refused = std::get_if<http::Response>(&who)) return std::move(*refused);
    const auto& p = std::get<app::Principal>(who);
    json out = UserJson(p);
    out["scopes"] = p.scopes;
    out["credential"] = {{"id", p.token_id}, {"kind", p.token_kind}};
    return NoStore(http::Json(200, Dump(out)));
  });

  router.Add("GET", "/api/v1/me/tokens", [acc](const http::Request& req) {
    auto who = Require(req, *acc, {}, "");
    if (auto* refused = std::get_if<http::Response>(&who)) return std::move(*refused);
    auto list = acc->ListTokens(std::get<app::Principal>(who));
    if (!list.ok()) return http::Problem(list.status(), req.target);
    json data = json::array();
    for (const auto& t : *list) data.push_back(TokenJson(t));
    return NoStore(http::Json(200, Dump(ListEnvelope(std::move(data), nullptr, req))));
  });

  router.Add("POST", "/api/v1/me/tokens", [acc](const http::Request& req) {
    auto who = Require(req, *acc, {}, "");
    if (auto* refused = std::get_if<http::Response>(&who)) return std::move(*refused);
    if (auto refused = UnlessMediaType(req, "application/json")) return *refused;
    auto body = JsonObject(req, {"scopes", "label", "expires"});
    if (!body.ok()) return http::Problem(body.status(), req.target);
    std::vector<std::string> scopes;
    auto it = body->find("scopes");
    if (it == body->end() || !it->is_array()) {
      return http::Problem(
          Status::InvalidArgument("scopes is required: an array of scope names", "scopes"),
          req.target);
    }
    for (const auto& s : *it) {
      if (!s.is_string()) {
        return http::Problem(Status::InvalidArgument("scopes must be strings", "scopes"),
                             req.target);
      }
      scopes.push_back(s.get<std::string>());
    }
    auto label = StringMember(*body, "label", false);
    if (!label.ok()) return http::Problem(label.status(), req.target);
    auto expires_text = StringMember(*body, "expires", false);
    if (!expires_text.ok()) return http::Problem(expires_text.status(), req.target);
    std::optional<domain::Instant> expires;
    if (!expires_text->empty()) {
      auto t = domain::ParseInstant(*expires_text);
      if (!t.ok()) {
        return http::Problem(Status::InvalidArgument("expires: " + t.status().message(), "expires"),
                             req.target);
      }
      expires = *t;
    }
    const auto& p = std::get<app::Principal>(who);
    auto token = acc->CreateToken(p, scopes, *label, expires);
    if (!token.ok()) return http::Problem(token.status(), req.target);
    json out = {{"token", token->token},
                {"id", token->id},
                {"scopes", token->scopes},
                {"label", token->label}};
    if (token->expires) out["expires"] = domain::FormatInstantMillis(*token->expires);
    return NoStore(http::Json(201, Dump(out)));
  });

  router.Add("DELETE", "/api/v1/me/tokens/{id}", [acc](const http::Request& req) {
    auto who = Require(req, *acc, {}, "");
    if (auto* refused = std::get_if<http::Response>(&who)) return std::move(*refused);
    Status revoked = acc->RevokeToken(std::get<app::Principal>(who), req.params.at("id"));
    if (!revoked.ok()) return http::Problem(revoked, req.target);
    return NoContent();
  });
}

}  // namespace limpide::api
