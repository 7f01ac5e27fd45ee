// Shared pieces of the procedure's pages (tenders_page.cpp, company_pages.cpp,
// buyer_pages.cpp): reading the consultation JSON of app::Procedures for
// display, and the French page of a refused action. Private to src/web/.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "app/accounts.h"
#include "app/procedure.h"
#include "base/result.h"
#include "http/router.h"
#include "http/server.h"
#include "web/forms.h"

namespace limpide::web {

// The string member `key` of `j`, "" when absent or not a string.
std::string Str(const nlohmann::json& j, const char* key);
// "20/12/2026 12:00" (Europe/Paris) of the instant member `key`, or "—" (HTML).
std::string ParisTime(const nlohmann::json& j, const char* key);
// "50 000,00 €" of the euros member `key`, or "—" (HTML).
std::string Euros(const nlohmann::json& j, const char* key);
// The escaped label of a {code, label} member, or "—".
std::string Label(const nlohmann::json& j, const char* key);
// The code of a {code, label} member ("" when absent).
std::string StateCode(const nlohmann::json& tender);
// "4 Mio", "12 Kio", "300 octets" (HTML).
std::string Bytes(int64_t n);

// The links of a keyset-paginated page at `path`: "first page" when `after`
// is set, "next page" (?apres=<next>) when `next` is a cursor.
std::string PagerLinks(const std::string& path, const std::string& after,
                       const nlohmann::json& next);

// The page of an action the procedure refused, with the HTTP status of the
// API for the same refusal (403, 404, 409, 413…): a French heading and
// explanation, then the rule as the service states it.
http::Response RefusedPage(const Status& status, const std::string& back_href);

// A post of a form of the procedure: the user must have `role` and the
// session's CSRF token (forms.h); then `act(principal, fields)` answers. An
// anonymous visitor is sent to the login page, another role gets a 403 page,
// a body that is not a form a 400 page.
template <typename Fn>
http::Response FormPost(const app::Accounts& accounts, const http::Request& req, app::UserRole role,
                        Fn&& act) {
  auto who = RequireRole(req, accounts, role);
  if (auto* page = std::get_if<http::Response>(&who)) return std::move(*page);
  auto fields = PostedFields(req);
  if (!fields.ok()) return RefusedPage(fields.status(), req.target);
  if (auto refused = RefuseWithoutCsrf(req, *fields)) return std::move(*refused);
  return act(std::get<app::Principal>(who), *fields);
}

// The company's pieces of a consultation's page: its deposits (receipts,
// withdrawal), the deposit form (sealed in the browser by deposit.js, or by
// the server without JavaScript) and the question form. `tender` is the
// public form.
std::string CompanySection(app::Procedures& procedures, const app::Principal& company,
                           const http::Request& req, const nlohmann::json& tender);

// GET /mes-consultations and the company's posts under /consultations/{id}/…
void RegisterCompanyPages(http::Router& router, app::Procedures& procedures,
                          const app::Accounts& accounts);
// GET /acheteur… and the buyer's posts.
void RegisterBuyerPages(http::Router& router, app::Procedures& procedures,
                        const app::Accounts& accounts);

}  // namespace limpide::web
