// HTML forms of the web pages: decoding posted bodies (urlencoded and
// multipart), the signed-in user of a page, CSRF tokens (docs/accounts.md,
// "CSRF"), and the answers forms give (303 redirects, no-store pages).
// Private to src/web/.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "app/accounts.h"
#include "base/result.h"
#include "domain/time.h"
#include "http/server.h"

namespace limpide::web {

// ---- Posted fields ----

// One posted field: its name, its value (for a file, its bytes), and for a
// file part of a multipart body its file name and media type.
struct FormField {
  std::string name;
  std::string value;
  std::optional<std::string> filename;  // set for file inputs (possibly empty: no file chosen)
  std::string type;                     // the part's Content-Type ("" when absent)
};
using Fields = std::vector<FormField>;

// Decodes application/x-www-form-urlencoded. false when a %-escape is broken.
bool DecodeForm(std::string_view body, Fields& out);

// Decodes a multipart/form-data body (RFC 7578) whose Content-Type is
// `content_type` (it carries the boundary). invalid_argument naming what is
// wrong: no boundary, a part without Content-Disposition or name, a body cut
// short. Parts are copied; at most 1000 parts.
Result<Fields> DecodeMultipart(std::string_view content_type, std::string_view body);

// The fields of a posted form, urlencoded or multipart; invalid_argument for
// another media type or a malformed body.
Result<Fields> PostedFields(const http::Request& req);

// The value of the first field `name`, "" when absent.
std::string Field(const Fields& fields, std::string_view name);
// The first field `name`, or nullptr.
const FormField* FindField(const Fields& fields, std::string_view name);

// ---- Who is on the page ----

// The signed-in user of a page when the request carries a valid session
// cookie (or bearer token); nullopt for anonymous visitors and dead cookies.
std::optional<app::Principal> Visitor(const http::Request& req, const app::Accounts& accounts);

// The user when signed in with one of `roles` (admins do not act in
// procedures, so they are not let through); otherwise the answer: a 303 to
// /connexion?suite=<this page> for anonymous visitors, a French 403 page
// naming the role the page needs for others.
std::variant<app::Principal, http::Response> RequireRole(const http::Request& req,
                                                         const app::Accounts& accounts,
                                                         app::UserRole role);

// ---- CSRF ----

// The CSRF token of the request's session: HMAC-SHA-256 of the session token
// (the HttpOnly cookie, which another site can neither read nor guess),
// hex. "" without a session cookie.
std::string CsrfToken(const http::Request& req);
// The hidden input that carries it, for every state-changing form.
std::string CsrfInput(const http::Request& req);
// ok when the posted field "csrf" matches the session's token and the request
// does not come from another site (Origin / Sec-Fetch-Site); otherwise the
// French 403 page to send.
std::optional<http::Response> RefuseWithoutCsrf(const http::Request& req, const Fields& fields);
// True when the browser says the form was posted from another site.
bool CrossSite(const http::Request& req);

// ---- Answers ----

http::Response SeeOther(const std::string& location);
http::Response NoStore(http::Response r);

// ---- Dates in forms ----

// "2026-12-20T12:00" or "…T12:00:30" (an <input type="datetime-local">),
// read as Europe/Paris time. invalid_argument naming `field` otherwise.
Result<domain::Instant> ParisLocalToInstant(std::string_view local, const char* field);
// The value of a datetime-local input for `t` in Europe/Paris, to the second.
std::string InstantToParisLocal(domain::Instant t);

}  // namespace limpide::web
