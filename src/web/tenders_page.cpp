// /consultations and /consultations/{id}: the public face of the procedure
// (docs/tenders.md), server-rendered, readable without logging in and
// without JavaScript. Companies deposit through the API, `limpide seal` or
// seal.js; the page gives what they need: the deadline, the size limit and
// the opening public key.
#include <nlohmann/json.hpp>

#include "api/auth.h"
#include "domain/money.h"
#include "domain/time.h"
#include "web/layout.h"
#include "web/pages.h"

namespace limpide::web {
namespace {

using nlohmann::json;

std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// "20/12/2026 12:00" (Europe/Paris) of an API instant, or "—".
std::string ParisTime(const json& j, const char* key) {
  auto t = domain::ParseInstant(Str(j, key));
  return t.ok() ? Escape(domain::FormatInstantParis(*t)) : "—";
}

std::string Euros(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return "—";
  auto m = domain::MoneyFromEuros(it->get<double>());
  return m.ok() ? Escape(domain::FormatEurosFr(*m)) : "—";
}

std::string Label(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_object() ? Escape(Str(*it, "label")) : "—";
}

std::string Bytes(int64_t n) {
  if (n >= (int64_t{1} << 20)) return Count(n >> 20) + "&nbsp;Mio";
  if (n >= 1024) return Count(n >> 10) + "&nbsp;Kio";
  return Count(n) + "&nbsp;octets";
}

http::Response ListPage(app::Procedures& procedures, const http::Request& req) {
  store::PageRequest page;
  if (const auto* after = req.Query("apres")) page.after = *after;
  auto list = procedures.List(nullptr, page, /*include_test=*/false);
  if (!list.ok()) return ErrorPage(list.status());
  std::string html = "<h1>Consultations</h1>\n";
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
              Escape(Str(t, "title")) + "</a></td><td>" +
              Escape(Str(t.value("buyer", json::object()), "name")) + "</td><td>" +
              Label(t, "procedure") + "</td><td>" + Label(t, "state") + "</td><td>" +
              ParisTime(t, "deadline") + "</td></tr>\n";
    }
    html += "</tbody></table></figure>\n";
  }
  if ((*list)["next"].is_string()) {
    html += "<p><a href=\"/consultations?apres=" + Escape((*list)["next"].get<std::string>()) +
            "\">Consultations suivantes</a></p>";
  }
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
    html += "<h2>Questions et réponses</h2>";
    for (const auto& q : (*questions)["items"]) {
      html += "<article><p><strong>Question :</strong> " + Escape(Str(q, "text")) + "</p>";
      if (q.contains("answer"))
        html += "<p><strong>Réponse :</strong> " + Escape(Str(q, "answer")) + "</p>";
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

  if (Str(c.value("state", json::object()), "code") == "published") {
    html +=
        "<h2>Déposer une offre</h2><p>Les offres sont chiffrées pour l'acheteur avant l'envoi "
        "(ou par la plateforme dès réception) : personne ne peut les lire avant la date limite. "
        "Chaque dépôt reçoit un accusé de réception signé. Voir <a "
        "href=\"/api/v1/openapi.json\">l'API</a> ou <code>limpide seal</code>.</p>"
        "<p>Clé publique d'ouverture : <code>" +
        Escape(Str(c, "opening_public_key")) + "</code></p>";
  }
  if (c.contains("contract") && c["contract"].is_object()) {
    const std::string uid = Str(c["contract"], "uid");
    html +=
        "<p>Marché conclu : <a href=\"/contrats/" + Escape(uid) + "\">" + Escape(uid) + "</a></p>";
  }
  return Page(200, Str(c, "title"), html);
}

}  // namespace

void RegisterTendersPages(http::Router& router, app::Procedures& procedures,
                          const app::Accounts& accounts) {
  app::Procedures* p = &procedures;
  const app::Accounts* a = &accounts;
  router.Add("GET", "/consultations", [p](const http::Request& req) { return ListPage(*p, req); });
  router.Add("GET", "/consultations/{id}",
             [p, a](const http::Request& req) { return DetailPage(*p, *a, req); });
}

}  // namespace limpide::web
