// GET/POST /connexion and POST /deconnexion: the login form of local accounts
// (docs/accounts.md). Plain HTML forms, no JavaScript needed. The session
// cookie is HttpOnly and SameSite=Lax, so another site cannot post a form with
// it; the posts here also refuse a cross-site Origin (login CSRF).
#include <string>
#include <utility>
#include <vector>

#include "api/auth.h"
#include "api/body.h"
#include "http/problem.h"
#include "web/forms.h"
#include "web/layout.h"
#include "web/pages.h"

namespace limpide::web {
namespace {

// Where to go after logging in: a path of this site only ("/…", not "//…",
// which a browser reads as another host), else the home page.
std::string SafeNext(std::string_view next) {
  if (next.empty() || next.front() != '/' || next.size() > 2000) return "/";
  if (next.size() > 1 && (next[1] == '/' || next[1] == '\\')) return "/";
  for (char c : next) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F || c == '\\') return "/";
  }
  return std::string(next);
}

http::Response LoginForm(int status, const std::string& email, const std::string& next,
                         const std::string& error) {
  std::string m = "<h1>Connexion</h1>";
  m += "<p>Acheteurs publics et entreprises : connectez-vous avec l'adresse électronique et le "
       "mot de passe de votre compte. La consultation des données publiques ne demande aucun "
       "compte.</p>";
  const bool failed = !error.empty();
  if (failed) m += "<p role=\"alert\" id=\"erreur\"><strong>" + Escape(error) + "</strong></p>";
  const std::string invalid = failed ? " aria-invalid=\"true\" aria-describedby=\"erreur\"" : "";
  m += "<form method=\"post\" action=\"/connexion\">";
  m += "<input type=\"hidden\" name=\"suite\" value=\"" + Escape(next) + "\">";
  m += "<label for=\"email\">Adresse électronique</label><input id=\"email\" name=\"email\" "
       "type=\"email\" autocomplete=\"username\" required value=\"" +
       Escape(email) + "\"" + invalid + ">";
  m += "<label for=\"password\">Mot de passe</label><input id=\"password\" name=\"password\" "
       "type=\"password\" autocomplete=\"current-password\" required" +
       invalid + ">";
  m += "<button type=\"submit\">Se connecter</button></form>";
  m += "<p><small>La connexion dépose un cookie de session (<code>limpide_session</code>), "
       "strictement nécessaire, valable 12 heures au plus. Les programmes utilisent plutôt un "
       "jeton d'API (<a href=\"/api/v1/openapi.json\">API</a>).</small></p>";
  return NoStore(Page(status, "Connexion", m));
}

http::Response LoggedIn(const app::Principal& p) {
  std::string m = "<h1>Connexion</h1><p>Vous êtes connecté·e en tant que <strong>" +
                  Escape(p.name) + "</strong> (" + Escape(p.email) + ")";
  if (!p.org_name.empty()) m += ", " + Escape(p.org_name);
  m += ".</p><p><a href=\"/espace\">Votre espace</a></p>";
  m += "<form method=\"post\" action=\"/deconnexion\"><button type=\"submit\" "
       "class=\"secondary\">Se déconnecter</button></form>";
  return NoStore(Page(200, "Connexion", m));
}

}  // namespace

void RegisterLoginPage(http::Router& router, app::Accounts& accounts) {
  app::Accounts* acc = &accounts;

  router.Add("GET", "/connexion", [acc](const http::Request& req) {
    // A dead or bad cookie simply shows the form again.
    auto who = api::Authenticate(req, *acc);
    if (who.ok() && who->has_value()) return LoggedIn(**who);
    const std::string* next = req.Query("suite");
    return LoginForm(200, "", SafeNext(next ? *next : ""), "");
  });

  router.Add("POST", "/connexion", [acc](const http::Request& req) {
    if (CrossSite(req)) {
      return ErrorPage(Status(ErrorCode::kPermissionDenied,
                              "Ce formulaire ne peut être envoyé que depuis ce site."));
    }
    if (api::MediaType(req) != "application/x-www-form-urlencoded") {
      http::Response r = Page(415, "Type de contenu non pris en charge",
                              "<h1>Type de contenu non pris en charge</h1><p>Le formulaire doit "
                              "être envoyé en application/x-www-form-urlencoded.</p>");
      return r;
    }
    Fields fields;
    if (!DecodeForm(req.body, fields)) {
      return ErrorPage(Status::InvalidArgument("Le formulaire envoyé est mal formé."));
    }
    const std::string email = Field(fields, "email");
    const std::string next = SafeNext(Field(fields, "suite"));
    auto session = acc->Login(email, Field(fields, "password"));
    if (!session.ok()) {
      if (session.status().code() != ErrorCode::kUnauthenticated)
        return ErrorPage(session.status());
      return LoginForm(401, email, next, "Adresse électronique ou mot de passe incorrect.");
    }
    http::Response r = NoStore(SeeOther(next));
    r.SetHeader("Set-Cookie", api::SessionCookie(*session, req, app::SystemNow()));
    return r;
  });

  router.Add("POST", "/deconnexion", [acc](const http::Request& req) {
    if (CrossSite(req)) {
      return ErrorPage(Status(ErrorCode::kPermissionDenied,
                              "Ce formulaire ne peut être envoyé que depuis ce site."));
    }
    if (auto cookie = api::CookieValue(req, api::kSessionCookie)) {
      auto who = acc->Authenticate(*cookie);
      if (who.ok() && who->token_kind == "session") (void)acc->RevokeToken(*who, who->token_id);
    }
    http::Response r = NoStore(SeeOther("/"));
    r.SetHeader("Set-Cookie", api::ClearedSessionCookie(req));
    return r;
  });
}

}  // namespace limpide::web
