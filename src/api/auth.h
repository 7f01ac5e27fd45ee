// Authentication of HTTP requests, shared by every API endpoint and web page
// that needs an identity (docs/accounts.md). Credentials are an API token or
// a session token, presented as "Authorization: Bearer <token>" or in the
// session cookie; the header wins when both are present.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "app/accounts.h"
#include "base/result.h"
#include "http/server.h"

namespace limpide::api {

// Name of the cookie that carries a login session.
inline constexpr std::string_view kSessionCookie = "limpide_session";

// Credentials of a request: "Authorization: Bearer <token>" or the session
// cookie "limpide_session". nullopt = anonymous (no credentials at all); an
// error (unauthenticated, field "Authorization" or "Cookie") for credentials
// that are present but bad: another scheme, a malformed, unknown, revoked or
// expired token. Store failures keep their own code.
Result<std::optional<app::Principal>> Authenticate(const http::Request& req,
                                                   const app::Accounts& accounts);

// The principal when it has one of `roles` (any role when the list is empty;
// admins always pass the role check) and `scope` (no scope check when empty);
// otherwise the response to send: 401 (no or bad credentials, with
// WWW-Authenticate: Bearer) or 403 (wrong role or scope) problem+json.
std::variant<app::Principal, http::Response> Require(const http::Request& req,
                                                     const app::Accounts& accounts,
                                                     std::initializer_list<app::UserRole> roles,
                                                     std::string_view scope);

// The problem+json answer to a failed authentication or authorization
// (`status` unauthenticated gets 401 with WWW-Authenticate: Bearer,
// error="invalid_token" when credentials were presented; permission_denied
// 403; anything else as http::Problem).
http::Response AuthProblem(const Status& status, const http::Request& req);

// The value of a cookie in the request's Cookie header, or nullopt.
std::optional<std::string> CookieValue(const http::Request& req, std::string_view name);

// Set-Cookie values that set the session cookie (HttpOnly, SameSite=Lax,
// Path=/, Max-Age until `session.expires`; Secure when the request came
// through HTTPS, as X-Forwarded-Proto says) and that clear it.
std::string SessionCookie(const app::IssuedToken& session, const http::Request& req,
                          domain::Instant now);
std::string ClearedSessionCookie(const http::Request& req);

}  // namespace limpide::api
