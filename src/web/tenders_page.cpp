// /consultations and /consultations/{id}: the public face of the procedure
// (docs/tenders.md), server-rendered, readable without logging in and
// without JavaScript. A signed-in company also finds there its deposits, the
// deposit form and the question form (company_pages.cpp); /espace sends each
// user to their own space.
#include <nlohmann/json.hpp>

#include "api/api.h"
#include "api/auth.h"
#include "domain/money.h"
#include "domain/time.h"
#include "web/forms.h"
#include "web/layout.h"
#include "web/pages.h"
#include "web/tender_view.h"

namespace limpide::web {
namespace {

using nlohmann::json;

http::Response ListPage(app::Procedures& procedures, const http::Request& req) {
  store::PageRequest page;
  if (const auto* after = req.Query("apres")) page.after = *after;
  const std::string* test_q = req.Query("test");
  const bool test = test_q && *test_q == "1";
  auto list = procedures.List(nullptr, page, test);
  if (!list.ok()) return ErrorPage(list.status());
  std::string html = test ? "<h1>Consultations, dont celles de test</h1>\n<p>Les consultations "
                            "de test permettent de simuler un dépôt ; elles ne sont jamais "
                            "publiées dans les données ouvertes.</p>\n"
                          : "<h1>Consultations</h1>\n";
  const json& items = (*list)["items"];
  if (items.empty()) {
    html += "<p>Aucune consultation publiée pour l'instant.</p>";
  } else {
    html +=
        "<figure><table><thead><tr><th scope=\"col\">Objet</th><th scope=\"col\">Acheteur</th>"
        "<th scope=\"col\">Procédure</th><th scope=\"col\">État</th><th scope=\"col\">Date "
        "limite</th></tr></thead><tbody>\n";
    for (const auto& t : items) {
      html += "<tr><td><a href=\"/consultations/" + Escape(Str(t, "id")) + "\">" +
              Escape(Str(t, "title")) + "</a>" +
              (t.value("test", false) ? " <mark>test</mark>" : "") + "</td><td>" +
              Escape(Str(t.value("buyer", json::object()), "name")) + "</td><td>" +
              Label(t, "procedure") + "</td><td>" + Label(t, "state") + "</td><td>" +
              ParisTime(t, "deadline") + "</td></tr>\n";
    }
    html += "</tbody></table></figure>\n";
  }
  if ((*list)["next"].is_string()) {
    html += "<p><a href=\"/consultations?" + std::string(test ? "test=1&amp;" : "") +
            "apres=" + Escape(api::UrlEncode((*list)["next"].get<std::string>())) +
            "\">Consultations suivantes</a></p>";
  }
  if (!test)
    html +=
        "<p><a href=\"/consultations?test=1\">Voir aussi les consultations de test</a> "
        "(pour simuler un dépôt).</p>";
  return Page(200, "Consultations", html);
}

http::Response DetailPage(app::Procedures& procedures, const app::Accounts& accounts,
                          const http::Request& req) {
  const std::string& id = req.params.at("id");
  auto who = api::Authenticate(req, accounts);
  const app::Principal* principal = who.ok() && who->has_value() ? &**who : nullptr;
  auto t = procedures.Get(principal, id);
  if (!t.ok()) return ErrorPage(t.status());
  const json& c = *t;
  const json buyer = c.value("buyer", json::object());
  const json place = c.value("place", json::object());
  std::string html = "<hgroup><h1>" + Escape(Str(c, "title")) + "</h1><p>" +
                     Escape(Str(buyer, "name")) + " — " + Label(c, "state") + "</p></hgroup>\n";
  if (!Str(c, "description").empty()) html += "<p>" + Escape(Str(c, "description")) + "</p>\n";
  if (c.contains("end_reason"))
    html += "<p role=\"status\"><strong>" + Label(c, "state") + "</strong> le " +
            ParisTime(c, "endedAt") + " — motif : <q>" + Escape(Str(c, "end_reason")) +
            "</q></p>\n";
  html += "<dl class=\"facts\">";
  const auto fact = [&html](const char* name, const std::string& value) {
    html += "<dt>" + std::string(name) + "</dt><dd>" + value + "</dd>";
  };
  fact("Date limite de remise des offres", ParisTime(c, "deadline"));
  if (c.contains("questionsDeadline"))
    fact("Date limite des questions", ParisTime(c, "questionsDeadline"));
  fact("Procédure", Label(c, "procedure"));
  fact("Nature", Label(c, "nature"));
  fact("Code CPV", Escape(Str(c, "cpv")));
  fact("Lieu d'exécution", Escape(Str(place, "code")) + " (" + Escape(Str(place, "type")) + ")");
  fact("Valeur estimée (HT)", Euros(c, "estimatedValue"));
  fact("Acheteur (SIRET)", "<a href=\"/organisations/" + Escape(Str(buyer, "id")) + "\">" +
                               Escape(Str(buyer, "id")) + "</a>");
  if (c.contains("maxDocumentBytes") && c["maxDocumentBytes"].is_number_integer())
    fact("Taille maximale d'un document déposé", Bytes(c["maxDocumentBytes"].get<int64_t>()));
  html += "</dl>\n";

  if (c.contains("criteria") && !c["criteria"].empty()) {
    html += "<h2>Critères d'attribution</h2><ul>";
    for (const auto& k : c["criteria"])
      html += "<li>" + Escape(Str(k, "name")) + " : " + std::to_string(k.value("weight", 0)) +
              "&nbsp;%</li>";
    html += "</ul>\n";
  }

  html += "<h2>Dossier de consultation</h2>";
  const json& docs = c.value("documents", json::array());
  if (docs.empty()) {
    html += "<p>Aucun document.</p>";
  } else {
    html += "<ul>";
    for (const auto& d : docs) {
      html += "<li><a href=\"/api/v1/tenders/" + Escape(id) + "/documents/" +
              Escape(Str(d, "sha256")) + "\" download>" + Escape(Str(d, "name")) + "</a> (" +
              Bytes(d.value("size", int64_t{0})) + ", SHA-256 <code>" + Escape(Str(d, "sha256")) +
              "</code>)</li>";
    }
    html += "</ul>";
  }

  auto questions = procedures.Questions(principal, id);
  if (questions.ok() && !(*questions)["items"].empty()) {
    html += "<h2 id=\"questions\">Questions et réponses</h2>";
    for (const auto& q : (*questions)["items"]) {
      html += "<article><p><strong>Question :</strong> " + Escape(Str(q, "text")) + "</p>";
      if (q.contains("answer")) {
        html += "<p><strong>Réponse :</strong> " + Escape(Str(q, "answer")) + "</p>";
      } else {
        html += "<p><small>En attente de réponse (visible de vous seul).</small></p>";
      }
      html += "</article>";
    }
  }

  const json& amendments = c.value("amendments", json::array());
  if (!amendments.empty()) {
    html += "<h2>Modifications</h2><ol>";
    for (const auto& a : amendments)
      html += "<li>" + ParisTime(a, "at") + " — " + Escape(Str(a, "summary")) + "</li>";
    html += "</ol>";
  }

  if (principal && principal->role == app::UserRole::kCompanyRep) {
    html += CompanySection(procedures, *principal, req, c);
  } else if (principal && principal->role == app::UserRole::kBuyerAgent &&
             principal->org_id == Str(buyer, "id")) {
    html += "<p><a role=\"button\" href=\"/acheteur/consultations/" + Escape(id) +
            "\">Gérer cette consultation</a></p>";
  } else if (StateCode(c) == "published") {
    html +=
        "<h2>Déposer une offre</h2><p>Les offres sont chiffrées pour l'acheteur avant l'envoi "
        "(ou par la plateforme dès réception) : personne ne peut les lire avant la date limite. "
        "Chaque dépôt reçoit un accusé de réception signé. Voir <a "
        "href=\"/api/v1/openapi.json\">l'API</a> ou <code>limpide seal</code>.</p>"
        "<p>Clé publique d'ouverture : <code>" +
        Escape(Str(c, "opening_public_key")) +
        "</code></p><p><a href=\"/connexion?suite=" + Escape(api::UrlEncode(req.target)) +
        "\">Connectez-vous</a> pour déposer une offre ou "
        "poser une question.</p>";
  }
  if (c.contains("contract") && c["contract"].is_object()) {
    const std::string uid = Str(c["contract"], "uid");
    html +=
        "<p>Marché conclu : <a href=\"/contrats/" + Escape(uid) + "\">" + Escape(uid) + "</a></p>";
  }
  http::Response r = Page(200, Str(c, "title"), html);
  if (principal) r.SetHeader("Cache-Control", "no-store");
  return r;
}

// Each user's own space: the buyer's dashboard, the company's consultations.
http::Response Space(const app::Accounts& accounts, const http::Request& req) {
  auto who = Visitor(req, accounts);
  if (!who) return SeeOther("/connexion?suite=/espace");
  if (who->role == app::UserRole::kBuyerAgent) return SeeOther("/acheteur");
  if (who->role == app::UserRole::kCompanyRep) return SeeOther("/mes-consultations");
  return SeeOther("/connexion");
}

}  // namespace

void RegisterTendersPages(http::Router& router, app::Procedures& procedures,
                          const app::Accounts& accounts) {
  app::Procedures* p = &procedures;
  const app::Accounts* a = &accounts;
  router.Add("GET", "/consultations", [p](const http::Request& req) { return ListPage(*p, req); });
  router.Add("GET", "/consultations/{id}",
             [p, a](const http::Request& req) { return DetailPage(*p, *a, req); });
  router.Add("GET", "/espace", [a](const http::Request& req) { return Space(*a, req); });
  RegisterCompanyPages(router, procedures, accounts);
  RegisterBuyerPages(router, procedures, accounts);
}

}  // namespace limpide::web
