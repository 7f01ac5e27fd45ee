#include "web/pages.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "api/api.h"
#include "domain/cpv.h"
#include "domain/money.h"
#include "domain/time.h"
#include "http/problem.h"
#include "web/layout.h"

namespace limpide::web {
namespace {

using domain::Contract;

std::string Money(const std::optional<domain::Money>& m) {
  return m ? Escape(domain::FormatEurosFr(*m)) : "—";
}
std::string Date(const std::optional<domain::Date>& d) {
  return d ? domain::FormatDateFr(*d) : "—";
}
// Whole euros for headline figures.
std::string RoundedEuros(domain::Money m) {
  return Escape(
      domain::FormatEurosFr(domain::Money{(m.cents + (m.cents >= 0 ? 50 : -50)) / 100 * 100}));
}

std::string ContractHref(const Contract& c) { return "/contrats/" + api::UrlEncode(c.uid); }
std::string OrgHref(std::string_view id) { return "/organisations/" + api::UrlEncode(id); }

std::string BuyerLabel(const Contract& c) {
  return c.buyer_name.empty() ? c.buyer_id : c.buyer_name;
}

std::string SearchForm(const std::string& q) {
  return "<form role=\"search\" action=\"/contrats\" method=\"get\">"
         "<label for=\"q\">Rechercher dans l'objet des contrats</label>"
         "<fieldset role=\"group\"><input id=\"q\" name=\"q\" type=\"search\" value=\"" +
         Escape(q) +
         "\" placeholder=\"ex. : restauration scolaire, voirie, nettoyage\">"
         "<button type=\"submit\">Rechercher</button></fieldset></form>";
}

std::string ContractTable(const std::vector<Contract>& items, const std::string& caption) {
  std::string t =
      "<div class=\"overflow-auto\"><table class=\"striped\"><caption>" + Escape(caption) +
      "</caption><thead><tr><th scope=\"col\">Notifié le</th><th scope=\"col\">Objet</th>"
      "<th scope=\"col\">Acheteur</th><th scope=\"col\">Titulaire(s)</th>"
      "<th scope=\"col\" class=\"amount\">Montant</th></tr></thead><tbody>";
  for (const auto& c : items) {
    t += "<tr><td>" + Date(c.notified_on) + "</td><td><a href=\"" + ContractHref(c) + "\">" +
         Escape(c.object.empty() ? c.id : c.object) + "</a></td><td><a href=\"" +
         OrgHref(c.buyer_id) + "\">" + Escape(BuyerLabel(c)) + "</a></td><td>";
    for (size_t i = 0; i < c.holders.size(); ++i) {
      const auto& h = c.holders[i];
      if (i) t += ", ";
      t += "<a href=\"" + OrgHref(h.id) + "\">" + Escape(h.name.empty() ? h.id : h.name) + "</a>";
    }
    t += "</td><td class=\"amount\">" + Money(c.amount) + "</td></tr>";
  }
  t += "</tbody></table></div>";
  if (items.empty()) t += "<p>Aucun contrat ne correspond.</p>";
  return t;
}

std::string Option(std::string_view value, std::string_view label, const std::string& selected) {
  return "<option value=\"" + Escape(value) + "\"" + (selected == value ? " selected" : "") + ">" +
         Escape(label) + "</option>";
}

const std::string* Param(const http::Request& r, std::string_view name) { return r.Query(name); }
std::string ParamOr(const http::Request& r, std::string_view name) {
  const std::string* v = Param(r, name);
  return v ? *v : std::string();
}

http::Response Home(const app::Catalogue& cat, const http::Request&) {
  auto counts = cat.CountContracts({});
  if (!counts.ok()) return ErrorPage(counts.status());
  auto latest = cat.ListContracts(app::ContractQuery{{}, {"", 10}});
  if (!latest.ok()) return ErrorPage(latest.status());
  std::string m =
      "<hgroup><h1>La commande publique, en clair</h1>"
      "<p>Qui achète quoi, à qui, pour combien : les données essentielles des marchés publics et "
      "des concessions.</p></hgroup>";
  m += SearchForm("");
  m += "<section aria-labelledby=\"chiffres\"><h2 id=\"chiffres\">En chiffres</h2><div "
       "class=\"figures\">";
  auto figure = [](const std::string& value, const std::string& label) {
    return "<article><strong>" + value + "</strong>" + label + "</article>";
  };
  m += figure(Count(counts->contracts), "contrats");
  m += figure(Count(counts->buyers), "acheteurs");
  m += figure(Count(counts->holders), "titulaires");
  m += figure(RoundedEuros(counts->total_amount), "montant total");
  m += "</div></section>";
  m += "<section aria-labelledby=\"derniers\"><h2 id=\"derniers\">Derniers contrats notifiés</h2>";
  m += ContractTable(latest->items, "Les 10 derniers contrats notifiés");
  m += "<p><a href=\"/contrats\">Tous les contrats</a></p></section>";
  return Page(200, "Accueil", m);
}

http::Response ContractList(const app::Catalogue& cat, const http::Request& req) {
  auto query = app::ParseContractQuery(req.query, /*strict=*/false);
  if (!query.ok()) return ErrorPage(query.status());
  auto page = cat.ListContracts(*query);
  if (!page.ok()) return ErrorPage(page.status());
  auto counts = cat.CountContracts(query->filter);
  if (!counts.ok()) return ErrorPage(counts.status());

  std::string m = "<h1>Contrats</h1>";
  m += "<form action=\"/contrats\" method=\"get\" aria-label=\"Filtres\"><div class=\"filters\">";
  auto input = [&](const char* name, const char* label, const char* type, const char* hint) {
    m += std::string("<label>") + label + "<input name=\"" + name + "\" type=\"" + type +
         "\" value=\"" + Escape(ParamOr(req, name)) + "\"" +
         (hint[0] ? std::string(" placeholder=\"") + hint + "\"" : "") + "></label>";
  };
  input("q", "Mots de l'objet", "search", "ex. : voirie");
  input("buyer", "SIRET de l'acheteur", "text", "14 chiffres");
  input("supplier", "Identifiant du titulaire", "text", "SIRET");
  input("cpv", "Code CPV (préfixe)", "text", "ex. : 45");
  m += "<label>Procédure<select name=\"procedure\">" +
       Option("", "Toutes", ParamOr(req, "procedure"));
  for (auto p : domain::AllProcedures())
    m += Option(domain::Code(p), domain::Label(p), ParamOr(req, "procedure"));
  m += "</select></label>";
  m += "<label>Nature<select name=\"nature\">" + Option("", "Toutes", ParamOr(req, "nature"));
  for (auto n : domain::AllNatures())
    m += Option(domain::Code(n), domain::Label(n), ParamOr(req, "nature"));
  m += "</select></label>";
  input("notified_from", "Notifié à partir du", "date", "");
  input("notified_to", "Notifié jusqu'au", "date", "");
  input("amount_min", "Montant minimum (€)", "number", "");
  input("amount_max", "Montant maximum (€)", "number", "");
  m += "</div><button type=\"submit\">Filtrer</button> <a href=\"/contrats\">Effacer les "
       "filtres</a></form>";

  m += "<p role=\"status\">" + Count(counts->contracts) + " contrat(s), " +
       Escape(domain::FormatEurosFr(counts->total_amount)) + " au total.</p>";
  m += ContractTable(page->items, "Contrats, du plus récent au plus ancien");
  const std::string rest = api::QueryString(req.query, "after");
  m += "<nav aria-label=\"Pagination\"><ul>";
  if (!page->next.empty()) {
    m += "<li><a href=\"" +
         Escape("/contrats" + rest + (rest.empty() ? "?" : "&") +
                "after=" + api::UrlEncode(page->next)) +
         "\" rel=\"next\">Page suivante</a></li>";
  }
  m += "<li><a href=\"" + Escape("/api/v1/contracts.csv" + rest) +
       "\">Télécharger en CSV</a></li></ul></nav>";
  return Page(200, "Contrats", m);
}

http::Response ContractPage(const app::Catalogue& cat, const http::Request& req) {
  auto c = cat.GetContract(req.params.at("uid"));
  if (!c.ok()) return ErrorPage(c.status());
  std::string m =
      "<nav aria-label=\"Fil d'Ariane\"><ul><li><a href=\"/\">Accueil</a></li><li><a "
      "href=\"/contrats\">Contrats</a></li><li>" +
      Escape(c->id) + "</li></ul></nav>";
  m += "<h1>" + Escape(c->object.empty() ? c->id : c->object) + "</h1>";
  m += "<dl class=\"facts\">";
  auto fact = [&](const std::string& k, const std::string& v) {
    m += "<dt>" + k + "</dt><dd>" + v + "</dd>";
  };
  fact("Type",
       c->kind == domain::ContractKind::kConcession ? "Contrat de concession" : "Marché public");
  fact("Identifiant", Escape(c->id));
  fact(c->kind == domain::ContractKind::kConcession ? "Autorité concédante" : "Acheteur",
       "<a href=\"" + OrgHref(c->buyer_id) + "\">" + Escape(BuyerLabel(*c)) + "</a> (SIRET " +
           Escape(c->buyer_id) + ")");
  if (c->nature) fact("Nature", Escape(domain::Label(*c->nature)));
  if (c->procedure) fact("Procédure", Escape(domain::Label(*c->procedure)));
  if (!c->cpv.empty()) {
    const auto* code = domain::CpvTable::Get().Find(c->cpv.substr(0, 8));
    fact("Code CPV", Escape(c->cpv) + (code ? " — " + Escape(code->label_fr) : ""));
  }
  fact(c->kind == domain::ContractKind::kConcession ? "Valeur globale" : "Montant",
       Money(c->amount));
  if (c->public_subsidy) fact("Subvention publique", Money(c->public_subsidy));
  fact(c->kind == domain::ContractKind::kConcession ? "Signé le" : "Notifié le",
       Date(c->notified_on));
  if (c->published_on) fact("Données publiées le", Date(c->published_on));
  if (c->execution_start) fact("Début d'exécution", Date(c->execution_start));
  if (c->duration_months) fact("Durée", std::to_string(*c->duration_months) + " mois");
  if (!c->place.code.empty() || !c->place.name.empty()) {
    fact(
        "Lieu d'exécution",
        Escape(c->place.name.empty() ? c->place.code : c->place.name + " (" + c->place.code + ")") +
            (c->place.code_type.empty() ? "" : " — " + Escape(c->place.code_type)));
  }
  if (!c->price_form.empty()) fact("Forme du prix", Escape(c->price_form));
  fact("Source", Escape(c->source) + " (DECP " + Escape(c->schema_version) + ".x)");
  m += "</dl>";

  m += "<h2>" +
       std::string(c->kind == domain::ContractKind::kConcession ? "Concessionnaires"
                                                                : "Titulaires") +
       "</h2><ul>";
  for (const auto& h : c->holders) {
    m += "<li><a href=\"" + OrgHref(h.id) + "\">" + Escape(h.name.empty() ? h.id : h.name) +
         "</a> (" + Escape(h.id_type) + " " + Escape(h.id) + ")</li>";
  }
  if (c->holders.empty()) m += "<li>Non publié</li>";
  m += "</ul>";
  if (!c->modifications.empty()) {
    m += "<h2>Modifications</h2><div class=\"overflow-auto\"><table><thead><tr><th "
         "scope=\"col\">N°</th><th scope=\"col\">Signée le</th>"
         "<th scope=\"col\">Objet</th><th scope=\"col\">Durée</th><th scope=\"col\" "
         "class=\"amount\">Nouveau montant</th></tr></thead><tbody>";
    for (const auto& mod : c->modifications) {
      m += "<tr><td>" + Escape(mod.id) + "</td><td>" + Date(mod.signed_on) + "</td><td>" +
           Escape(mod.object) + "</td><td>" +
           (mod.duration_months ? std::to_string(*mod.duration_months) + " mois" : "—") +
           "</td><td class=\"amount\">" + Money(mod.amount) + "</td></tr>";
    }
    m += "</tbody></table></div>";
  }
  if (!c->flags.empty()) {
    m += "<details><summary>Corrections appliquées à l'import</summary><ul class=\"flags\">";
    for (const auto& f : c->flags) m += "<li><code>" + Escape(f) + "</code></li>";
    m += "</ul></details>";
  }
  m += "<p><a href=\"/api/v1/contracts/" + api::UrlEncode(c->uid) + "\">Ce contrat en JSON</a></p>";
  return Page(200, c->object.empty() ? c->id : c->object, m);
}

http::Response OrganizationPage(const app::Catalogue& cat, const http::Request& req) {
  const std::string& id = req.params.at("id");
  auto view = cat.GetOrganization(id, 10);
  if (!view.ok()) return ErrorPage(view.status());
  const auto& o = view->organization;
  std::string name = o.name.empty() ? o.id : o.name;
  std::string m = "<h1>" + Escape(name) + "</h1><p>Identifiant : " + Escape(o.id) +
                  "</p><div class=\"figures\">";
  m += "<article><strong>" + Count(o.contracts_as_buyer) +
       "</strong>contrats passés comme acheteur, " +
       Escape(domain::FormatEurosFr(o.amount_as_buyer)) + "</article>";
  m += "<article><strong>" + Count(o.contracts_as_holder) + "</strong>contrats remportés, " +
       Escape(domain::FormatEurosFr(o.amount_as_holder)) + "</article></div>";
  auto partners = [&](const std::vector<store::Partner>& list, const std::string& caption,
                      const std::string& who) {
    std::string t = "<table><caption>" + caption + "</caption><thead><tr><th scope=\"col\">" + who +
                    "</th><th scope=\"col\">Contrats</th><th scope=\"col\" "
                    "class=\"amount\">Montant</th></tr></thead><tbody>";
    for (const auto& p : list) {
      t += "<tr><td><a href=\"" + OrgHref(p.id) + "\">" + Escape(p.name.empty() ? p.id : p.name) +
           "</a></td><td>" + Count(p.contracts) + "</td><td class=\"amount\">" +
           Escape(domain::FormatEurosFr(p.amount)) + "</td></tr>";
    }
    return t + "</tbody></table>";
  };
  // One section per role the organization plays: what it bought, what it won.
  auto section = [&](const char* heading, const std::vector<store::Partner>& list,
                     const char* caption, const char* who, store::ContractFilter filter,
                     const char* latest, const std::string& all_href, const char* all_label) {
    m += std::string("<section><h2>") + heading + "</h2>" + partners(list, caption, who);
    auto page = cat.ListContracts(app::ContractQuery{std::move(filter), {"", 20}});
    if (page.ok()) m += ContractTable(page->items, latest);
    m += "<p><a href=\"" + Escape(all_href) + "\">" + all_label + "</a></p></section>";
  };
  if (o.contracts_as_buyer > 0) {
    store::ContractFilter f;
    f.buyer_id = o.id;
    section("Ce qu'elle achète", view->holders, "Principaux titulaires", "Titulaire", f,
            "Derniers contrats passés", "/contrats?buyer=" + api::UrlEncode(o.id),
            "Tous ses contrats comme acheteur");
  }
  if (o.contracts_as_holder > 0) {
    store::ContractFilter f;
    f.holder_id = o.id;
    section("Ce qu'elle a remporté", view->buyers, "Principaux acheteurs", "Acheteur", f,
            "Derniers contrats remportés", "/contrats?supplier=" + api::UrlEncode(o.id),
            "Tous ses contrats comme titulaire");
  }
  return Page(200, name, m);
}

http::Response StaticFile(const std::string& dir, const http::Request& req) {
  const std::string& name = req.params.at("file");
  // Only plain file names of known types: no path traversal.
  const bool css = name.ends_with(".css");
  const bool js = name.ends_with(".js");
  if (name.find('/') != std::string::npos || name.starts_with(".") || !(css || js)) {
    return http::Problem(404, "not_found", "no such static file", req.target);
  }
  std::ifstream in(std::filesystem::path(dir) / name, std::ios::binary);
  if (!in) return http::Problem(404, "not_found", "no such static file", req.target);
  std::ostringstream body;
  body << in.rdbuf();
  http::Response r;
  r.body = body.str();
  r.SetHeader("Content-Type", css ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8");
  r.SetHeader("Cache-Control", "public, max-age=3600");
  return r;
}

}  // namespace

std::string Escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 16);
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// The transparency ledger for people: the signed head, how to check it, the
// latest entries.
http::Response LedgerPage(app::LedgerService& ledger, const http::Request& req) {
  const std::string* host = req.Header("host");
  const std::string base = "http://" + (host ? *host : std::string("127.0.0.1:8080"));
  auto head = ledger.Head();
  if (!head.ok()) return ErrorPage(head.status());
  const uint64_t start = head->size > 20 ? head->size - 20 : 0;
  auto entries = ledger.Entries(start, head->size);
  if (!entries.ok()) return ErrorPage(entries.status());
  const std::string root = crypto::ToHex(head->root);
  const std::string key_id = crypto::ToHex(ledger.key_id());
  std::string m =
      "<hgroup><h1>Registre public</h1><p>Chaque fait public (contrat publié ou modifié…) est "
      "inscrit dans un journal append-only dont chacun peut vérifier qu'il ne fait que "
      "croître.</p></hgroup>";
  m += "<section aria-labelledby=\"tete\"><h2 id=\"tete\">État signé du registre</h2><dl>";
  m += "<dt>Nombre d'inscriptions</dt><dd>" + Count(static_cast<int64_t>(head->size)) + "</dd>";
  m += "<dt>Racine de l'arbre de Merkle (SHA-256)</dt><dd><code>" + root + "</code></dd>";
  m += "<dt>Signé le</dt><dd>" +
       Escape(domain::FormatInstantParis(domain::Instant{head->timestamp_ms * 1000})) + "</dd>";
  m += "<dt>Clé de signature (Ed25519)</dt><dd><code>" + key_id +
       "</code> — <a href=\"/api/v1/ledger/key\">clé publique</a></dd></dl>";
  m += "<p>Pour vérifier vous-même, sans faire confiance à ce serveur :</p><pre><code>"
       "curl -o head.json " +
       Escape(base) + "/api/v1/ledger/head\ncurl -o key.json " + Escape(base) +
       "/api/v1/ledger/key\ncurl -o dump.jsonl " + Escape(base) +
       "/api/v1/ledger/dump\n"
       "limpide verify dump dump.jsonl --head head.json --key key.json</code></pre>"
       "<p>Les formats sont décrits dans la documentation (<code>docs/ledger.md</code>) ; un "
       "flux des changements permet aux autres plateformes de se synchroniser "
       "(<a href=\"/api/v1/feed\">/api/v1/feed</a>).</p></section>";
  m += "<section aria-labelledby=\"dernieres\"><h2 id=\"dernieres\">Dernières "
       "inscriptions</h2><div class=\"overflow-auto\"><table class=\"striped\"><caption>Les " +
       std::to_string(entries->size()) +
       " dernières inscriptions</caption><thead><tr><th scope=\"col\">N°</th><th "
       "scope=\"col\">Date</th><th scope=\"col\">Nature</th><th scope=\"col\">Objet</th><th "
       "scope=\"col\">Preuve</th></tr></thead><tbody>";
  for (auto it = entries->rbegin(); it != entries->rend(); ++it) {
    const std::string seq = std::to_string(it->seq);
    const bool contract = it->kind.rfind("contract.", 0) == 0;
    const std::string kind = it->kind == "contract.created"   ? "Contrat publié"
                             : it->kind == "contract.updated" ? "Contrat modifié"
                                                              : it->kind;
    m += "<tr><td>" + seq + "</td><td>" + Escape(it->time) + "</td><td>" + Escape(kind) +
         "</td><td>";
    if (contract) {
      m += "<a href=\"/contrats/" + Escape(api::UrlEncode(it->subject)) + "\">" +
           Escape(it->subject) + "</a>";
    } else {
      m += Escape(it->subject);
    }
    m += "</td><td><a href=\"/api/v1/ledger/proof/inclusion?leaf_index=" + seq +
         "\">preuve d'inclusion</a></td></tr>";
  }
  m += "</tbody></table></div>";
  if (entries->empty()) m += "<p>Le registre est vide.</p>";
  m += "</section>";
  return Page(200, "Registre public", m);
}

void RegisterWeb(http::Router& router, const app::Catalogue& catalogue, const WebOptions& options) {
  const app::Catalogue* cat = &catalogue;
  router.Add("GET", "/", [cat](const http::Request& r) { return Home(*cat, r); });
  router.Add("GET", "/contrats", [cat](const http::Request& r) { return ContractList(*cat, r); });
  router.Add("GET", "/contrats/{uid}",
             [cat](const http::Request& r) { return ContractPage(*cat, r); });
  router.Add("GET", "/organisations/{id}",
             [cat](const http::Request& r) { return OrganizationPage(*cat, r); });
  if (app::LedgerService* ledger = options.ledger) {
    router.Add("GET", "/registre",
               [ledger](const http::Request& r) { return LedgerPage(*ledger, r); });
  }
  router.Add("GET", "/static/{file}",
             [dir = options.static_dir](const http::Request& r) { return StaticFile(dir, r); });
}

}  // namespace limpide::web
