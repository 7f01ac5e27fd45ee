// The company's pages of the procedure (docs/tenders.md, "Web pages"): its
// consultations, its deposits with their signed receipts, withdrawal,
// questions. Deposits are sealed in the browser by deposit.js (seal.js,
// libsodium-wrappers) and sent in chunks through the API; without
// JavaScript the same form posts the files here and the server seals them on
// receipt, as the API does for plaintext. Every post carries the session's
// CSRF token (forms.h).
#include <nlohmann/json.hpp>

#include "api/api.h"
#include "crypto/crypto.h"
#include "web/forms.h"
#include "web/layout.h"
#include "web/pages.h"
#include "web/tender_view.h"

namespace limpide::web {
namespace {

using app::Principal;
using app::UserRole;
using nlohmann::json;

std::string TenderHref(const std::string& id) { return "/consultations/" + api::UrlEncode(id); }
std::string DepositHref(const std::string& id, const std::string& d) {
  return TenderHref(id) + "/depots/" + api::UrlEncode(d);
}

std::string DepositState(const json& d) {
  const std::string state = Str(d, "state");
  if (state == "withdrawn") return "Retiré";
  if (state == "uploading") return "Envoi inachevé";
  if (state != "complete") return Escape(state);
  const json& r = d.value("receipt", json::object()).value("receipt", json::object());
  if (r.value("late", false)) return "Reçu hors délai";
  if (r.value("grace", false)) return "Reçu (délai de grâce)";
  return "Reçu";
}

// The deposit of the files posted without JavaScript: plaintext, sealed by
// the server on receipt (one request under 1 MiB, else the chunked protocol
// run here). Returns the deposit id.
Result<std::string> DepositPlaintext(app::Procedures& procedures, const Principal& company,
                                     const std::string& id, const Fields& fields) {
  std::vector<const FormField*> files;
  for (const auto& f : fields)
    if (f.name == "document" && f.filename && !f.filename->empty()) files.push_back(&f);
  if (files.empty())
    return Status::InvalidArgument("choisissez au moins un document à déposer", "document");
  if (files.size() == 1 && files[0]->value.size() < crypto::kSealChunkBytes) {
    auto r =
        procedures.DepositInOneRequest(company, id, *files[0]->filename, false, files[0]->value);
    if (!r.ok()) return r.status();
    return std::string();  // the caller finds it: the newest complete deposit
  }
  std::vector<app::DocumentDeclaration> decl;
  for (const auto* f : files) decl.push_back({*f->filename, f->value.size(), false});
  auto d = procedures.StartDeposit(company, id, decl);
  if (!d.ok()) return d.status();
  const std::string deposit = Str(*d, "id");
  for (size_t n = 0; n < files.size(); ++n) {
    const std::string& bytes = files[n]->value;
    for (size_t k = 0, at = 0;; ++k, at += crypto::kSealChunkBytes) {
      auto put = procedures.PutChunk(
          company, id, deposit, n, k,
          std::string_view(bytes).substr(at, std::min(crypto::kSealChunkBytes, bytes.size() - at)));
      if (!put.ok()) return put.status();
      if (bytes.size() - at < crypto::kSealChunkBytes) break;
    }
  }
  auto done = procedures.CompleteDeposit(company, id, deposit);
  if (!done.ok()) return done.status();
  return deposit;
}

// The newest complete deposit's id (the one just made in one request).
std::string LatestDeposit(app::Procedures& procedures, const Principal& company,
                          const std::string& id) {
  auto all = procedures.Deposits(company, id);
  if (!all.ok()) return {};
  std::string best, when;
  for (const auto& d : (*all)["items"]) {
    const std::string received =
        Str(d.value("receipt", json::object()).value("receipt", json::object()), "received");
    if (Str(d, "state") == "complete" && received >= when) {
      when = received;
      best = Str(d, "id");
    }
  }
  return best;
}

http::Response ReceiptPage(app::Procedures& procedures, const app::Accounts& accounts,
                           const http::Request& req) {
  auto who = RequireRole(req, accounts, UserRole::kCompanyRep);
  if (auto* page = std::get_if<http::Response>(&who)) return std::move(*page);
  const Principal& company = std::get<Principal>(who);
  const std::string& id = req.params.at("id");
  const std::string& dep = req.params.at("deposit");
  auto d = procedures.Deposit(company, id, dep);
  if (!d.ok()) return RefusedPage(d.status(), TenderHref(id));
  std::string m =
      "<nav aria-label=\"Fil d'Ariane\"><ul><li><a href=\"/mes-consultations\">Mes "
      "consultations</a></li><li><a href=\"" +
      Escape(TenderHref(id)) + "\">Consultation</a></li><li>Dépôt " + Escape(dep) +
      "</li></ul></nav>";
  if (!d->contains("receipt")) {
    m += "<h1>Dépôt " + Escape(dep) + "</h1><p>" + DepositState(*d) +
         " : ce dépôt n'a pas d'accusé de réception.</p>";
    return NoStore(Page(200, "Dépôt", m));
  }
  const json& signed_receipt = (*d)["receipt"];
  const json& r = signed_receipt.value("receipt", json::object());
  m += "<h1>Accusé de réception</h1>";
  m += "<p role=\"status\"><strong>" + DepositState(*d) + "</strong> le " +
       ParisTime(r, "received") + " (heure de Paris ; " + Escape(Str(r, "received")) + " UTC).</p>";
  m += "<dl class=\"facts\">";
  const auto fact = [&m](const char* k, const std::string& v) {
    m += "<dt>" + std::string(k) + "</dt><dd>" + v + "</dd>";
  };
  const json consultation = r.value("consultation", json::object());
  const json buyer = r.value("buyer", json::object());
  const json depositor = r.value("depositor", json::object());
  fact("Consultation",
       Escape(Str(consultation, "title")) + " (" + Escape(Str(consultation, "id")) + ")");
  fact("Objet", Escape(Str(consultation, "object")));
  fact("Acheteur", Escape(Str(buyer, "name")) + " (SIRET " + Escape(Str(buyer, "id")) + ")");
  fact("Déposant",
       Escape(Str(depositor, "name")) + " (SIRET " + Escape(Str(depositor, "id")) + ")");
  fact("Début de l'envoi", ParisTime(r, "upload_started"));
  fact("Chiffrement", r.value("sealed_by_server", false) ? "par la plateforme, dès réception"
                                                         : "dans votre navigateur, avant l'envoi");
  fact("N° d'accusé", "<code>" + Escape(Str(r, "id")) + "</code>");
  m += "</dl><table><caption>Documents déposés</caption><thead><tr><th scope=\"col\">Nom</th>"
       "<th scope=\"col\">Taille</th><th scope=\"col\">SHA-256 du document chiffré</th></tr>"
       "</thead><tbody>";
  for (const auto& doc : r.value("documents", json::array())) {
    m += "<tr><td>" + Escape(Str(doc, "name")) + "</td><td>" +
         Bytes(doc.value("size", int64_t{0})) + "</td><td><code>" + Escape(Str(doc, "sha256")) +
         "</code></td></tr>";
  }
  m += "</tbody></table>";
  m += "<p>L'accusé est signé par la plateforme (Ed25519, <a href=\"/api/v1/ledger/key\">clé "
       "publique</a>) : conservez-le, il prouve votre dépôt hors ligne "
       "(<code>limpide verify receipt</code>).</p>";
  m += "<p><a role=\"button\" href=\"" + Escape(DepositHref(id, dep)) +
       "/accuse.json\" download>Télécharger l'accusé signé (JSON)</a></p>";
  m += "<p><a href=\"" + Escape(TenderHref(id)) + "\">Retour à la consultation</a></p>";
  return NoStore(Page(200, "Accusé de réception", m));
}

http::Response ReceiptFile(app::Procedures& procedures, const app::Accounts& accounts,
                           const http::Request& req) {
  auto who = RequireRole(req, accounts, UserRole::kCompanyRep);
  if (auto* page = std::get_if<http::Response>(&who)) return std::move(*page);
  const std::string& id = req.params.at("id");
  const std::string& dep = req.params.at("deposit");
  auto d = procedures.Deposit(std::get<Principal>(who), id, dep);
  if (!d.ok()) return RefusedPage(d.status(), TenderHref(id));
  if (!d->contains("receipt"))
    return RefusedPage(Status::FailedPrecondition("the deposit is not complete"),
                       DepositHref(id, dep));
  http::Response r;
  r.body = (*d)["receipt"].dump();
  r.SetHeader("Content-Type", "application/json");
  r.SetHeader("Content-Disposition", "attachment; filename=\"accuse-" + Escape(dep) + ".json\"");
  r.SetHeader("Cache-Control", "no-store");
  return r;
}

http::Response MyTenders(app::Procedures& procedures, const app::Accounts& accounts,
                         const http::Request& req) {
  auto who = RequireRole(req, accounts, UserRole::kCompanyRep);
  if (auto* page = std::get_if<http::Response>(&who)) return std::move(*page);
  const Principal& company = std::get<Principal>(who);
  const std::string after = req.Query("apres") ? *req.Query("apres") : std::string();
  auto list = procedures.CompanyTenders(company, {after, 50});
  if (!list.ok()) return RefusedPage(list.status(), "/mes-consultations");
  std::string m = "<hgroup><h1>Mes consultations</h1><p>" + Escape(company.org_name) +
                  " — celles dont vous avez téléchargé le dossier, où vous avez posé une "
                  "question ou déposé une offre.</p></hgroup>";
  const json& items = (*list)["items"];
  if (items.empty() && after.empty()) {
    m += "<p>Aucune pour l'instant. <a href=\"/consultations\">Parcourir les consultations</a> "
         "(ou <a href=\"/consultations?test=1\">une consultation de test</a> pour simuler un "
         "dépôt).</p>";
  } else if (!items.empty()) {
    m += "<div class=\"overflow-auto\"><table class=\"striped\"><caption>Vos consultations, de "
         "la plus récente à la plus ancienne</caption><thead><tr><th scope=\"col\">Objet</th>"
         "<th scope=\"col\">Acheteur</th><th scope=\"col\">État</th><th scope=\"col\">Date "
         "limite</th><th scope=\"col\">Vous avez</th></tr></thead><tbody>";
    for (const auto& t : items) {
      const json& mine = t["mine"];
      std::vector<std::string> did;
      if (mine.value("downloaded", false)) did.push_back("téléchargé le dossier");
      if (mine.value("asked", false)) did.push_back("posé une question");
      if (const int n = mine.value("deposits", 0); n > 0)
        did.push_back(std::to_string(n) + " dépôt" + (n > 1 ? "s" : ""));
      std::string what;
      for (size_t i = 0; i < did.size(); ++i) what += (i ? ", " : "") + did[i];
      m += "<tr><td><a href=\"" + Escape(TenderHref(Str(t, "id"))) + "\">" +
           Escape(Str(t, "title")) + "</a>" + (t.value("test", false) ? " <mark>test</mark>" : "") +
           "</td><td>" + Escape(Str(t.value("buyer", json::object()), "name")) + "</td><td>" +
           Label(t, "state") + "</td><td>" + ParisTime(t, "deadline") + "</td><td>" + what +
           "</td></tr>";
    }
    m += "</tbody></table></div>";
  }
  m += PagerLinks("/mes-consultations", after, (*list)["next"]);
  auto notes = procedures.Notifications(company);
  if (notes.ok() && !(*notes)["items"].empty()) {
    m += "<h2>Notifications</h2><ul>";
    for (const auto& n : (*notes)["items"]) {
      m += "<li>" + ParisTime(n, "time") + " — <a href=\"" + Escape(TenderHref(Str(n, "tender"))) +
           "\">" + Escape(Str(n, "title")) + "</a> : " + Escape(Str(n, "message")) + "</li>";
    }
    m += "</ul>";
  }
  return NoStore(Page(200, "Mes consultations", m));
}

}  // namespace

std::string CompanySection(app::Procedures& procedures, const Principal& company,
                           const http::Request& req, const json& tender) {
  const std::string id = Str(tender, "id");
  const std::string state = StateCode(tender);
  std::string h;
  auto deposits = procedures.Deposits(company, id);
  if (deposits.ok() && !(*deposits)["items"].empty()) {
    h += "<section aria-labelledby=\"vos-depots\"><h2 id=\"vos-depots\">Vos dépôts</h2><table>"
         "<thead><tr><th scope=\"col\">Dépôt</th><th scope=\"col\">Début de l'envoi</th>"
         "<th scope=\"col\">État</th><th scope=\"col\">Actions</th></tr></thead><tbody>";
    for (const auto& d : (*deposits)["items"]) {
      const std::string dep = Str(d, "id");
      h += "<tr><td><a href=\"" + Escape(DepositHref(id, dep)) + "\">" + Escape(dep) +
           "</a></td><td>" + ParisTime(d, "upload_started") + "</td><td>" + DepositState(d) +
           "</td><td>";
      if (Str(d, "state") != "withdrawn" && state == "published") {
        h += "<form method=\"post\" action=\"" + Escape(DepositHref(id, dep)) + "/retrait\">" +
             CsrfInput(req) +
             "<button type=\"submit\" class=\"secondary outline\">Retirer ce dépôt</button>"
             "</form>";
      }
      h += "</td></tr>";
    }
    h += "</tbody></table><p><small>Seul le dernier dépôt complet reçu avant la date limite "
         "compte.</small></p></section>";
  }
  if (state != "published") return h;

  const int64_t max_bytes = tender.value("maxDocumentBytes", int64_t{0});
  h += "<section aria-labelledby=\"depot\"><h2 id=\"depot\">Déposer une offre</h2>";
  h += "<p>Vos documents sont chiffrés <strong>dans votre navigateur</strong> avec la clé "
       "publique de la consultation avant l'envoi : personne, ni la plateforme ni l'acheteur, ne "
       "peut les lire avant la date limite (" +
       ParisTime(tender, "deadline") +
       "). L'envoi se fait par morceaux et reprend où il s'est arrêté. Chaque dépôt reçoit un "
       "accusé de réception signé ; un nouveau dépôt remplace le précédent.</p>";
  h += "<form method=\"post\" action=\"" + Escape(TenderHref(id)) +
       "/depots\" enctype=\"multipart/form-data\" id=\"formulaire-depot\" data-tender=\"" +
       Escape(id) + "\" data-public-key=\"" + Escape(Str(tender, "opening_public_key")) +
       "\" data-max-bytes=\"" + std::to_string(max_bytes) + "\">" + CsrfInput(req);
  h += "<label for=\"document\">Documents de l'offre</label><input type=\"file\" id=\"document\" "
       "name=\"document\" multiple required aria-describedby=\"document-aide\">"
       "<small id=\"document-aide\">Taille maximale d'un document : " +
       Bytes(max_bytes) +
       ". Sans JavaScript, les documents sont envoyés tels quels et chiffrés par la plateforme "
       "dès réception.</small>";
  h += "<progress id=\"depot-progression\" value=\"0\" max=\"100\" hidden></progress>"
       "<p id=\"depot-etat\" role=\"status\" aria-live=\"polite\"></p>"
       "<button type=\"submit\">Chiffrer et déposer</button></form>";
  h += "<script src=\"/static/libsodium.js\"></script>"
       "<script src=\"/static/libsodium-wrappers.js\"></script>"
       "<script type=\"module\" src=\"/static/deposit.js\"></script></section>";

  h += "<section aria-labelledby=\"question\"><h2 id=\"question\">Poser une question</h2>"
       "<p>La réponse sera publiée pour tous ; votre identité n'est jamais montrée aux autres "
       "entreprises.</p><form method=\"post\" action=\"" +
       Escape(TenderHref(id)) + "/questions\">" + CsrfInput(req) +
       "<label for=\"texte-question\">Votre question</label><textarea id=\"texte-question\" "
       "name=\"texte\" rows=\"4\" required></textarea><button type=\"submit\">Envoyer la "
       "question</button></form></section>";
  return h;
}

void RegisterCompanyPages(http::Router& router, app::Procedures& procedures,
                          const app::Accounts& accounts) {
  app::Procedures* p = &procedures;
  const app::Accounts* a = &accounts;
  router.Add("GET", "/mes-consultations",
             [p, a](const http::Request& req) { return MyTenders(*p, *a, req); });
  router.Add("GET", "/consultations/{id}/depots/{deposit}",
             [p, a](const http::Request& req) { return ReceiptPage(*p, *a, req); });
  router.Add("GET", "/consultations/{id}/depots/{deposit}/accuse.json",
             [p, a](const http::Request& req) { return ReceiptFile(*p, *a, req); });
  router.Add("POST", "/consultations/{id}/depots", [p, a](const http::Request& req) {
    return FormPost(*a, req, UserRole::kCompanyRep,
                    [&](const Principal& who, const Fields& fields) {
                      const std::string& id = req.params.at("id");
                      auto dep = DepositPlaintext(*p, who, id, fields);
                      if (!dep.ok()) return RefusedPage(dep.status(), TenderHref(id));
                      const std::string d = dep->empty() ? LatestDeposit(*p, who, id) : *dep;
                      return NoStore(SeeOther(DepositHref(id, d)));
                    });
  });
  router.Add(
      "POST", "/consultations/{id}/depots/{deposit}/retrait", [p, a](const http::Request& req) {
        return FormPost(*a, req, UserRole::kCompanyRep, [&](const Principal& who, const Fields&) {
          const std::string& id = req.params.at("id");
          auto w = p->Withdraw(who, id, req.params.at("deposit"));
          if (!w.ok()) return RefusedPage(w.status(), TenderHref(id));
          return NoStore(SeeOther(TenderHref(id) + "#vos-depots"));
        });
      });
  router.Add("POST", "/consultations/{id}/questions", [p, a](const http::Request& req) {
    return FormPost(*a, req, UserRole::kCompanyRep,
                    [&](const Principal& who, const Fields& fields) {
                      const std::string& id = req.params.at("id");
                      auto q = p->Ask(who, id, Field(fields, "texte"));
                      if (!q.ok()) return RefusedPage(q.status(), TenderHref(id));
                      return NoStore(SeeOther(TenderHref(id) + "#questions"));
                    });
  });
}

}  // namespace limpide::web
