// GET/POST /connexion and POST /deconnexion: the login form of local accounts
// (docs/accounts.md). Plain HTML forms, no JavaScript needed. The session
// cookie is HttpOnly and SameSite=Lax, so another site cannot post a form with
// it; the posts here also refuse a cross-site Origin (login CSRF).
#include <string>
#include <utility>
#include <vector>

#include "api/auth.h"
#include "http/problem.h"
#include "web/layout.h"
#include "web/pages.h"

namespace limpide::web {
namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes application/x-www-form-urlencoded: '+' is a space, %XX a byte.
// False on a broken escape.
bool DecodeComponent(std::string_view in, std::string& out) {
  out.clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+') {
      out += ' ';
    } else if (in[i] == '%') {
      if (i + 2 >= in.size()) return false;
      const int hi = HexValue(in[i + 1]);
      const int lo = HexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += in[i];
    }
  }
  return true;
}

bool DecodeForm(std::string_view body, Fields& out) {
  while (!body.empty()) {
    const size_t amp = body.find('&');
    const std::string_view piece = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view() : body.substr(amp + 1);
    if (piece.empty()) continue;
    const size_t eq = piece.find('=');
    std::string name, value;
    if (!DecodeComponent(piece.substr(0, eq), name)) return false;
    if (eq != std::string_view::npos && !DecodeComponent(piece.substr(eq + 1), value)) return false;
    out.emplace_back(std::move(name), std::move(value));
  }
  return true;
}

std::string Field(const Fields& fields, std::string_view name) {
  for (const auto& [k, v] : fields) {
    if (k == name) return v;
  }
  return {};
}

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

// True when the browser says the form was posted from another site.
bool CrossSite(const http::Request& req) {
  if (const std::string* site = req.Header("sec-fetch-site")) {
    if (*site == "cross-site") return true;
  }
  const std::string* origin = req.Header("origin");
  const std::string* host = req.Header("host");
  if (!origin || *origin == "null" || !host) return false;
  const size_t scheme = origin->find("://");
  return scheme == std::string::npos || origin->substr(scheme + 3) != *host;
}

http::Response NoStore(http::Response r) {
  r.SetHeader("Cache-Control", "no-store");
  return r;
}

http::Response SeeOther(const std::string& location) {
  http::Response r;
  r.status = 303;
  r.SetHeader("Location", location);
  r.SetHeader("Content-Type", "text/html; charset=utf-8");
  r.body = "<!doctype html><a href=\"" + Escape(location) + "\">Continuer</a>\n";
  return r;
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
  m += ".</p><form method=\"post\" action=\"/deconnexion\"><button type=\"submit\" "
       "class=\"secondary\">Se déconnecter</button></form>";
  return NoStore(Page(200, "Connexion", m));
}

bool IsFormBody(const http::Request& req) {
  const std::string* type = req.Header("content-type");
  if (!type) return false;
  std::string media = type->substr(0, type->find(';'));
  while (!media.empty() && media.back() == ' ') media.pop_back();
  for (char& c : media) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return media == "application/x-www-form-urlencoded";
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
    if (!IsFormBody(req)) {
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
