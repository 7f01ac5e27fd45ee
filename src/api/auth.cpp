#include "api/auth.h"

#include <algorithm>

#include "http/problem.h"

namespace limpide::api {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
           return lower(x) == lower(y);
         });
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// An unauthenticated status names where the bad credentials were.
Status WithField(const Status& status, const char* field) {
  if (status.code() != ErrorCode::kUnauthenticated) return status;
  return Status(status.code(), status.message(), field);
}

bool ForwardedHttps(const http::Request& req) {
  const std::string* proto = req.Header("x-forwarded-proto");
  return proto && EqualsIgnoreCase(TrimSpaces(*proto), "https");
}

}  // namespace

std::optional<std::string> CookieValue(const http::Request& req, std::string_view name) {
  const std::string* header = req.Header("cookie");
  if (!header) return std::nullopt;
  std::string_view rest = *header;
  while (!rest.empty()) {
    const size_t semi = rest.find(';');
    const std::string_view pair = TrimSpaces(rest.substr(0, semi));
    rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
    const size_t eq = pair.find('=');
    if (eq == std::string_view::npos) continue;
    if (TrimSpaces(pair.substr(0, eq)) != name) continue;
    std::string_view value = TrimSpaces(pair.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
      value = value.substr(1, value.size() - 2);
    return std::string(value);
  }
  return std::nullopt;
}

Result<std::optional<app::Principal>> Authenticate(const http::Request& req,
                                                   const app::Accounts& accounts) {
  if (const std::string* header = req.Header("authorization")) {
    const std::string_view value = TrimSpaces(*header);
    const size_t space = value.find(' ');
    if (space == std::string_view::npos || !EqualsIgnoreCase(value.substr(0, space), "bearer")) {
      return Status(ErrorCode::kUnauthenticated,
                    "malformed Authorization header: expected \"Bearer <token>\"", "Authorization");
    }
    auto who = accounts.Authenticate(TrimSpaces(value.substr(space + 1)));
    if (!who.ok()) return WithField(who.status(), "Authorization");
    return std::optional<app::Principal>(std::move(*who));
  }
  if (auto cookie = CookieValue(req, kSessionCookie)) {
    auto who = accounts.Authenticate(*cookie);
    if (!who.ok()) return WithField(who.status(), "Cookie");
    return std::optional<app::Principal>(std::move(*who));
  }
  return std::optional<app::Principal>();
}

http::Response AuthProblem(const Status& status, const http::Request& req) {
  http::Response r = http::Problem(status, req.target);
  if (status.code() == ErrorCode::kUnauthenticated) {
    // RFC 6750 §3: error="invalid_token" only when a token was presented.
    const bool presented = req.Header("authorization") || CookieValue(req, kSessionCookie);
    std::string challenge = "Bearer realm=\"limpide\"";
    if (presented) {
      std::string description = status.message();
      std::replace(description.begin(), description.end(), '"', '\'');
      challenge += ", error=\"invalid_token\", error_description=\"" + description + "\"";
    }
    r.SetHeader("WWW-Authenticate", std::move(challenge));
  }
  return r;
}

std::variant<app::Principal, http::Response> Require(const http::Request& req,
                                                     const app::Accounts& accounts,
                                                     std::initializer_list<app::UserRole> roles,
                                                     std::string_view scope) {
  auto who = Authenticate(req, accounts);
  if (!who.ok()) return AuthProblem(who.status(), req);
  if (!who->has_value()) {
    return AuthProblem(
        Status(ErrorCode::kUnauthenticated,
               "authentication required: send \"Authorization: Bearer <token>\" or log in",
               "Authorization"),
        req);
  }
  app::Principal& p = **who;
  if (p.role != app::UserRole::kAdmin && roles.size() > 0 &&
      std::find(roles.begin(), roles.end(), p.role) == roles.end()) {
    std::string allowed;
    for (app::UserRole role : roles) {
      if (!allowed.empty()) allowed += ", ";
      allowed += app::Code(role);
    }
    return AuthProblem(
        Status(ErrorCode::kPermissionDenied, "this action is reserved to the role(s) " + allowed +
                                                 "; you are " + std::string(app::Code(p.role))),
        req);
  }
  if (!scope.empty() && !p.HasScope(scope)) {
    http::Response r =
        AuthProblem(Status(ErrorCode::kPermissionDenied,
                           "the credential used lacks the scope '" + std::string(scope) + "'"),
                    req);
    r.SetHeader("WWW-Authenticate",
                "Bearer realm=\"limpide\", error=\"insufficient_scope\", scope=\"" +
                    std::string(scope) + "\"");
    return r;
  }
  return std::move(p);
}

std::string SessionCookie(const app::IssuedToken& session, const http::Request& req,
                          domain::Instant now) {
  std::string cookie =
      std::string(kSessionCookie) + "=" + session.token + "; Path=/; HttpOnly; SameSite=Lax";
  if (session.expires) {
    const int64_t seconds =
        std::max<int64_t>(0, (session.expires->micros - now.micros) / 1'000'000);
    cookie += "; Max-Age=" + std::to_string(seconds);
  }
  if (ForwardedHttps(req)) cookie += "; Secure";
  return cookie;
}

std::string ClearedSessionCookie(const http::Request& req) {
  std::string cookie = std::string(kSessionCookie) + "=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0";
  if (ForwardedHttps(req)) cookie += "; Secure";
  return cookie;
}

}  // namespace limpide::api
